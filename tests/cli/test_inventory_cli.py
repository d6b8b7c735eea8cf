"""`tenantkit inventory`: exit 1 when anything is flagged, the problem on the row, JSON for machines."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.lifecycle.inventory import Inventory, Item
from tenantkit.lifecycle.local import LocalDeployError

runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_a_project(tmp_path, monkeypatch):
    """inventory records each tenant's last inventory under ./.tenantkit: never the checkout's."""
    monkeypatch.chdir(tmp_path)


def _patch(monkeypatch, found):
    monkeypatch.setattr("tenantkit.lifecycle.local.inventory_tenants", lambda *a, **k: [found])


def test_a_clean_inventory_exits_0(monkeypatch):
    _patch(monkeypatch, Inventory("maple-ca", [Item("ca-central-1", "bucket", "b", {"versioning": "Enabled"})]))
    result = runner.invoke(app, ["inventory", "maple-ca", "--local"])
    assert result.exit_code == 0, result.output
    assert "maple-ca: 1 resources, 0 flagged" in result.output


def test_a_flagged_item_exits_1_with_its_problem(monkeypatch):
    item = Item("ca-central-1", "bucket", "b", {}, ("encrypted with k, not the tenant key",))
    _patch(monkeypatch, Inventory("maple-ca", [item]))
    result = runner.invoke(app, ["inventory", "maple-ca", "--local", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["tenants"][0]["items"][0]["problems"] == ["encrypted with k, not the tenant key"]


def test_no_sandbox_is_one_line(monkeypatch):
    def refuse(*a, **k):
        raise LocalDeployError("the sandbox is not running: `tenantkit sandbox up` first")

    monkeypatch.setattr("tenantkit.lifecycle.local.inventory_tenants", refuse)
    result = runner.invoke(app, ["inventory", "maple-ca", "--local"])
    assert (result.exit_code, result.output.strip()) == (1, "error: the sandbox is not running: `tenantkit sandbox up` first")


def _missing_and_unchecked():
    gone = Item("ca-central-1", "database", "tenantkit-maple-ca", problems=("declared, does not exist",), missing=True)
    denied = Item("ca-central-1", "bucket", "b", unchecked=("HeadBucket: denied (AccessDenied)",))
    return Inventory("maple-ca", [gone, denied, Item("ca-central-1", "log group", "g")])


def test_missing_and_could_not_check_are_told_apart_in_json(monkeypatch):
    _patch(monkeypatch, _missing_and_unchecked())
    result = runner.invoke(app, ["inventory", "maple-ca", "--local", "--json"])
    assert result.exit_code == 1, result.output
    tenant = json.loads(result.output)["tenants"][0]
    assert (tenant["ok"], tenant["missing"], tenant["unchecked"]) == (False, 1, 1)
    assert {item["name"]: item["status"] for item in tenant["items"]} == {"tenantkit-maple-ca": "missing", "b": "unchecked", "g": "ok"}
    assert tenant["items"][1]["unchecked"] == ["HeadBucket: denied (AccessDenied)"]


def test_missing_and_could_not_check_are_told_apart_in_the_table(monkeypatch):
    _patch(monkeypatch, _missing_and_unchecked())
    result = runner.invoke(app, ["inventory", "maple-ca", "--local"])
    assert result.exit_code == 1, result.output
    rows = {line.split("│")[3].strip(): line for line in result.output.splitlines() if line.count("│") >= 6}
    assert "MISSING" in rows["tenantkit-maple-ca"] and "declared, does not exist" in rows["tenantkit-maple-ca"]
    assert "NOT CHECKED" in rows["b"] and "could not check HeadBucket: denied (AccessDenied)" in rows["b"]
    assert "maple-ca: 3 resources, 2 flagged (1 missing, 1 could not be checked)" in result.output


def test_only_could_not_check_still_exits_1(monkeypatch):
    _patch(monkeypatch, Inventory("maple-ca", [Item("ca-central-1", "bucket", "b", unchecked=("HeadBucket: throttled (SlowDown)",))]))
    result = runner.invoke(app, ["inventory", "maple-ca", "--local"])
    assert result.exit_code == 1, result.output


def _fleet(monkeypatch):
    clean = Inventory("maple-ca", [Item("ca-central-1", "bucket", "b", {"versioning": "Enabled"})])
    flagged = Inventory("rhein-de", [Item("eu-central-1", "key", "k", {}, ("rotation off",))])
    monkeypatch.setattr("tenantkit.lifecycle.local.inventory_tenants", lambda *a, **k: [clean, flagged, clean])


def test_every_tenant_ends_with_one_fleet_line(monkeypatch):
    _fleet(monkeypatch)
    result = runner.invoke(app, ["inventory", "--all", "--local"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "3 tenants, 2 clean, 1 flagged"
    assert result.output.count("3 tenants") == 1


def test_named_tenants_have_no_fleet_line(monkeypatch):
    _fleet(monkeypatch)
    result = runner.invoke(app, ["inventory", "maple-ca", "rhein-de", "--local"])
    assert "tenants," not in result.output


def test_piped_into_a_narrow_console_no_arn_is_broken(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    key = "arn:aws:kms:ca-central-1:111122223333:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
    replica = "arn:aws:s3:::maple-ca-dr-111122223333-ca-west-1"
    item = Item("ca-central-1", "bucket", "maple-ca-data-111122223333-ca-central-1", {"key": key, "replication": replica},
                (f"objects under {key}, not the tenant key",))
    _patch(monkeypatch, Inventory("maple-ca", [item]))
    result = runner.invoke(app, ["inventory", "maple-ca", "--local"])
    rows = [line for line in result.output.splitlines() if "maple-ca-data" in line]
    assert len(rows) == 1, result.output  # the row on one line
    assert rows[0].count(key) == 2 and replica in rows[0], result.output


def test_the_last_inventory_is_recorded_for_fleet_status(monkeypatch, tmp_path):
    _fleet(monkeypatch)
    runner.invoke(app, ["inventory", "--all", "--local"])
    record = json.loads((tmp_path / ".tenantkit" / "inventory" / "rhein-de.json").read_text())
    assert (record["where"], record["flagged"]) == ("sandbox", ["eu-central-1 key k: rotation off"])
    assert json.loads((tmp_path / ".tenantkit" / "inventory" / "maple-ca.json").read_text())["flagged"] == []
