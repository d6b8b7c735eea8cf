"""`tenantkit fleet status`: one row per tenant, from a cache (`--refresh` recomputes it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from tenantkit.cli.options import CONFIG_DIR_OPTION, JSON_OPTION
from tenantkit.cli.sandbox import STATE_DIR

if TYPE_CHECKING:
    from tenantkit.fleet.status import FleetStatus

fleet_app = typer.Typer(name="fleet", help="The whole fleet at a glance.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(fleet_app)


@fleet_app.command()
def status(
    directory: Path = CONFIG_DIR_OPTION,
    outdir: Path = typer.Option(Path("cdk.out"), "--out", "-o", help="Cloud assembly directory (synthesized templates)."),
    approvals_dir: Path = typer.Option(Path("approvals"), "--approvals", help="Directory of security review approvals.", file_okay=False),
    local: bool = typer.Option(False, "--local", help="Compare each stack's template deployed in the local sandbox with the synthesized one."),
    aws: bool = typer.Option(False, "--aws", help="Each tenant's recorded state, and orphans, read from AWS (default credentials)."),
    refresh: bool = typer.Option(False, "--refresh", help="Recompute the rows instead of reading .tenantkit/fleet-status.json."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Each tenant's residency, regions, templates (synthesized, and deployed with --local),
    approval, last drill, offboarding and inventory flags; with --local (the sandbox) or --aws its
    recorded lifecycle state, the tenants deployed without a file (orphans) and the accounts or
    regions that could not be checked (either: exit 1)."""
    from tenantkit.cli.errors import as_lines
    from tenantkit.fleet.status import fleet_status, sandbox_templates

    with as_lines():
        found = fleet_status(
            directory,
            assembly_root=outdir,
            approvals_dir=approvals_dir,
            refresh=refresh,
            state_dir=STATE_DIR,
            deployed_templates=sandbox_templates(STATE_DIR) if local else None,
        )
        survey = _survey(directory, local=local, aws=aws)
    states = survey.state_phrases(row.tenant_id for row in found.tenants) if survey is not None else None
    orphans = [orphan.describe() for orphan in survey.orphans] if survey is not None else []
    unchecked = [line.describe() for line in survey.unchecked] if survey is not None else []
    _render(found, as_json=as_json, states=states, orphans=orphans, unchecked=unchecked)
    if orphans or unchecked:
        raise typer.Exit(1)


def _survey(directory: Path, *, local: bool, aws: bool) -> Any:
    from tenantkit.cli.tenants import deployed_survey
    from tenantkit.config import validate_paths

    if not (local or aws):
        return None
    return deployed_survey(validate_paths([directory]).configs, local=local, aws=aws)


def _render(
    found: FleetStatus, *, as_json: bool, states: dict[str, str] | None = None, orphans: list[str] | None = None, unchecked: list[str] | None = None
) -> None:
    if as_json:
        extra = {"states": states, "orphans": orphans or [], "unchecked": unchecked or []} if states is not None else {}
        typer.echo(json.dumps({**found.as_dict(), "from_cache": found.from_cache, "changed_since": list(found.changed_since), **extra}, indent=1))
        return
    # Plain aligned columns: rich's Table measured every cell of 1,000 rows several times
    # (2 CPU-s of the 2.2 s a cached status took); these take milliseconds, in a terminal or a pipe.
    header: tuple[str, ...] = ("TENANT", "RESIDENCY", "REGIONS", "TEMPLATES", "APPROVAL", "LAST DRILL", "OFFBOARDING", "INVENTORY")
    rows: list[tuple[str, ...]] = [
        (row.tenant_id, row.residency, " ".join(row.regions), row.templates, row.approval or "-", row.last_drill, row.offboarding, row.inventory)
        for row in found.tenants
    ]
    if states is not None:
        header = (*header, "STATE")
        rows = [(*cells, states.get(cells[0], "-")) for cells in rows]
    widths = [max(len(cells[index]) for cells in (header, *rows)) for index in range(len(header))]
    source = "cached" if found.from_cache else "computed"
    lines = [f"Fleet status ({len(found.tenants)} tenants, {source} {found.computed_at})"]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip() for cells in (header, *rows)]
    typer.echo("\n".join(lines))
    for orphan in orphans or []:
        typer.echo(f"error: orphan: {orphan}", err=True)
    for line in unchecked or []:
        typer.echo(f"error: {line}", err=True)
    if found.changed_since:
        shown = ", ".join(found.changed_since[:10]) + (" ..." if len(found.changed_since) > 10 else "")
        typer.echo(
            f"warning: {len(found.changed_since)} tenant(s) changed since these rows were computed (file, templates, "
            f"approval, offboarding journal or inventory): {shown}; pass --refresh",
            err=True,
        )
