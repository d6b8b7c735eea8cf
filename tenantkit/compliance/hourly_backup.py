"""The tenant has a backup plan; every rule runs hourly and copies to a vault inside the zone."""

from __future__ import annotations

import re

from tenantkit.compliance.assembly import TenantAssembly, render
from tenantkit.compliance.result import RuleResult

RULE = "backup-hourly-copies-inside-zone"

_HOURLY = re.compile(r"cron\(\s*([0-9]|[1-5][0-9])\s+\*\s+\*\s+\*\s+\?\s+\*\s*\)|rate\(\s*1\s+hours?\s*\)")
_VAULT_ARN = re.compile(r"arn:[^:]+:backup:([a-z0-9-]+):[^:]+:backup-vault:.+")


def is_hourly(expression: str) -> bool:
    return bool(_HOURLY.fullmatch(expression.strip()))


def backup_is_hourly_and_copies_inside_zone(assembly: TenantAssembly) -> RuleResult:
    findings = []
    plans = [
        (stack, logical_id, resource)
        for stack, logical_id, resource in assembly.resources()
        if resource["Type"] == "AWS::Backup::BackupPlan"
    ]
    if not plans:
        return RuleResult.of(RULE, ["the tenant has no backup plan"])
    for stack, logical_id, resource in plans:
        where = f"{stack.name}/{logical_id}"
        rules = resource.get("Properties", {}).get("BackupPlan", {}).get("BackupPlanRule", [])
        if not rules:
            findings.append(f"{where}: the plan has no rule")
        for rule in rules:
            name = rule.get("RuleName", "?")
            expression = render(rule.get("ScheduleExpression", ""))
            if not is_hourly(expression):
                findings.append(f"{where}: rule {name} runs on {expression!r}, not hourly")
            copies = rule.get("CopyActions", [])
            if not copies:
                findings.append(f"{where}: rule {name} copies nowhere")
            for copy in copies:
                arn = render(copy.get("DestinationBackupVaultArn", ""))
                match = _VAULT_ARN.fullmatch(arn)
                if not match:
                    findings.append(f"{where}: rule {name} copies to {arn!r}, not a vault ARN with a region")
                elif match.group(1) not in assembly.zone:
                    findings.append(f"{where}: rule {name} copies to {match.group(1)}, outside the zone")
    return RuleResult.of(RULE, findings)
