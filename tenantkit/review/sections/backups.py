"""4. Backups and replication: each backup plan's rules (schedule, retention, copies and their
retention), what the plan covers, each database's backup retention, point-in-time restore and
deletion protection, S3 replication (scope, Replication Time Control), the replica database."""

from __future__ import annotations

from tenantkit.review.model import Section
from tenantkit.review.sections._words import as_list, days, schedule, text, where
from tenantkit.review.source import TenantTemplates

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


def _secondary_rpo(templates: TenantTemplates, section: Section) -> None:
    """How much a restore from backups in the secondary region can lose, as built: the most
    frequent backup rule whose copies go to a vault there (a continuous rule's job is no copy
    schedule); compared with the tenant file's promise when the review has it."""
    dr = templates.stack("dr")
    table = section.table("RPO in the secondary region, from backups", "Region", "As built", "From the rule", "Promised")
    if dr is None or not any(templates.of_type("AWS::Backup::BackupPlan")):
        return  # no plan at all is flagged once, above
    built, rule_name, plan_at = None, None, None
    for stack, logical_id, resource in templates.of_type("AWS::Backup::BackupPlan"):
        for rule in resource.get("Properties", {}).get("BackupPlan", {}).get("BackupPlanRule", []):
            if rule.get("EnableContinuousBackup"):
                continue
            if not any(templates.region_of(stack, a.get("DestinationBackupVaultArn")) == dr.region for a in rule.get("CopyActions", [])):
                continue
            when = schedule(rule.get("ScheduleExpression"))
            rpo = next((rpo for start, rpo in _RPO_OF_SCHEDULE if when.startswith(start)), when)
            order = [rpo for _, rpo in _RPO_OF_SCHEDULE]
            if built is None or (rpo in order and (built not in order or order.index(rpo) < order.index(built))):
                built, rule_name, plan_at = rpo, rule.get("RuleName"), (stack, logical_id)
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
