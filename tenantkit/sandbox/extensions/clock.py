"""The sandbox's clock, which tests and `tenantkit sandbox clock --advance-days N` can move.

Some promises are only checkable after a date: a KMS key scheduled for deletion is gone 7 to 30
days later (`offboard confirm-keys`). moto keeps no clock of its own that a running server can be
told to move, so the emulator keeps one offset, read where a date decides what happens (KMS key
deletion dates, `tenantkit.sandbox.extensions.kms`; the end of a running AWS Backup backup, copy
or restore job, `backup_jobs`: both through `now()`), and the sandbox server serves it at
`/moto-api/tenantkit/clock`: GET answers `{"ahead_seconds": N}`, POST `{"advance_seconds": N}`
moves it forward (never back: nothing in AWS un-happens). `moto-api/reset` does not move it back.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from moto.core.utils import utcnow
from moto.moto_api._internal import urls as moto_api_urls

from tenantkit.sandbox.extensions import kms

ROUTE = "{0}/moto-api/tenantkit/clock"
PATH = "/moto-api/tenantkit/clock"


def now() -> datetime:
    """The emulator's time: moto's (naive UTC, like every date moto stores) plus the offset."""
    return utcnow() + kms.CLOCK.ahead


def request_json(request: Any) -> Any:
    """The JSON body of a request to a `/moto-api/tenantkit/...` route (werkzeug's request on the
    server, moto's own in-process); ValueError when it is not JSON."""
    body = request.get_data() if hasattr(request, "get_data") else request.body
    return json.loads(body or b"{}")


def clock(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    if request.method == "POST":
        try:
            seconds = float(request_json(request)["advance_seconds"])
        except (ValueError, KeyError, TypeError):
            return 400, {}, json.dumps({"Error": 'POST {"advance_seconds": N}, N >= 0'})
        if seconds < 0:
            return 400, {}, json.dumps({"Error": "the clock never goes back"})
        kms.advance_clock(timedelta(seconds=seconds))
    return 200, {}, json.dumps({"ahead_seconds": kms.CLOCK.ahead.total_seconds()})


def patch() -> None:
    moto_api_urls.url_paths.setdefault(ROUTE, clock)
