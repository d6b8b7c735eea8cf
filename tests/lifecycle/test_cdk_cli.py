"""The CDK CLI as tenantkit runs it: pinned, installed with the wheel's Node, exact command lines,
failures passed through. A fake runner stands in for the processes (nothing here reaches AWS or npm)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.jsii_node import wheel_node_path
from tenantkit.lifecycle.cdk_cli import (
    CDK_CLI_VERSION,
    CdkCli,
    CdkCliError,
    deploy_baselines_first,
    find_cdk_cli,
    install_command,
    node_environment,
    run_for_tenants,
)


class FakeRunner:
    """Records each command; `codes` gives a tenant's exit code, `lines` what it prints."""

    def __init__(self, codes: dict[str, int] | None = None, create: Path | None = None) -> None:
        self.commands: list[list[str]] = []
        self.environments: list[dict[str, str]] = []
        self.codes = codes or {}
        self.create = create

    def __call__(self, argv, environment, echo) -> int:
        self.commands.append(list(argv))
        self.environments.append(environment)
        if self.create is not None:
            self.create.parent.mkdir(parents=True, exist_ok=True)
            self.create.write_text("#!/usr/bin/env node\n")
        tenant = next((a.split("=", 1)[1] for a in argv if a.startswith("tenant=")), "")
        echo(f"output of {tenant or 'npm'}")
        return self.codes.get(tenant, 0)


def test_the_pinned_cli_is_installed_once_with_the_wheels_npm(tmp_path):
    entry = tmp_path / CDK_CLI_VERSION / "node_modules" / "aws-cdk" / "bin" / "cdk"
    runner = FakeRunner(create=entry)
    cli = find_cdk_cli(tmp_path, runner=runner, echo=lambda line: None)
    node = wheel_node_path()
    assert runner.commands == [
        [str(node), str(node.parent.parent / "lib/node_modules/npm/bin/npm-cli.js"), "install", "--prefix",
         str(tmp_path / CDK_CLI_VERSION), f"aws-cdk@{CDK_CLI_VERSION}", "--no-audit", "--no-fund", "--no-save"]
    ]
    assert runner.commands[0] == install_command(tmp_path / CDK_CLI_VERSION)
    assert cli.argv == (str(node), str(entry))
    again = find_cdk_cli(tmp_path, runner=runner, echo=lambda line: None)
    assert again == cli and len(runner.commands) == 1


def test_a_failed_install_is_an_error_line(tmp_path):
    with pytest.raises(CdkCliError, match=f"could not install aws-cdk@{CDK_CLI_VERSION}"):
        find_cdk_cli(tmp_path, runner=FakeRunner(codes={"": 1}), echo=lambda line: None)


def test_cdk_from_path_requires_one(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CdkCliError, match="no `cdk` on PATH"):
        find_cdk_cli(tmp_path, from_path=True)


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("deploy", ["deploy", "-c", "tenant=acme", "tenant-acme-dr", "tenant-acme-primary", "tenant-acme-replica"]),
        ("diff", ["diff", "-c", "tenant=acme", "tenant-acme-dr", "tenant-acme-primary", "tenant-acme-replica"]),
        ("bootstrap", ["bootstrap", "-c", "tenant=acme"]),
    ],
)
def test_exact_command_lines(action, expected):
    cli = CdkCli(("node", "/x/cdk"))
    assert cli.command(action, "acme", ["--require-approval", "never"]) == ["node", "/x/cdk", *expected, "--require-approval", "never"]


def test_each_tenants_exit_code_passes_through_and_output_is_prefixed():
    runner = FakeRunner(codes={"bad": 3})
    lines: list[str] = []
    codes = run_for_tenants(CdkCli(("cdk",)), "deploy", ["good", "bad"], runner=runner, echo=lines.append, concurrency=2)
    assert codes == {"good": 0, "bad": 3}
    assert sorted(lines) == ["[bad] output of bad", "[good] output of good"]


def test_the_cli_runs_on_the_wheels_node():
    environment = node_environment({"PATH": "/usr/bin"})
    node = wheel_node_path()
    assert environment["PATH"].split(":")[0] == str(node.parent)
    assert environment["JSII_NODE"] == str(node)


def test_the_baselines_deploy_one_tenant_after_the_other_and_a_failure_is_that_tenants():
    runner = FakeRunner(codes={"bad": 2})
    lines: list[str] = []
    codes = deploy_baselines_first(CdkCli(("cdk",)), ["good", "bad"], extra=["--require-approval", "never"], runner=runner, echo=lines.append)
    assert codes == {"good": 0, "bad": 2}
    assert runner.commands == [
        ["cdk", "deploy", "-c", f"tenant={tenant}", "tenantkit-baseline-*", "--require-approval", "never"] for tenant in ("good", "bad")
    ]
    assert lines == ["[good] output of good", "[bad] output of bad"]
