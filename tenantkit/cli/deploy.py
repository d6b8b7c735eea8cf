"""`tenantkit deploy --local`: synthesize, then deploy tenants into the local sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.options import CONFIG_DIR_OPTION, JSON_OPTION
from tenantkit.cli.sandbox import STATE_DIR


def register(app: typer.Typer) -> None:
    app.command()(deploy)


def deploy(
    tenant_ids: Optional[list[str]] = typer.Argument(None, metavar="[TENANT]...", help="Tenant ids to deploy."),  # noqa: UP045
    all_tenants: bool = typer.Option(False, "--all", help="Deploy every tenant."),
    local: bool = typer.Option(False, "--local", help="Deploy into the local sandbox (tenantkit sandbox up)."),
    concurrency: int = typer.Option(4, "--concurrency", min=1, max=32, help="Tenants deployed at once."),
    directory: Path = CONFIG_DIR_OPTION,
    outdir: Path = typer.Option(Path("cdk.out"), "--out", "-o", help="Cloud assembly directory."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Deploy tenants' stacks (dr, primary, replica), several tenants at once; exit 1 unless all succeed."""
    if bool(tenant_ids) == all_tenants:
        render.error("name one or more tenants, or pass --all (not both)")
        raise typer.Exit(2)
    if not local:
        render.error("only --local is built: deploy to AWS with the CDK CLI (README, 'With the CDK CLI')")
        raise typer.Exit(2)
    from tenantkit.compliance.cfn_lint import LintSettingsError
    from tenantkit.config import ConfigError
    from tenantkit.lifecycle.local import LocalDeployError, deploy_local
    from tenantkit.synth import SynthRequestError

    try:
        with render.deploy_progress(quiet=as_json) as progress:
            results = deploy_local(
                directory, tenant_ids or [], outdir, STATE_DIR, concurrency=concurrency, on_progress=progress
            )
    except ConfigError as error:
        render.issues(error.issues)
        raise typer.Exit(1) from None
    except (SynthRequestError, LintSettingsError, LocalDeployError) as error:
        render.error(str(error))
        raise typer.Exit(1) from None
    render.deploy_summary(results, as_json=as_json)
    raise typer.Exit(0 if all(result.ok for result in results) else 1)
