"""`tenantkit inventory TENANT [--local] [--json]`: what exists for a tenant, against its templates."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.options import CONFIG_DIR_OPTION, JSON_OPTION
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
) -> None:
    """List each tenant's resources in both its regions; exit 1 when anything is flagged."""
    if bool(tenant_ids) == all_tenants:
        render.error("name one or more tenants, or pass --all (not both)")
        raise typer.Exit(2)
    from botocore.exceptions import BotoCoreError, ClientError

    from tenantkit.compliance.cfn_lint import LintSettingsError
    from tenantkit.config import ConfigError
    from tenantkit.lifecycle.local import LocalDeployError, inventory_tenants
    from tenantkit.synth import SynthRequestError

    try:
        found = inventory_tenants(directory, tenant_ids or [], outdir, STATE_DIR, local=local)
    except ConfigError as error:
        render.issues(error.issues)
        raise typer.Exit(1) from None
    except (SynthRequestError, LintSettingsError, LocalDeployError) as error:
        render.error(str(error))
        raise typer.Exit(1) from None
    except (BotoCoreError, ClientError) as error:
        render.error(f"inventory: {error}")
        raise typer.Exit(1) from None
    render.inventories(found, as_json=as_json)
    raise typer.Exit(0 if all(one.ok for one in found) else 1)
