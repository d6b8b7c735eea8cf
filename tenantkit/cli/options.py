"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import typer

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")
CONFIG_DIR_OPTION = typer.Option(
    Path("tenant_configs"), "--dir", "-d", help="Directory of tenant files.", file_okay=False
)
