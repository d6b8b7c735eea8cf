"""The `tenantkit` Typer application: one module per command group, registered here."""

from __future__ import annotations

import typer

from tenantkit import __version__
from tenantkit.cli import (
    access,
    check,
    ci,
    deploy,
    fleet,
    inventory,
    offboard,
    report,
    restore,
    review,
    sandbox,
    synth,
    tenants,
)
from tenantkit.cli import pipeline as pipeline_cli
from tenantkit.cli import state as state_cli

app = typer.Typer(
    name="tenantkit",
    help="One YAML file per customer -> an isolated, encrypted, backed-up, replicated AWS deployment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
tenants.register(app)
synth.register(app)
sandbox.register(app)
deploy.register(app)
inventory.register(app)
check.register(app)
offboard.register(app)
report.register(app)
review.register(app)
ci.register(app)
fleet.register(app)
pipeline_cli.register(app)
restore.register(app)  # restore, drill
state_cli.register(app)  # reinstate
access.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tenantkit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """tenantkit: per-customer AWS deployments from tenant_configs/*.yaml."""


def run() -> None:
    """Console-script entry point."""
    app()
