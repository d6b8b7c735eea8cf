"""`tenantkit sandbox up | status | down | reset | env | backup-now`: the local AWS sandbox (moto's
server).

The state lives under `.tenantkit/` of the current directory (git-ignored).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.options import CONFIG_DIR_OPTION, JSON_OPTION

STATE_DIR = Path(".tenantkit")

sandbox_app = typer.Typer(
    name="sandbox",
    help="The local AWS sandbox: moto's server in the background on 127.0.0.1.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app)


@sandbox_app.command()
def up(
    port: Optional[int] = typer.Option(  # noqa: UP045
        None, "--port", min=1024, max=65535, help="Port on 127.0.0.1 (default: a free one)."
    ),
) -> None:
    """Start the sandbox unless it already runs; print its endpoint."""
    from tenantkit.sandbox import SandboxError, start_sandbox

    try:
        status, started = start_sandbox(STATE_DIR, port)
    except SandboxError as error:
        render.error(f"sandbox: {error}")
        raise typer.Exit(1) from None
    render.sandbox_started(status, started=started)


@sandbox_app.command()
def status(as_json: bool = JSON_OPTION) -> None:
    """Say whether the sandbox runs, where, and since when; exit 1 unless it runs."""
    from tenantkit.sandbox import sandbox_status
    from tenantkit.sandbox.process import SandboxState

    current = sandbox_status(STATE_DIR)
    render.sandbox_status(current, as_json=as_json)
    raise typer.Exit(0 if current.state is SandboxState.RUNNING else 1)


@sandbox_app.command()
def down(
    discard: bool = typer.Option(False, "--discard", help="Forget what the sandbox holds (the next `up` starts empty)."),
) -> None:
    """Stop the sandbox this project started (never another process), keeping what it holds for
    the next `up` unless --discard; forget a stale record."""
    from tenantkit.sandbox import stop_sandbox

    render.sandbox_stopped(stop_sandbox(STATE_DIR, discard=discard), discarded=discard)


@sandbox_app.command()
def clock(
    advance_days: float = typer.Option(0, "--advance-days", min=0, help="Move the sandbox's clock this many days forward."),
    advance_hours: float = typer.Option(0, "--advance-hours", min=0, help="... and this many hours (added to the days)."),
    advance_minutes: float = typer.Option(0, "--advance-minutes", min=0, help="... and this many minutes."),
) -> None:
    """Show how far the sandbox's clock runs ahead, or move it forward (`--advance-days N`,
    `--advance-hours N`, `--advance-minutes N`): for what happens after a date, such as KMS keys
    deleted at the end of their waiting period (`offboard confirm-keys --local`) or a running
    backup job that completes (`offboard execute --local` awaits it). It never goes back."""
    from tenantkit.sandbox import SandboxError, sandbox_clock

    try:
        ahead = sandbox_clock(STATE_DIR, advance_days + advance_hours / 24 + advance_minutes / 1440)
    except SandboxError as error:
        render.error(f"sandbox: {error}")
        raise typer.Exit(1) from None
    render.sandbox_clock(ahead)


@sandbox_app.command()
def reset() -> None:
    """Delete every resource in the running sandbox, keeping the server."""
    from tenantkit.sandbox import SandboxError, reset_sandbox

    try:
        status = reset_sandbox(STATE_DIR)
    except SandboxError as error:
        render.error(f"sandbox: {error}")
        raise typer.Exit(1) from None
    render.sandbox_reset(status)


@sandbox_app.command()
def env(
    tenant_id: str = typer.Argument(..., metavar="TENANT", help="Tenant id."),
    directory: Path = CONFIG_DIR_OPTION,
) -> None:
    """Print the shell exports that let the AWS CDK CLI, run by hand, deploy TENANT into the
    sandbox (`eval "$(tenantkit sandbox env maple-ca)"`, then `$TENANTKIT_CDK deploy ...`)."""
    from tenantkit.lifecycle.local import LocalDeployError, sandbox_cdk_environment

    try:
        variables = sandbox_cdk_environment(directory, tenant_id, STATE_DIR, STATE_DIR / "cdk-cli")
    except LocalDeployError as error:
        render.error(f"sandbox: {error}")
        raise typer.Exit(1) from None
    render.shell_exports(variables)


@sandbox_app.command("backup-now")
def backup_now(
    tenant_id: str = typer.Argument(..., metavar="TENANT", help="Tenant id."),
    directory: Path = CONFIG_DIR_OPTION,
) -> None:
    """Play one hourly run of TENANT's backup plan in the sandbox: a recovery point per protected
    resource in the primary vault, each copied to the DR vault (RDS snapshots behind them in both
    regions)."""
    from tenantkit.cli.errors import as_lines
    from tenantkit.lifecycle.local import backup_now_local

    with as_lines():
        run = backup_now_local(directory, tenant_id, STATE_DIR)
    render.backup_run(run)
