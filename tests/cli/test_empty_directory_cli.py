"""Every tenant of an empty directory: a wrong `--dir` in CI must fail in one line, never pass
having done nothing (`--all` on every command that takes it, and `check`, which always means all)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tenantkit.cli.main import app

runner = CliRunner()

EVERY_TENANT = {
    "synth": ["synth", "--all"],
    "deploy --local": ["deploy", "--all", "--local"],
    "deploy (CDK CLI)": ["deploy", "--all"],
    "inventory --local": ["inventory", "--all", "--local"],
    "inventory (AWS)": ["inventory", "--all"],
    "check": ["check"],
}


def _commands_taking_all() -> set[str]:
    found = set()
    for name, command in typer.main.get_command(app).commands.items():
        subcommands = command.commands.items() if hasattr(command, "commands") else [(None, command)]
        for sub, leaf in subcommands:
            if any("--all" in getattr(param, "opts", ()) for param in leaf.params):
                found.add(f"{name} {sub}" if sub else name)
    return found


def test_the_cases_below_cover_every_command_that_takes_all():
    assert _commands_taking_all() <= {args[0] for args in EVERY_TENANT.values()}


@pytest.mark.parametrize("args", list(EVERY_TENANT.values()), ids=list(EVERY_TENANT))
def test_every_tenant_of_an_empty_directory_is_one_line_and_exit_1(tmp_path: Path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)  # the sandbox's state and the CDK CLI's install dir are looked up here
    empty = tmp_path / "tenants"
    empty.mkdir()
    (empty / "README.txt").write_text("not a tenant file")
    result = runner.invoke(app, [*args, "--dir", str(empty), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert result.output == f"error: {empty}: no tenant files (*.yaml) in this directory; is --dir right?\n"
    assert not (tmp_path / "out").exists()  # nothing half-written
