"""Options shared by several commands."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")
CONFIG_DIR_OPTION = typer.Option(
    Path("tenant_configs"), "--dir", "-d", help="Directory of tenant files.", file_okay=False
)

BREAK_LOCK_OPTION = typer.Option(
    False, "--break-lock", help="Take over the tenant's lock from an operation that is gone (needs --reason; recorded)."
)
LOCK_REASON_OPTION = typer.Option(None, "--reason", help="Why --break-lock: recorded with the broken lock.")
ROOT_OPTION = typer.Option(
    Path("."), "--root", help="Project root: where fleet.yaml and fleet.schema.json live.", file_okay=False
)


def parse_date(value: str, option: str) -> date:
    """An ISO date given to `option`; a bad one is one line and exit 2."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        from tenantkit.cli import render

        render.error(f"{option}: '{value}' is not a date like 2027-01-31")
        raise typer.Exit(2) from None


SHARD_OPTION = typer.Option(
    None, "--shard", metavar="K/N", help="Only shard K of N (1-based): a stable share of the tenants by a hash of the id."
)
CHANGED_SINCE_OPTION = typer.Option(
    None, "--changed-since", metavar="REF", help="Only tenants a `git diff --name-only REF` selects (tenantkit/, app.py, cdk.json, fleet.yaml, pyproject.toml or a lock file: all)."
)
EXACT_OPTION = typer.Option(
    False, "--exact", help="With --changed-since: only tenants whose templates differ from theirs synthesized at REF with REF's code."
)


def selected_tenants(
    directory: Path,
    tenant_ids: list[str] | None,
    *,
    all_tenants: bool,
    shard: str | None,
    changed_since: str | None,
    exact: bool,
    root: Path = Path("."),
) -> list[str]:
    """The tenant ids a command runs on ([] means every tenant: --all without a filter). A bad
    selection is one line and exit 1; a selection of no tenant is one line and exit 0."""
    from tenantkit.cli import render
    from tenantkit.fleet import SelectionError, ShardError, parse_shard, select_tenants

    try:
        selection = select_tenants(
            directory,
            tenant_ids or [],
            all_tenants=all_tenants,
            shard=parse_shard(shard) if shard is not None else None,
            changed_since=changed_since,
            exact=exact,
            root=root,
        )
    except (ShardError, SelectionError) as error:
        render.error(str(error))
        raise typer.Exit(2 if getattr(error, "usage", False) else 1) from None
    if selection is None:
        return list(tenant_ids or [])
    if not selection.tenant_ids:
        render.nothing_selected(selection.why)
        raise typer.Exit(0)
    return list(selection.tenant_ids)
