"""The state and lock guard at the CLI, against AWS (moto): `deploy` refuses an offboarded tenant
naming its report before the CDK CLI starts, a held lock names its holder, --break-lock needs a
reason, and a fleet.yaml tooling account the credentials are not in is refused."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.config import find_tenant
from tenantkit.lifecycle.state import Holder, SharedLocks, State, StateStore, TenantState
from tenantkit.lifecycle.state.service import names_of
from tests.conftest import EXAMPLE_CONFIGS

runner = CliRunner()


@pytest.fixture
def aws(monkeypatch, tmp_path):
    """moto as AWS; the CDK CLI recorded, never run; .tenantkit/ under tmp_path."""
    from tenantkit.lifecycle import cdk_cli

    started: list[str] = []
    monkeypatch.setattr(cdk_cli, "find_cdk_cli", lambda *a, **k: cdk_cli.CdkCli(("cdk",)))
    monkeypatch.setattr(cdk_cli, "run_for_tenants", lambda cli, action, ids, **k: started.extend(ids) or dict.fromkeys(ids, 0))
    monkeypatch.setattr(cdk_cli, "deploy_baselines_first", lambda cli, ids, **k: dict.fromkeys(ids, 0))
    monkeypatch.setattr("tenantkit.cli.deploy.STATE_DIR", tmp_path / ".tenantkit")
    with mock_aws():
        yield started


def _record(tenant_id: str, state: State, report: str, cache_dir) -> None:
    """The state another operator recorded, in the tenant's account (moto)."""
    config = find_tenant(EXAMPLE_CONFIGS, tenant_id).config
    assert config.account, "a tenant with its own account: the state is read there"
    role = f"arn:aws:iam::{config.account}:role/operator"
    credentials = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="other")["Credentials"]
    session = boto3.Session(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
    store = StateStore(f"aws:{config.account}", lambda region: session.client("ssm", region_name=region), cache_dir)
    store.write(names_of(config, ""), TenantState(tenant_id=tenant_id, state=state, report=report))


def test_deploy_to_aws_refuses_an_offboarded_tenant_naming_its_report(aws, tmp_path):
    _record("maple-ca", State.OFFBOARDED, "reports/maple-ca/destruction-2026.json", tmp_path / "elsewhere")
    result = runner.invoke(app, ["deploy", "maple-ca", "rhein-de"])
    assert result.exit_code == 1, result.output
    assert "error: maple-ca is offboarded (report reports/maple-ca/destruction-2026.json): deploy refused" in result.output
    assert aws == []  # nothing deployed, not even the open tenant


def test_deploy_to_aws_of_an_active_tenant_runs(aws):
    result = runner.invoke(app, ["deploy", "rhein-de"])
    assert result.exit_code == 0, result.output
    assert aws == ["rhein-de"] and "lock holds on this machine only" in result.output


def test_the_fleet_lock_in_the_tooling_account_names_its_holder(aws, tmp_path):
    (tmp_path / "fleet.yaml").write_text("tooling:\n  account: '123456789012'\n  region: us-east-1\n")
    holder = Holder("offboard", "carol", 4242, "laptop", "2026-12-01T10:00:00Z", "t0")
    SharedLocks(boto3.client("dynamodb", region_name="us-east-1"), "x").acquire("rhein-de", holder, break_reason=None)
    result = runner.invoke(app, ["deploy", "rhein-de", "--root", str(tmp_path)])
    assert result.exit_code == 1 and aws == [], result.output
    assert "rhein-de is locked in tooling account 123456789012 (us-east-1) by offboard by carol (pid 4242 on laptop) since 2026-12-01T10:00:00Z" in result.output
    broken = runner.invoke(app, ["deploy", "rhein-de", "--root", str(tmp_path), "--break-lock", "--reason", "carol left"])
    assert broken.exit_code == 0 and aws == ["rhein-de"], broken.output


def test_a_tooling_account_the_credentials_are_not_in_is_refused(aws, tmp_path):
    (tmp_path / "fleet.yaml").write_text("tooling:\n  account: '210987654321'\n  region: us-east-1\n")
    result = runner.invoke(app, ["deploy", "rhein-de", "--root", str(tmp_path)])
    assert (result.exit_code, aws) == (1, []), result.output
    assert "fleet.yaml tooling.account is 210987654321; these credentials act in 123456789012" in result.output


def test_break_lock_needs_a_reason(aws):
    result = runner.invoke(app, ["deploy", "rhein-de", "--break-lock"])
    assert (result.exit_code, result.output) == (1, 'error: --break-lock needs --reason "..." (it is recorded)\n')


def test_reinstate_in_the_tenants_account_writes_the_next_generation(aws, tmp_path, monkeypatch):
    import shutil

    monkeypatch.chdir(tmp_path)
    shutil.copytree(EXAMPLE_CONFIGS, tmp_path / "tenant_configs")
    refused = runner.invoke(app, ["reinstate", "rhein-de", "--reason", "back"])
    assert refused.exit_code == 1 and "rhein-de is active: only an offboarded tenant is reinstated" in refused.output, refused.output
    config = find_tenant(tmp_path / "tenant_configs", "rhein-de").config
    store = StateStore("aws:x", lambda region: boto3.client("ssm", region_name=region), tmp_path / "elsewhere")
    store.write(names_of(config, ""), TenantState(tenant_id="rhein-de", state=State.DESTROYED, report="r.json"))
    result = runner.invoke(app, ["reinstate", "rhein-de", "--reason", "signed again"])
    assert result.exit_code == 0, result.output
    assert "rhein-de: reinstated as generation 2" in result.output
    assert find_tenant(tmp_path / "tenant_configs", "rhein-de").config.generation == 2
    assert store.read(names_of(config, "")).generation == 2
