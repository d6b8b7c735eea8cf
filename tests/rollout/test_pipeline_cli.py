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


def test_deploy_without_credentials_says_so_before_synthesizing(tmp_path: Path, monkeypatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    directory = write_fleet(tmp_path, 0)
    out = tmp_path / "out"
    result = runner.invoke(app, ["pipeline", "deploy", "--root", str(tmp_path), "--dir", str(directory), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "no AWS credentials" in result.output
    assert not out.exists()


def test_the_deploy_command_line_deploys_the_synthesized_stacks(tmp_path: Path) -> None:
    from tenantkit.rollout.service import deploy_pipelines

    calls = []

    def fake_cdk_cli(argv, environment, echo):  # a fake runner: records, runs nothing
        calls.append((list(argv), environment["JSII_NODE"]))
        return 0

    stacks = ("tenantkit-pipeline-ca", "cross-region-stack-999988887777-ca-west-1")
    assert deploy_pipelines(("node", "cdk"), tmp_path, stacks, ["--require-approval", "never"], fake_cdk_cli, print) == 0
    (argv, node), = calls
    assert argv == ["node", "cdk", "deploy", "--app", str(tmp_path), *stacks, "--require-approval", "never"]
    assert node
