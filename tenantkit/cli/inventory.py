"""`tenantkit inventory TENANT [--local] [--json]`: what exists for a tenant, against its templates."""

from __future__ import annotations

from pathlib import Path

import typer

from tenantkit.cli import render
from tenantkit.cli.options import CONFIG_DIR_OPTION, JSON_OPTION
from tenantkit.cli.sandbox import STATE_DIR


def register(app: typer.Typer) -> None:
    app.command()(inventory)


def inventory(
    tenant_id: str = typer.Argument(..., metavar="TENANT", help="Tenant id."),
    local: bool = typer.Option(False, "--local", help="In the local sandbox, not in AWS."),
    directory: Path = CONFIG_DIR_OPTION,
    outdir: Path = typer.Option(Path("cdk.out"), "--out", "-o", help="Cloud assembly directory."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the tenant's resources in both regions; exit 1 when anything is flagged."""
    from botocore.exceptions import BotoCoreError, ClientError

    from tenantkit.compliance.cfn_lint import LintSettingsError
    from tenantkit.config import ConfigError
    from tenantkit.lifecycle.local import LocalDeployError, inventory_tenant
    from tenantkit.synth import SynthRequestError

    try:
        found = inventory_tenant(directory, tenant_id, outdir, STATE_DIR, local=local)
    except ConfigError as error:
        render.issues(error.issues)
        raise typer.Exit(1) from None
    except (SynthRequestError, LintSettingsError, LocalDeployError) as error:
        render.error(str(error))
        raise typer.Exit(1) from None
    except (BotoCoreError, ClientError) as error:
        render.error(f"inventory of {tenant_id}: {error}")
        raise typer.Exit(1) from None
    render.inventory(found, as_json=as_json)
    raise typer.Exit(0 if found.ok else 1)
