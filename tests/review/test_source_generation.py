"""The review names a reinstated tenant's key by its generation's alias (`TenantTemplates.key_alias`):
a resource naming the generation's alias is the tenant's key; one naming the alias of a generation
before (its key pending deletion), or another tenant's, is flagged. Minimal templates, no synth."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.naming import key_alias_of
from tenantkit.review.source import Stack, TenantTemplates

TENANT = "acme"


def _templates(declared_alias: str | None) -> TenantTemplates:
    resources: dict = {"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}
    if declared_alias is not None:
        resources["Alias"] = {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": declared_alias, "TargetKeyId": {"Ref": "Key"}}}
    primary = Stack(name=f"tenant-{TENANT}-primary", role="primary", region="us-east-1", template={"Resources": resources}, metadata={})
    return TenantTemplates(TENANT, None, (primary,), Path("unused"))


def _by_alias(alias: str) -> str:
    return f"arn:aws:kms:us-east-1:111122223333:{alias}"


@pytest.mark.parametrize("generation", [1, 2, 12])
def test_the_declared_generation_alias_is_the_tenant_key(generation: int) -> None:
    alias = key_alias_of(TENANT, generation)
    templates = _templates(alias)
    assert templates.key_alias == alias
    described, problem = templates.describe_key(templates.stacks[0], _by_alias(alias))
    assert problem is None and alias in described


@pytest.mark.parametrize(
    "named",
    [key_alias_of(TENANT), key_alias_of(TENANT, 3), key_alias_of("acme-x", 2), f"{key_alias_of(TENANT)}/generation-02"],
)
def test_an_alias_of_another_generation_or_tenant_is_flagged(named: str) -> None:
    templates = _templates(key_alias_of(TENANT, 2))
    _, problem = templates.describe_key(templates.stacks[0], _by_alias(named))
    assert problem == "a key the tenant's stacks do not create"


def test_templates_declaring_no_alias_of_the_tenant_fall_back_to_generation_1() -> None:
    for declared in (None, key_alias_of("acme-x", 2), f"{key_alias_of(TENANT)}/generation-1"):
        assert _templates(declared).key_alias == key_alias_of(TENANT)
