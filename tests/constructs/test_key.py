from __future__ import annotations

import pytest

from tenantkit.constructs.key import TenantKey, TenantKeyProps

from .conftest import template_of

LOGS = ("arn:aws:logs:us-east-1:123456789012:log-group:/tenantkit/t1/*",)


def test_key_is_rotated_aliased_and_exposed(stack):
    tenant_key = TenantKey(stack, "K", TenantKeyProps(alias="alias/tenantkit/t1", tenant_log_group_arns=LOGS, description="d"))
    template = template_of(stack)
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True, "Description": "d"})
    template.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/tenantkit/t1"})
    assert tenant_key.key is not None and tenant_key.alias is not None


def test_no_principal_gets_kms_star(stack):
    TenantKey(stack, "K", TenantKeyProps(alias="alias/tenantkit/t1", tenant_log_group_arns=LOGS, description="d"))
    (key,) = template_of(stack).find_resources("AWS::KMS::Key").values()
    actions = [a for s in key["Properties"]["KeyPolicy"]["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
    assert "kms:*" not in actions


def test_every_problem_in_the_props_is_reported_together(stack):
    with pytest.raises(ValueError) as raised:
        TenantKey(stack, "K", TenantKeyProps(alias="tenantkit/t1", tenant_log_group_arns=(), description="d"))
    assert "alias must start with 'alias/'" in str(raised.value)
    assert "tenant_log_group_arns must name at least one log group" in str(raised.value)
