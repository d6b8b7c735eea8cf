"""`tenantkit failover start | status | failback-plan`: serve a tenant from its DR region.

Every refusal is one line and exit 1, decided before anything changes (unknown tenant, missing or
wrong `--confirm`, no `--reason`, a tenant in offboarding or later).
"""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from tenantkit.cli.errors import as_lines
from tenantkit.cli.options import BREAK_LOCK_OPTION, CONFIG_DIR_OPTION, JSON_OPTION, ROOT_OPTION
from tenantkit.cli.restore import LOCAL_OPTION, STATE_DIR, _guarded, _refusals

failover_app = typer.Typer(
    name="failover",
    help="Serve a tenant from its DR region: promote the replica, re-point parameters and secret; status; failback plan.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(failover_app)


@failover_app.command()
def start(
    tenant_id: str = typer.Argument(..., help="The tenant to fail over to its secondary region."),
    confirm: Optional[str] = typer.Option(None, "--confirm", metavar="TENANT", help="The tenant id again."),  # noqa: UP045
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (recorded with the state, and with a broken lock)."),  # noqa: UP045
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
    as_json: bool = JSON_OPTION,
    break_lock: bool = BREAK_LOCK_OPTION,
    root: Path = ROOT_OPTION,
) -> None:
    """Promote the DR replica, point both regions' parameters and the DR secret at it, set the
    state `failed-over`. Journaled and resumable: run it again to finish an interrupted failover."""
    from tenantkit.cli import render_restore
    from tenantkit.lifecycle import restore
    from tenantkit.lifecycle.state.service import store_in

    with as_lines(), _refusals():
        config = restore.tenant(directory, tenant_id)
        restore.check_failover_confirmation(config, confirm, reason)
        restore.check_may_restore(config, state_dir=STATE_DIR, today=date.today())
        env = restore.environment(config, local=local, state_dir=STATE_DIR)
        with _guarded("failover", config, local=local, root=root, break_lock=break_lock, reason=reason):
            status = restore.start_failover(
                config, env, state_dir=STATE_DIR, reason=reason or "", by=getpass.getuser(),
                store=store_in(env.name, env.session_for, STATE_DIR),
            )  # fmt: skip
    render_restore.failover(status, as_json=as_json)
    raise typer.Exit(0 if status.complete else 1)


@failover_app.command()
def status(
    tenant_id: str = typer.Argument(..., help="Tenant id."),
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The failover's journaled steps and what both regions say now."""
    from tenantkit.cli import render_restore
    from tenantkit.lifecycle import restore

    with as_lines(), _refusals():
        config = restore.tenant(directory, tenant_id)
        found = restore.failover_status(config, restore.environment(config, local=local, state_dir=STATE_DIR), state_dir=STATE_DIR)
    render_restore.failover(found, as_json=as_json)


@failover_app.command(name="failback-plan")
def failback_plan(
    tenant_id: str = typer.Argument(..., help="Tenant id."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the runbook here (Markdown) instead of printing it."),  # noqa: UP045
    directory: Path = CONFIG_DIR_OPTION,
) -> None:
    """The written runbook back to the primary region (re-create the primary from the promoted instance)."""
    from tenantkit.aws import atomic_write
    from tenantkit.lifecycle import restore

    with as_lines(), _refusals():
        config = restore.tenant(directory, tenant_id)
        text = restore.failback_plan(config, config.account or "<account>")
    if out is None:
        typer.echo(text)
        return
    atomic_write(out, text)
    typer.echo(f"{config.tenant_id}: failback plan written to {out}")
