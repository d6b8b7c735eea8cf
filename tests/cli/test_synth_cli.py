"""`tenantkit synth` through CliRunner: argument errors are one line, and a real synth succeeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tests.conftest import EXAMPLE_CONFIGS

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ([], 2, "name one or more tenants, or pass --all (not both)"),
        (["maple-ca", "--all"], 2, "name one or more tenants, or pass --all (not both)"),
        (["nobody"], 1, "no tenant file for: nobody"),
    ],
)
def test_bad_arguments_are_one_line_errors(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    result = runner.invoke(app, ["synth", *args, "--dir", str(EXAMPLE_CONFIGS), "--out", str(tmp_path / "out")])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    occupied = tmp_path / "occupied"
    occupied.write_text("not a directory")
    result = runner.invoke(app, ["synth", "maple-ca", "--dir", str(EXAMPLE_CONFIGS), "--out", str(occupied)])
    assert result.exit_code == 1, result.output
    assert f"{occupied}: --out: cannot use it as the output directory" in result.output
    assert occupied.read_text() == "not a directory"


def test_invalid_tenant_files_stop_before_synth(write_tenant, tenant_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_tenant(dict(tenant_data, residency="uk"))
    result = runner.invoke(app, ["synth", "--all", "--dir", str(path.parent), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{path}:3: residency:" in result.output


@pytest.mark.slow
def test_synth_one_example_tenant_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    result = runner.invoke(app, ["synth", "rhein-de", "--dir", str(EXAMPLE_CONFIGS), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    tenant = json.loads(result.stdout)["tenants"][0]
    assert tenant["tenant_id"] == "rhein-de" and tenant["ok"] and tenant["findings"] == []
    assert tenant["stacks"] == ["tenant-rhein-de-dr", "tenant-rhein-de-primary", "tenant-rhein-de-replica"]
    assert (out / "rhein-de" / "tenant-rhein-de-primary.template.json").is_file()
