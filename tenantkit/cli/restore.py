"""`tenantkit restore start | list | discard` and `tenantkit drill`: a tenant's data brought back
beside the live data (never over it), and the signed proof that restores work.

Every refusal is one line and exit 1, decided before anything is made.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.errors import as_lines
from tenantkit.cli.options import BREAK_LOCK_OPTION, CONFIG_DIR_OPTION, JSON_OPTION, LOCK_REASON_OPTION, ROOT_OPTION

STATE_DIR = Path(".tenantkit")
REPORTS_DIR = Path("reports")
LOCAL_OPTION = typer.Option(False, "--local", help="The tenant in the local sandbox (else AWS, default credentials).")

restore_app = typer.Typer(
    name="restore",
    help="Bring a tenant's data back into new resources beside the live ones; list and discard restores.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(restore_app)
    app.command(name="drill")(drill)
    from tenantkit.cli import export, failover

    failover.register(app)
    export.register(app)


@contextmanager
def _refusals() -> Iterator[None]:
    """RestoreRefused and DrillError: one line, exit 1 (as_lines handles config and AWS errors)."""
    from tenantkit.lifecycle.restore import DrillError, RestoreRefused

    try:
        yield
    except (RestoreRefused, DrillError) as error:
        render.error(str(error))
        raise typer.Exit(1) from None


@contextmanager
def _guarded(operation: str, config: object, *, local: bool, root: Path, break_lock: bool, reason: str | None) -> Iterator[None]:
    """The tenant locked for `operation`, refused when it is offboarding or later (naming its report)."""
    from tenantkit.cli.guard import operation_guard
    from tenantkit.lifecycle.state.service import guarded

    guard = operation_guard(operation, local=local, root=root, break_lock=break_lock, reason=reason)
    # A failover runs when the primary region is down: its state is then read from the copy kept
    # in the secondary region.
    with guarded(guard, [config], outage=operation == "failover"):
        yield


@restore_app.command()
def start(
    tenant_id: str = typer.Argument(..., help="The tenant whose data to restore."),
    to: Optional[str] = typer.Option(None, "--to", metavar="TIME", help="The data as it was at TIME (ISO 8601 with a zone)."),  # noqa: UP045
    recovery_point: Optional[str] = typer.Option(None, "--recovery-point", metavar="ARN", help="This recovery point."),  # noqa: UP045
    latest: bool = typer.Option(False, "--latest", help="The latest recovery point of each store."),
    region: str = typer.Option("primary", "--region", help="primary or secondary: where to restore (from that region's copies)."),
    store: str = typer.Option("all", "--store", help="database, files or all."),
    name: Optional[str] = typer.Option(None, "--as", metavar="NAME", help="The restore's name (default r<UTC time>)."),  # noqa: UP045
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
    as_json: bool = JSON_OPTION,
    break_lock: bool = BREAK_LOCK_OPTION,
    reason: Optional[str] = LOCK_REASON_OPTION,  # noqa: UP045
    root: Path = ROOT_OPTION,
) -> None:
    """Restore into NEW resources: a DB instance `tkrestore-<tenant>-<name>` and the folder
    `restores/<name>/` of the tenant's bucket; never over the live ones."""
    from tenantkit.cli import render_restore
    from tenantkit.lifecycle import restore
    from tenantkit.lifecycle.restore.model import utc_now

    with as_lines(), _refusals():
        config = restore.tenant(directory, tenant_id)
        restore.check_may_restore(config, state_dir=STATE_DIR, today=date.today())
        stores = tuple(restore.Store) if store == "all" else tuple(s for s in restore.Store if s.value == store)
        request = restore.RestoreRequest(
            region=restore.region_of(config, region), stores=stores, name=name or restore.default_name(utc_now()),
            to=restore.parse_time(to) if to is not None else None, recovery_point=recovery_point, latest=latest,
        )  # fmt: skip
        restore.check_request(request)
        env = restore.environment(config, local=local, state_dir=STATE_DIR)
        with _guarded("restore", config, local=local, root=root, break_lock=break_lock, reason=reason):
            result = restore.start_restore(config, env, request)
    render_restore.restored(result, as_json=as_json)


@restore_app.command(name="list")
def list_(
    tenant_id: str = typer.Argument(..., help="Tenant id."),
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The tenant's restores in both regions: instances and file folders, with their data's time."""
    from tenantkit.cli import render_restore
    from tenantkit.lifecycle import restore

    with as_lines(), _refusals():
        config = restore.tenant(directory, tenant_id)
        found = restore.list_restores(config, restore.environment(config, local=local, state_dir=STATE_DIR))
    render_restore.restores(config.tenant_id, found, as_json=as_json)


@restore_app.command()
def discard(
    tenant_id: str = typer.Argument(..., help="Tenant id."),
    name: str = typer.Argument(..., help="The restore's name (as `restore list` shows it)."),
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
) -> None:
    """Delete what the restore NAME made in both regions; refused for a name that is not a restore."""
    from tenantkit.cli import render_restore
    from tenantkit.lifecycle import restore

    with as_lines(), _refusals():
        config = restore.tenant(directory, tenant_id)
        gone = restore.discard_restore(config, restore.environment(config, local=local, state_dir=STATE_DIR), name)
    render_restore.discarded(config.tenant_id, name, gone)


def drill(
    tenant_id: str = typer.Argument(..., help="The tenant to drill."),
    signing_key: str = typer.Option(..., "--signing-key", help="PEM Ed25519 private key, or kms:<key ARN>, that signs the report."),
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
    reports: Path = typer.Option(REPORTS_DIR, "--reports", help="Where signed reports are kept.", file_okay=False),
    as_json: bool = JSON_OPTION,
    break_lock: bool = BREAK_LOCK_OPTION,
    reason: Optional[str] = LOCK_REASON_OPTION,  # noqa: UP045
    root: Path = ROOT_OPTION,
) -> None:
    """Prove restores work: a signed report of every store restored, checked and measured.

    Restores the latest recovery point of every store in both regions into scratch resources,
    checks them, measure RPO and RTO against the promises, delete them, write a signed report.
    Exit 0 when every check passed, 1 otherwise."""
    from tenantkit.cli import render_restore
    from tenantkit.lifecycle import restore
    from tenantkit.lifecycle.report import kms_client_for, load_signer

    with as_lines(), _refusals():
        config = restore.tenant(directory, tenant_id)
        restore.check_may_restore(config, state_dir=STATE_DIR, today=date.today())
        signer = load_signer(signing_key, kms_client_for(local=local, state_dir=STATE_DIR))
        env = restore.environment(config, local=local, state_dir=STATE_DIR)
        with _guarded("drill", config, local=local, root=root, break_lock=break_lock, reason=reason):
            report = restore.run_drill(config, env)
            written = restore.write_drill_report(report, reports, signer)
    render_restore.drilled(report, written, as_json=as_json)
    raise typer.Exit(0 if report.ok else 1)
