"""A tenant's last drill: read from its newest report, shown by `list`, and flagged by `inventory`
when fleet.yaml `drills.max_age_days` is set and the drill is missing, failed, unreadable or old."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.config import ConfigError, load_fleet
from tenantkit.lifecycle.drills import drill_problems, flag_drills, last_drill
from tenantkit.lifecycle.inventory.model import Inventory, Status
from tenantkit.lifecycle.restore import DrillReport, canonical_json
from tests.conftest import EXAMPLE_CONFIGS

TENANT = "northwind-us"
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def _report(started_at: str, ok: bool) -> DrillReport:
    return DrillReport(
        tenant_id=TENANT, display_name="Northwind", account="123456789012", primary_region="us-east-1",
        secondary_region="us-west-2", started_at=started_at, completed_at=started_at, name="drill1", stores=(),
        scratch_deleted=(), ok=ok, tool_version="test", sandbox=True,
    )  # fmt: skip


def _write(reports, started_at: str, ok: bool) -> None:
    directory = reports / TENANT
    directory.mkdir(parents=True, exist_ok=True)
    stem = started_at.replace("-", "").replace(":", "")
    (directory / f"drill-{stem}.json").write_bytes(canonical_json(_report(started_at, ok)))


def test_the_newest_report_is_the_last_drill(tmp_path):
    assert last_drill(tmp_path, TENANT) is None
    _write(tmp_path, "2026-11-01T00:00:00Z", True)
    _write(tmp_path, "2026-12-01T00:00:00Z", False)
    last = last_drill(tmp_path, TENANT)
    assert last is not None and last.started_at == "2026-12-01T00:00:00Z" and last.ok is False


@pytest.mark.parametrize(
    ("started_at", "ok", "expected"),
    [
        ("2026-12-01T00:00:00Z", True, ()),
        ("2026-12-01T00:00:00Z", False, ("last drill (2026-12-01T00:00:00Z) failed",)),
        ("2026-10-01T00:00:00Z", True, ("last drill is 67 days old (2026-10-01T00:00:00Z); fleet.yaml requires one every 30 days",)),
    ],
)
def test_a_drill_is_flagged_when_failed_or_older_than_the_limit(tmp_path, started_at, ok, expected):
    _write(tmp_path, started_at, ok)
    problems = drill_problems(last_drill(tmp_path, TENANT), 30, NOW)
    assert len(problems) == len(expected) and all(p.startswith(e) for p, e in zip(problems, expected, strict=True)), problems


def test_no_drill_and_an_unreadable_report_are_flagged(tmp_path):
    assert drill_problems(None, 30, NOW) == ("no drill report: fleet.yaml requires a drill every 30 days (`tenantkit drill`)",)
    (tmp_path / TENANT).mkdir()
    (tmp_path / TENANT / "drill-20261201T000000Z.json").write_text("{not json")
    (problem,) = drill_problems(last_drill(tmp_path, TENANT), 30, NOW)
    assert "is unreadable" in problem


def test_inventory_gets_a_drill_item_only_when_the_fleet_sets_a_limit(tmp_path):
    _write(tmp_path, "2026-10-01T00:00:00Z", True)
    unset = [Inventory(TENANT)]
    flag_drills(unset, tmp_path, None, NOW)
    assert unset[0].items == [] and unset[0].ok
    found = [Inventory(TENANT)]
    flag_drills(found, tmp_path, 30, NOW)
    (item,) = found[0].items
    assert item.kind == "drill" and item.status is Status.DRIFTED and not found[0].ok
    fresh = [Inventory(TENANT)]
    flag_drills(fresh, tmp_path, 90, NOW)
    assert fresh[0].ok


def test_fleet_drill_limit_is_a_positive_number_of_days(tmp_path):
    (tmp_path / "fleet.yaml").write_text("drills:\n  max_age_days: 30\n")
    assert load_fleet(tmp_path).drills.max_age_days == 30
    (tmp_path / "fleet.yaml").write_text("drills:\n  max_age_days: 0\n")
    with pytest.raises(ConfigError, match="max_age_days"):
        load_fleet(tmp_path)


def test_list_shows_each_tenants_last_drill(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    configs = tmp_path / "tenant_configs"
    configs.mkdir()
    shutil.copy(EXAMPLE_CONFIGS / f"{TENANT}.yaml", configs)
    _write(tmp_path / "reports", "2026-12-01T00:00:00Z", False)
    result = CliRunner().invoke(app, ["list", "--dir", str(configs), "--root", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)["tenants"]
    assert row["last_drill"]["started_at"] == "2026-12-01T00:00:00Z" and row["last_drill"]["ok"] is False
    table = CliRunner().invoke(app, ["list", "--dir", str(configs), "--root", str(tmp_path)])
    assert "2026-12-01T00:00:00Z FAILED" in table.output, table.output
