"""`tenantkit ci github | gitlab | junit-summary`: CI workflows that check the fleet in shards."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.options import ROOT_OPTION

if TYPE_CHECKING:
    from tenantkit.fleet.ci import WorkflowSettings

ci_app = typer.Typer(
    name="ci",
    help="Write CI workflows that validate the fleet and check it in parallel shards.",
    no_args_is_help=True,
)

SHARDS_OPTION = typer.Option(
    None, "--shards", min=1, max=200, help="Parallel check jobs (default: fleet.yaml's ci.shards, else 4)."
)
OUT_HELP = "Where to write it ('-': print it)."


def register(app: typer.Typer) -> None:
    app.add_typer(ci_app)


@ci_app.command()
def github(
    shards: Optional[int] = SHARDS_OPTION,  # noqa: UP045
    out: Path = typer.Option(Path(".github/workflows/tenantkit.yml"), "--out", "-o", help=OUT_HELP),
    root: Path = ROOT_OPTION,
) -> None:
    """A GitHub Actions workflow: validate, then `check --shard k/N --junit` as a matrix, with the
    synth cache per shard and the JUnit reports published."""
    from tenantkit.fleet.ci import github_workflow

    _write(out, github_workflow(_settings(root, shards)))


@ci_app.command()
def gitlab(
    shards: Optional[int] = SHARDS_OPTION,  # noqa: UP045
    out: Path = typer.Option(Path(".gitlab-ci.yml"), "--out", "-o", help=OUT_HELP),
    root: Path = ROOT_OPTION,
) -> None:
    """A GitLab CI configuration: validate, then `check --shard` as `parallel: N` jobs, with the
    synth cache per shard and the JUnit reports as artifacts:reports:junit."""
    from tenantkit.fleet.ci import gitlab_pipeline

    _write(out, gitlab_pipeline(_settings(root, shards)))


@ci_app.command("junit-summary")
def junit_summary(report: Path = typer.Argument(..., help="A JUnit file from `tenantkit check --junit`.")) -> None:
    """Print a Markdown summary of a check's JUnit report (a GitHub job summary); a missing
    report is said, not an error (the check may have stopped before writing it)."""
    from xml.etree.ElementTree import ParseError

    from tenantkit.fleet.ci import junit_summary as summary

    try:
        typer.echo(summary(report.read_text(encoding="utf-8")), nl=False)
    except FileNotFoundError:
        typer.echo(f"### tenantkit check\n\nno JUnit report at {report}: the check stopped before writing it\n", nl=False)
    except (OSError, ParseError) as error:
        render.error(f"{report}: not a readable JUnit report ({error})")
        raise typer.Exit(1) from None


def _settings(root: Path, shards: int | None) -> WorkflowSettings:
    from tenantkit import __version__, config
    from tenantkit.fleet.ci import WorkflowSettings

    try:
        fleet = config.load_fleet(root)
    except config.ConfigError as error:
        render.issues(error.issues)
        raise typer.Exit(1) from None
    return WorkflowSettings(
        shards=shards or fleet.ci.shards,
        python=fleet.ci.python,
        branch=fleet.ci.branch,
        timeout_minutes=fleet.ci.timeout_minutes,
        version=__version__,
    )


def _write(out: Path, text: str) -> None:
    from tenantkit.fleet.files import write_atomic

    if str(out) == "-":
        typer.echo(text, nl=False)
        return
    try:
        write_atomic(out, text)
    except OSError as error:
        render.error(f"{out}: --out: cannot write it ({error.strerror})")
        raise typer.Exit(1) from None
    typer.echo(f"wrote {out}")
