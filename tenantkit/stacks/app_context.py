"""The context every tenant app starts with: CDK feature flags and seeded availability zones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tenantkit.config.models import TenantConfig
from tenantkit.stacks.availability_zones import seeded_az_context

FEATURE_FLAGS: Mapping[str, Any] = {
    # Grant S3 log delivery through a bucket policy instead of the legacy log-delivery ACL, so
    # access-log buckets keep ACLs disabled (bucket-owner-enforced).
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    # The replica stack reads the DR key from the dr stack (same region). Strong references
    # (CloudFormation export/import) are chosen explicitly, not left to CDK's default: the dr
    # stack, which holds the key the replica is encrypted with, cannot be deleted while the
    # replica stack still uses it.
    "@aws-cdk/core:defaultCrossStackReferences": "strong",
}


def tenant_app_context(configs: Iterable[TenantConfig], existing: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Feature flags plus real AZ names for every (account, region) the tenants deploy to."""
    existing = existing or {}
    pairs = [(c.account, region) for c in configs if c.account for region in c.regions]
    flags = {k: v for k, v in FEATURE_FLAGS.items() if k not in existing}
    return {**flags, **seeded_az_context(pairs, existing)}
