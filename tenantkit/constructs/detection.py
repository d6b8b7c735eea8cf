"""What a security lead must hear about, as EventBridge event patterns matched to exactly one
tenant's resources (issue 18, item 5).

Pure data, no CDK: each `Detection` is a rule's id, description and pattern, built from
`naming.TenantNames` only, so tests evaluate the very patterns the stacks deploy (moto's
`test_event_pattern`, which follows the EventBridge pattern language:
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).

Ownership is exact. Names are matched by equality; the two places that need a wildcard end it
after a tenant-owned separator: the secret's ARN (`secret:tenantkit/<id>/db-master-user-*`, only
Secrets Manager's suffix can follow) and a role's sessions (`assumed-role/<role name>/`, the
slash ends the role name). Never a bare name prefix (`acme` would match `acme-x`).

API calls reach EventBridge as "AWS API Call via CloudTrail" events only where a trail records
management events in that region (the baseline stack's trail, `naming.AUDIT_TRAIL`). STS records
`AssumeRole` in the region of the endpoint called: a call to the global endpoint is recorded in
us-east-1 (outside a ca or de tenant's zone), so break-glass sessions must be requested from the
STS endpoint of one of the tenant's regions for these rules to see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tenantkit.naming import TenantNames

CLOUDTRAIL_CALL = "AWS API Call via CloudTrail"
BUCKET_CHANGES = (
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketReplication",
    "DeleteBucketReplication",
    "PutBucketVersioning",
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
)
"""S3 calls that could open a tenant bucket, send its objects elsewhere, or let versions go."""
FIREWALL_CHANGES = ("UpdateIPSet", "DeleteIPSet", "UpdateWebACL", "DeleteWebACL")
"""WAF calls that change who reaches the application; the deployment role's are expected."""
SNAPSHOT_CALLS = ("CopyDBSnapshot", "ModifyDBSnapshotAttribute", "StartExportTask")
DATABASE_CONFIGURATION_CATEGORY = "configuration change"
StackKind = Literal["primary", "dr", "replica"]


@dataclass(frozen=True)
class Detection:
    id: str
    """The rule's construct id (pinned: changing it replaces the rule)."""
    description: str
    pattern: dict[str, Any]


def _api_call(source: str, event_names: list[str], **detail: Any) -> dict[str, Any]:
    return {
        "source": [source],
        "detail-type": [CLOUDTRAIL_CALL],
        "detail": {"eventSource": [f"{source.removeprefix('aws.')}.amazonaws.com"], "eventName": event_names, **detail},
    }


def secret_reads(names: TenantNames, region: str) -> Detection:
    """Any read of the master secret (or its replica in `region`) except the rotation function's.
    The caller may name the secret by name or by ARN."""
    return Detection(
        "SecretReads",
        "Reads of the tenant's database master secret by anyone but its rotation function",
        _api_call(
            "aws.secretsmanager",
            ["GetSecretValue"],
            requestParameters={
                "secretId": [names.db_master_secret, {"wildcard": names.db_master_secret_arn_wildcard(region)}]
            },
            userIdentity={"arn": [{"anything-but": {"prefix": names.assumed_role_arn_prefix(names.rotation_role)}}]},
        ),
    )


def database_configuration_events(instance_arn: str) -> Detection:
    """RDS's own events of category `configuration change` for one instance."""
    return Detection(
        "DatabaseConfigurationEvents",
        "Configuration changes RDS reports for the tenant's database",
        {
            "source": ["aws.rds"],
            "detail-type": ["RDS DB Instance Event"],
            "resources": [instance_arn],
            "detail": {"EventCategories": [DATABASE_CONFIGURATION_CATEGORY]},
        },
    )


def database_modifications(instance: str, instance_arn: str) -> Detection:
    """`ModifyDBInstance` of one instance (password reset, deletion protection, security groups,
    public access): the call names the instance by identifier or ARN."""
    return Detection(
        "DatabaseModifications",
        "ModifyDBInstance calls on the tenant's database",
        _api_call("aws.rds", ["ModifyDBInstance"], requestParameters={"dBInstanceIdentifier": [instance, instance_arn]}),
    )


def snapshot_copies(instance: str) -> Detection:
    """Snapshots of one instance copied: `CopyDBSnapshot`'s response is the new snapshot, which
    names its source instance (`responseElements.dBInstanceIdentifier`), matched exactly.

    Sharing (`ModifyDBSnapshotAttribute`) and exporting (`StartExportTask`) name only the
    snapshot, whose identifier (`rds:<instance>-<date>`, `awsbackup:job-<uuid>`) no EventBridge
    pattern can tie to exactly one tenant: `rds:tenantkit-acme-*` would also match tenant
    `acme-2`'s. Automated snapshots cannot be shared, only their copies, which this rule
    catches. Share and export calls stay in the pattern and match only when their response names
    the instance; the rest cannot be attributed to a tenant (an account-wide rule for the operator
    channel would be the place for them)."""
    return Detection(
        "SnapshotCopies",
        "Snapshots of the tenant's database copied, shared or exported",
        _api_call("aws.rds", list(SNAPSHOT_CALLS), responseElements={"dBInstanceIdentifier": [instance]}),
    )


def bucket_changes(buckets: list[str]) -> Detection:
    return Detection(
        "BucketChanges",
        "Policy, replication, versioning or public-access-block changes of the tenant's buckets",
        _api_call("aws.s3", list(BUCKET_CHANGES), requestParameters={"bucketName": buckets}),
    )


def restores(vault_arn: str, source_arns: list[str]) -> Detection:
    """AWS Backup restore jobs from the tenant's vault of the region or of its resources (the job's
    `backupVaultArn` and `sourceResourceArn`, as DescribeRestoreJob names them)."""
    return Detection(
        "Restores",
        "AWS Backup restore jobs of the tenant's recovery points",
        {
            "source": ["aws.backup"],
            "detail-type": ["Restore Job State Change"],
            "detail": {"$or": [{"backupVaultArn": [vault_arn]}, {"sourceResourceArn": source_arns}]},
        },
    )


def firewall_changes(names: TenantNames, region: str) -> Detection:
    """Changes of the tenant's web ACL and IP sets by anyone but the deployment role of `region`."""
    return Detection(
        "FirewallChanges",
        "Changes of the tenant's web ACL or IP sets not made by the deployment role",
        _api_call(
            "aws.wafv2",
            list(FIREWALL_CHANGES),
            requestParameters={"name": [names.web_acl, names.ip_set("ipv4"), names.ip_set("ipv6")]},
            userIdentity={
                "arn": [{"anything-but": {"prefix": names.assumed_role_arn_prefix(names.deployment_role(region))}}]
            },
        ),
    )


def break_glass_use(names: TenantNames) -> Detection:
    return Detection(
        "BreakGlassUse",
        "Sessions of the tenant's break-glass role",
        _api_call("aws.sts", ["AssumeRole"], requestParameters={"roleArn": [names.break_glass_role_arn]}),
    )


def detections_for(names: TenantNames, kind: StackKind) -> tuple[Detection, ...]:
    """The detections each of the tenant's stacks deploys, in its own region: the primary and DR
    stacks watch their secret, buckets, vault, firewall and break-glass sessions; the primary and
    replica stacks their database."""
    if kind == "replica":
        instance, arn = names.replica_db_instance, names.replica_db_instance_arn
        return (database_configuration_events(arn), database_modifications(instance, arn), snapshot_copies(instance))
    if kind == "primary":
        region = names.primary_region
        instance, arn = names.db_instance, names.db_instance_arn
        return (
            secret_reads(names, region),
            database_configuration_events(arn),
            database_modifications(instance, arn),
            snapshot_copies(instance),
            bucket_changes([names.data_bucket, names.access_log_bucket]),
            restores(names.vault_arn_in(region), [arn, names.data_bucket_arn]),
            firewall_changes(names, region),
            break_glass_use(names),
        )
    region = names.secondary_region
    return (
        secret_reads(names, region),
        bucket_changes([names.dr_bucket, names.dr_access_log_bucket]),
        restores(names.vault_arn_in(region), [names.replica_db_instance_arn, names.dr_bucket_arn]),
        firewall_changes(names, region),
        break_glass_use(names),
    )


DETECTION_IDS: dict[StackKind, tuple[str, ...]] = {
    "primary": (
        "SecretReads", "DatabaseConfigurationEvents", "DatabaseModifications", "SnapshotCopies",
        "BucketChanges", "Restores", "FirewallChanges", "BreakGlassUse",
    ),
    "dr": ("SecretReads", "BucketChanges", "Restores", "FirewallChanges", "BreakGlassUse"),
    "replica": ("DatabaseConfigurationEvents", "DatabaseModifications", "SnapshotCopies"),
}  # fmt: skip
"""What the compliance rule expects in each stack (kept beside the code that makes them)."""
