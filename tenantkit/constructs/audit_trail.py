"""The account's audit trail of one region: every management call, and every object-level call
on the tenants' buckets of that region, recorded in that region (in the zone)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge
from tenantkit.constructs._checkov import skip_checkov
from tenantkit.constructs.key import ADMIN_ACTIONS, DEPLOYER_ACTIONS
from tenantkit.naming import PARTITION

MAX_SELECTOR_VALUES = 500
"""CloudTrail: "a maximum of 500 total values for all conditions in all advanced event selectors"
per trail, not adjustable; and 5 trails per region
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html)."""
FIXED_SELECTOR_VALUES = 3
"""The values every selector set spends besides bucket ARNs: `Management`, `Data`, `AWS::S3::Object`."""
MAX_NAMED_BUCKETS = MAX_SELECTOR_VALUES - FIXED_SELECTOR_VALUES


def event_selectors(bucket_names: Sequence[str]) -> tuple[list[dict[str, Any]], bool]:
    """The trail's advanced event selectors, and whether data events are recorded for every
    bucket of the region because the tenants' buckets are more than the values allow.

    Management events cover KMS (every Decrypt, GenerateDataKey...) and Secrets Manager's
    GetSecretValue: both are management events in CloudTrail, and none is excluded here."""
    management = {"Name": "Management events, KMS and Secrets Manager included", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]}]}
    data = [{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]
    names = sorted(set(bucket_names))
    every_bucket = len(names) > MAX_NAMED_BUCKETS
    if names and not every_bucket:
        data.append({"Field": "resources.ARN", "StartsWith": [f"arn:{PARTITION}:s3:::{name}/" for name in names]})
    selectors = [management]
    if names:
        name = "S3 object events, every bucket of the region" if every_bucket else "S3 object events of the tenants' buckets"
        selectors.append({"Name": name, "FieldSelectors": data})
    return selectors, every_bucket


@dataclass(frozen=True, kw_only=True)
class AuditTrailProps:
    trail_name: str
    bucket_name: str
    tenant_bucket_names: tuple[str, ...]
    """The data and DR buckets of every tenant of this account and region (from naming)."""
    reader_role_arns: tuple[str, ...]
    """The roles (ARN patterns) that may decrypt the trail's logs; nobody else can."""
    deployment_role_arn: str
    keep_for: Duration = Duration.days(400)


class AuditTrail(Construct):
    """The region's CloudTrail trail: management events and the tenants' S3 object events, log file
    validation on, in a private TLS-only bucket of the region under a key only CloudTrail encrypts
    with and only the named readers decrypt with."""

    def __init__(self, scope: Construct, id: str, props: AuditTrailProps) -> None:
        super().__init__(scope, id)
        problems = []
        if not props.reader_role_arns:
            problems.append("reader_role_arns must name at least one role")
        if any(":role/" not in arn for arn in (*props.reader_role_arns, props.deployment_role_arn)):
            problems.append("reader_role_arns and deployment_role_arn must be IAM role ARNs")
        if problems:
            raise ValueError("; ".join(problems))
        stack = Stack.of(self)
        trail_arn = f"arn:{PARTITION}:cloudtrail:{stack.region}:{stack.account}:trail/{props.trail_name}"
        account = iam.AccountRootPrincipal()
        cloudtrail_principal = iam.ServicePrincipal("cloudtrail.amazonaws.com")
        from_this_trail = {"StringEquals": {"aws:SourceArn": trail_arn}}
        self.key = kms.Key(
            self,
            "Key",
            description=f"tenantkit audit trail logs in {stack.region}",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,  # a failed first create leaves no fixed name behind
            policy=iam.PolicyDocument(statements=[
                iam.PolicyStatement(sid="AdministratorsManageButCannotUse", principals=[account],
                                    actions=list(ADMIN_ACTIONS), resources=["*"]),
                iam.PolicyStatement(sid="DeploymentRoleKeepsPolicy", principals=[account], actions=list(DEPLOYER_ACTIONS),
                                    resources=["*"], conditions={"ArnLike": {"aws:PrincipalArn": props.deployment_role_arn}}),
                iam.PolicyStatement(sid="CloudTrailEncryptsForThisTrail", principals=[cloudtrail_principal],
                                    actions=["kms:GenerateDataKey*"], resources=["*"], conditions={
                                        **from_this_trail,
                                        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{PARTITION}:cloudtrail:*:{stack.account}:trail/*"},
                                    }),
                iam.PolicyStatement(sid="CloudTrailDescribesTheKey", principals=[cloudtrail_principal],
                                    actions=["kms:DescribeKey"], resources=["*"], conditions=from_this_trail),
                iam.PolicyStatement(sid="NamedReadersDecryptTrailLogs", principals=[account], actions=["kms:Decrypt"],
                                    resources=["*"], conditions={
                                        "ArnLike": {"aws:PrincipalArn": list(props.reader_role_arns)},
                                        "Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"},
                                    }),
            ]),
        )  # fmt: skip
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=props.bucket_name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            versioned=True,
            lifecycle_rules=[s3.LifecycleRule(expiration=props.keep_for, noncurrent_version_expiration=Duration.days(30))],
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,  # a failed first create leaves no fixed name behind
        )
        self.bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudTrailReadsTheAcl", principals=[cloudtrail_principal], actions=["s3:GetBucketAcl"],
            resources=[self.bucket.bucket_arn], conditions=from_this_trail))  # fmt: skip
        self.bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudTrailWritesThisTrailsLogs", principals=[cloudtrail_principal], actions=["s3:PutObject"],
            resources=[self.bucket.arn_for_objects(f"AWSLogs/{stack.account}/*")],
            conditions={"StringEquals": {"aws:SourceArn": trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"}}))  # fmt: skip
        selectors, self.records_every_bucket = event_selectors(props.tenant_bucket_names)
        self.trail = cloudtrail.CfnTrail(
            self,
            "Trail",
            trail_name=props.trail_name,
            is_logging=True,
            s3_bucket_name=self.bucket.bucket_name,
            kms_key_id=self.key.key_arn,
            enable_log_file_validation=True,
            is_multi_region_trail=False,  # its records stay in this region, in the tenants' zone
            include_global_service_events=True,
            advanced_event_selectors=[
                cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
                    name=s["Name"],
                    field_selectors=[
                        cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(
                            field=f["Field"], equal_to=f.get("Equals"), starts_with=f.get("StartsWith")
                        )
                        for f in s["FieldSelectors"]
                    ],
                )
                for s in selectors
            ],
        )
        policy = self.bucket.policy
        if policy is not None:
            self.trail.node.add_dependency(policy)
        resource = cast(s3.CfnBucket, self.bucket.node.default_child)
        reason = (
            "This bucket holds the region's CloudTrail logs: object-level access to it is recorded by "
            "the trail's management events only, since logging it into itself or a further bucket "
            "would loop or only move the question."
        )
        acknowledge(
            resource,
            ("AwsSolutions-S1", "NIST.800.53.R5-S3BucketLoggingEnabled", "HIPAA.Security-S3BucketLoggingEnabled",
             "PCI.DSS.321-S3BucketLoggingEnabled"),
            reason,
        )  # fmt: skip
        skip_checkov(resource, "CKV_AWS_18", reason)
        acknowledge(
            resource,
            ("NIST.800.53.R5-S3BucketReplicationEnabled", "HIPAA.Security-S3BucketReplicationEnabled",
             "PCI.DSS.321-S3BucketReplicationEnabled"),
            "Audit records stay in their region (the tenants' residency zone); a copy elsewhere could leave the zone.",
        )  # fmt: skip
        skip_checkov(
            self.trail,
            "CKV_AWS_67",
            "Every account and region of the fleet has its own trail (its baseline stack), whose records stay in "
            "that region, in its tenants' residency zone; a multi-region trail would bring other regions' records "
            "here, out of their zone.",
        )
        acknowledge(
            self.trail,
            ("NIST.800.53.R5-CloudTrailCloudWatchLogsEnabled", "HIPAA.Security-CloudTrailCloudWatchLogsEnabled",
             "PCI.DSS.321-CloudTrailCloudWatchLogsEnabled"),
            "The trail's records are kept once, in this region's bucket, with log file validation; delivering "
            "every S3 object event to CloudWatch Logs too would store them twice at CloudWatch's ingestion price. "
            "Alarms on trail events are not part of this stack yet.",
        )  # fmt: skip
