"""Every taggable resource carries the `tenantkit:tenant` tag with this tenant's id."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from tenantkit.compliance.assembly import TenantAssembly
from tenantkit.compliance.result import RuleResult
from tenantkit.naming import TAG_TENANT

RULE = "every-resource-tagged"


@cache
def tag_property_from_cfn_lint(resource_type: str) -> str | None:
    """The property holding a type's tags per the CloudFormation resource schema (via cfn-lint),
    or None for a type that cannot be tagged."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
    from cfnlint.schema._exceptions import ResourceNotFoundError

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    except ResourceNotFoundError:  # a custom type (Custom::...) has no schema: nothing to tag
        return None
    tagging = schema.get("tagging", {})
    if not tagging.get("taggable"):
        return None
    return tagging.get("tagProperty", "/properties/Tags").rsplit("/", 1)[-1]


def _tag_value(tags: Any, key: str) -> Any:
    if isinstance(tags, dict):
        return tags.get(key)
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, dict) and tag.get("Key") == key:
                return tag.get("Value")
    return None


def every_resource_tagged(
    assembly: TenantAssembly,
    tag_property_of: Callable[[str], str | None] = tag_property_from_cfn_lint,
) -> RuleResult:
    findings = []
    for stack, logical_id, resource in assembly.resources():
        tag_property = tag_property_of(resource["Type"])
        if tag_property is None:
            continue
        tags = resource.get("Properties", {}).get(tag_property)
        value = _tag_value(tags, TAG_TENANT)
        if value != assembly.tenant_id:
            findings.append(
                f"{stack.name}/{logical_id}: {TAG_TENANT} is {value!r}, not '{assembly.tenant_id}'"
            )
    return RuleResult.of(RULE, findings)
