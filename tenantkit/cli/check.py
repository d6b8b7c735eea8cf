"""`tenantkit check [--junit FILE]`: validate, synthesize, check, deploy into a throwaway sandbox,
inventory; one command for CI."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.approvals import APPROVALS_OPTION, REASON_OPTION, UNAPPROVED_OPTION, require_approvals
from tenantkit.cli.options import (
    CHANGED_SINCE_OPTION,
    CONFIG_DIR_OPTION,
    EXACT_OPTION,
    ROOT_OPTION,
    SHARD_OPTION,
    selected_tenants,
)
from tenantkit.cli.sandbox import STATE_DIR

SANDBOX_LOG = "check-sandbox.log"
"""Under .tenantkit/: what the throwaway sandbox logged during the last check (never the console)."""


def register(app: typer.Typer) -> None:
    app.command()(check)


def check(
    directory: Path = CONFIG_DIR_OPTION,
    outdir: Path = typer.Option(Path("cdk.out"), "--out", "-o", help="Cloud assembly directory."),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Also write JUnit XML here."),  # noqa: UP045
    concurrency: int = typer.Option(4, "--concurrency", min=1, max=32, help="Tenants deployed at once."),
    shard: Optional[str] = SHARD_OPTION,  # noqa: UP045
    changed_since: Optional[str] = CHANGED_SINCE_OPTION,  # noqa: UP045
    exact: bool = EXACT_OPTION,
    unapproved: bool = UNAPPROVED_OPTION,
    reason: Optional[str] = REASON_OPTION,  # noqa: UP045
    approvals_dir: Path = APPROVALS_OPTION,
    root: Path = ROOT_OPTION,
) -> None:
    """Every tenant (or a shard of them, or those changed), every step; exit 1 if any step fails.
    With fleet.yaml's `require_approval`, a tenant changed since its last valid approval is refused first."""
    from tenantkit.cli.errors import as_lines
    from tenantkit.lifecycle.check import junit_xml, run_check

    tenant_ids = selected_tenants(
        directory, None, all_tenants=True, shard=shard, changed_since=changed_since, exact=exact
    )
    require_approvals(
        directory, tenant_ids, cdk_out=outdir, approvals_dir=approvals_dir, root=root,
        unapproved=unapproved, reason=reason, command="check",
    )
    with as_lines():
        results = run_check(
            directory, outdir, sandbox_log=STATE_DIR / SANDBOX_LOG, concurrency=concurrency, tenant_ids=tenant_ids
        )
    if junit is not None:
        try:
            junit.write_text(junit_xml(results), encoding="utf-8")
        except OSError as error:
            render.error(f"{junit}: --junit: cannot write it ({error.strerror})")
            raise typer.Exit(1) from None
    render.check_summary(results)
    raise typer.Exit(0 if results and all(result.ok for result in results) else 1)
