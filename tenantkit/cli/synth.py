"""`tenantkit synth`: synthesize tenants' stacks into cdk.out/, with compliance checks.

aws_cdk is imported only inside the command (through the synth service), after
`ensure_jsii_node()` has pointed jsii at the wheel's Node 24.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.options import CONFIG_DIR_OPTION, JSON_OPTION


def register(app: typer.Typer) -> None:
    app.command()(synth)


def synth(
    tenant_ids: Optional[list[str]] = typer.Argument(  # noqa: UP007 (Typer needs Optional here)
        None, metavar="[TENANT]...", help="Tenant ids to synthesize."
    ),
    all_tenants: bool = typer.Option(False, "--all", help="Synthesize every tenant."),
    directory: Path = CONFIG_DIR_OPTION,
    outdir: Path = typer.Option(Path("cdk.out"), "--out", "-o", help="Cloud assembly directory."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Synthesize tenant stacks into cdk.out/ and check them (cdk-nag, isolation rules, cfn-lint)."""
    from tenantkit import config

    if bool(tenant_ids) == all_tenants:
        render.error("name one or more tenants, or pass --all (not both)")
        raise typer.Exit(2)
    report = config.validate_paths([directory])
    if not report.ok:
        render.issues(report.issues)
        raise typer.Exit(1)
    known = {tenant.tenant_id: tenant for tenant in report.configs}
    unknown = [tenant_id for tenant_id in tenant_ids or [] if tenant_id not in known]
    if unknown:
        render.error(f"{directory}: no tenant file for: {', '.join(unknown)}")
        raise typer.Exit(1)
    chosen = list(known.values()) if all_tenants else [known[t] for t in dict.fromkeys(tenant_ids or [])]
    chosen_ids = {config.tenant_id for config in chosen}
    render.config_warnings(w for w in report.warnings if Path(w.file).stem in chosen_ids)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        render.error(f"{outdir}: --out: cannot use it as the output directory ({error.strerror})")
        raise typer.Exit(1) from None

    from tenantkit.jsii_node import ensure_jsii_node

    ensure_jsii_node()
    from tenantkit.stacks.synth import synth_tenants

    with render.synth_progress(len(chosen), quiet=as_json) as advance:
        results = synth_tenants(chosen, outdir, on_progress=advance)
    render.synth_summary(results, outdir, as_json=as_json)
    raise typer.Exit(0 if all(result.ok for result in results) else 1)
