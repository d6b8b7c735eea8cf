"""4. Backups and replication: each backup plan's rules (schedule, retention, copies and their
retention), what the plan covers, each database's backup retention, point-in-time restore and
deletion protection, S3 replication (scope, Replication Time Control), the replica database; the
recovery point per store and region as built, next to the tenant file's promise."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tenantkit.config.promises import CONTINUOUS_BACKUP_RPO_MINUTES, CONTINUOUS_S3_BACKUP_RPO_MINUTES, PRIMARY_REGION
from tenantkit.review.model import Section
from tenantkit.review.sections._words import as_list, days, schedule, text, where
from tenantkit.review.source import Stack, TenantTemplates

ID = "backups"
TITLE = "Backups and replication"


def build(templates: TenantTemplates) -> Section:
    section = Section(ID, TITLE)
    plans = section.table("Backup plans", "Plan", "Rule", "Schedule", "Kept", "Copies (region, kept)")
    covered = section.table("What the backup plans cover", "Selection", "Plan", "Resources")
    for stack, logical_id, resource in templates.of_type("AWS::Backup::BackupPlan"):
        plan = resource.get("Properties", {}).get("BackupPlan", {})
        hourly = False
        for rule in plan.get("BackupPlanRule", []):
            when = schedule(rule.get("ScheduleExpression"))
            if rule.get("EnableContinuousBackup"):
                # A continuous rule's job refreshes its one continuous recovery point: whatever its
                # schedule, it is not an hourly snapshot (tenantkit.compliance.hourly_backup).
                when = f"continuous (point-in-time restore); job {when}"
            else:
                hourly = hourly or when.startswith("every hour")
            copies = [
                f"{templates.region_of(stack, action.get('DestinationBackupVaultArn')) or 'unknown'}, "
                f"{days(action.get('Lifecycle', {}).get('DeleteAfterDays'))}"
                for action in rule.get("CopyActions", [])
            ]
            plans.add(f"{stack.name}/{logical_id}/{rule.get('RuleName')}", where(stack.name, logical_id),
                      rule.get("RuleName"), when, days(rule.get("Lifecycle", {}).get("DeleteAfterDays")), copies)
        if not hourly:
            section.flag(stack.name, logical_id, "no snapshot rule backs up every hour (continuous backup does not count)")
    for stack, logical_id, resource in templates.of_type("AWS::Backup::BackupSelection"):
        selection = resource.get("Properties", {}).get("BackupSelection", {})
        plan_id = templates.target(stack, resource.get("Properties", {}).get("BackupPlanId"))
        resources = []
        for item in as_list(selection.get("Resources")):
            target = templates.target(stack, item)
            joined = item.get("Fn::Join", [None, []])[1] if isinstance(item, dict) else []
            inner = next((templates.target(stack, part) for part in joined if templates.target(stack, part)), None)
            found = target or inner
            resources.append(where(found[0].name, found[1]) if found else text(item))
        covered.add(where(stack.name, logical_id), where(stack.name, logical_id),
                    plan_id[1] if plan_id else None, resources)
    if not any(templates.of_type("AWS::Backup::BackupPlan")):
        section.flag("-", "-", "no backup plan")

    databases = section.table("Databases", "Database", "Role", "Backup retention", "Point-in-time restore",
                              "Multi-AZ", "Deletion protection", "On stack deletion")
    for stack, logical_id, resource in templates.of_type("AWS::RDS::DBInstance"):
        props = resource.get("Properties", {})
        replica = "SourceDBInstanceIdentifier" in props
        retention = props.get("BackupRetentionPeriod")
        pitr = "from the source (replica)" if replica else (f"up to {retention} days" if retention and int(retention) > 0 else "off")
        protected = props.get("DeletionProtection") is True
        single_az = props.get("MultiAZ") is not True
        databases.add(where(stack.name, logical_id), where(stack.name, logical_id),
                      f"read replica of {text(props['SourceDBInstanceIdentifier'])}" if replica else "primary",
                      None if replica else days(retention), pitr, not single_az, protected,
                      resource.get("DeletionPolicy", "Delete"),
                      flagged=not protected or pitr == "off" or (single_az and not replica))
        if not protected:
            section.flag(stack.name, logical_id, "deletion protection is off")
        if single_az and not replica:
            section.flag(stack.name, logical_id, "Single-AZ: every hourly snapshot briefly pauses I/O (RDS User "
                         "Guide, 'Creating a DB snapshot for a Single-AZ DB instance'); backups affect availability")
        if pitr == "off":
            section.flag(stack.name, logical_id, "automated backups are off: no point-in-time restore")

    _secondary_rpo(templates, section)
    _rpo_per_store(templates, section)

    testing = section.table("Restore testing", "Plan", "Schedule", "Restores", "Kept for validation")
    plans_tested = list(templates.of_type("AWS::Backup::RestoreTestingPlan"))
    for stack, logical_id, resource in plans_tested:
        props = resource.get("Properties", {})
        name = text(props.get("RestoreTestingPlanName"))
        selections = [
            selection.get("Properties", {})
            for _, _, selection in templates.of_type("AWS::Backup::RestoreTestingSelection")
            if text(selection.get("Properties", {}).get("RestoreTestingPlanName")) == name
            or templates.target(stack, selection.get("Properties", {}).get("RestoreTestingPlanName"))
        ]
        restores = [f"{selection.get('ProtectedResourceType')}: {text(selection.get('ProtectedResourceArns'))}"
                    for selection in selections]
        kept = sorted({f"{selection.get('ValidationWindowHours')} h" for selection in selections})
        testing.add(where(stack.name, logical_id), where(stack.name, logical_id), schedule(props.get("ScheduleExpression")),
                    restores or "nothing", kept, flagged=not selections)
        if not selections:
            section.flag(stack.name, logical_id, "the restore testing plan selects nothing to restore")
    if any(templates.of_type("AWS::Backup::BackupPlan")) and not plans_tested:
        section.flag("-", "-", "no restore testing: no backup is ever proven restorable")

    replication = section.table("Bucket replication", "Bucket", "Rule", "Scope", "Destination",
                                "Replication Time Control", "Deletes replicated", "Status")
    for stack, logical_id, resource in templates.of_type("AWS::S3::Bucket"):
        config = resource.get("Properties", {}).get("ReplicationConfiguration")
        if not config:
            continue
        for rule in config.get("Rules", []):
            prefix = rule.get("Filter", {}).get("Prefix", rule.get("Prefix", ""))
            scope = "every object" if prefix == "" and set(rule.get("Filter", {})) <= {"Prefix"} else f"filtered: {text(rule.get('Filter'))}"
            rtc = rule.get("Destination", {}).get("ReplicationTime", {})
            rtc_on = rtc.get("Status") == "Enabled"
            enabled = rule.get("Status") == "Enabled"
            replication.add(f"{stack.name}/{logical_id}/{rule.get('Id')}", where(stack.name, logical_id), rule.get("Id"), scope,
                            text(rule.get("Destination", {}).get("Bucket")),
                            f"on, {rtc.get('Time', {}).get('Minutes')} minutes" if rtc_on else "off",
                            rule.get("DeleteMarkerReplication", {}).get("Status") == "Enabled",
                            rule.get("Status"), flagged=not (rtc_on and enabled))
            if not enabled:
                section.flag(stack.name, logical_id, f"replication rule {rule.get('Id')} is disabled")
            elif not rtc_on:
                section.flag(stack.name, logical_id, f"replication rule {rule.get('Id')} has no Replication Time Control")

    versioned = section.table("Bucket versions", "Bucket", "Versioning", "Old versions kept")
    for stack, logical_id, resource in templates.of_type("AWS::S3::Bucket"):
        props = resource.get("Properties", {})
        on = props.get("VersioningConfiguration", {}).get("Status") == "Enabled"
        kept = [
            days(rule["NoncurrentVersionExpiration"].get("NoncurrentDays"))
            for rule in props.get("LifecycleConfiguration", {}).get("Rules", [])
            if "NoncurrentVersionExpiration" in rule
        ]
        versioned.add(where(stack.name, logical_id), where(stack.name, logical_id), on, kept or "until deleted")
        if not on:
            section.flag(stack.name, logical_id, "versioning is off")
    return section


_RPO_OF_SCHEDULE = (("every hour", "1 hour"), ("daily", "1 day"), ("weekly", "1 week"), ("monthly", "1 month"))


def _copied_to(templates: TenantTemplates, region: str, covering: set[tuple[str, str]] | None = None) -> tuple[str | None, str | None, tuple[Stack, str] | None]:
    """(RPO, rule name, plan) of the most frequent snapshot rule whose copies go to a vault in
    `region` (a continuous rule's job is no copy schedule); only plans covering one of `covering`
    (stack name, logical id) when given. (None, None, None) when no rule copies there."""
    built, rule_name, plan_at = None, None, None
    order = [rpo for _, rpo in _RPO_OF_SCHEDULE]
    for stack, logical_id, resource in templates.of_type("AWS::Backup::BackupPlan"):
        if covering is not None and not covering & _covered_by(templates).get((stack.name, logical_id), set()):
            continue
        for rule in resource.get("Properties", {}).get("BackupPlan", {}).get("BackupPlanRule", []):
            if rule.get("EnableContinuousBackup"):
                continue
            if not any(templates.region_of(stack, a.get("DestinationBackupVaultArn")) == region for a in rule.get("CopyActions", [])):
                continue
            rpo = _rpo_of(rule)
            if built is None or (rpo in order and (built not in order or order.index(rpo) < order.index(built))):
                built, rule_name, plan_at = rpo, rule.get("RuleName"), (stack, logical_id)
    return built, rule_name, plan_at


def _rpo_of(rule: dict[str, Any]) -> str:
    when = schedule(rule.get("ScheduleExpression"))
    return next((rpo for start, rpo in _RPO_OF_SCHEDULE if when.startswith(start)), when)


def _secondary_rpo(templates: TenantTemplates, section: Section) -> None:
    """How much a restore from backups in the secondary region can lose, as built: the most
    frequent backup rule whose copies go to a vault there (a continuous rule's job is no copy
    schedule); compared with the tenant file's promise when the review has it."""
    dr = templates.stack("dr")
    table = section.table("RPO in the secondary region, from backups", "Region", "As built", "From the rule", "Promised")
    if dr is None or not any(templates.of_type("AWS::Backup::BackupPlan")):
        return  # no plan at all is flagged once, above
    built, rule_name, plan_at = _copied_to(templates, dr.region)
    promised = (templates.promised_rpo or {}).get("database", {}).get("from backups")
    differs = promised is not None and built != promised
    table.add(dr.region, dr.region, built or "no backup is copied there", rule_name, promised or "not known (no tenant file)",
              flagged=built is None or differs)
    where_stack, where_id = plan_at if plan_at else (templates.stack("primary") or dr, "-")
    if built is None:
        section.flag(where_stack.name, where_id if isinstance(where_id, str) else "-", f"no backup is copied to {dr.region}: "
                     "a corruption the replica and the replicated bucket copied cannot be rolled back there")
    elif differs:
        section.flag(where_stack.name, where_id, f"RPO from backups in {dr.region} is {built} as built; the tenant was promised {promised}")


def _covered_by(templates: TenantTemplates) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """Backup plan (stack name, logical id) -> the resources its selections name (stack name, logical id)."""
    covered: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for stack, _, resource in templates.of_type("AWS::Backup::BackupSelection"):
        props = resource.get("Properties", {})
        plan = templates.target(stack, props.get("BackupPlanId"))
        if plan is None:
            continue
        for item in as_list(props.get("BackupSelection", {}).get("Resources")):
            joined = item.get("Fn::Join", [None, []])[1] if isinstance(item, dict) else []
            found = templates.target(stack, item) or next((t for part in joined if (t := templates.target(stack, part))), None)
            if found is not None:
                covered.setdefault((plan[0].name, plan[1]), set()).add((found[0].name, found[1]))
    return covered


_AMOUNT = re.compile(r"(\d+) (second|minute|hour|day|week|month)")
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400, "month": 31 * 86400}


def _seconds(rpo: str | None) -> int | None:
    """`15 minutes` -> 900; `seconds (...)` (a live copy, asynchronous) -> 1; None when the
    figure has no bound (no copy, replication without a time control)."""
    if rpo is None:
        return None
    if rpo.startswith("seconds"):
        return 1
    match = _AMOUNT.match(rpo)
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)] if match else None


@dataclass(frozen=True)
class _Built:
    rpo: str | None
    """None: no such copy, or one without a bound."""
    source: str
    at: tuple[str, str]
    """(stack name, logical id) the figure is read from."""


def _primary_copy(templates: TenantTemplates, stores: set[tuple[str, str]], continuous_minutes: int, pitr: str | None) -> _Built:
    """The most recent point a restore in the primary region reaches: a continuous rule of a plan
    covering the store, else the store's own point-in-time restore (`pitr`), else the most frequent
    snapshot rule covering it."""
    best: _Built | None = None
    order = [rpo for _, rpo in _RPO_OF_SCHEDULE]
    for stack, logical_id, resource in templates.of_type("AWS::Backup::BackupPlan"):
        if not stores & _covered_by(templates).get((stack.name, logical_id), set()):
            continue
        for rule in resource.get("Properties", {}).get("BackupPlan", {}).get("BackupPlanRule", []):
            if rule.get("EnableContinuousBackup"):
                return _Built(f"{continuous_minutes} minutes", f"continuous backup, rule {rule.get('RuleName')}", (stack.name, logical_id))
            rpo = _rpo_of(rule)
            if best is None or (rpo in order and (best.rpo not in order or order.index(rpo) < order.index(str(best.rpo)))):
                best = _Built(rpo, f"snapshots, rule {rule.get('RuleName')}", (stack.name, logical_id))
    store = min(stores)
    if pitr is not None:
        return _Built(pitr, "the database's automated backups (point-in-time restore)", store)
    return best or _Built(None, "no backup plan covers it", store)


def _rpo_per_store(templates: TenantTemplates, section: Section) -> None:
    """Recovery point per store and region, as built (each figure read from the templates:
    continuous rules, snapshot schedules, the replica, Replication Time Control) next to what the
    tenant file promises; flagged where built is worse than promised."""
    table = section.table("Recovery point per store", "Store", "Region", "Copy", "As built", "From", "Promised")
    primary, dr = templates.stack("primary"), templates.stack("dr")
    if primary is None:
        return
    secondary = dr.region if dr is not None else None
    databases = [(logical_id, props) for logical_id, resource in primary.of_type("AWS::RDS::DBInstance")
                 if "SourceDBInstanceIdentifier" not in (props := resource.get("Properties", {}))]
    buckets = [(logical_id, resource.get("Properties", {})) for logical_id, resource in primary.of_type("AWS::S3::Bucket")
               if resource.get("Properties", {}).get("ReplicationConfiguration")]
    rows: list[tuple[str, str, str, _Built]] = []
    if databases:
        stores = {(primary.name, logical_id) for logical_id, _ in databases}
        retention = [int(props.get("BackupRetentionPeriod") or 0) for _, props in databases]
        pitr = f"{CONTINUOUS_BACKUP_RPO_MINUTES} minutes" if min(retention) > 0 else None
        rows.append(("database", primary.region, PRIMARY_REGION, _primary_copy(templates, stores, CONTINUOUS_BACKUP_RPO_MINUTES, pitr)))
        if secondary is not None:
            replica = next(((s, logical_id) for s, logical_id, r in templates.of_type("AWS::RDS::DBInstance")
                            if s.region == secondary and "SourceDBInstanceIdentifier" in r.get("Properties", {})), None)
            rows.append(("database", secondary, "live copy", _Built("seconds (read replica, asynchronous)", "cross-region read replica",
                                                                    (replica[0].name, replica[1])) if replica else
                         _Built(None, "no read replica there", min(stores))))
            rows.append(("database", secondary, "from backups", _copies(templates, secondary, stores)))
    if buckets:
        stores = {(primary.name, logical_id) for logical_id, _ in buckets}
        unversioned = [logical_id for logical_id, props in buckets if props.get("VersioningConfiguration", {}).get("Status") != "Enabled"]
        built = (_Built(None, "versioning is off: AWS Backup cannot back the bucket up", (primary.name, unversioned[0])) if unversioned
                 else _primary_copy(templates, stores, CONTINUOUS_S3_BACKUP_RPO_MINUTES, None))
        rows.append(("files", primary.region, PRIMARY_REGION, built))
        if secondary is not None:
            rows.append(("files", secondary, "live copy", _replication(templates, primary, buckets, secondary)))
            rows.append(("files", secondary, "from backups", _copies(templates, secondary, stores)))
    for store, region, copy, built in rows:
        promised = (templates.promised_rpo or {}).get(store, {}).get(copy)
        worse = promised is not None and _worse(built.rpo, promised)
        table.add(f"{store}/{copy}", store, region, copy, built.rpo or "none", built.source, promised or "not known (no tenant file)",
                  flagged=worse)
        if worse:
            section.flag(built.at[0], built.at[1], f"{store} RPO in {region} ({copy}) is {built.rpo or 'unbounded'} as built "
                         f"({built.source}); the tenant was promised {promised}")


def _worse(built: str | None, promised: str) -> bool:
    limit, achieved = _seconds(promised), _seconds(built)
    if limit is None:
        return False  # a promise with no bound: nothing to exceed
    return achieved is None or achieved > limit


def _copies(templates: TenantTemplates, region: str, stores: set[tuple[str, str]]) -> _Built:
    built, rule_name, plan_at = _copied_to(templates, region, stores)
    if built is None or plan_at is None:
        return _Built(None, f"no backup of it is copied to {region}", min(stores))
    return _Built(built, f"copies of rule {rule_name}", (plan_at[0].name, plan_at[1]))


def _replication(templates: TenantTemplates, primary: Stack, buckets: list[tuple[str, dict[str, Any]]], region: str) -> _Built:
    """The bucket's live copy in `region`: an enabled replication rule there, bounded by its
    Replication Time Control (S3: 99.99 % of objects within its minutes) or not bounded at all."""
    for logical_id, props in buckets:
        for rule in props["ReplicationConfiguration"].get("Rules", []):
            destination = rule.get("Destination", {})
            if rule.get("Status") != "Enabled" or templates.region_of(primary, destination.get("Bucket")) != region:
                continue
            rtc = destination.get("ReplicationTime", {})
            if rtc.get("Status") == "Enabled":
                return _Built(f"{rtc.get('Time', {}).get('Minutes')} minutes", f"S3 replication, rule {rule.get('Id')}, with "
                              "Replication Time Control (99.99 % of objects)", (primary.name, logical_id))
            return _Built(None, f"S3 replication, rule {rule.get('Id')}, without Replication Time Control: no time bound",
                          (primary.name, logical_id))
    return _Built(None, f"no enabled replication rule to {region}", (primary.name, buckets[0][0]))
