"""A tenant's synthesized stacks as plain data: what every rule reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class StackTemplate:
    name: str
    region: str
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template.get("Resources", {})


@dataclass(frozen=True)
class TenantAssembly:
    tenant_id: str
    zone: frozenset[str]
    """The regions the tenant's residency allows."""
    stacks: tuple[StackTemplate, ...]
    other_tenant_ids: frozenset[str] = field(default_factory=frozenset)

    def resources(self) -> Iterator[tuple[StackTemplate, str, dict[str, Any]]]:
        for stack in self.stacks:
            for logical_id, resource in stack.resources.items():
                yield stack, logical_id, resource

    def exports(self) -> dict[str, tuple[StackTemplate, Any]]:
        """Export name -> (exporting stack, exported value), across the tenant's stacks."""
        found = {}
        for stack in self.stacks:
            for output in stack.template.get("Outputs", {}).values():
                name = output.get("Export", {}).get("Name")
                if isinstance(name, str):
                    found[name] = (stack, output["Value"])
        return found


def load_tenant_assembly(
    assembly_dir: Path,
    stack_names: tuple[str, ...],
    *,
    tenant_id: str,
    zone: frozenset[str],
    other_tenant_ids: frozenset[str] = frozenset(),
) -> TenantAssembly:
    """Read the named stacks' templates and regions from a cloud assembly directory."""
    manifest = json.loads((assembly_dir / "manifest.json").read_text())
    stacks = []
    for name in stack_names:
        artifact = manifest["artifacts"][name]
        region = artifact["environment"].rsplit("/", 1)[-1]
        template_file = artifact["properties"]["templateFile"]
        template = json.loads((assembly_dir / template_file).read_text())
        stacks.append(StackTemplate(name=name, region=region, template=template))
    return TenantAssembly(
        tenant_id=tenant_id, zone=zone, stacks=tuple(stacks), other_tenant_ids=other_tenant_ids
    )


def render(value: Any) -> str:
    """A template value as text, intrinsic functions shown as ${...} (for matching names/ARNs)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | bool):
        return str(value)
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), = value.items()
        if function == "Ref":  # AWS::AccountId -> ${AWS.AccountId}: no colon inside an ARN field
            return "${" + str(argument).replace("::", ".") + "}"
        if function == "Fn::GetAtt":
            return "${" + ".".join(argument) + "}"
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(render(part) for part in parts)
        if function == "Fn::ImportValue":
            return "${Import:" + render(argument) + "}"
    return json.dumps(value, sort_keys=True)


def strings_in(value: Any) -> Iterator[str]:
    """Every string literal anywhere inside a template value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
