"""`deploy --repair`, `diff --local` and `inventory --reencrypt`: each calls its service and says
what changed per resource, in the table and in --json."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.lifecycle.deploy_local import DeployResult, ResourceChange, StackOutcome, StackResult
from tenantkit.lifecycle.inventory import Inventory, Item
from tenantkit.lifecycle.inventory.objects import Reencrypted

runner = CliRunner()
MODIFIED = ResourceChange("FirewallAllowListIPV4", "AWS::WAFv2::IPSet", "Modify", ("Addresses",))
REVERTED = ResourceChange("DataPolicy", "AWS::S3::BucketPolicy", "Revert")


@pytest.fixture(autouse=True)
def _in_a_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _result(*changes):
    return DeployResult("maple-ca", [StackResult("tenant-maple-ca-primary", "ca-central-1", StackOutcome.UPDATED, changes=changes)], 1.0)


def test_deploy_says_what_it_changed_per_resource(monkeypatch):
    monkeypatch.setattr("tenantkit.lifecycle.local.deploy_local", lambda *a, **k: [_result(MODIFIED)])
    result = runner.invoke(app, ["deploy", "maple-ca", "--local"])
    assert result.exit_code == 0, result.output
    assert "maple-ca: tenant-maple-ca-primary: Modify FirewallAllowListIPV4 [AWS::WAFv2::IPSet] (Addresses)" in result.output
    as_json = runner.invoke(app, ["deploy", "maple-ca", "--local", "--json"])
    (stack,) = json.loads(as_json.output)["tenants"][0]["stacks"]
    assert stack["changes"] == [{"logical_id": "FirewallAllowListIPV4", "type": "AWS::WAFv2::IPSet", "action": "Modify", "properties": ["Addresses"]}]


def test_a_created_stack_is_one_line_and_its_resources_are_in_json(monkeypatch):
    added = [ResourceChange(f"R{i}", "AWS::SNS::Topic", "Add") for i in range(3)]
    created = DeployResult("maple-ca", [StackResult("tenant-maple-ca-dr", "ca-west-1", StackOutcome.CREATED, changes=(*added, REVERTED))], 1.0)
    monkeypatch.setattr("tenantkit.lifecycle.local.deploy_local", lambda *a, **k: [created])
    result = runner.invoke(app, ["deploy", "maple-ca", "--local"])
    assert "maple-ca: tenant-maple-ca-dr: 3 resources added" in result.output and "Add R0" not in result.output
    assert "Revert DataPolicy" in result.output
    as_json = json.loads(runner.invoke(app, ["deploy", "maple-ca", "--local", "--json"]).output)
    assert [c["logical_id"] for c in as_json["tenants"][0]["stacks"][0]["changes"]] == ["R0", "R1", "R2", "DataPolicy"]


def test_deploy_repair_reverts_drift_after_the_deploy_and_says_so(monkeypatch):
    monkeypatch.setattr("tenantkit.lifecycle.local.deploy_local", lambda *a, **k: [_result()])
    repaired = []
    monkeypatch.setattr("tenantkit.lifecycle.local.repair_local", lambda results, *a: repaired.extend(results) or [_result(REVERTED)])
    result = runner.invoke(app, ["deploy", "maple-ca", "--local", "--repair"])
    assert result.exit_code == 0, result.output
    assert [r.tenant_id for r in repaired] == ["maple-ca"]
    assert "Revert DataPolicy [AWS::S3::BucketPolicy]" in result.output


def test_deploy_without_repair_reverts_nothing(monkeypatch):
    monkeypatch.setattr("tenantkit.lifecycle.local.deploy_local", lambda *a, **k: [_result()])
    monkeypatch.setattr("tenantkit.lifecycle.local.repair_local", lambda *a: pytest.fail("repair without --repair"))
    assert runner.invoke(app, ["deploy", "maple-ca", "--local"]).exit_code == 0


def test_deploy_repair_against_aws_is_the_cdk_clis_revert_drift(monkeypatch, tmp_path):
    from moto import mock_aws

    from tenantkit.lifecycle import cdk_cli

    monkeypatch.setattr("tenantkit.cli.deploy.STATE_DIR", tmp_path)
    calls = []
    monkeypatch.setattr(cdk_cli, "find_cdk_cli", lambda *a, **k: cdk_cli.CdkCli(("cdk",)))
    monkeypatch.setattr(cdk_cli, "require_aws_credentials", lambda extra: None)
    monkeypatch.setattr(cdk_cli, "run_for_tenants", lambda cli, action, ids, *, extra, **k: calls.append((action, list(extra))) or dict.fromkeys(ids, 0))
    monkeypatch.setattr(cdk_cli, "deploy_baselines_first", lambda cli, ids, **k: dict.fromkeys(ids, 0))
    with mock_aws():  # the tenant's state is read (and its lock taken) before the CDK CLI runs
        result = runner.invoke(app, ["deploy", "maple-ca", "--repair", "--dir", str(_examples())])
    assert result.exit_code == 0, result.output
    assert calls == [("deploy", ["-c", f"tenant_configs={_examples()}", "--revert-drift"])]


def test_diff_local_previews_without_deploying(monkeypatch):
    monkeypatch.setattr("tenantkit.lifecycle.local.deploy_local", lambda *a, **k: pytest.fail("diff deployed"))
    monkeypatch.setattr("tenantkit.lifecycle.local.preview_local", lambda directory, ids, *a: [_result(MODIFIED)])
    result = runner.invoke(app, ["diff", "maple-ca", "--local"])
    assert result.exit_code == 0, result.output
    assert "Would change in the sandbox" in result.output and "Modify FirewallAllowListIPV4" in result.output


def test_inventory_reencrypt_fixes_the_data_then_inventories_again(monkeypatch):
    flagged = Inventory("maple-ca", [Item("ca-central-1", "objects", "b", {"foreign": ["k"]}, ("object k: declared x, actual y",))])
    clean = Inventory("maple-ca", [Item("ca-central-1", "objects", "b", {"foreign": []})])
    inventories = iter([flagged, clean])
    monkeypatch.setattr("tenantkit.lifecycle.local.inventory_tenants", lambda *a, **k: [next(inventories)])
    monkeypatch.setattr("tenantkit.lifecycle.local.reencrypt_tenants", lambda found, *a, **k: [Reencrypted("ca-central-1", "b", "k", "arn:key")])
    result = runner.invoke(app, ["inventory", "maple-ca", "--local", "--reencrypt"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted s3://b/k under arn:key" in result.output


def _examples():
    from tests.conftest import EXAMPLE_CONFIGS

    return EXAMPLE_CONFIGS
