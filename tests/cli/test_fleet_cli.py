"""fleet.yaml and fleet quotas through `validate`, `list` and `schema` (Typer's CliRunner)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.config import FleetSettings
from tests.conftest import MINIMAL_TENANT

runner = CliRunner()
TENANTS = 60
IP_SET_MESSAGE = "quotas.ip_sets: WAF IP sets: 120 in the deploying account, us-east-1, over the limit of 100"
RAISED = """\
quotas:
  raised:
    deploying-account/us-east-1: {ip_sets: 120, manual_db_snapshots: 3540}
    deploying-account/us-west-2: {manual_db_snapshots: 3540, ip_sets: 120}
"""


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project of 60 generated dual-stack tenants with the default backups, all in the
    deploying account and the US regions; the working directory is its root."""
    directory = tmp_path / "tenant_configs"
    directory.mkdir()
    for index in range(TENANTS):
        data = copy.deepcopy(MINIMAL_TENANT)
        data["tenant_id"] = f"generated-{index:02d}"
        (directory / f"{data['tenant_id']}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def quota_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": quotas." in line]


def test_sixty_tenants_in_one_account_and_region_warn_naming_the_ip_set_quota(project: Path) -> None:
    result = invoke("validate", "tenant_configs")
    assert result.exit_code == 0, result.output
    assert f"warning: fleet.yaml: {IP_SET_MESSAGE}" in result.output  # no file: no line
    line = next(line for line in quota_lines(result.output) if "WAF IP sets" in line and "us-east-1" in line)
    assert all(f"generated-{index:02d}" in line for index in range(TENANTS)), line
    assert "quotas.raised.deploying-account/us-east-1.ip_sets" in line
    assert f"{TENANTS} tenant files valid" in result.output


def test_enforced_quotas_make_the_warning_an_error(project: Path) -> None:
    (project / "fleet.yaml").write_text("quotas:\n  enforce: true\n", encoding="utf-8")
    result = invoke("validate", "tenant_configs")
    assert result.exit_code == 1, result.output
    assert f"\nfleet.yaml:1: {IP_SET_MESSAGE}" in result.output  # the quotas section's line
    assert "warning: fleet.yaml" not in result.output
    assert "Traceback" not in result.output


def test_no_warning_once_fleet_yaml_records_raised_quotas(project: Path) -> None:
    (project / "fleet.yaml").write_text("quotas:\n  enforce: true\n" + RAISED.removeprefix("quotas:\n"), encoding="utf-8")
    result = invoke("validate", "tenant_configs")
    assert result.exit_code == 0, result.output
    assert quota_lines(result.output) == []


def test_a_raised_quota_still_exceeded_is_reported_at_its_line(project: Path) -> None:
    (project / "fleet.yaml").write_text(RAISED.replace("ip_sets: 120, manual_db_snapshots: 3540", "ip_sets: 110"), encoding="utf-8")
    result = invoke("validate", "--json", "tenant_configs")
    assert result.exit_code == 0, result.output
    warnings = [w for w in json.loads(result.stdout)["warnings"] if w["path"].startswith("quotas.")]
    assert {(w["path"], w["line"]) for w in warnings} == {("quotas.ip_sets", 3), ("quotas.manual_db_snapshots", 3)}
    assert any("120 in the deploying account, us-east-1, over the limit of 110 (raised quota" in w["message"] for w in warnings)


def test_list_json_carries_the_quota_warnings(project: Path) -> None:
    result = invoke("list", "--dir", "tenant_configs", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["tenants"]) == TENANTS
    paths = {(w["file"], w["path"]) for w in data["warnings"]}
    assert {("fleet.yaml", "quotas.ip_sets"), ("fleet.yaml", "quotas.manual_db_snapshots")} <= paths


def test_list_exits_1_when_quotas_are_enforced(project: Path) -> None:
    (project / "fleet.yaml").write_text("quotas:\n  enforce: true\n", encoding="utf-8")
    result = invoke("list", "--dir", "tenant_configs")
    assert result.exit_code == 1, result.output
    assert f"fleet.yaml:1: {IP_SET_MESSAGE}" in result.output


def test_a_bad_fleet_file_fails_validate_like_a_bad_tenant_file(project: Path) -> None:
    (project / "fleet.yaml").write_text("quotas:\n  enforce: yes\n  waves: 3\n", encoding="utf-8")
    result = invoke("validate", "tenant_configs")
    assert result.exit_code == 1, result.output
    assert "fleet.yaml:2: quotas.enforce: must be true or false (unquoted)" in result.output
    assert "fleet.yaml:3: quotas.waves: unknown field; allowed here: enforce, raised" in result.output
    assert "Traceback" not in result.output


def test_root_option_names_the_project_root(tmp_path: Path, project: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "fleet.yaml").write_text("quotas:\n  enforce: true\n", encoding="utf-8")
    result = invoke("validate", "tenant_configs", "--root", str(elsewhere))
    assert result.exit_code == 1, result.output
    assert f"{elsewhere / 'fleet.yaml'}:1: {IP_SET_MESSAGE}" in result.output


def test_schema_writes_and_checks_the_fleet_schema(tmp_path: Path) -> None:
    configs, root = tmp_path / "configs", tmp_path / "root"
    configs.mkdir()
    root.mkdir()
    stale = invoke("schema", "--dir", str(configs), "--root", str(root), "--check")
    assert stale.exit_code == 1
    assert f"{root / 'fleet.schema.json'}: (file): out of date" in stale.output
    assert invoke("schema", "--dir", str(configs), "--root", str(root)).exit_code == 0
    schema = json.loads((root / "fleet.schema.json").read_text())
    assert schema["additionalProperties"] is False and set(schema["properties"]) == set(FleetSettings.model_fields)
    assert invoke("schema", "--dir", str(configs), "--root", str(root), "--check").exit_code == 0
