"""Small readers shared by the deploy-time constraint rules: references, ARNs, finding lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, render

_ARN = re.compile(
    r"arn:[^:]+:(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.+)"
)
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")

Located = tuple[StackTemplate, str, dict[str, Any]]
"""(stack, logical id, resource): a resource and where it is."""


def text_of(value: Any) -> str:
    """Like `render`, but also reads a one-string `Fn::Sub` (its ${AWS::X} shown as ${AWS.X})."""
    if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str) and len(value) == 1:
        return _SUB_VARIABLE.sub(
            lambda m: "${" + m.group(1).replace("::", ".") + "}", value["Fn::Sub"]
        )
    return render(value)


def parse_arn(value: Any, stack_region: str) -> dict[str, str] | None:
    """An ARN's fields (service, region, account, resource), `${AWS.Region}` read as the stack's."""
    match = _ARN.fullmatch(text_of(value))
    if match is None:
        return None
    fields = match.groupdict()
    if fields["region"] == "${AWS.Region}":
        fields["region"] = stack_region
    return fields


def reference(value: Any) -> tuple[str, str | None] | None:
    """(logical id, attribute) of a `Fn::GetAtt`, (logical id, None) of a `Ref`; else None."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    if isinstance(value.get("Ref"), str):
        return value["Ref"], None
    target = value.get("Fn::GetAtt")
    if isinstance(target, str) and "." in target:
        target = target.split(".", 1)
    if isinstance(target, list) and len(target) == 2:
        return str(target[0]), str(target[1])
    return None


def refers_to(value: Any, logical_id: str, attribute: str) -> bool:
    """Whether `value` is a `Ref` to, or the `attribute` of, the resource `logical_id`."""
    return reference(value) in ((logical_id, None), (logical_id, attribute))


def is_read_replica(resource: dict[str, Any]) -> bool:
    return resource[
        "Type"
    ] == "AWS::RDS::DBInstance" and "SourceDBInstanceIdentifier" in resource.get("Properties", {})


def of_type(assembly: TenantAssembly, resource_type: str) -> list[Located]:
    """(stack, logical id, resource) for each resource of the type, across the tenant's stacks."""
    return [
        (stack, logical_id, r)
        for stack, logical_id, r in assembly.resources()
        if r["Type"] == resource_type
    ]


def read_replicas(assembly: TenantAssembly) -> list[Located]:
    return [
        (stack, logical_id, r)
        for stack, logical_id, r in assembly.resources()
        if is_read_replica(r)
    ]


def findings_for(resources: Iterable[Located], problems: Callable[..., Iterable[str]]) -> list[str]:
    """A `<stack>/<LogicalId>: <problem>` line per problem `problems(stack, id, resource)` names."""
    return [
        f"{stack.name}/{logical_id}: {problem}"
        for stack, logical_id, resource in resources
        for problem in problems(stack, logical_id, resource)
    ]
