from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge
from tenantkit.constructs._checkov import skip_checkov
from tenantkit.constructs.tenant_roles import TenantPrincipals, deny_everyone, not_offboarding


@dataclass(frozen=True, kw_only=True)
class TenantAccessLogBucketProps:
    bucket_name: str
    principals: TenantPrincipals
    expire_after: Duration = Duration.days(400)


class TenantAccessLogBucket(Construct):
    """Where the tenant's buckets write their S3 server access logs: private, TLS-only, versioned,
    encrypted at rest (SSE-S3, the only encryption S3 log delivery supports), retained; no record
    is deleted but by its lifecycle or the offboarding role."""

    def __init__(self, scope: Construct, id: str, props: TenantAccessLogBucketProps) -> None:
        super().__init__(scope, id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=props.bucket_name,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=props.expire_after,
                    noncurrent_version_expiration=Duration.days(30),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        self.bucket.add_to_resource_policy(
            deny_everyone(
                "OnlyLifecycleAndOffboardingDelete",
                ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteBucket"],
                [self.bucket.bucket_arn, self.bucket.arn_for_objects("*")],
                not_offboarding(props.principals),
            )
        )
        resource = cast(s3.CfnBucket, self.bucket.node.default_child)
        acknowledge(
            resource,
            (
                "NIST.800.53.R5-S3DefaultEncryptionKMS",
                "HIPAA.Security-S3DefaultEncryptionKMS",
                "PCI.DSS.321-S3DefaultEncryptionKMS",
            ),
            "S3 server access log delivery only writes to SSE-S3 buckets; SSE-KMS would drop "
            "every log. The bucket is private and TLS-only and holds request records, never object content.",
        )
        acknowledge(
            resource,
            (
                "NIST.800.53.R5-S3BucketReplicationEnabled",
                "HIPAA.Security-S3BucketReplicationEnabled",
                "PCI.DSS.321-S3BucketReplicationEnabled",
            ),
            "Access logs are audit records kept in their region for 400 days; they are not "
            "tenant data and need no DR copy.",
        )
        skip_checkov(
            resource,
            "CKV_AWS_18",
            "This is the access-log bucket the tenant's buckets log into; it cannot log into "
            "itself, and logging it elsewhere only moves the question to another bucket.",
        )
