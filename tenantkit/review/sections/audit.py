"""Audit and detection: whether every access is recorded (the baseline stack's CloudTrail trail
of each of the tenant's regions covering its buckets' object events, KMS and the secret; the
databases' pgaudit and connection logging), every incident rule and alarm with what it catches,
who is subscribed, and the detections a security lead must have that the templates lack.

The trail lives in the baseline stack of each account and region (`tenantkit.stacks.baseline`),
synthesized beside the tenants' assemblies (`<cdk.out>/_baseline/`): a review that cannot find
it cannot show anything recorded, and says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tenantkit.compliance.assembly import render, strings_in
from tenantkit.naming import AUDIT_TRAIL, BASELINE_STACK
from tenantkit.review.model import Section
from tenantkit.review.sections._words import as_list, text, where
from tenantkit.review.sections.encryption import access_log_buckets
from tenantkit.review.source import TenantTemplates
from tenantkit.synth.baseline import BASELINE_ASSEMBLY

ID = "audit"
TITLE = "Audit and detection"

PGAUDIT_CLASSES = ("read", "write")

DETECTIONS = (
    ("a read of the master secret", ("GetSecretValue",)),
    ("an RDS configuration change (password reset, deletion protection, security group, public access)", ("ModifyDBInstance",)),
    ("a snapshot shared, copied or exported", ("ModifyDBSnapshotAttribute", "CopyDBSnapshot", "StartExportTask")),
    ("a bucket policy, replication, versioning or public access block change",
     ("PutBucketPolicy", "PutBucketReplication", "PutBucketVersioning", "PutPublicAccessBlock")),
    ("an AWS Backup restore", ("StartRestoreJob", "RESTORE_JOB_STARTED", "Restore Job State Change")),
    ("an edit of the IP set or web ACL outside a deploy", ("UpdateIPSet", "UpdateWebACL")),
    ("a change of the tenant's keys", ("PutKeyPolicy", "ScheduleKeyDeletion", "DisableKey")),
)
"""What a security lead must hear about (issue 18, item 5), and the CloudTrail event names (or
AWS Backup vault events) of which at least one must appear in an incident rule."""


def baseline_dir(assembly_dir: Path) -> Path:
    """Where the baseline assembly sits beside a tenant's (`tenantkit synth` output layout)."""
    return assembly_dir.parent / BASELINE_ASSEMBLY


def _account(assembly_dir: Path, stack_name: str) -> str | None:
    try:
        manifest = json.loads((assembly_dir / "manifest.json").read_text())
        environment = manifest["artifacts"][stack_name]["environment"]
    except (OSError, ValueError, KeyError):
        return None
    return str(environment).removeprefix("aws://").split("/")[0]


def baseline_templates(assembly_dir: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(account, region, template) of each baseline stack synthesized beside the assembly."""
    baseline = baseline_dir(assembly_dir)
    try:
        manifest = json.loads((baseline / "manifest.json").read_text())
    except (OSError, ValueError):
        return
    for artifact in manifest.get("artifacts", {}).values():
        if artifact.get("type") != "aws:cloudformation:stack" or artifact.get("properties", {}).get("stackName") != BASELINE_STACK:
            continue
        account, _, region = str(artifact.get("environment", "")).removeprefix("aws://").partition("/")
        yield account, region, json.loads((baseline / artifact["properties"]["templateFile"]).read_text())


def _trail(assembly_dir: Path, account: str | None, region: str) -> tuple[str, dict[str, Any]] | None:
    """(logical id, properties) of the baseline trail of (account, region), if synthesized."""
    for env_account, env_region, template in baseline_templates(assembly_dir):
        if env_region != region or env_account not in (account, "unknown-account"):
            continue
        for logical_id, resource in template.get("Resources", {}).items():
            if resource.get("Type") == "AWS::CloudTrail::Trail" and resource.get("Properties", {}).get("TrailName") == AUDIT_TRAIL:
                return logical_id, resource["Properties"]
    return None


def _records_objects_of(trail: dict[str, Any], bucket: str) -> bool:
    for selector in trail.get("AdvancedEventSelectors", []):
        fields = {f.get("Field"): f for f in selector.get("FieldSelectors", [])}
        if "Data" not in fields.get("eventCategory", {}).get("Equals", []):
            continue
        if "AWS::S3::Object" not in fields.get("resources.type", {}).get("Equals", []):
            continue
        arns = fields.get("resources.ARN")
        if arns is None or any(f"arn:aws:s3:::{bucket}/".startswith(prefix) for prefix in arns.get("StartsWith", [])):
            return True
    return False


def _records_management(trail: dict[str, Any]) -> bool:
    for selector in trail.get("AdvancedEventSelectors", []):
        fields = {f.get("Field"): f for f in selector.get("FieldSelectors", [])}
        if "Management" in fields.get("eventCategory", {}).get("Equals", []) and "eventSource" not in fields:
            return True
    return not trail.get("AdvancedEventSelectors") and any(s.get("IncludeManagementEvents", True) for s in trail.get("EventSelectors", [{}]))


def build(templates: TenantTemplates) -> Section:
    section = Section(ID, TITLE)
    _trails(templates, section)
    _database_audit(templates, section)
    _detection(templates, section)
    return section


def _trails(templates: TenantTemplates, section: Section) -> None:
    table = section.table("Trail coverage", "Region", "Trail", "Logging, validated", "Management events (KMS, secret reads)",
                          "S3 object events of")
    baseline = baseline_dir(templates.assembly_dir)
    regions: dict[str, list[tuple[str, str, str]]] = {}
    for stack in templates.stacks:
        logs = access_log_buckets(stack)
        for logical_id, resource in stack.of_type("AWS::S3::Bucket"):
            name = resource.get("Properties", {}).get("BucketName")
            if logical_id not in logs and isinstance(name, str):
                regions.setdefault(stack.region, []).append((stack.name, logical_id, name))
    for stack in templates.stacks:
        regions.setdefault(stack.region, [])
    account = _account(templates.assembly_dir, templates.stacks[0].name) if templates.stacks else None
    for region, buckets in sorted(regions.items()):
        stack_name = next(s.name for s in templates.stacks if s.region == region)
        found = _trail(templates.assembly_dir, account, region)
        if found is None:
            table.add(region, region, f"none found ({baseline}/ has no {BASELINE_STACK} of {region})", "—", "no", "nothing", flagged=True)
            section.flag(stack_name, "-", f"no audit trail found for {region} (the baseline stack, {BASELINE_STACK}, is not in "
                         f"{baseline}): nothing shows that data events, KMS use or secret reads are recorded")
            continue
        trail_id, trail = found
        shown = f"{BASELINE_STACK} ({region})/{trail_id}"
        live = trail.get("IsLogging") is True and trail.get("EnableLogFileValidation") is True
        management = _records_management(trail)
        covered = [name for _, _, name in buckets if _records_objects_of(trail, name)]
        table.add(region, region, shown, live, management, covered or "none of the tenant's buckets",
                  flagged=not (live and management and len(covered) == len(buckets)))
        if not live:
            section.flag(stack_name, trail_id, f"the {region} trail is not logging or does not validate its log files")
        if not management:
            section.flag(stack_name, trail_id, f"the {region} trail does not record management events: KMS use and secret reads go unrecorded")
        for owner, logical_id, name in buckets:
            if name not in covered:
                section.flag(owner, logical_id, f"bucket {name}: the {region} trail records no object-level (data) events for it")


def _database_audit(templates: TenantTemplates, section: Section) -> None:
    table = section.table("Database audit", "Database", "pgaudit loaded", "pgaudit.log", "Connections logged", "Exported logs")
    for stack, logical_id, resource in templates.of_type("AWS::RDS::DBInstance"):
        props = resource.get("Properties", {})
        group = templates.target(stack, props.get("DBParameterGroupName"))
        params = group[0].resources[group[1]].get("Properties", {}).get("Parameters", {}) if group else {}
        libraries = [part.strip() for part in text(params.get("shared_preload_libraries", "")).split(",")]
        classes = [part.strip().lower() for part in text(params.get("pgaudit.log", "")).split(",") if part.strip()]
        loaded = "pgaudit" in libraries
        logged = "all" in classes or all(c in classes for c in PGAUDIT_CLASSES)
        connections = text(params.get("log_connections")) == "1" and text(params.get("log_disconnections")) == "1"
        exports = [text(e) for e in as_list(props.get("EnableCloudwatchLogsExports"))]
        table.add(where(stack.name, logical_id), where(stack.name, logical_id), loaded, classes or "none", connections,
                  exports or "none", flagged=not (loaded and logged and connections and "postgresql" in exports))
        if not loaded:
            section.flag(stack.name, logical_id, "pgaudit is not in shared_preload_libraries: reads and writes of the data are not audited")
        elif not logged:
            section.flag(stack.name, logical_id, f"pgaudit.log does not cover {' and '.join(PGAUDIT_CLASSES)}")
        if not connections:
            section.flag(stack.name, logical_id, "log_connections / log_disconnections are not both on")
        if "postgresql" not in exports:
            section.flag(stack.name, logical_id, "the postgresql log (audit lines) is not exported to the tenant's log group")


def _detection(templates: TenantTemplates, section: Section) -> None:
    rules = section.table("Incident rules and alarms", "Rule", "Catches", "Sends to")
    patterns = []
    for stack, logical_id, resource in templates.of_type("AWS::Events::Rule", "AWS::CloudWatch::Alarm", "AWS::Backup::BackupVault"):
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Events::Rule":
            pattern = props.get("EventPattern") or {}
            names = sorted(set(strings_in(pattern.get("detail", {}).get("eventName", [])))) or as_list(pattern.get("detail-type"))
            catches = f"{text(props.get('Description') or '')}: " + ", ".join(map(text, names))
            targets = [render(target.get("Arn")) for target in props.get("Targets", [])]
            patterns.append(json.dumps(pattern, default=str))
        elif resource["Type"] == "AWS::CloudWatch::Alarm":
            catches = text(props.get("AlarmDescription") or props.get("MetricName"))
            targets = [render(action) for action in props.get("AlarmActions", [])]
        else:
            events = (props.get("Notifications") or {}).get("BackupVaultEvents", [])
            if not events:
                continue
            catches = "vault events: " + ", ".join(events)
            targets = [render((props.get("Notifications") or {}).get("SNSTopicArn"))]
            patterns.append(json.dumps(events))
        rules.add(where(stack.name, logical_id), where(stack.name, logical_id), catches, targets)
    subscribers = section.table("Who is subscribed", "Topic", "Protocol", "Endpoint")
    for stack, logical_id, resource in templates.of_type("AWS::SNS::Subscription"):
        props = resource.get("Properties", {})
        subscribers.add(where(stack.name, logical_id), render(props.get("TopicArn")), props.get("Protocol"), text(props.get("Endpoint")))
    gaps = section.table("What a security lead must hear about", "Event", "Caught by a rule")
    primary = templates.stack("primary") or templates.stacks[0]
    seen = "\n".join(patterns)
    for event, events in DETECTIONS:
        caught = any(f'"{name}"' in seen for name in events)
        gaps.add(event, event, caught, flagged=not caught)
        if not caught:
            section.flag(primary.name, "-", f"detection gap: no incident rule catches {event} ({', '.join(events)})")
    caught = any(f"-{templates.tenant_id}-break-glass" in pattern for pattern in patterns)
    gaps.add("break-glass", "use of the break-glass role", caught, flagged=not caught)
    if not caught:
        section.flag(primary.name, "-", "detection gap: no incident rule catches use of the break-glass role")
    # The operator channel (fleet.yaml `operator_channel`) is a second target of the detection
    # rules, published through a role (tenantkit/constructs/incident_rules.py), not a subscriber.
    operator = any(
        "RoleArn" in target
        for _, _, rule in templates.of_type("AWS::Events::Rule")
        for target in rule.get("Properties", {}).get("Targets", [])
    )
    gaps.add("operator-channel", "the operator channel (a second receiver besides the customer's contact)", operator, flagged=not operator)
    for stack, logical_id, _ in templates.of_type("AWS::SNS::Topic"):
        count = sum(1 for s, _, r in templates.of_type("AWS::SNS::Subscription")
                    if templates.target(s, r.get("Properties", {}).get("TopicArn")) == (stack, logical_id))
        if count < 2 and not operator:
            section.flag(stack.name, logical_id, f"detection gap: {count or 'no'} subscriber{'s' if count != 1 else ''}: "
                         "no operator channel besides the customer's contact hears of an incident")
