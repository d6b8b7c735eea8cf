"""Each detection's pattern matches a sample event for its tenant and not the same event for
another tenant whose id starts with this one's (`acme` vs `acme-primary-x`, `acme-x`).

Evaluated by moto's EventBridge pattern matcher, the one moto's `PutEvents` routes events with
(`moto.events.models.EventPattern`; moto 5.2.5's `TestEventPattern` API is a stub that answers
nothing), which implements the pattern language of
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html; sample events
follow the CloudTrail record shape of
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from tenantkit.constructs.detection import (
    BUCKET_CHANGES,
    CLOUDTRAIL_CALL,
    DETECTION_IDS,
    FIREWALL_CHANGES,
    SNAPSHOT_CALLS,
    Detection,
    detections_for,
)
from tenantkit.naming import TenantNames, names_for

ACCOUNT = "111122223333"
ACME = names_for("acme", ACCOUNT, "us-east-1", "us-west-2")
NEIGHBOURS = (
    names_for("acme-primary-x", ACCOUNT, "us-east-1", "us-west-2"),
    names_for("acme-x", ACCOUNT, "us-east-1", "us-west-2"),
)
SOMEONE = f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/alice"


def matches(detection: Detection, event: dict[str, Any]) -> bool:
    return EventPattern.load(json.dumps(detection.pattern)).matches_event(event)


def api_call(source: str, name: str, region: str, *, caller: str = SOMEONE, request=None, response=None) -> dict:
    return {
        "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": CLOUDTRAIL_CALL,
        "source": source,
        "account": ACCOUNT,
        "time": "2026-12-07T06:00:00Z",
        "region": region,
        "resources": [],
        "detail": {
            "eventVersion": "1.09",
            "userIdentity": {"type": "AssumedRole", "arn": caller},
            "eventSource": f"{source.removeprefix('aws.')}.amazonaws.com",
            "eventName": name,
            "awsRegion": region,
            "requestParameters": request or {},
            "responseElements": response,
        },
    }


def service_event(source: str, detail_type: str, region: str, detail: dict, resources=()) -> dict:
    return {
        "id": "7bf73129-1428-4cd3-a780-95db273d1603", "detail-type": detail_type, "source": source,
        "account": ACCOUNT, "time": "2026-12-07T06:00:00Z", "region": region,
        "resources": list(resources), "detail": detail,
    }  # fmt: skip


def detection(names: TenantNames, kind, rule_id: str) -> Detection:
    (found,) = [d for d in detections_for(names, kind) if d.id == rule_id]
    return found


# Each case: (stack kind, rule id, names -> the sample event of that tenant)
def secret_read(names: TenantNames, *, by_arn: bool = False, caller: str = SOMEONE) -> dict:
    secret = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{names.db_master_secret}-AbCdEf" if by_arn else names.db_master_secret
    return api_call("aws.secretsmanager", "GetSecretValue", "us-east-1", caller=caller, request={"secretId": secret})


CASES = {
    "secret read by name": ("primary", "SecretReads", lambda n: secret_read(n)),
    "secret read by ARN": ("primary", "SecretReads", lambda n: secret_read(n, by_arn=True)),
    "replica secret read in the DR region": (
        "dr", "SecretReads",
        lambda n: api_call("aws.secretsmanager", "GetSecretValue", "us-west-2", request={
            "secretId": f"arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:{n.db_master_secret}-XyZ123"}),
    ),
    "RDS configuration change event": (
        "primary", "DatabaseConfigurationEvents",
        lambda n: service_event("aws.rds", "RDS DB Instance Event", "us-east-1",
                                {"EventCategories": ["configuration change"], "SourceIdentifier": n.db_instance},
                                [n.db_instance_arn]),
    ),
    "replica configuration change event": (
        "replica", "DatabaseConfigurationEvents",
        lambda n: service_event("aws.rds", "RDS DB Instance Event", "us-west-2",
                                {"EventCategories": ["configuration change"]}, [n.replica_db_instance_arn]),
    ),
    "ModifyDBInstance": (
        "primary", "DatabaseModifications",
        lambda n: api_call("aws.rds", "ModifyDBInstance", "us-east-1",
                           request={"dBInstanceIdentifier": n.db_instance, "deletionProtection": False}),
    ),
    "ModifyDBInstance by ARN of the replica": (
        "replica", "DatabaseModifications",
        lambda n: api_call("aws.rds", "ModifyDBInstance", "us-west-2",
                           request={"dBInstanceIdentifier": n.replica_db_instance_arn, "publiclyAccessible": True}),
    ),
    **{
        f"{call} of a snapshot": (
            "primary", "SnapshotCopies",
            lambda n, call=call: api_call("aws.rds", call, "us-east-1",
                                          request={"sourceDBSnapshotIdentifier": f"rds:{n.db_instance}-2026-12-07-06-00"},
                                          response={"dBInstanceIdentifier": n.db_instance}),
        )
        for call in SNAPSHOT_CALLS
    },
    "CopyDBSnapshot of a replica snapshot": (
        "replica", "SnapshotCopies",
        lambda n: api_call("aws.rds", "CopyDBSnapshot", "us-west-2",
                           request={"sourceDBSnapshotIdentifier": f"rds:{n.replica_db_instance}-2026-12-07-06-00"},
                           response={"dBInstanceIdentifier": n.replica_db_instance}),
    ),
    **{
        f"{call} of the data bucket": (
            "primary", "BucketChanges",
            lambda n, call=call: api_call("aws.s3", call, "us-east-1", request={"bucketName": n.data_bucket}),
        )
        for call in BUCKET_CHANGES
    },
    "PutBucketPolicy of the DR bucket": (
        "dr", "BucketChanges", lambda n: api_call("aws.s3", "PutBucketPolicy", "us-west-2", request={"bucketName": n.dr_bucket}),
    ),
    "restore from the tenant's vault": (
        "primary", "Restores",
        lambda n: service_event("aws.backup", "Restore Job State Change", "us-east-1",
                                {"status": "RUNNING", "backupVaultArn": n.vault_arn_in("us-east-1")}),
    ),
    "restore of the tenant's database": (
        "primary", "Restores",
        lambda n: service_event("aws.backup", "Restore Job State Change", "us-east-1",
                                {"status": "COMPLETED", "sourceResourceArn": n.db_instance_arn}),
    ),
    "restore in the DR vault": (
        "dr", "Restores",
        lambda n: service_event("aws.backup", "Restore Job State Change", "us-west-2",
                                {"status": "RUNNING", "backupVaultArn": n.vault_arn_in("us-west-2")}),
    ),
    **{
        f"{call} of the web ACL": (
            "primary", "FirewallChanges",
            lambda n, call=call: api_call("aws.wafv2", call, "us-east-1", request={"name": n.web_acl, "scope": "REGIONAL"}),
        )
        for call in FIREWALL_CHANGES
    },
    "UpdateIPSet in the DR region": (
        "dr", "FirewallChanges",
        lambda n: api_call("aws.wafv2", "UpdateIPSet", "us-west-2", request={"name": n.ip_set("ipv6"), "scope": "REGIONAL"}),
    ),
    "AssumeRole of the break-glass role": (
        "primary", "BreakGlassUse",
        lambda n: api_call("aws.sts", "AssumeRole", "us-east-1", request={"roleArn": n.break_glass_role_arn, "roleSessionName": "bob"}),
    ),
    "AssumeRole of the break-glass role in the DR region": (
        "dr", "BreakGlassUse",
        lambda n: api_call("aws.sts", "AssumeRole", "us-west-2", request={"roleArn": n.break_glass_role_arn, "roleSessionName": "bob"}),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_tenants_event_matches(case):
    kind, rule_id, event_of = CASES[case]
    assert matches(detection(ACME, kind, rule_id), event_of(ACME))


@pytest.mark.parametrize("neighbour", NEIGHBOURS, ids=lambda n: n.tenant_id)
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_same_event_of_another_tenant_does_not_match(case, neighbour):
    kind, rule_id, event_of = CASES[case]
    assert matches(detection(neighbour, kind, rule_id), event_of(neighbour))  # the neighbour's own rule sees it
    assert not matches(detection(ACME, kind, rule_id), event_of(neighbour))


def test_every_rule_of_every_stack_has_a_sample():
    sampled = {(kind, rule_id) for kind, rule_id, _ in CASES.values()}
    assert sampled == {(kind, rule_id) for kind, ids in DETECTION_IDS.items() for rule_id in ids}


def test_each_stack_deploys_the_rules_the_compliance_rule_expects():
    for kind, ids in DETECTION_IDS.items():
        assert tuple(d.id for d in detections_for(ACME, kind)) == ids


def test_the_rotation_functions_reads_of_the_secret_do_not_match():
    rotation = f"{ACME.assumed_role_arn_prefix(ACME.rotation_role)}{ACME.rotation_function}"
    rule = detection(ACME, "primary", "SecretReads")
    assert not matches(rule, secret_read(ACME, caller=rotation))


def test_a_role_whose_name_extends_the_rotation_roles_still_alerts():
    lookalike = f"arn:aws:sts::{ACCOUNT}:assumed-role/{ACME.rotation_role}-x/{ACME.rotation_function}"
    assert matches(detection(ACME, "primary", "SecretReads"), secret_read(ACME, caller=lookalike))


def test_a_secret_whose_name_extends_the_tenants_does_not_match():
    event = secret_read(ACME)
    event["detail"]["requestParameters"]["secretId"] = f"{ACME.db_master_secret}-old"
    assert not matches(detection(ACME, "primary", "SecretReads"), event)


def test_the_deployment_roles_firewall_changes_do_not_match():
    deployer = f"{ACME.assumed_role_arn_prefix(ACME.deployment_role('us-east-1'))}AWSCloudFormation"
    event = api_call("aws.wafv2", "UpdateIPSet", "us-east-1", caller=deployer, request={"name": ACME.ip_set("ipv4")})
    assert not matches(detection(ACME, "primary", "FirewallChanges"), event)


def test_an_iam_users_firewall_change_matches():
    user = f"arn:aws:iam::{ACCOUNT}:user/mallory"
    event = api_call("aws.wafv2", "UpdateWebACL", "us-east-1", caller=user, request={"name": ACME.web_acl})
    assert matches(detection(ACME, "primary", "FirewallChanges"), event)


def test_rds_events_of_other_categories_do_not_reach_the_configuration_rule():
    event = service_event("aws.rds", "RDS DB Instance Event", "us-east-1", {"EventCategories": ["backup"]}, [ACME.db_instance_arn])
    assert not matches(detection(ACME, "primary", "DatabaseConfigurationEvents"), event)
