"""A lint job that kills its worker process, as an out-of-memory kill or a crash in a C
extension would: the pool it runs in becomes a `BrokenProcessPool`."""

from __future__ import annotations

import os


def crash(*_args: object) -> None:
    os._exit(70)
