from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge, finding_text
from tenantkit.constructs.tenant_roles import TenantPrincipals, deny_everyone, not_offboarding, outside_tenant

REPLICATION_MINUTES = 15  # S3 Replication Time Control's promise


@dataclass(frozen=True, kw_only=True)
class ReplicaTarget:
    """The DR bucket in the secondary region (named deterministically) and the DR key."""

    bucket_arn: str
    key_alias_arn: str
    """The DR key by alias ARN: its key id lives in the other region and is not known here. Only
    the deployment role may re-point the alias (the DR key's policy)."""
    key_arn_pattern: str
    """`arn:aws:kms:<dr-region>:<account>:key/*`, narrowed by the alias condition."""
    key_alias: str
    rule_id: str


@dataclass(frozen=True, kw_only=True)
class TenantBucketProps:
    bucket_name: str
    key: kms.IKey
    replica: ReplicaTarget
    access_logs: s3.IBucket
    incident_topic: sns.ITopic
    key_alias_arn: str
    """The tenant key's alias ARN in this region: an upload may name the key by it."""
    principals: TenantPrincipals
    noncurrent_versions_kept: Duration
    """How long an overwritten or deleted object's old version is kept (the retention promise)."""
    role_path: str
    """The tenant's IAM path (`/tenantkit/<id>/`): every role made here lives under it."""
    replication_alarm_name: str | None = None
    """`naming.incident_publisher`: the incident topic's policy admits the tenant's alarms by name."""


def secure_bucket_defaults(
    name: str, key: kms.IKey, access_logs: s3.IBucket, log_prefix: str, noncurrent_versions_kept: Duration
) -> dict:
    """The settings every tenant bucket holding data shares."""
    return {
        "bucket_name": name,
        "encryption": s3.BucketEncryption.KMS,
        "encryption_key": key,
        "bucket_key_enabled": True,
        "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
        "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        "enforce_ssl": True,
        "versioned": True,
        "server_access_logs_bucket": access_logs,
        "server_access_logs_prefix": log_prefix,
        "lifecycle_rules": [
            s3.LifecycleRule(
                id="old-versions-within-retention",
                noncurrent_version_expiration=noncurrent_versions_kept,
                expired_object_delete_marker=True,
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ],
        "removal_policy": RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    }


# What a Deny on the deployment role keeps it from: the bucket's contents (it manages the bucket).
CONTENT_ACTIONS = ("s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:ListBucket*", "s3:RestoreObject", "s3:Replicate*")
# What destroys data for good in a versioned bucket (a plain DeleteObject only adds a delete marker,
# which the retention window undoes): the offboarding role's alone. Lifecycle expiry is S3's own.
DESTROY_ACTIONS = ("s3:DeleteObjectVersion", "s3:DeleteBucket")
REPLICATION_SOURCE_ACTIONS = (
    "s3:GetReplicationConfiguration",
    "s3:ListBucket",
    "s3:GetObjectVersionForReplication",
    "s3:GetObjectVersionAcl",
    "s3:GetObjectVersionTagging",
)


def deny_other_encryption(bucket: s3.Bucket, key_names: list[str]) -> None:
    """Refuse any upload that asks for another encryption than the bucket's key: SSE-S3, another
    KMS key, DSSE-KMS or customer-provided keys. Uploads that ask for nothing get the bucket's
    default (this key); `key_names` are the values an upload may name it by (key ARN, key id,
    alias ARN: S3 compares the header as sent). Each Deny holds only when its header is present
    (`Null: false`), so a plain upload, a multipart part (which carries no encryption header) and a
    copy that asks for nothing pass."""
    denied: dict[str, dict[str, Any]] = {
        "DenyOtherEncryption": {
            "Null": {"s3:x-amz-server-side-encryption": "false"},
            "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
        },
        "DenyOtherKmsKey": {
            "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"},
            "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_names},
        },
        "DenyCustomerProvidedKeys": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}},
    }
    for sid, condition in denied.items():
        bucket.add_to_resource_policy(deny_everyone(sid, ["s3:PutObject"], [bucket.arn_for_objects("*")], condition))


def deny_outside_tenant(bucket: s3.Bucket, principals: TenantPrincipals) -> None:
    """The bucket's own boundary, whatever anyone's IAM policies say: nobody outside the tenant's
    roles and the deployment role touches it, the deployment role never its contents, and only
    the offboarding role destroys object versions or the bucket."""
    everything = [bucket.bucket_arn, bucket.arn_for_objects("*")]
    denies = (
        ("DenyOutsideTenant", ["s3:*"], outside_tenant(principals)),
        ("DenyDeploymentRoleContents", list(CONTENT_ACTIONS), {"ArnEquals": {"aws:PrincipalArn": principals.deployment_role_arn}}),
        ("OnlyOffboardingDestroys", list(DESTROY_ACTIONS), not_offboarding(principals)),
    )
    for sid, actions, condition in denies:
        bucket.add_to_resource_policy(deny_everyone(sid, actions, everything, condition))


def service_principal(service: str, account: str) -> iam.ServicePrincipal:
    """A service principal that may act only for this account (confused-deputy protection)."""
    return iam.ServicePrincipal(service, conditions={"StringEquals": {"aws:SourceAccount": account}})


class TenantBucket(Construct):
    """The tenant's file store: private, TLS-only, encrypted with the tenant key, access-logged,
    versioned, retained, and every object and delete marker replicated to the DR bucket within 15
    minutes (Replication Time Control), re-encrypted with the DR key; failures raise an alarm."""

    def __init__(self, scope: Construct, id: str, props: TenantBucketProps) -> None:
        super().__init__(scope, id)
        problems = []
        if not props.replica.bucket_arn.startswith("arn:"):
            problems.append("replica.bucket_arn must be an S3 bucket ARN")
        if ":alias/" not in props.replica.key_alias_arn:
            problems.append("replica.key_alias_arn must be a KMS alias ARN")
        if props.replica.bucket_arn.endswith(f":::{props.bucket_name}"):
            problems.append("a bucket cannot replicate to itself")
        if problems:
            raise ValueError("; ".join(problems))
        stack = Stack.of(self)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            **secure_bucket_defaults(
                props.bucket_name, props.key, props.access_logs, "data/", props.noncurrent_versions_kept
            ),
        )
        deny_other_encryption(self.bucket, [props.key.key_arn, props.key.key_id, props.key_alias_arn])
        deny_outside_tenant(self.bucket, props.principals)
        self.replication_role = iam.Role(
            self,
            "ReplicationRole",
            path=props.role_path,
            assumed_by=service_principal("s3.amazonaws.com", stack.account),
            description=f"S3 replication of {props.bucket_name} to its DR bucket",
        )
        self._grant_replication(props, stack)
        self.bucket.add_to_resource_policy(
            deny_everyone(
                "ReplicationRoleOnlyReplicates",
                REPLICATION_SOURCE_ACTIONS,
                [self.bucket.bucket_arn, self.bucket.arn_for_objects("*")],
                {"ArnEquals": {"aws:PrincipalArn": self.replication_role.role_arn}},
                except_actions=True,
            )
        )

        cfn_bucket = cast(s3.CfnBucket, self.bucket.node.default_child)
        cfn_bucket.replication_configuration = s3.CfnBucket.ReplicationConfigurationProperty(
            role=self.replication_role.role_arn,
            rules=[
                s3.CfnBucket.ReplicationRuleProperty(
                    id=props.replica.rule_id,
                    status="Enabled",
                    priority=1,
                    filter=s3.CfnBucket.ReplicationRuleFilterProperty(prefix=""),
                    delete_marker_replication=s3.CfnBucket.DeleteMarkerReplicationProperty(
                        status="Enabled"
                    ),
                    source_selection_criteria=s3.CfnBucket.SourceSelectionCriteriaProperty(
                        sse_kms_encrypted_objects=s3.CfnBucket.SseKmsEncryptedObjectsProperty(
                            status="Enabled"
                        ),
                    ),
                    destination=s3.CfnBucket.ReplicationDestinationProperty(
                        bucket=props.replica.bucket_arn,
                        encryption_configuration=s3.CfnBucket.EncryptionConfigurationProperty(
                            replica_kms_key_id=props.replica.key_alias_arn
                        ),
                        replication_time=s3.CfnBucket.ReplicationTimeProperty(
                            status="Enabled",
                            time=s3.CfnBucket.ReplicationTimeValueProperty(minutes=REPLICATION_MINUTES),
                        ),
                        metrics=s3.CfnBucket.MetricsProperty(
                            status="Enabled",
                            event_threshold=s3.CfnBucket.ReplicationTimeValueProperty(
                                minutes=REPLICATION_MINUTES
                            ),
                        ),
                    ),
                )
            ],
        )
        self.replication_failure_alarm = cloudwatch.Alarm(
            self,
            "ReplicationFailureAlarm",
            alarm_name=props.replication_alarm_name,
            alarm_description=f"Objects of {props.bucket_name} failed to replicate to the DR bucket",
            metric=cloudwatch.Metric(
                namespace="AWS/S3",
                metric_name="OperationsFailedReplication",
                dimensions_map={
                    "SourceBucket": props.bucket_name,
                    "DestinationBucket": props.replica.bucket_arn.split(":::")[-1],
                    "RuleId": props.replica.rule_id,
                },
                period=Duration.minutes(5),
                statistic="Sum",
            ),
            threshold=0,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.replication_failure_alarm.add_alarm_action(cw_actions.SnsAction(props.incident_topic))

    def _grant_replication(self, props: TenantBucketProps, stack: Stack) -> None:
        """The replication role reads this bucket and writes the DR bucket, nothing else."""
        source_objects = self.bucket.arn_for_objects("*")
        replica_objects = f"{props.replica.bucket_arn}/*"
        statements = [
            iam.PolicyStatement(
                actions=["s3:GetReplicationConfiguration", "s3:ListBucket"],
                resources=[self.bucket.bucket_arn],
            ),
            iam.PolicyStatement(
                actions=list(REPLICATION_SOURCE_ACTIONS[2:]),
                resources=[source_objects],
            ),
            iam.PolicyStatement(
                actions=["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                resources=[replica_objects],
            ),
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[props.key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"},
                    "StringLike": {"kms:EncryptionContext:aws:s3:arn": [f"{self.bucket.bucket_arn}*"]},
                },
            ),
            iam.PolicyStatement(
                actions=["kms:Encrypt", "kms:GenerateDataKey"],
                resources=[props.replica.key_arn_pattern],
                conditions={
                    "StringLike": {"kms:EncryptionContext:aws:s3:arn": [f"{props.replica.bucket_arn}*"]},
                    "ForAnyValue:StringEquals": {"kms:ResourceAliases": [props.replica.key_alias]},
                },
            ),
        ]
        policy = iam.ManagedPolicy(
            self, "ReplicationPolicy", statements=statements, roles=[self.replication_role]
        )
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{finding_text(self, source_objects)}]",
            "Replication reads every object version of this bucket: the object-level actions need "
            "the bucket's /* ARN and nothing wider.",
        )
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{finding_text(self, replica_objects)}]",
            "Replication writes every object of the DR bucket: the object-level actions need its /* "
            "ARN and nothing wider.",
        )
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{finding_text(self, props.replica.key_arn_pattern)}]",
            "The DR key lives in the other region and its id is not known here; the "
            "kms:ResourceAliases condition narrows this to the tenant's DR key alias.",
        )
