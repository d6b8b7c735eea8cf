"""`tenantkit fleet status --local` against a real sandbox process: the hash of each deployed
template, read back from CloudFormation, compared with the synthesized one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.config import validate_paths
from tenantkit.lifecycle.deploy_local import deploy_assembly
from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, sandbox_sessions
from tenantkit.naming import stack_names
from tenantkit.sandbox import start_sandbox, stop_sandbox
from tests.conftest import EXAMPLE_CONFIGS
from tests.fleet.assemblies import stack_template, write_assembly

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shutil.copytree(EXAMPLE_CONFIGS, tmp_path / "tenant_configs")
    monkeypatch.chdir(tmp_path)
    status, _ = start_sandbox(tmp_path / ".tenantkit")
    yield tmp_path, status
    stop_sandbox(tmp_path / ".tenantkit")


def test_status_local_compares_deployed_templates_with_the_synthesized(project) -> None:
    root, sandbox = project
    configs = {config.tenant_id: config for config in validate_paths([root / "tenant_configs"]).configs}
    regions = {tenant_id: tuple(config.regions) for tenant_id, config in configs.items()}
    for tenant_id in ("maple-ca", "rhein-de", "polar-cg"):
        write_assembly(root / "cdk.out", tenant_id, regions[tenant_id])
    for tenant_id in ("maple-ca", "rhein-de"):
        deployed = deploy_assembly(
            tenant_id, root / "cdk.out" / tenant_id, stack_names(tenant_id),
            account=configs[tenant_id].account or SANDBOX_ACCOUNT,
            session_for=sandbox_sessions(sandbox.endpoint, configs[tenant_id].account),
            template_url_host=f"localhost:{sandbox.port}",
        )
        assert deployed.ok, [(s.stack, s.outcome, s.reasons) for s in deployed.stacks]
    _, primary, _ = stack_names("rhein-de")
    sessions = sandbox_sessions(sandbox.endpoint, configs["rhein-de"].account)
    cloudformation = sessions(regions["rhein-de"][0]).client("cloudformation")
    cloudformation.update_stack(StackName=primary, TemplateBody=json.dumps(stack_template("changed by hand")))

    result = runner.invoke(app, ["fleet", "status", "--local", "--refresh", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["tenant_id"]: row for row in json.loads(result.output)["tenants"]}
    assert rows["maple-ca"]["templates"] == "deployed as synthesized"
    assert rows["rhein-de"]["templates"] == f"differs: {primary}"
    assert rows["polar-cg"]["templates"] == "not deployed"
    assert rows["northwind-us"]["templates"] == "not synthesized"
    cached = runner.invoke(app, ["fleet", "status", "--local", "--json"])
    assert json.loads(cached.output)["from_cache"] is True
