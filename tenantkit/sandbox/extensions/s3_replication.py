"""S3 replication performed, as a bucket's replication configuration says.

moto 5.2.5 defect: replication configurations are stored and never acted on: a tenant's DR bucket
stays empty whatever its data bucket holds, so nothing read from the DR region (a restore there,
a drill's check) sees what AWS would. Here each new object (PutObject, CopyObject, a completed
multipart upload) of a bucket with an enabled rule whose prefix filter matches is written at once
to the rule's destination bucket (AWS: asynchronously, within 15 minutes under Replication Time
Control), encrypted with the rule's `ReplicaKmsKeyID` (an alias is resolved to its key, as AWS
records it); a delete that adds a delete marker adds one to the destination when the rule's
`DeleteMarkerReplication` is enabled. Deleting a version is never replicated (as in AWS). Object
tags and metadata are not copied; replicas are not replicated again. Only destinations in the
same account are served (tenantkit replicates within the tenant's account).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from moto.s3.models import S3Backend

from tenantkit.sandbox.extensions._base import wrap

_REPLICATING: ContextVar[bool] = ContextVar("tenantkit_s3_replicating", default=False)


def _rule_for(backend: S3Backend, bucket_name: str, key_name: str) -> tuple[dict[str, Any], Any] | None:
    """(the highest-priority enabled rule that matches the key, its destination bucket)."""
    configuration = getattr(backend.get_bucket(bucket_name), "replication", None) or {}
    rules = configuration.get("Rule", [])
    rules = [rules] if isinstance(rules, dict) else rules
    for rule in sorted(rules, key=lambda r: -int(r.get("Priority", 0) or 0)):
        prefix = (rule.get("Filter") or {}).get("Prefix", rule.get("Prefix", "")) or ""
        if rule.get("Status") != "Enabled" or not key_name.startswith(prefix):
            continue
        destination = backend.buckets.get(str(rule["Destination"]["Bucket"]).rsplit(":", 1)[-1])
        if destination is not None and destination.is_versioned:
            return rule, destination
    return None


def _replica_key(backend: S3Backend, region: str, rule: dict[str, Any]) -> str | None:
    from moto.kms.models import kms_backends

    given = ((rule.get("Destination") or {}).get("EncryptionConfiguration") or {}).get("ReplicaKmsKeyID")
    if not given:
        return None
    kms = kms_backends[backend.account_id][region]
    return kms.describe_key(kms.any_id_to_key_id(given)).arn


def _put_object(original: Callable[..., Any]) -> Callable[..., Any]:
    def put(self: S3Backend, bucket_name: str, key_name: str, value: bytes, *args: Any, **kwargs: Any) -> Any:
        key = original(self, bucket_name, key_name, value, *args, **kwargs)
        found = None if _REPLICATING.get() else _rule_for(self, bucket_name, key_name)
        if found is not None:
            rule, destination = found
            replica_key = _replica_key(self, destination.region_name, rule)
            token = _REPLICATING.set(True)
            try:
                original(self, destination.name, key_name, bytes(key.value), encryption="aws:kms" if replica_key else key.encryption,
                         kms_key_id=replica_key or key.kms_key_id)  # fmt: skip
            finally:
                _REPLICATING.reset(token)
        return key

    return put


def _delete_object(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete(self: S3Backend, bucket_name: str, key_name: str, version_id: str | None = None, *args: Any, **kwargs: Any) -> Any:
        result = original(self, bucket_name, key_name, version_id, *args, **kwargs)
        found = None if (version_id or _REPLICATING.get()) else _rule_for(self, bucket_name, key_name)
        if found is not None and (found[0].get("DeleteMarkerReplication") or {}).get("Status") == "Enabled":
            token = _REPLICATING.set(True)
            try:
                original(self, found[1].name, key_name, None)
            finally:
                _REPLICATING.reset(token)
        return result

    return delete


def patch() -> None:
    wrap(S3Backend, "put_object", _put_object)
    wrap(S3Backend, "delete_object", _delete_object)
