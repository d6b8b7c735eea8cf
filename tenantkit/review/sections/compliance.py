"""7. Compliance: the cdk-nag packs, every unacknowledged finding and every acknowledgment with
its reason, CDK's own warnings, tenantkit's isolation rules, and cfn-lint's results."""

from __future__ import annotations

import json
import re

from tenantkit.compliance import check_tenant, load_tenant_assembly
from tenantkit.compliance.assembly import cdk_annotations, validation_findings
from tenantkit.review.model import Section
from tenantkit.review.sections._words import text
from tenantkit.review.source import Stack, TenantTemplates

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
    acknowledged = section.table("Acknowledged findings", "Stack", "Resource", "Rule", "Reason", "What the template does")
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
                    evidence, contradiction = check_claim(templates, stack, resource, str(reason))
                    acknowledged.add(f"{stack.name}/{resource}/{rule_id}", stack.name, resource, rule_id, reason,
                                     evidence or "—", flagged=contradiction is not None)
                    if contradiction:
                        section.flag(stack.name, resource, f"acknowledgment of {rule_id} is contradicted by the template: {contradiction}")
                    pack = next((p for p in NAG_PACKS if rule_id.startswith(f"{p}-")), None)
                    if pack:
                        counts[pack] += 1
    for stack in templates.stacks:
        for logical_id, body in stack.resources.items():
            for skip in (body.get("Metadata") or {}).get("checkov", {}).get("skip", []):
                evidence, contradiction = check_claim(templates, stack, logical_id, str(skip.get("comment", "")))
                acknowledged.add(f"{stack.name}/{logical_id}/checkov {skip.get('id')}", stack.name, logical_id,
                                 f"checkov {skip.get('id')}", skip.get("comment"), evidence or "—", flagged=contradiction is not None)
                if contradiction:
                    section.flag(stack.name, logical_id, f"checkov skip {skip.get('id')} is contradicted by the template: {contradiction}")
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


_COPIED_TIERS = re.compile(r"copied into this region's DR vault: (?P<tiers>[a-z ,]+?)\.")


def check_claim(templates: TenantTemplates, stack: Stack, logical_id: str, reason: str) -> tuple[str | None, str | None]:
    """(what the template does about the acknowledgment's factual claim, the contradiction or
    None) for the claims an acknowledgment of the tenant stacks makes; (None, None) for a reason
    that states no claim the templates can show."""
    props = stack.resources.get(logical_id, {}).get("Properties", {})
    if match := _COPIED_TIERS.search(reason):
        claimed = {tier.strip().lower() for tier in re.split(r",| and ", match["tiers"]) if tier.strip() and tier.strip() != "none"}
        copied = set()
        for plan_stack, _, plan in templates.of_type("AWS::Backup::BackupPlan"):
            for rule in plan.get("Properties", {}).get("BackupPlan", {}).get("BackupPlanRule", []):
                if any(templates.region_of(plan_stack, a.get("DestinationBackupVaultArn")) == stack.region for a in rule.get("CopyActions", [])):
                    copied.add(str(rule.get("RuleName", "")).lower())
        evidence = f"tiers copied into {stack.region}: {', '.join(sorted(copied)) or 'none'}"
        untrue = sorted(claimed - copied)
        return evidence, (f"claims {', '.join(untrue)} copied into {stack.region}; the backup plan copies only "
                          f"{', '.join(sorted(copied)) or 'nothing'} there") if untrue else None
    if "IAM authentication" in reason and stack.resources.get(logical_id, {}).get("Type") == "AWS::RDS::DBInstance":
        on = props.get("EnableIAMDatabaseAuthentication") is True
        return f"EnableIAMDatabaseAuthentication: {'on' if on else 'off'}", None if on else "claims IAM authentication; it is off"
    if "KmsKeyId names" in reason:
        key, problem = templates.describe_key(stack, props.get("KmsKeyId"))
        return f"KmsKeyId: {key}", (f"claims a tenant key; KmsKeyId is {key} ({problem})" if problem else None)
    if "narrowed by its alias" in reason:
        statements = props.get("PolicyDocument", {}).get("Statement", [])
        wide = [doc for doc in statements if any(str(text(r)).endswith(":key/*") for r in _listed(doc.get("Resource")))]
        narrowed = [doc for doc in wide if "kms:resourcealiases" in json.dumps(doc.get("Condition") or {}).lower()]
        return (f"{len(narrowed)} of {len(wide)} statements on key/* narrowed by kms:ResourceAliases",
                None if len(narrowed) == len(wide) else "claims the keys are narrowed by their alias; a statement on key/* has no kms:ResourceAliases condition")
    if "engine version is pinned" in reason:
        pinned = props.get("AutoMinorVersionUpgrade") is False
        return (f"AutoMinorVersionUpgrade: {text(props.get('AutoMinorVersionUpgrade'))}",
                None if pinned else "claims the engine version is pinned; automatic minor upgrades are on")
    return None, None


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


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
