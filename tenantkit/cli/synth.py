"""`tenantkit synth`: synthesize tenants' stacks into cdk.out/, with compliance checks.

The command parses, calls `tenantkit.synth.synth_fleet`, and renders. aws_cdk is imported
only by the synth service, and only for tenants not restored from the cache.
"""

from __future__ import annotations

from pathlib import Path

import typer

from tenantkit.cli import render
from tenantkit.cli.options import (
    CHANGED_SINCE_OPTION,
    CONFIG_DIR_OPTION,
    EXACT_OPTION,
    JSON_OPTION,
    SHARD_OPTION,
    selected_tenants,
)


def register(app: typer.Typer) -> None:
    app.command()(synth)


def synth(
    tenant_ids: list[str] | None = typer.Argument(
        None, metavar="[TENANT]...", help="Tenant ids to synthesize."
    ),
    all_tenants: bool = typer.Option(False, "--all", help="Synthesize every tenant."),
    directory: Path = CONFIG_DIR_OPTION,
    outdir: Path = typer.Option(Path("cdk.out"), "--out", "-o", help="Cloud assembly directory."),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Synthesize every tenant again, ignoring .tenantkit/cache/."
    ),
    as_json: bool = JSON_OPTION,
    shard: str | None = SHARD_OPTION,
    changed_since: str | None = CHANGED_SINCE_OPTION,
    exact: bool = EXACT_OPTION,
) -> None:
    """Synthesize tenant stacks, and the baseline stacks of their accounts and regions, into cdk.out/ and check them (cdk-nag, isolation rules, cfn-lint)."""
    from tenantkit.cli.errors import as_lines
    from tenantkit.synth import SynthCache, synth_fleet

    tenant_ids = selected_tenants(
        directory, tenant_ids, all_tenants=all_tenants, shard=shard, changed_since=changed_since, exact=exact
    )
    with as_lines(), render.synth_progress(quiet=as_json) as start_progress:
        run = synth_fleet(
            directory,
            tenant_ids or [],
            outdir,
            cache=None if no_cache else SynthCache(),
            on_progress=start_progress,
            on_warning=render.warning,
            whole_fleet=shard is not None or changed_since is not None,
        )
    render.synth_summary(run.tenants, outdir, as_json=as_json, baseline=run.baseline)
    raise typer.Exit(0 if run.ok else 1)
