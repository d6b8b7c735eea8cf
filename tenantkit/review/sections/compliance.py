"""7. Compliance: the cdk-nag packs, every unacknowledged finding and every acknowledgment with
its reason, CDK's own warnings, tenantkit's isolation rules, and cfn-lint's results."""

from __future__ import annotations

from tenantkit.compliance import check_tenant, load_tenant_assembly
from tenantkit.compliance.assembly import cdk_annotations, validation_findings
from tenantkit.review.model import Section
from tenantkit.review.source import TenantTemplates

ID = "compliance"
TITLE = "Compliance"

NAG_PACKS = {
    "AwsSolutions": "AWS Solutions",
    "NIST.800.53.R5": "NIST 800-53 rev 5",
    "HIPAA.Security": "HIPAA Security",
    "PCI.DSS.321": "PCI DSS 3.2.1",
}
"""Rule-id prefix -> name of each cdk-nag pack tenantkit runs at synth (`tenantkit.compliance.nag`)."""


def build(templates: TenantTemplates) -> Section:
    section = Section(ID, TITLE)
    names = tuple(stack.name for stack in templates.stacks)
    acknowledged = section.table("Acknowledged findings", "Stack", "Resource", "Rule", "Reason")
    counts = dict.fromkeys(NAG_PACKS, 0)
    for stack in templates.stacks:
        paths = stack.logical_ids_by_path()
        for path, entries in sorted(stack.metadata.items()):
            for entry in entries:
                if entry.get("type") != "aws:cdk:acknowledged-rules":
                    continue
                resource = _resource_at(paths, path, stack.name)
                for rule, reason in sorted(entry.get("data", {}).items()):
                    rule_id = rule.removeprefix("Annotation::")
                    acknowledged.add(f"{stack.name}/{resource}/{rule_id}", stack.name, resource, rule_id, reason)
                    pack = next((p for p in NAG_PACKS if rule_id.startswith(f"{p}-")), None)
                    if pack:
                        counts[pack] += 1
    section.summary.append(
        "cdk-nag packs run at synth: "
        + ", ".join(f"{title} ({counts[prefix]} acknowledged)" for prefix, title in NAG_PACKS.items())
        + "."
    )

    open_findings = section.table("Unacknowledged findings and CDK warnings", "Finding")
    for finding in [*validation_findings(templates.assembly_dir), *cdk_annotations(templates.assembly_dir, names)]:
        if any(f"/{name}/" in finding or f"/{name}:" in finding or f" {name}" in finding for name in names):
            open_findings.add(finding, finding, flagged=True)
            section.flag(_stack_in(finding, names), "-", finding)

    rules = section.table("tenantkit isolation rules", "Rule", "Result", "Findings")
    assembly = load_tenant_assembly(
        templates.assembly_dir, names, tenant_id=templates.tenant_id, zone=templates.zone,
        other_tenant_ids=templates.other_tenant_ids - {templates.tenant_id},
    )
    for result in check_tenant(assembly):
        rules.add(result.rule, result.rule, result.status.value, list(result.findings), flagged=not result.ok)
        for finding in result.findings:
            section.flag(_stack_in(finding, names), _logical_id_in(finding, templates), f"{result.rule}: {finding}")

    lint = section.table("cfn-lint", "Finding")
    findings = templates.lint_findings
    if findings is None:
        from tenantkit.compliance.cfn_lint import lint_assembly_stacks

        findings = lint_assembly_stacks(templates.assembly_dir, names).findings
    for finding in findings:
        lint.add(finding, finding, flagged=True)
        section.flag(_stack_in(finding, names), _logical_id_in(finding, templates), finding)
    section.summary.append(f"cfn-lint: {len(findings) or 'no'} finding{'s' if len(findings) != 1 else ''}.")
    return section


def _resource_at(paths: dict[str, str], path: str, stack_name: str) -> str:
    """The logical id of the resource a construct path names (or the first one inside it)."""
    if path == f"/{stack_name}":
        return "(stack)"
    if path in paths:
        return paths[path]
    inside = sorted(found for found in paths if found.startswith(f"{path}/"))
    return paths[inside[0]] if inside else path


def _stack_in(finding: str, names: tuple[str, ...]) -> str:
    return next((name for name in names if name in finding), "-")


def _logical_id_in(finding: str, templates: TenantTemplates) -> str:
    for stack in templates.stacks:
        for logical_id in stack.resources:
            if f"/{logical_id}" in finding or f"{logical_id}:" in finding or f"Resources/{logical_id}/" in finding:
                return logical_id
    return "-"
