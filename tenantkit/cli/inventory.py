"""`tenantkit inventory TENANT [--local] [--json]`: what exists for a tenant, against its templates."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.options import CONFIG_DIR_OPTION, JSON_OPTION, ROOT_OPTION
from tenantkit.cli.sandbox import STATE_DIR


def register(app: typer.Typer) -> None:
    app.command()(inventory)


def inventory(
    tenant_ids: Optional[list[str]] = typer.Argument(None, metavar="[TENANT]...", help="Tenant ids."),  # noqa: UP045
    all_tenants: bool = typer.Option(False, "--all", help="Every tenant."),
    local: bool = typer.Option(False, "--local", help="In the local sandbox, not in AWS."),
    directory: Path = CONFIG_DIR_OPTION,
    outdir: Path = typer.Option(Path("cdk.out"), "--out", "-o", help="Cloud assembly directory."),
    as_json: bool = JSON_OPTION,
    reencrypt: bool = typer.Option(
        False, "--reencrypt", help="Re-encrypt in place, under the tenant key, the objects found under another key (data, not configuration)."
    ),
    root: Path = ROOT_OPTION,
    reports: Path = typer.Option(Path("reports"), "--reports", help="Where signed drill reports are kept.", file_okay=False),
) -> None:
    """List each tenant's resources in both its regions, and its last drill when fleet.yaml sets
    `drills.max_age_days`; exit 1 when anything is flagged."""
    if bool(tenant_ids) == all_tenants:
        render.error("name one or more tenants, or pass --all (not both)")
        raise typer.Exit(2)
    from datetime import UTC, datetime

    from tenantkit.cli.errors import as_lines
    from tenantkit.config import load_fleet
    from tenantkit.fleet.status import record_inventories
    from tenantkit.lifecycle.drills import flag_drills
    from tenantkit.lifecycle.local import inventory_tenants, reencrypt_tenants

    with as_lines():
        max_age_days = load_fleet(root).drills.max_age_days
        found = inventory_tenants(directory, tenant_ids or [], outdir, STATE_DIR, local=local, root=root)
        if reencrypt:
            for done in reencrypt_tenants(found, directory, STATE_DIR, local=local):
                typer.echo(f"re-encrypted s3://{done.bucket}/{done.key} under {done.under}", err=as_json)
            found = inventory_tenants(directory, tenant_ids or [], outdir, STATE_DIR, local=local, root=root)
        flag_drills(found, reports, max_age_days, datetime.now(UTC))
    record_inventories(STATE_DIR, found, where="sandbox" if local else "aws")  # for `fleet status`
    render.inventories(found, as_json=as_json, fleet=all_tenants)
    raise typer.Exit(0 if all(one.ok for one in found) else 1)
