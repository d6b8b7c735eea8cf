"""`tenantkit fleet status`: one row per tenant, from a cache (`--refresh` recomputes it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

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
    refresh: bool = typer.Option(False, "--refresh", help="Recompute the rows instead of reading .tenantkit/fleet-status.json."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Each tenant's residency, regions, templates (synthesized, and deployed with --local),
    approval, last drill, offboarding and inventory flags; with --local its recorded lifecycle
    state, and the tenants deployed in the sandbox without a file (orphans: exit 1)."""
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
        states, orphans = _sandbox_states(directory) if local else (None, [])
    _render(found, as_json=as_json, states=states, orphans=orphans)
    if orphans:
        raise typer.Exit(1)


def _sandbox_states(directory: Path) -> tuple[dict[str, str], list[str]]:
    from tenantkit.config import validate_paths
    from tenantkit.lifecycle.local import running_sandbox
    from tenantkit.lifecycle.state.orphans import sandbox_orphans_and_states

    configs = validate_paths([directory]).configs
    orphans, states = sandbox_orphans_and_states(running_sandbox(STATE_DIR).endpoint, configs, STATE_DIR)
    return {tenant_id: state.describe() for tenant_id, state in states.items()}, [orphan.describe() for orphan in orphans]


def _render(found: FleetStatus, *, as_json: bool, states: dict[str, str] | None = None, orphans: list[str] | None = None) -> None:
    if as_json:
        extra = {"states": states, "orphans": orphans or []} if states is not None else {}
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
    if found.changed_since:
        shown = ", ".join(found.changed_since[:10]) + (" ..." if len(found.changed_since) > 10 else "")
        typer.echo(
            f"warning: {len(found.changed_since)} tenant(s) changed since these rows were computed (file, templates, "
            f"approval, offboarding journal or inventory): {shown}; pass --refresh",
            err=True,
        )
