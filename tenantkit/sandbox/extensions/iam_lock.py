"""moto's IAM backend, made safe for the sandbox server's threads.

The sandbox serves requests in threads (several tenants deploy at once with `--concurrency`), and
moto 5.2.5's `IAMBackend` is not thread-safe: `create_role` checks a new role's name by iterating
the backend's live `roles` dict, unlocked, so a role another thread adds meanwhile raises
`RuntimeError: dictionary changed size during iteration` (seen: 2 of 100 tenants deployed into the
sandbox at `--concurrency 4` failed their primary stack so; reproduced in-process with 4 threads
creating roles). IAM is one global backend per account and light work, so every public method of
`IAMBackend` runs under one process-wide re-entrant lock (re-entrant: IAM methods call each
other). Probed in `tests/sandbox/moto_defects.py` (`iam_create_role_iterates_the_live_roles`).
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

from moto.iam.models import IAMBackend

from tenantkit.sandbox.extensions._base import wrap

LOCK = threading.RLock()


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        with LOCK:
            return method(*args, **kwargs)

    return call


def patch() -> None:
    for name, value in list(vars(IAMBackend).items()):
        if inspect.isfunction(value) and not name.startswith("_"):
            wrap(IAMBackend, name, _locked)
