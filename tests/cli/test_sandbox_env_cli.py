"""`tenantkit sandbox env TENANT`: shell exports for running the CDK CLI by hand against the sandbox."""

from __future__ import annotations

from types import SimpleNamespace

from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.lifecycle.local import LocalDeployError

runner = CliRunner()


def test_exports_are_quoted_for_eval(monkeypatch):
    variables = {"AWS_ENDPOINT_URL": "http://localhost:5000", "TENANTKIT_CDK": "/n/node /c/cdk", "PATH": "/n:$PATH"}
    monkeypatch.setattr("tenantkit.lifecycle.local.sandbox_cdk_environment", lambda *a: variables)
    result = runner.invoke(app, ["sandbox", "env", "maple-ca"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "export AWS_ENDPOINT_URL=http://localhost:5000",
        "export TENANTKIT_CDK='/n/node /c/cdk'",
        'export PATH="/n:$PATH"',
    ]


def test_no_sandbox_is_one_line(monkeypatch):
    def refuse(*a):
        raise LocalDeployError("the sandbox is not running: `tenantkit sandbox up` first")

    monkeypatch.setattr("tenantkit.lifecycle.local.sandbox_cdk_environment", refuse)
    result = runner.invoke(app, ["sandbox", "env", "maple-ca"])
    assert (result.exit_code, result.output.strip()) == (1, "error: sandbox: the sandbox is not running: `tenantkit sandbox up` first")


def test_no_export_is_one_the_cdk_cli_reads_as_an_option(monkeypatch, tmp_path):
    """The CDK CLI takes every environment variable whose name starts with `CDK` for an option
    (yargs' `.env("CDK")`: `CDK_FOO=x` is `--foo x`, and `CDK` alone is `--`: "Unknown option(s):
    --"). The exports are computed against a real sandbox (moto in this process); only the CLI's
    npm install is replaced."""
    from tenantkit.lifecycle import cdk_cli, local
    from tenantkit.lifecycle.check import throwaway_sandbox
    from tests.conftest import EXAMPLE_CONFIGS

    monkeypatch.setattr(cdk_cli, "find_cdk_cli", lambda *a, **k: cdk_cli.CdkCli(("/wheel/bin/node", "/cli/bin/cdk")))
    with throwaway_sandbox(tmp_path / "sandbox.log") as (endpoint, port):
        monkeypatch.setattr(local, "running_sandbox", lambda _state_dir: SimpleNamespace(endpoint=endpoint, port=port))
        variables = local.sandbox_cdk_environment(EXAMPLE_CONFIGS, "maple-ca", tmp_path, tmp_path / "cdk-cli")
    assert [name for name in variables if name.upper().startswith("CDK")] == []
    assert variables["TENANTKIT_CDK"] == "/wheel/bin/node /cli/bin/cdk"
    assert variables["AWS_ENDPOINT_URL"] == f"http://localhost:{port}"
