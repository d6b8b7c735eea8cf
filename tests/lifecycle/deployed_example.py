"""An example tenant synthesized as it is and deployed into in-process moto (with tenantkit's
emulator extensions): what the restore, drill, failover and export tests act on."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tenantkit.config import TenantConfig, validate_paths
from tests.conftest import EXAMPLE_CONFIGS


def synthesized_example(root: Path, tenant_id: str) -> tuple[TenantConfig, Any]:
    """The example tenant's config and its synthesized assembly under `root` (installs the
    emulator extensions: call before `mock_aws()` starts)."""
    from tenantkit.sandbox.extensions import install
    from tenantkit.synth import synth_tenants

    configs = root / "tenant_configs"
    configs.mkdir()
    shutil.copy(EXAMPLE_CONFIGS / f"{tenant_id}.yaml", configs)
    (config,) = validate_paths([configs]).configs
    (synthesized,) = synth_tenants([config], root / "cdk.out", lint=False)
    assert synthesized.ok, synthesized.error
    install()
    return config, synthesized


def deploy_example(root: Path, tenant_id: str, synthesized: Any, session_for: Any) -> None:
    """Deploy the synthesized stacks into the running mock, in the sandbox's account."""
    from tenantkit.lifecycle.deploy_local import deploy_assembly
    from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT

    deployed = deploy_assembly(tenant_id, root / "cdk.out" / tenant_id, synthesized.stacks, account=SANDBOX_ACCOUNT,
                               session_for=session_for, template_url_host="localhost:5000")  # fmt: skip
    assert deployed.ok, deployed
