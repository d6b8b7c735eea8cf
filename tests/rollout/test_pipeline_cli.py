"""`tenantkit pipeline diagram | synth`: output and one-line errors (no synthesis here)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tenantkit.cli.main import app
from tests.rollout.fleet import FLEET, write_fleet

runner = CliRunner()


def test_diagram_prints_the_plan_of_the_examples(tmp_path: Path) -> None:
    directory = write_fleet(tmp_path, 0)
    result = runner.invoke(app, ["pipeline", "diagram", "--root", str(tmp_path), "--dir", str(directory)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("flowchart LR\n")
    assert 'tenantkit_pipeline_us_stage_canary["canary<br/>northwind-us<br/>' in result.output
    assert 'tenantkit_pipeline_de_stage_de["de<br/>rhein-de<br/>' in result.output


def test_synth_without_a_pipeline_section_is_one_line(tmp_path: Path) -> None:
    directory = write_fleet(tmp_path, 0, "canary: [maple-ca]\n")
    result = runner.invoke(app, ["pipeline", "synth", "--root", str(tmp_path), "--dir", str(directory), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "fleet.yaml: pipeline: not set" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_bad_fleet_file_is_named_with_its_line(tmp_path: Path) -> None:
    directory = write_fleet(tmp_path, 0, FLEET.replace('"999988887777"', "999988887777"))
    result = runner.invoke(app, ["pipeline", "diagram", "--root", str(tmp_path), "--dir", str(directory)])
    assert result.exit_code == 1, result.output
    assert "fleet.yaml:2: pipeline.account:" in result.output
