"""`tenantkit sandbox env TENANT`: shell exports for running the CDK CLI by hand against the sandbox."""

from __future__ import annotations

from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.lifecycle.local import LocalDeployError

runner = CliRunner()


def test_exports_are_quoted_for_eval(monkeypatch):
    variables = {"AWS_ENDPOINT_URL": "http://localhost:5000", "CDK": "/n/node /c/cdk", "PATH": "/n:$PATH"}
    monkeypatch.setattr("tenantkit.lifecycle.local.sandbox_cdk_environment", lambda *a: variables)
    result = runner.invoke(app, ["sandbox", "env", "maple-ca"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "export AWS_ENDPOINT_URL=http://localhost:5000",
        "export CDK='/n/node /c/cdk'",
        'export PATH="/n:$PATH"',
    ]


def test_no_sandbox_is_one_line(monkeypatch):
    def refuse(*a):
        raise LocalDeployError("the sandbox is not running: `tenantkit sandbox up` first")

    monkeypatch.setattr("tenantkit.lifecycle.local.sandbox_cdk_environment", refuse)
    result = runner.invoke(app, ["sandbox", "env", "maple-ca"])
    assert (result.exit_code, result.output.strip()) == (1, "error: sandbox: the sandbox is not running: `tenantkit sandbox up` first")
