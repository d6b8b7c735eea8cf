"""The lock and state guard of a command acting on tenants: one helper for every command
(deploy, offboard, restore, drill, failover, access, reinstate), so each says the same thing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from tenantkit.cli import render

STATE_DIR = Path(".tenantkit")


def operation_guard(operation: str, *, local: bool, root: Path, break_lock: bool, reason: str | None) -> Any:
    """The guard (tenantkit.lifecycle.state.service.Guard) of `operation` in the sandbox (`local`)
    or AWS; exit 1 with one line for --break-lock without a reason, a stopped sandbox, a
    fleet.yaml in error or a tooling account the credentials are not in."""
    from tenantkit.cli.errors import as_lines
    from tenantkit.config import load_fleet
    from tenantkit.lifecycle.state.service import aws_guard, sandbox_guard

    break_reason = lock_break_reason(break_lock, reason)
    with as_lines():
        tooling = load_fleet(root).tooling
        if local:
            from tenantkit.lifecycle.local import running_sandbox

            endpoint = running_sandbox(STATE_DIR).endpoint
            return sandbox_guard(operation, endpoint=endpoint, state_dir=STATE_DIR, tooling=tooling, break_reason=break_reason)
        guard = aws_guard(operation, state_dir=STATE_DIR, tooling=tooling, break_reason=break_reason)
    if guard.warning:
        render.warning(guard.warning)
    return guard


def lock_break_reason(break_lock: bool, reason: str | None) -> str | None:
    """The reason recorded with a broken lock (None without --break-lock); exit 1 when missing."""
    if break_lock and not (reason and reason.strip()):
        render.error("--break-lock needs --reason \"...\" (it is recorded)")
        raise typer.Exit(1)
    return reason if break_lock else None
