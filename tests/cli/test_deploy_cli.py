"""`tenantkit deploy`: argument errors, a missing sandbox, and the exit code of a partial failure."""

from __future__ import annotations

from typer.testing import CliRunner

from tenantkit.cli.main import app
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


def test_deploy_to_aws_runs_the_cdk_cli_per_tenant_and_passes_its_failure_through(monkeypatch):
    from tenantkit.lifecycle import cdk_cli

    calls = []

    def fake_run(cli, action, tenant_ids, *, extra, concurrency, echo, **kwargs):
        calls.append((action, list(tenant_ids), list(extra), concurrency))
        echo("cdk says: stack failed")
        return {tenant_id: (1 if tenant_id == "maple-ca" else 0) for tenant_id in tenant_ids}

    monkeypatch.setattr(cdk_cli, "find_cdk_cli", lambda *a, **k: cdk_cli.CdkCli(("cdk",)))
    monkeypatch.setattr(cdk_cli, "run_for_tenants", fake_run)
    result = runner.invoke(app, ["deploy", "maple-ca", "rhein-de", "--concurrency", "2", "--cdk-arg=--require-approval", "--cdk-arg=never"])
    assert result.exit_code == 1, result.output
    assert calls == [("deploy", ["maple-ca", "rhein-de"], ["--require-approval", "never"], 2)]
    assert "cdk says: stack failed" in result.output
    assert "cdk deploy maple-ca: failed (exit 1)" in result.output


def test_diff_of_an_unknown_tenant_is_refused():
    result = runner.invoke(app, ["diff", "nobody"])
    assert result.exit_code == 1
    assert "no tenant file for: nobody" in result.output
