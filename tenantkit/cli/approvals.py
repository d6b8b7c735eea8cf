"""The approval gate at the edge of `deploy` and `check` (fleet.yaml `require_approval: true`):
one line per refused tenant and exit 1; `--unapproved --reason TEXT` goes ahead, recorded."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from tenantkit.cli import render

UNAPPROVED_OPTION = typer.Option(
    False, "--unapproved",
    help="With require_approval: go ahead with tenants changed since their last valid approval (needs --reason; recorded in approvals/<tenant>.json).",
)
REASON_OPTION = typer.Option(
    None, "--reason", help="Why --unapproved (or --break-lock): recorded in the approval history (with the broken lock)."
)
APPROVALS_OPTION = typer.Option(Path("approvals"), "--approvals", help="Directory of security review approvals.", file_okay=False)


def require_approvals(
    directory: Path, tenant_ids: list[str], *, cdk_out: Path, approvals_dir: Path, root: Path,
    unapproved: bool, reason: str | None, command: str,
) -> None:
    """Exit 1 naming each tenant fleet.yaml's `require_approval` refuses (nothing when it is off)."""
    from tenantkit.cli.errors import as_lines
    from tenantkit.review.gate import Override, gate

    if unapproved and not (reason and reason.strip()):
        render.error("--unapproved needs --reason \"...\" (it is recorded in the tenant's approval history)")
        raise typer.Exit(1)
    override = Override(by=getpass.getuser(), reason=reason.strip(), command=command) if unapproved and reason else None
    with as_lines():
        decisions = gate(directory, tenant_ids, cdk_out=cdk_out, approvals_dir=approvals_dir, root=root, override=override)
    for decision in decisions:
        if decision.overridden:
            render.warning(decision.line)
        elif not decision.allowed:
            render.error(decision.line)
    if not all(decision.allowed for decision in decisions):
        raise typer.Exit(1)
