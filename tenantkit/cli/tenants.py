"""Commands over tenant files: validate, list, new, schema.

The config package (pydantic, email-validator, ...) is imported inside each command, so that
`tenantkit --help` starts without it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from tenantkit.cli import render
from tenantkit.cli.options import CONFIG_DIR_OPTION, JSON_OPTION, ROOT_OPTION, parse_date


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command("list")(list_tenants)
    app.command()(new)
    app.command("schema")(write_schema)


def validate(
    paths: list[Path] | None = typer.Argument(
        None, help="Tenant files or directories (default: tenant_configs/)."
    ),
    as_json: bool = JSON_OPTION,
    root: Path = ROOT_OPTION,
) -> None:
    """Check tenant files and fleet.yaml, and the fleet against shared AWS quotas; exit 1 listing
    every problem as file:line: field: message."""
    from tenantkit import config

    report = config.validate_fleet(paths or [Path(config.DEFAULT_CONFIG_DIR)], root)
    render.validation(report, as_json=as_json)
    raise typer.Exit(0 if report.ok else 1)


def list_tenants(
    directory: Path = CONFIG_DIR_OPTION,
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date to compute subscription status for (YYYY-MM-DD; default today)."
    ),
    as_json: bool = JSON_OPTION,
    approvals_dir: Path = typer.Option(Path("approvals"), "--approvals", help="Directory of security review approvals.", file_okay=False),
    root: Path = ROOT_OPTION,
    local: bool = typer.Option(False, "--local", help="Also each tenant's recorded state, and tenants deployed without a file (orphans), from the sandbox."),
    reports: Path = typer.Option(Path("reports"), "--reports", help="Where signed reports (drills) are kept.", file_okay=False),
) -> None:
    """Show every tenant: residency, regions, account, subscription status, security review and
    last drill; with --local its lifecycle state, and orphans (deployed, no file: exit 1)."""
    from tenantkit import config
    from tenantkit.lifecycle.drills import last_drill
    from tenantkit.review.service import approval_states

    today = parse_date(as_of, "--as-of") if as_of else date.today()
    report = config.validate_fleet([directory], root)
    states = approval_states(directory, approvals_dir, [t.config.tenant_id for t in report.tenants])
    lifecycle, orphans = _sandbox_states([t.config for t in report.tenants]) if local else (None, [])
    drills = {t.config.tenant_id: last_drill(reports, t.config.tenant_id) for t in report.tenants}
    render.tenant_list(report, today=today, as_json=as_json, approvals=states, states=lifecycle, orphans=orphans, drills=drills)
    raise typer.Exit(0 if report.ok and not orphans else 1)


def _sandbox_states(configs: list) -> tuple[dict[str, str], list[str]]:
    """tenant id -> its state phrase, and one line per orphan, read from the running sandbox."""
    from tenantkit.cli.errors import as_lines
    from tenantkit.cli.sandbox import STATE_DIR
    from tenantkit.lifecycle.local import running_sandbox
    from tenantkit.lifecycle.state.orphans import sandbox_orphans_and_states

    with as_lines():
        orphans, states = sandbox_orphans_and_states(running_sandbox(STATE_DIR).endpoint, configs, STATE_DIR)
    return {tenant_id: state.describe() for tenant_id, state in states.items()}, [orphan.describe() for orphan in orphans]


def new(
    tenant_id: str = typer.Argument(..., help="Lower-case tenant id; becomes <dir>/<id>.yaml."),
    residency: str = typer.Option(..., "--residency", "-r", help="Where the data lives: us, ca or de."),
    cidrs: list[str] = typer.Option(..., "--cidr", help="Allowed network (repeat for several)."),
    countries: list[str] = typer.Option(..., "--country", help="Allowed ISO country code (repeat)."),
    security_email: str = typer.Option(..., "--security-email", help="Security contact address."),
    display_name: str | None = typer.Option(None, "--display-name", help="Customer name."),
    account: str | None = typer.Option(None, "--account", help="12-digit AWS account id."),
    allow_roaming: bool = typer.Option(False, "--allow-roaming", help="Let allowed countries roam."),
    controlled_goods: bool = typer.Option(False, "--controlled-goods", help="Controlled Goods tenant (ca)."),
    directory: Path = CONFIG_DIR_OPTION,
) -> None:
    """Write a commented, validated tenant file; never overwrite an existing tenant."""
    from tenantkit import config
    from tenantkit.config import scaffold

    request = scaffold.NewTenant(
        tenant_id=tenant_id,
        residency=residency,
        cidrs=cidrs,
        countries=countries,
        security_email=security_email,
        display_name=display_name,
        account=account,
        allow_roaming=allow_roaming,
        controlled_goods=controlled_goods,
    )
    try:
        path, tenant = scaffold.create_tenant_file(directory, request)
    except config.ConfigError as error:
        render.issues(error.issues)
        raise typer.Exit(1) from None
    render.created(path, tenant)


def write_schema(
    directory: Path = CONFIG_DIR_OPTION,
    check: bool = typer.Option(False, "--check", help="Exit 1 if a schema file is out of date."),
    root: Path = ROOT_OPTION,
) -> None:
    """Write tenant.schema.json and fleet.schema.json, the JSON Schemas editors use to complete and
    check tenant files and fleet.yaml."""
    from tenantkit import config
    from tenantkit.config import schema

    targets = [
        (directory / schema.SCHEMA_FILE_NAME, schema.schema_text()),
        (root / schema.FLEET_SCHEMA_FILE_NAME, schema.fleet_schema_text()),
    ]
    if check:
        stale = 0
        for target, text in targets:
            up_to_date = target.is_file() and target.read_text(encoding="utf-8") == text
            render.schema_check(target, up_to_date)
            stale += not up_to_date
        raise typer.Exit(1 if stale else 0)
    missing = [folder for folder in (directory, root) if not folder.is_dir()]
    if missing:
        render.issues([config.ConfigIssue(str(folder), 0, "(file)", "no such directory") for folder in missing])
        raise typer.Exit(1)
    render.schema_written(schema.write_schema(directory))
    render.schema_written(schema.write_fleet_schema(root))

