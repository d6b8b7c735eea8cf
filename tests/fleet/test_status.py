"""`tenantkit fleet status`: each row from the tenant's file, assembly, approval and journal; the
rows cached and shown from the cache until --refresh."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.config import validate_paths
from tenantkit.fleet.status import compute_status, fleet_status, record_inventories, template_hash
from tenantkit.lifecycle.inventory import Inventory, Item
from tenantkit.naming import stack_names
from tests.conftest import EXAMPLE_CONFIGS
from tests.fleet.assemblies import stack_template, write_assembly

runner = CliRunner()
TODAY = date(2027, 1, 15)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE_CONFIGS, tmp_path / "tenant_configs")
    return tmp_path


def configs(project: Path) -> dict[str, Any]:
    return {config.tenant_id: config for config in validate_paths([project / "tenant_configs"]).configs}


def compute(project: Path, **kwargs: Any):
    return compute_status(
        project / "tenant_configs",
        assembly_root=project / "cdk.out",
        approvals_dir=project / "approvals",
        state_dir=project / ".tenantkit",
        today=TODAY,
        **kwargs,
    )


def test_each_row_says_what_its_tenant_file_says(project: Path) -> None:
    status = compute(project)
    expected = configs(project)
    assert [row.tenant_id for row in status.tenants] == sorted(expected)
    for row in status.tenants:
        config = expected[row.tenant_id]
        assert row.residency == config.residency.value
        assert row.regions == tuple(config.regions)
        assert row.offboarding == config.subscription.status(TODAY).value
        assert row.templates == "not synthesized"
        assert row.approval == "never approved"
        assert (row.last_drill, row.inventory) == ("never", "not run")


def test_the_offboarding_journal_gives_the_offboarding_state(project: Path) -> None:
    journals = project / ".tenantkit" / "offboarding"
    journals.mkdir(parents=True)
    (journals / "maple-ca.json").write_text(json.dumps({"tenant_id": "maple-ca", "started_at": "2027-01-10T08:00:00Z"}))
    (journals / "rhein-de.json").write_text(
        json.dumps({"tenant_id": "rhein-de", "started_at": "2027-01-02T08:00:00Z", "completed_at": "2027-01-03T09:00:00Z"})
    )
    (journals / "polar-cg.json").write_text("{not json")
    rows = {row.tenant_id: row for row in compute(project).tenants}
    assert rows["maple-ca"].offboarding == "offboarding since 2027-01-10"
    assert rows["rhein-de"].offboarding == "offboarded 2027-01-03"
    assert rows["polar-cg"].offboarding.endswith(f"offboarding journal unreadable: {journals / 'polar-cg.json'}")
    assert rows["northwind-us"].offboarding == configs(project)["northwind-us"].subscription.status(TODAY).value


def test_synthesized_templates_are_hashed_and_compared_with_the_deployed(project: Path) -> None:
    tenants = configs(project)
    for tenant_id in ("maple-ca", "rhein-de", "polar-cg"):
        write_assembly(project / "cdk.out", tenant_id, tuple(tenants[tenant_id].regions))
    dr, primary, _ = stack_names("rhein-de")

    def deployed(tenant_id: str, account: str | None, artifacts: list[Any]) -> dict[str, Any]:
        """A fake of the sandbox (named as such): bodies as CloudFormation returns them."""
        if tenant_id == "polar-cg":
            return dict.fromkeys(a.name for a in artifacts)
        bodies = {a.name: json.loads(a.template_text()) for a in artifacts}
        if tenant_id == "rhein-de":
            bodies[primary] = stack_template("tampered")
        return bodies

    rows = {row.tenant_id: row for row in compute(project, deployed_templates=deployed).tenants}
    assert rows["maple-ca"].templates == "deployed as synthesized"
    assert rows["rhein-de"].templates == f"differs: {primary}"
    assert rows["polar-cg"].templates == "not deployed"
    assert rows["northwind-us"].templates == "not synthesized"
    template = (project / "cdk.out" / "rhein-de" / f"{dr}.template.json").read_text()
    assert rows["rhein-de"].stacks[0].synthesized == rows["rhein-de"].stacks[0].deployed == template_hash(template)
    assert rows["rhein-de"].stacks[1].deployed == template_hash(stack_template("tampered"))
    unchecked = {row.tenant_id: row for row in compute(project).tenants}
    assert unchecked["maple-ca"].templates == "synthesized"
    assert unchecked["maple-ca"].stacks[1].deployed is None


def test_the_last_inventory_gives_the_inventory_flags(project: Path) -> None:
    clean = Inventory("maple-ca", [Item("ca-central-1", "bucket", "tenant-maple-ca-data")])
    flagged = Inventory(
        "rhein-de",
        [
            Item("eu-central-1", "bucket", "tenant-rhein-de-data", problems=("versioning is off",)),
            Item("eu-west-1", "key", "alias/tenantkit/rhein-de", problems=("rotation is off", "pending deletion")),
        ],
    )
    record_inventories(project / ".tenantkit", [clean, flagged], where="sandbox")
    (project / ".tenantkit" / "inventory" / "polar-cg.json").write_text("[]")
    rows = {row.tenant_id: row for row in compute(project).tenants}
    today = rows["maple-ca"].inventory.split(", ")[1].rstrip(")")
    assert rows["maple-ca"].inventory == f"clean (sandbox, {today})"
    assert rows["rhein-de"].inventory == f"2 flagged (sandbox, {today}): eu-central-1 bucket tenant-rhein-de-data: versioning is off"
    assert rows["polar-cg"].inventory.startswith("unreadable record: ")
    assert rows["northwind-us"].inventory == "not run"
    record = json.loads((project / ".tenantkit" / "inventory" / "rhein-de.json").read_text())
    assert record["flagged"][1] == "eu-west-1 key alias/tenantkit/rhein-de: rotation is off; pending deletion"


def test_a_templates_hash_ignores_key_order_and_layout() -> None:
    assert template_hash('{"b": 1, "a": [1, 2]}') == template_hash({"a": [1, 2], "b": 1})
    assert template_hash({"a": [1, 2]}) != template_hash({"a": [2, 1]})


def status_of(project: Path, *, refresh: bool = False):
    return fleet_status(
        project / "tenant_configs",
        assembly_root=project / "cdk.out",
        approvals_dir=project / "approvals",
        refresh=refresh,
        state_dir=project / ".tenantkit",
    )


def test_rows_come_from_the_cache_until_refresh_and_changed_files_are_named(project: Path) -> None:
    first = status_of(project)
    assert not first.from_cache and (project / ".tenantkit" / "fleet-status.json").is_file()
    assert status_of(project).changed_since == ()
    write_assembly(project / "cdk.out", "maple-ca", tuple(configs(project)["maple-ca"].regions))
    cached = status_of(project)
    assert cached.from_cache and cached.tenants == first.tenants and cached.changed_since == ("maple-ca",)
    assert {row.tenant_id: row.templates for row in cached.tenants}["maple-ca"] == "not synthesized"
    with (project / "tenant_configs" / "rhein-de.yaml").open("a") as handle:
        handle.write("# edited\n")
    shutil.copy(project / "tenant_configs" / "maple-ca.yaml", project / "tenant_configs" / "unused.yaml")
    record_inventories(project / ".tenantkit", [Inventory("polar-cg")], where="sandbox")
    assert status_of(project).changed_since == ("maple-ca", "polar-cg", "rhein-de", "unused")
    refreshed = status_of(project, refresh=True)
    assert not refreshed.from_cache
    assert {row.tenant_id: row.templates for row in refreshed.tenants}["maple-ca"] == "synthesized"
    assert status_of(project).changed_since == ()


def test_a_damaged_cache_is_recomputed(project: Path) -> None:
    status_of(project)
    (project / ".tenantkit" / "fleet-status.json").write_text('{"format": 1, "tenants": [')
    again = status_of(project)
    assert not again.from_cache and len(again.tenants) == 4


def test_fleet_status_cli_json_and_table(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["fleet", "status", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [row["tenant_id"] for row in data["tenants"]] == sorted(configs(project))
    assert data["from_cache"] is False and (project / ".tenantkit" / "fleet-status.json").is_file()
    result = runner.invoke(app, ["fleet", "status"])
    assert result.exit_code == 0, result.output
    assert "Fleet status (4 tenants, cached" in result.output
    assert all(tenant in result.output for tenant in configs(project))


def test_fleet_status_local_without_a_sandbox_is_one_line(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["fleet", "status", "--local"])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == "error: the sandbox is not running: `tenantkit sandbox up` first, or leave out --local"
