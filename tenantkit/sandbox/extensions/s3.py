"""AWS::S3::BucketPolicy in moto's S3 backend, and the bucket properties moto's CloudFormation
ignores.

moto 5.2.5 defects: AWS::S3::BucketPolicy is skipped (reported CREATE_COMPLETE); an
AWS::S3::Bucket gets only its encryption and tags: VersioningConfiguration,
ReplicationConfiguration, LoggingConfiguration, PublicAccessBlockConfiguration,
OwnershipControls are dropped (LifecycleConfiguration still is). They are applied through the backend's
own put_bucket_* methods after moto creates the bucket. Replication is recorded, not performed:
moto replicates nothing.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition

from tenantkit.sandbox.extensions._base import BackedModel, around_create


def _backend(account_id: str, region_name: str) -> Any:
    return s3_backends[account_id][get_partition(region_name)]


class BucketPolicy(BackedModel, CloudFormationModel):
    TYPE = "AWS::S3::BucketPolicy"

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> BucketPolicy:
        _backend(account_id, region_name).put_bucket_policy(p["Bucket"], json.dumps(p["PolicyDocument"]).encode())
        return cls(p["Bucket"])

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.physical_resource_id in backend.buckets:
            backend.delete_bucket_policy(self.physical_resource_id)


def _replication(config: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's ReplicationConfiguration (Rules, rule Id) in the shape moto's backend
    keeps from the API's XML (Rule, ID)."""
    rules = [{("ID" if key == "Id" else key): value for key, value in rule.items()} for rule in config["Rules"]]
    return {"Role": config["Role"], "Rule": rules}


def apply_bucket_properties(backend: Any, name: str, properties: dict[str, Any]) -> None:
    """The properties moto 5.2.5's CloudFormation drops, set through the S3 backend."""
    if "VersioningConfiguration" in properties:
        backend.put_bucket_versioning(name, properties["VersioningConfiguration"]["Status"])
    if "PublicAccessBlockConfiguration" in properties:
        backend.put_public_access_block(name, properties["PublicAccessBlockConfiguration"])
    if "OwnershipControls" in properties:
        backend.put_bucket_ownership_controls(name, properties["OwnershipControls"]["Rules"][0]["ObjectOwnership"])
    if "ReplicationConfiguration" in properties:
        backend.put_bucket_replication(name, _replication(properties["ReplicationConfiguration"]))
    logging = properties.get("LoggingConfiguration")
    if logging:
        # moto's put_bucket_logging insists that the target's policy already admits the log
        # service; CloudFormation creates that policy after this bucket (it names this bucket's
        # ARN), and AWS does not check it here, so the configuration is stored as given.
        backend.get_bucket(name).logging = {
            "TargetBucket": logging.get("DestinationBucketName", name),
            "TargetPrefix": logging.get("LogFilePrefix", ""),
        }


def _ignored_properties(bucket: FakeBucket, properties: dict[str, Any], account_id: str, region_name: str) -> None:
    apply_bucket_properties(_backend(account_id, region_name), bucket.name, properties)


def patch() -> None:
    around_create(FakeBucket, after=_ignored_properties)
