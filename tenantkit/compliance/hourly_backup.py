"""The tenant's data is backed up every hour and copied inside the zone: a backup plan with an
hourly *snapshot* rule, whose selections name every database and every data bucket of its stack,
and whose copies (at least one) all go to vaults inside the residency zone.

A continuous-backup rule (`EnableContinuousBackup: true`) is not an hourly backup, whatever its
schedule: its job only refreshes one continuous recovery point ("The continuous backup plan creates
one continuous recovery point and updates that recovery point whenever the job runs", AWS Backup
Developer Guide, "Continuous backups and point-in-time restore"), and AWS recommends it *beside*
snapshot rules, not instead of them. So only a periodic snapshot rule counts.

Fails closed: a plan that runs hourly but selects nothing (or not the database) keeps no promise.
"""

from __future__ import annotations

import re

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, render
from tenantkit.compliance.result import RuleResult

RULE = "backup-hourly-copies-inside-zone"

_HOURLY = re.compile(r"cron\(\s*([0-9]|[1-5][0-9])\s+\*\s+\*\s+\*\s+\?\s+\*\s*\)|rate\(\s*1\s+hours?\s*\)")
_VAULT_ARN = re.compile(r"arn:[^:]+:backup:([a-z0-9-]+):[^:]+:backup-vault:.+")


def is_hourly(expression: str) -> bool:
    return bool(_HOURLY.fullmatch(expression.strip()))


def _data_stores(stack: StackTemplate) -> dict[str, str]:
    """Logical id -> kind of every resource of `stack` that holds tenant data and must be backed
    up: primary databases (not read replicas) and KMS-encrypted buckets (log buckets are SSE-S3)."""
    stores = {}
    for logical_id, resource in stack.resources.items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::RDS::DBInstance" and "SourceDBInstanceIdentifier" not in props:
            stores[logical_id] = "database"
        elif resource["Type"] == "AWS::S3::Bucket":
            rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
            algorithms = {r.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules}
            if "aws:kms" in algorithms and "ReplicationConfiguration" in props:
                stores[logical_id] = "bucket"
    return stores


def _selected(stack: StackTemplate, plan_id: str) -> str:
    """Everything the plan's selections name, as one text (intrinsics rendered as ${...})."""
    texts: list[str] = []
    for resource in stack.resources.values():
        if resource["Type"] != "AWS::Backup::BackupSelection":
            continue
        props = resource.get("Properties", {})
        if render(props.get("BackupPlanId", "")) not in ("${" + plan_id + "}", "${" + plan_id + ".BackupPlanId}"):
            continue
        texts.extend(render(arn) for arn in props.get("BackupSelection", {}).get("Resources", []))
    return "\n".join(texts)


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
        snapshot_rules = [rule for rule in rules if rule.get("EnableContinuousBackup") is not True]
        if not any(is_hourly(render(rule.get("ScheduleExpression", ""))) for rule in snapshot_rules):
            hourly_continuous = [
                rule.get("RuleName", "?") for rule in rules if rule not in snapshot_rules
                and is_hourly(render(rule.get("ScheduleExpression", "")))
            ]
            why = (
                f" (rule {', '.join(hourly_continuous)} is continuous backup: not an hourly snapshot)"
                if hourly_continuous
                else ""
            )
            findings.append(f"{where}: no snapshot rule runs hourly{why}")
        copies = [(rule.get("RuleName", "?"), copy) for rule in rules for copy in rule.get("CopyActions", [])]
        if not copies:
            findings.append(f"{where}: no rule copies to the DR vault")
        for name, copy in copies:
            arn = render(copy.get("DestinationBackupVaultArn", ""))
            match = _VAULT_ARN.fullmatch(arn)
            if not match:
                findings.append(f"{where}: rule {name} copies to {arn!r}, not a vault ARN with a region")
            elif match.group(1) not in assembly.zone:
                findings.append(f"{where}: rule {name} copies to {match.group(1)}, outside the zone")
        selected = _selected(stack, logical_id)
        for store, kind in sorted(_data_stores(stack).items()):
            if not re.search(r"\$\{" + re.escape(store) + r"[.}]", selected):
                findings.append(f"{where}: the plan's selections do not name the {kind} {store}")
    return RuleResult.of(RULE, findings)
