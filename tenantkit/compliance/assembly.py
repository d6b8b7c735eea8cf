"""Cloud assemblies as plain data: the one module that reads `manifest.json`, stack templates,
CDK annotations and the CDK validation report. Every rule, the linter and the synth service read
an assembly through here; no aws_cdk import."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
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
    generation: int = 1
    """The tenant file's generation: which key alias is the tenant's (`naming.key_alias_of`)."""

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


MANIFEST_FILE = "manifest.json"
VALIDATION_REPORT_FILE = "validation-report.json"
"""Where CDK writes its validation report (every plugin's violations), in the assembly directory."""

_ANNOTATIONS = {"aws:cdk:warning": "CDK warning", "aws:cdk:error": "CDK error"}


@dataclass(frozen=True)
class StackArtifact:
    """One stack of a cloud assembly, as its manifest describes it."""

    name: str
    region: str
    template_file: Path
    metadata: dict[str, list[dict[str, Any]]]
    assets_file: Path | None = None
    """The stack's asset manifest (file assets to publish before deploying), if it has one."""

    def template_text(self) -> str:
        return self.template_file.read_text()

    def template(self) -> dict[str, Any]:
        return json.loads(self.template_text())


def stack_artifacts(assembly_dir: Path, stack_names: Sequence[str]) -> list[StackArtifact]:
    """The named stacks of a cloud assembly directory, in the order given."""
    manifest = json.loads((assembly_dir / MANIFEST_FILE).read_text())
    found = []
    for name in stack_names:
        artifact = manifest["artifacts"][name]
        metadata = dict(artifact.get("metadata") or {})
        if artifact.get("additionalMetadataFile"):
            extra = json.loads((assembly_dir / artifact["additionalMetadataFile"]).read_text())
            for path, entries in extra.items():
                metadata[path] = [*metadata.get(path, []), *entries]
        found.append(
            StackArtifact(
                name=name,
                region=artifact["environment"].rsplit("/", 1)[-1],
                template_file=assembly_dir / artifact["properties"]["templateFile"],
                metadata=metadata,
                assets_file=_assets_file(assembly_dir, manifest, name),
            )
        )
    return found


def _assets_file(assembly_dir: Path, manifest: dict[str, Any], stack_name: str) -> Path | None:
    assets = manifest["artifacts"].get(f"{stack_name}.assets")
    if not assets or assets.get("type") != "cdk:asset-manifest":
        return None
    return assembly_dir / assets["properties"]["file"]


def all_stack_names(assembly_dir: Path) -> list[str]:
    """Every CloudFormation stack of a cloud assembly directory, in manifest order."""
    manifest = json.loads((assembly_dir / MANIFEST_FILE).read_text())
    return [
        name
        for name, artifact in manifest["artifacts"].items()
        if artifact.get("type") == "aws:cloudformation:stack"
    ]


def load_tenant_assembly(
    assembly_dir: Path,
    stack_names: tuple[str, ...],
    *,
    tenant_id: str,
    zone: frozenset[str],
    other_tenant_ids: frozenset[str] = frozenset(),
    generation: int = 1,
) -> TenantAssembly:
    """Read the named stacks' templates and regions from a cloud assembly directory."""
    stacks = tuple(
        StackTemplate(name=stack.name, region=stack.region, template=stack.template())
        for stack in stack_artifacts(assembly_dir, stack_names)
    )
    return TenantAssembly(
        tenant_id=tenant_id, zone=zone, stacks=stacks, other_tenant_ids=other_tenant_ids, generation=generation
    )


def cdk_annotations(assembly_dir: Path, stack_names: Sequence[str]) -> list[str]:
    """`CDK warning at /construct/path: message` for every warning or error annotation CDK left
    on the named stacks (what `cdk synth` prints as warnings): a template a security lead reads
    must come with nothing CDK itself warns about."""
    findings = []
    for stack in stack_artifacts(assembly_dir, stack_names):
        for path, entries in stack.metadata.items():
            for entry in entries:
                if entry.get("type") in _ANNOTATIONS:
                    message = first_line(str(entry.get("data", "")))
                    findings.append(f"{_ANNOTATIONS[entry['type']]} at {path}: {message}")
    return findings


def validation_findings(assembly_dir: Path) -> list[str]:
    """`rule at construct/path: description` for every unacknowledged violation in the CDK
    validation report of an assembly (cdk-nag packs, our isolation rules); none without a report."""
    report_file = assembly_dir / VALIDATION_REPORT_FILE
    if not report_file.exists():
        return []
    report = json.loads(report_file.read_text())
    findings = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                where = f" at {construct['constructPath']}" if construct.get("constructPath") else ""
                description = first_line(violation.get("description", ""))
                findings.append(f"{violation['ruleName']}{where}: {description}")
    return findings


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


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
