from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge
from tenantkit.constructs.bucket import deny_other_encryption, deny_outside_tenant, secure_bucket_defaults
from tenantkit.constructs.tenant_roles import TenantPrincipals


@dataclass(frozen=True, kw_only=True)
class TenantDrBucketProps:
    bucket_name: str
    key: kms.IKey
    access_logs: s3.IBucket
    key_alias_arn: str
    """The DR key's alias ARN: an upload (or the replication's re-encryption) may name it."""
    principals: TenantPrincipals
    """The primary bucket's replication role is one of the tenant's roles (its path): it passes."""
    noncurrent_versions_kept: Duration
    """Old versions of replicated objects are kept as long as the DR copies are promised."""


class TenantDrBucket(Construct):
    """The destination of the tenant bucket's replication, in the DR region: private, TLS-only,
    versioned, encrypted with the tenant's DR key, access-logged, retained."""

    def __init__(self, scope: Construct, id: str, props: TenantDrBucketProps) -> None:
        super().__init__(scope, id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            **secure_bucket_defaults(
                props.bucket_name, props.key, props.access_logs, "dr/", props.noncurrent_versions_kept
            ),
        )
        deny_other_encryption(self.bucket, [props.key.key_arn, props.key.key_id, props.key_alias_arn])
        deny_outside_tenant(self.bucket, props.principals)
        acknowledge(
            cast(s3.CfnBucket, self.bucket.node.default_child),
            (
                "NIST.800.53.R5-S3BucketReplicationEnabled",
                "HIPAA.Security-S3BucketReplicationEnabled",
                "PCI.DSS.321-S3BucketReplicationEnabled",
            ),
            "This bucket is the replica: it is the DR copy of the tenant bucket; a third copy "
            "would need a third region the residency zone may not have.",
        )
