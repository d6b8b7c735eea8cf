"""Options shared by several commands."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")
CONFIG_DIR_OPTION = typer.Option(
    Path("tenant_configs"), "--dir", "-d", help="Directory of tenant files.", file_okay=False
)

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
