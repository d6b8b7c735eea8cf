"""`tenantkit deploy`: argument errors, a missing sandbox, and the exit code of a partial failure."""

from __future__ import annotations

from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.lifecycle.deploy_local import DeployResult, StackOutcome, StackResult
from tenantkit.lifecycle.local import LocalDeployError

runner = CliRunner()


def test_without_local_the_cdk_cli_is_pointed_to():
    result = runner.invoke(app, ["deploy", "--all"])
    assert result.exit_code == 2
    assert "only --local is built" in result.output


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
