"""Commands over tenant files: validate, list, new, schema.

The config package (pydantic, email-validator, ...) is imported inside each command, so that
`tenantkit --help` starts without it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

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
    aws: bool = typer.Option(False, "--aws", help="Also each tenant's recorded state, and orphans, from AWS (default credentials)."),
    reports: Path = typer.Option(Path("reports"), "--reports", help="Where signed reports (drills) are kept.", file_okay=False),
) -> None:
    """Show every tenant: residency, regions, account, subscription status, security review and
    last drill; with --local (the sandbox) or --aws its lifecycle state, and orphans (deployed, no
    file) and accounts or regions that could not be checked (either: exit 1)."""
    from tenantkit import config
    from tenantkit.lifecycle.drills import last_drill
    from tenantkit.review.service import approval_states

    today = parse_date(as_of, "--as-of") if as_of else date.today()
    report = config.validate_fleet([directory], root)
    states = approval_states(directory, approvals_dir, [t.config.tenant_id for t in report.tenants])
    found = deployed_survey([t.config for t in report.tenants], local=local, aws=aws)
    lifecycle = found.state_phrases(t.config.tenant_id for t in report.tenants) if found is not None else None
    orphans = [orphan.describe() for orphan in found.orphans] if found is not None else []
    unchecked = [line.describe() for line in found.unchecked] if found is not None else []
    drills = {t.config.tenant_id: last_drill(reports, t.config.tenant_id) for t in report.tenants}
    render.tenant_list(
        report, today=today, as_json=as_json, approvals=states, states=lifecycle, orphans=orphans, drills=drills, unchecked=unchecked
    )
    raise typer.Exit(0 if report.ok and (found is None or found.ok) else 1)


def deployed_survey(configs: list, *, local: bool, aws: bool) -> Any:
    """The states and orphans (a `Survey`) read from the running sandbox (`local`) or from AWS with
    the default credentials (`aws`); None for neither. Both: one line, exit 1."""
    from tenantkit.cli.errors import as_lines
    from tenantkit.cli.sandbox import STATE_DIR

    if local and aws:
        render.error("--local and --aws: choose one (the sandbox, or AWS)")
        raise typer.Exit(1)
    if not (local or aws):
        return None
    with as_lines():
        if local:
            from tenantkit.lifecycle.local import running_sandbox
            from tenantkit.lifecycle.state.orphans import sandbox_survey

            return sandbox_survey(running_sandbox(STATE_DIR).endpoint, configs, STATE_DIR)
        import boto3

        from tenantkit.lifecycle.state.orphans import aws_survey

        return aws_survey(boto3.Session(), configs, STATE_DIR)


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

