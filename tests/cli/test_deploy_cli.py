"""`tenantkit deploy`: argument errors, a missing sandbox, and the exit code of a partial failure."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.lifecycle.cdk_cli import NO_CREDENTIALS
from tenantkit.lifecycle.deploy_local import DeployResult, StackOutcome, StackResult
from tenantkit.lifecycle.local import LocalDeployError

runner = CliRunner()


def test_a_stopped_sandbox_is_one_line_and_exit_1(monkeypatch):
    def refuse(*args, **kwargs):
        raise LocalDeployError("the sandbox is not running: `tenantkit sandbox up` first")

    monkeypatch.setattr("tenantkit.lifecycle.local.deploy_local", refuse)
    result = runner.invoke(app, ["deploy", "--all", "--local"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: the sandbox is not running: `tenantkit sandbox up` first"


def test_one_failed_tenant_makes_the_exit_code_1_and_prints_its_reason(monkeypatch):
    ok = DeployResult("a", [StackResult("tenant-a-dr", "us-west-2", StackOutcome.CREATED)], 1.0)
    failed = DeployResult("b", [StackResult("tenant-b-dr", "us-west-2", StackOutcome.FAILED, ("Bucket: exists",))], 2.0)
    monkeypatch.setattr("tenantkit.lifecycle.local.deploy_local", lambda *a, **k: [ok, failed])
    result = runner.invoke(app, ["deploy", "--all", "--local", "--json"])
    assert result.exit_code == 1, result.output
    assert '"outcome": "failed"' in result.output and "Bucket: exists" in result.output


def test_deploy_to_aws_runs_the_cdk_cli_per_tenant_and_passes_its_failure_through(monkeypatch, tmp_path):
    from moto import mock_aws

    from tenantkit.lifecycle import cdk_cli

    monkeypatch.setattr("tenantkit.cli.deploy.STATE_DIR", tmp_path)

    calls = []

    def fake_run(cli, action, tenant_ids, *, extra, concurrency, echo, **kwargs):
        calls.append((action, list(tenant_ids), list(extra), concurrency))
        echo("cdk says: stack failed")
        return {tenant_id: (1 if tenant_id == "maple-ca" else 0) for tenant_id in tenant_ids}

    monkeypatch.setattr(cdk_cli, "find_cdk_cli", lambda *a, **k: cdk_cli.CdkCli(("cdk",)))
    monkeypatch.setattr(cdk_cli, "run_for_tenants", fake_run)
    monkeypatch.setattr(cdk_cli, "deploy_baselines_first", lambda cli, ids, **k: calls.append(("baseline", list(ids))) or dict.fromkeys(ids, 0))
    with mock_aws():  # the tenants' states are read (and their locks taken) before the CDK CLI runs
        result = runner.invoke(app, ["deploy", "maple-ca", "rhein-de", "--concurrency", "2", "--cdk-arg=--require-approval", "--cdk-arg=never"])
    assert result.exit_code == 1, result.output
    assert calls == [("baseline", ["maple-ca", "rhein-de"]), ("deploy", ["maple-ca", "rhein-de"], ["--require-approval", "never"], 2)]
    assert "cdk says: stack failed" in result.output
    assert "cdk deploy maple-ca: failed (exit 1)" in result.output


def test_diff_of_an_unknown_tenant_is_refused():
    result = runner.invoke(app, ["diff", "nobody"])
    assert result.exit_code == 1
    assert "no tenant file for: nobody" in result.output


@pytest.fixture
def no_aws_credentials(monkeypatch, tmp_path):
    """No credential source at all: no keys or profile in the environment, no config files, no
    instance metadata (never contacted: disabled), no container credentials."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def cdk_cli_started(monkeypatch):
    """Records each time the CDK CLI would be found (installed) or run."""
    from tenantkit.lifecycle import cdk_cli

    started: list[str] = []
    monkeypatch.setattr(cdk_cli, "find_cdk_cli", lambda *a, **k: started.append("find") or cdk_cli.CdkCli(("cdk",)))
    monkeypatch.setattr(cdk_cli, "run_for_tenants", lambda cli, action, ids, **k: started.append(action) or dict.fromkeys(ids, 0))
    monkeypatch.setattr(cdk_cli, "deploy_baselines_first", lambda cli, ids, **k: started.append("baseline") or dict.fromkeys(ids, 0))
    return started


@pytest.mark.parametrize("action", ["deploy", "diff", "bootstrap"])
def test_without_credentials_the_cdk_cli_is_never_started(no_aws_credentials, cdk_cli_started, action):
    result = runner.invoke(app, [action, "maple-ca"])
    assert (result.exit_code, cdk_cli_started) == (1, []), result.output
    assert result.output == f"error: {NO_CREDENTIALS}\n"


@pytest.mark.parametrize(
    ("environment", "args", "message"),
    [
        ({"AWS_PROFILE": "nobody"}, [], "error: AWS_PROFILE: The config profile (nobody) could not be found\n"),
        ({}, ["--cdk-arg=--profile", "--cdk-arg=nobody"], "error: --profile nobody: The config profile (nobody) could not be found\n"),
        ({"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"}, [], "error: AWS credentials: Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY\n"),
    ],
    ids=["unknown AWS_PROFILE", "unknown --profile", "half the keys"],
)
def test_a_broken_credential_setting_is_named_in_one_line(no_aws_credentials, cdk_cli_started, monkeypatch, environment, args, message):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["diff", "maple-ca", *args])
    assert (result.exit_code, result.output, cdk_cli_started) == (1, message, [])


def test_credentials_from_a_profile_let_the_cdk_cli_start(no_aws_credentials, cdk_cli_started, monkeypatch, tmp_path):
    (tmp_path / "no-credentials").write_text("[ops]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n")
    result = runner.invoke(app, ["diff", "maple-ca", "--cdk-arg=--profile", "--cdk-arg=ops"])
    assert (result.exit_code, cdk_cli_started) == (0, ["find", "diff"]), result.output


def test_a_tenant_whose_baseline_failed_is_not_deployed(monkeypatch, tmp_path):
    from moto import mock_aws

    from tenantkit.lifecycle import cdk_cli

    monkeypatch.setattr("tenantkit.cli.deploy.STATE_DIR", tmp_path)
    deployed: list[str] = []
    monkeypatch.setattr(cdk_cli, "find_cdk_cli", lambda *a, **k: cdk_cli.CdkCli(("cdk",)))
    monkeypatch.setattr(cdk_cli, "require_aws_credentials", lambda extra: None)
    monkeypatch.setattr(cdk_cli, "deploy_baselines_first", lambda cli, ids, **k: {t: (4 if t == "maple-ca" else 0) for t in ids})
    monkeypatch.setattr(cdk_cli, "run_for_tenants", lambda cli, action, ids, **k: deployed.extend(ids) or dict.fromkeys(ids, 0))
    with mock_aws():
        result = runner.invoke(app, ["deploy", "maple-ca", "rhein-de"])
    assert result.exit_code == 1, result.output
    assert deployed == ["rhein-de"]
    assert "cdk deploy maple-ca: failed (exit 4)" in result.output
