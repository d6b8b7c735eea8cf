"""The real example tenants, synthesized once: every isolation rule holds for each of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.compliance import RULES, check_tenant, load_tenant_assembly
from tenantkit.config import load_tenants
from tenantkit.naming import stack_names

EXAMPLES = Path(__file__).resolve().parents[2] / "tenant_configs"
CONFIGS = {config.tenant_id: config for config in load_tenants([EXAMPLES])}


@pytest.fixture(scope="module")
def assembly_dir(example_assemblies: Path) -> Path:
    """The examples as `tenantkit synth` writes them (tests/conftest.py, shared by the run)."""
    return example_assemblies


@pytest.mark.parametrize("tenant_id", sorted(CONFIGS))
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_example_tenant_keeps_every_isolation_rule(assembly_dir, tenant_id, rule):
    config = CONFIGS[tenant_id]
    assembly = load_tenant_assembly(
        assembly_dir / tenant_id,
        stack_names(tenant_id),
        tenant_id=tenant_id,
        zone=config.policy.zone,
        other_tenant_ids=frozenset(CONFIGS),
    )
    result = rule(assembly)
    assert result.ok, result.findings


def test_check_tenant_runs_every_rule(assembly_dir):
    config = CONFIGS["maple-ca"]
    assembly = load_tenant_assembly(
        assembly_dir / "maple-ca", stack_names("maple-ca"), tenant_id="maple-ca", zone=config.policy.zone
    )
    assert len(check_tenant(assembly)) == len(RULES)
