"""`list --aws` and `fleet status --aws` (moto as AWS): each tenant's recorded state, the orphans
(exit 1) and what could not be checked, read with the default credentials."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.naming import stack_names

runner = CliRunner()


@pytest.fixture
def project(tmp_path, monkeypatch, write_tenant, tenant_data):
    """One tenant file (`acme`) in tmp_path/tenant_configs, .tenantkit/ under tmp_path, moto as AWS."""
    write_tenant({**tenant_data, "tenant_id": "acme"})
    monkeypatch.chdir(tmp_path)
    with mock_aws():
        yield tmp_path


def _deploy_stack(name: str) -> None:
    boto3.client("cloudformation", region_name="us-east-1").create_stack(
        StackName=name, TemplateBody=json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
    )


def test_list_aws_shows_the_state_and_exits_0_with_no_orphan(project):
    _deploy_stack(stack_names("acme")[1])
    result = runner.invoke(app, ["list", "--aws", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["orphans"] == [] and data["unchecked"] == []
    assert [row["state"] for row in data["tenants"]] == ["active"]


def test_list_aws_and_fleet_status_aws_name_an_orphan_and_exit_1(project):
    orphan_stack = stack_names("acme-primary-x")[1]  # acme's prefix, another tenant's stack
    _deploy_stack(orphan_stack)
    expected = f"error: orphan: acme-primary-x: deployed (stack {orphan_stack} in 123456789012 us-east-1) but no tenant file"
    for command in (["list", "--aws"], ["fleet", "status", "--aws", "--refresh"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        assert expected in " ".join(result.output.split()), result.output
        assert "orphan: acme:" not in result.output


def test_local_and_aws_together_is_one_line(project):
    result = runner.invoke(app, ["list", "--aws", "--local"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: --local and --aws: choose one (the sandbox, or AWS)"


def test_list_aws_without_credentials_is_could_not_check_never_active(tmp_path, monkeypatch, write_tenant, tenant_data):
    """No credentials anywhere (no network asked: instance metadata disabled): one line, exit 1,
    and the tenant's state `could not check`."""
    write_tenant({**tenant_data, "tenant_id": "acme"})
    monkeypatch.chdir(tmp_path)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = runner.invoke(app, ["list", "--aws", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [row["state"] for row in data["tenants"]] == ["could not check"]
    assert data["unchecked"] == ["could not check AWS (the credentials' own account): Unable to locate credentials"]


def test_offboard_start_aws_records_the_retrieval_window_where_list_aws_reads_it(project):
    """Against AWS, `offboard start --aws` records retrieval-window in the tenant's account (its
    SSM state parameter), and a second operator's `list --aws` sees it."""
    _deploy_stack(stack_names("acme")[1])
    started = runner.invoke(app, ["offboard", "start", "acme", "--ends-on", "2026-12-31", "--aws"])
    assert started.exit_code == 0, started.output
    listed = runner.invoke(app, ["list", "--aws", "--json"])
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.output)["tenants"]
    assert row["state"].startswith("retrieval-window"), row


def test_offboard_start_local_and_aws_together_is_one_line_and_changes_nothing(project):
    before = (project / "tenant_configs" / "acme.yaml").read_text()
    result = runner.invoke(app, ["offboard", "start", "acme", "--ends-on", "2026-12-31", "--aws", "--local"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: --local and --aws: choose one (the sandbox, or AWS)"
    assert (project / "tenant_configs" / "acme.yaml").read_text() == before
