"""`tenantkit synth` through CliRunner: argument errors are one line, and a real synth succeeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.config import load_tenants
from tenantkit.naming import BASELINE_STACK
from tests.conftest import EXAMPLE_CONFIGS, wrap_add_tenant

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


HEAVY_PROBE = """
import sys
sys.argv = ["tenantkit", *{args!r}]
from tenantkit.cli.main import app
try:
    app()
except SystemExit as exit:
    print("EXIT:", exit.code, file=sys.stderr)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("aws_cdk", "jsii", "cdk_nag", "cfnlint"))
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
"""


@pytest.mark.slow
def test_synth_end_to_end_then_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first synth writes the assembly and caches it; a second, in a fresh process, restores
    it without starting jsii, cdk-nag or cfn-lint; --no-cache synthesizes again."""
    import subprocess
    import sys

    monkeypatch.chdir(tmp_path)
    args = ["synth", "rhein-de", "--dir", str(EXAMPLE_CONFIGS), "--out", "cdk.out"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    tenant = json.loads(result.stdout)["tenants"][0]
    assert tenant["tenant_id"] == "rhein-de" and tenant["ok"] and tenant["findings"] == []
    assert tenant["cached"] is False
    assert tenant["stacks"] == ["tenant-rhein-de-dr", "tenant-rhein-de-primary", "tenant-rhein-de-replica"]
    rhein = next(c for c in load_tenants([EXAMPLE_CONFIGS]) if c.tenant_id == "rhein-de")
    baseline = json.loads(result.stdout)["baseline"]
    assert baseline["ok"] and baseline["findings"] == [] and baseline["cached"] is False, baseline
    # one baseline stack per account and region of the tenant (no account: the deploying one)
    assert baseline["stacks"] == [f"{BASELINE_STACK}-any-{region}" for region in sorted(rhein.regions)]
    for artifact_id in baseline["stacks"]:
        assert (tmp_path / "cdk.out" / "_baseline" / f"{artifact_id}.template.json").is_file()
    template = tmp_path / "cdk.out" / "rhein-de" / "tenant-rhein-de-primary.template.json"
    first = template.read_bytes()
    template.unlink()

    probe = subprocess.run(
        [sys.executable, "-c", HEAVY_PROBE.format(args=args)],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert "EXIT: 0" in probe.stderr, probe.stderr
    assert "HEAVY:\n" in probe.stderr, probe.stderr
    assert "rhein-de" in probe.stdout and "yes" in probe.stdout, probe.stdout  # the Cached column
    assert [line for line in probe.stdout.splitlines() if "(baseline)" in line and "yes" in line], probe.stdout
    assert template.read_bytes() == first

    result = runner.invoke(app, [*args, "--json", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tenants"][0]["cached"] is False
    assert json.loads(result.stdout)["baseline"]["cached"] is False


@pytest.mark.slow
def test_a_cfn_lint_finding_fails_the_tenant_and_the_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def with_a_misspelt_property(real, app, config):  # type: ignore[no-untyped-def]
        from aws_cdk import CfnResource

        stacks = real(app, config)
        CfnResource(stacks.primary, "Misspelt", type="AWS::KMS::Alias", properties={
            "AliasName": "alias/tenantkit-test", "TargetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "Nme": "x"})
        return stacks

    wrap_add_tenant(monkeypatch, with_a_misspelt_property)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["synth", "rhein-de", "--dir", str(EXAMPLE_CONFIGS), "--json", "--no-cache"])
    assert result.exit_code == 1, result.output
    (tenant,) = json.loads(result.stdout)["tenants"]
    assert not tenant["ok"] and tenant["error"] is None
    assert [f for f in tenant["findings"] if f.startswith("cfn-lint tenant-rhein-de-primary: E3002")], tenant["findings"]


@pytest.mark.slow
def test_a_failing_tenant_gets_its_row_and_the_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_for_polar(real, app, config):  # type: ignore[no-untyped-def]
        if config.tenant_id == "polar-cg":
            raise ValueError("props problem for polar-cg")
        return real(app, config)

    wrap_add_tenant(monkeypatch, failing_for_polar)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["synth", "polar-cg", "rhein-de", "--dir", str(EXAMPLE_CONFIGS), "--no-cache"])
    assert result.exit_code == 1, result.output
    rows = {line.split()[1]: line for line in result.stdout.splitlines() if line.startswith("│ ")}
    assert "ValueError: props problem for polar-cg" in rows["polar-cg"], result.stdout
    assert rows["rhein-de"].rstrip(" │").endswith("ok"), result.stdout
    assert "polar-cg: error: ValueError: props problem for polar-cg" in result.output
    assert "Traceback" not in result.output


def test_missing_lint_settings_are_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tenantkit.compliance import cfn_lint

    monkeypatch.setattr(cfn_lint, "SETTINGS_FILE", "missing-settings.yaml")
    cfn_lint.ignored_checks.cache_clear()
    monkeypatch.chdir(tmp_path)
    try:
        result = runner.invoke(app, ["synth", "rhein-de", "--dir", str(EXAMPLE_CONFIGS)])
    finally:
        cfn_lint.ignored_checks.cache_clear()
    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.output.splitlines() if "error" in line]
    assert "Traceback" not in result.output
    assert line.startswith("error: tenantkit.compliance/missing-settings.yaml: cannot read the cfn-lint settings")
    assert not (tmp_path / "cdk.out" / "rhein-de").exists()
