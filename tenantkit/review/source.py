"""One tenant's cloud assembly as the review reads it: its three stacks (templates, regions,
CDK metadata) and the residency zone its templates declare. Read through
`tenantkit.compliance.assembly`; nothing here looks at a tenant file: the review judges the
templates, not the config that was meant to produce them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenantkit.aws import parse_arn
from tenantkit.compliance.assembly import all_stack_names, render, stack_artifacts
from tenantkit.config.residency import POLICIES, Residency
from tenantkit.naming import REGION_NAME, TAG_RESIDENCY, incident_key_alias_of, key_alias_of, tenant_of_stack


class ReviewRequestError(Exception):
    """A review that cannot be made as asked (no such tenant, not a cloud assembly, a bad
    --against); the message says why, in one line."""


@dataclass(frozen=True)
class Stack:
    name: str
    role: str
    """dr, primary or replica: the suffix of the stack name."""
    region: str
    template: dict[str, Any]
    metadata: dict[str, list[dict[str, Any]]]

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template.get("Resources", {})

    def of_type(self, *types: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for logical_id, resource in self.resources.items():
            if resource.get("Type") in types:
                yield logical_id, resource

    def logical_ids_by_path(self) -> dict[str, str]:
        """Construct path -> logical id, from the CDK metadata."""
        found = {}
        for path, entries in self.metadata.items():
            for entry in entries:
                if entry.get("type") == "aws:cdk:logicalId":
                    found[path] = str(entry["data"])
        return found


@dataclass(frozen=True)
class TenantTemplates:
    tenant_id: str
    residency: str | None
    """From the templates' `tenantkit:residency` tag; None if they carry none."""
    stacks: tuple[Stack, ...]
    assembly_dir: Path
    other_tenant_ids: frozenset[str] = frozenset()
    """Other tenants of the fleet, for the isolation rules (their names must not appear)."""
    lint_findings: tuple[str, ...] | None = None
    """cfn-lint's findings when the synth service already linted these templates; None: lint them."""
    promised_rpo: dict[str, dict[str, str]] | None = None
    """What the tenant was promised (`tenantkit.config.promises.rpo_promises`) when its
    tenant file is at hand; None: the templates are judged alone, with nothing to compare to."""

    @property
    def zone(self) -> frozenset[str]:
        return POLICIES[Residency(self.residency)].zone if self.residency else frozenset()

    @property
    def zone_name(self) -> str:
        return POLICIES[Residency(self.residency)].zone_name if self.residency else "no residency zone (untagged)"

    def stack(self, role: str) -> Stack | None:
        return next((stack for stack in self.stacks if stack.role == role), None)

    def resources(self) -> Iterator[tuple[Stack, str, dict[str, Any]]]:
        for stack in self.stacks:
            for logical_id, resource in stack.resources.items():
                yield stack, logical_id, resource

    def of_type(self, *types: str) -> Iterator[tuple[Stack, str, dict[str, Any]]]:
        for stack in self.stacks:
            for logical_id, resource in stack.of_type(*types):
                yield stack, logical_id, resource

    def export(self, name: str) -> tuple[Stack, Any] | None:
        for stack in self.stacks:
            for output in stack.template.get("Outputs", {}).values():
                if output.get("Export", {}).get("Name") == name:
                    return stack, output["Value"]
        return None

    def target(self, stack: Stack, value: Any) -> tuple[Stack, str] | None:
        """The resource a `Ref`, `Fn::GetAtt` or `Fn::ImportValue` points at, in whichever stack."""
        if isinstance(value, dict) and len(value) == 1:
            (function, argument), = value.items()
            if function == "Ref" and isinstance(argument, str) and argument in stack.resources:
                return stack, argument
            if function == "Fn::GetAtt" and isinstance(argument, list) and argument[0] in stack.resources:
                return stack, argument[0]
            if function == "Fn::ImportValue" and isinstance(argument, str):
                exported = self.export(argument)
                if exported is not None:
                    return self.target(*exported)
        return None

    def region_of(self, stack: Stack, value: Any) -> str | None:
        """The region an ARN, a name or a reference lives in, as far as the template says."""
        target = self.target(stack, value)
        if target is not None:
            return target[0].region
        text = render(value).replace("${AWS.Region}", stack.region)
        with contextlib.suppress(ValueError):
            if region := parse_arn(text).region:
                return region
        found = REGION_NAME.findall(text)
        return found[-1] if found else None

    @property
    def key_alias(self) -> str:
        """The tenant key's alias as its templates declare it: a reinstated tenant's is its
        generation's (`alias/tenantkit/<id>/generation-<n>`); generation 1's when they declare
        none of this tenant's, or disagree."""
        declared = {props.get("AliasName") for _, _, resource in self.of_type("AWS::KMS::Alias") if isinstance(props := resource.get("Properties"), dict)}
        ours = {alias for alias in declared if isinstance(alias, str) and _generation_of_alias(alias, self.tenant_id) is not None}
        return ours.pop() if len(ours) == 1 else key_alias_of(self.tenant_id)

    def _is_incident_key(self, stack: Stack, key_id: str) -> bool:
        """Whether `key_id` is the incident topics' own key (its alias is naming's incident alias),
        not the key of the tenant's data."""
        alias = incident_key_alias_of(self.key_alias)
        return any(
            resource.get("Properties", {}).get("AliasName") == alias
            and self.target(stack, resource.get("Properties", {}).get("TargetKeyId")) == (stack, key_id)
            for _, resource in stack.of_type("AWS::KMS::Alias")
        )

    def describe_key(self, stack: Stack, value: Any) -> tuple[str, str | None]:
        """(which key, the problem with it or None) for a resource's key setting."""
        if value is None:
            return "none set", "no customer-managed key"
        target = self.target(stack, value)
        if target is not None:
            key_stack, key_id = target
            if key_stack.resources[key_id].get("Type") != "AWS::KMS::Key":
                return f"{key_id} (not a key)", "not a KMS key"
            kind = "incident key" if self._is_incident_key(key_stack, key_id) else _key_kind(key_stack)
            return f"{kind} {key_id} ({key_stack.region})", None
        text = render(value)
        alias = self.key_alias
        if text.endswith(f":{alias}") or text == alias:
            region = self.region_of(stack, value) or stack.region
            owner = next((s for s in self.stacks if s.region == region and any(s.of_type("AWS::KMS::Key"))), None)
            kind = _key_kind(owner) if owner else "key"
            return f"{kind} by alias {alias} ({region})", None if owner else f"no key of the tenant's stacks in {region}"
        if "alias/aws/" in text:
            return f"AWS-managed key {text}", "an AWS-managed key, not the tenant's"
        return text, "a key the tenant's stacks do not create"


def _generation_of_alias(alias: str, tenant_id: str) -> int | None:
    """The generation whose key alias `alias` is (naming.key_alias_of), or None for any other alias."""
    suffix = alias.removeprefix(key_alias_of(tenant_id))
    if suffix == "":
        return 1
    number = suffix.removeprefix("/generation-")
    if suffix == number or not number.isdigit() or number.startswith("0") or int(number) < 2:
        return None
    return int(number) if key_alias_of(tenant_id, int(number)) == alias else None


def _key_kind(stack: Stack) -> str:
    return "DR key" if stack.role == "dr" else "tenant key"


def load_tenant_templates(assembly_dir: Path, tenant_id: str | None = None) -> TenantTemplates:
    """The tenant's stacks of a cloud assembly directory (the only tenant's, if none is named)."""
    if not (assembly_dir / "manifest.json").is_file():
        raise ReviewRequestError(f"{assembly_dir}: not a cloud assembly (no manifest.json)")
    try:
        names = all_stack_names(assembly_dir)
    except (OSError, ValueError, KeyError) as error:
        raise ReviewRequestError(f"{assembly_dir}: unreadable manifest.json ({error})") from None
    tenants = sorted({tenant for name in names if (tenant := tenant_of_stack(name))})
    if tenant_id is None:
        if len(tenants) != 1:
            found = ", ".join(tenants) or "none"
            raise ReviewRequestError(f"{assembly_dir}: name the tenant to review (tenants in the assembly: {found})")
        tenant_id = tenants[0]
    mine = [name for name in names if tenant_of_stack(name) == tenant_id]
    if not mine:
        raise ReviewRequestError(f"{assembly_dir}: no stacks of tenant {tenant_id}")
    stacks = []
    for artifact in stack_artifacts(assembly_dir, mine):
        stacks.append(
            Stack(
                name=artifact.name,
                role=artifact.name.rsplit("-", 1)[-1],
                region=artifact.region,
                template=artifact.template(),
                metadata=artifact.metadata,
            )
        )
    return TenantTemplates(tenant_id, _residency(stacks), tuple(stacks), assembly_dir)


def _residency(stacks: list[Stack]) -> str | None:
    """The residency every stack's tags name (stack tags, else the resources' tags); None when
    they name none, or disagree."""
    found: set[str | None] = set()  # a tag without a value counts as a disagreeing one
    for stack in stacks:
        for entries in stack.metadata.values():
            for entry in entries:
                if entry.get("type") == "aws:cdk:stack-tags":
                    found.update(tag["value"] for tag in entry["data"] if tag.get("key") == TAG_RESIDENCY)
    if not found:  # an assembly without CDK metadata: the resources' own tags
        for stack in stacks:
            for resource in stack.resources.values():
                props = resource.get("Properties", {})
                for tags in (props.get("Tags"), props.get("BackupVaultTags"), props.get("BackupPlanTags")):
                    if isinstance(tags, list):
                        found.update(t.get("Value") for t in tags if isinstance(t, dict) and t.get("Key") == TAG_RESIDENCY)
                    elif isinstance(tags, dict) and TAG_RESIDENCY in tags:
                        found.add(tags[TAG_RESIDENCY])
    valid = {value for value in found if value in {r.value for r in Residency}}
    return valid.pop() if len(valid) == 1 and len(found) == 1 else None
