from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge
from tenantkit.constructs.bucket import deny_other_encryption, secure_bucket_defaults


@dataclass(frozen=True, kw_only=True)
class TenantDrBucketProps:
    bucket_name: str
    key: kms.IKey
    access_logs: s3.IBucket
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
        deny_other_encryption(self.bucket, props.key.key_arn)
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
