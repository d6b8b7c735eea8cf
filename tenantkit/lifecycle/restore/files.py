"""Files restored beside the live ones, never over them: the tenant's bucket of a region as it
was at a moment, rebuilt from its object versions under `restores/<name>/` of the same bucket
(same key, same policy); found and discarded by that exact prefix.

The data bucket replicates every new object, so a primary-region restore's folder appears in the
DR bucket too (a cross-region copy, billed as replication); `discard` removes both.
An AWS Backup S3 recovery point is not restored through StartRestoreJob: it writes the original
keys into a bucket, so into the tenant's bucket it would put new current versions over the live
files, and a new bucket has no name that fits S3's 63 characters and stays unambiguous. The
bucket's versions are kept as long as its backups (`retention_days`), so they serve the same times.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from tenantkit.aws import pages
from tenantkit.lifecycle.restore.model import Clock, ListedRestore, Restored, Store, iso
from tenantkit.naming import RESTORES_FOLDER, TAG_RESTORE, TAG_TENANT, TenantNames

TAG_DATA_TIME = "tenantkit:data-time"
DELETE_BATCH = 1000  # DeleteObjects' limit


def versions_at(s3: Any, bucket: str, moment: datetime) -> dict[str, dict[str, Any]]:
    """key -> the version that was current at `moment` (LastModified at or before it, latest
    first), for every key that existed then; earlier restores (`restores/`) are not data."""
    latest: dict[str, tuple[datetime, bool, dict[str, Any]]] = {}
    for result_key, deleted in (("Versions", False), ("DeleteMarkers", True)):
        for version in pages(s3, "list_object_versions", result_key, Bucket=bucket):
            key, modified = version["Key"], version["LastModified"]
            if key.startswith(RESTORES_FOLDER) or modified > moment:
                continue
            if key not in latest or modified > latest[key][0]:  # S3 lists each key's newest first
                latest[key] = (modified, deleted, version)
    return {key: version for key, (_, deleted, version) in sorted(latest.items()) if not deleted}


def restore_files(
    session: Any, names: TenantNames, name: str, moment: datetime, key_arn: str, *, clock: Clock, source: str | None = None
) -> Restored:
    """Copy every version current at `moment` to `restores/<name>/<key>`, encrypted with the
    tenant key of the region and tagged with the tenant and the restore."""
    region = session.region_name
    s3 = session.client("s3")
    bucket, prefix = names.bucket_in(region), names.restore_prefix(name)
    tags = urlencode({TAG_TENANT: names.tenant_id, TAG_RESTORE: name, TAG_DATA_TIME: iso(moment)})
    started, began = clock(), time.monotonic()
    chosen = versions_at(s3, bucket, moment)
    for key, version in chosen.items():
        s3.copy(
            {"Bucket": bucket, "Key": key, "VersionId": version["VersionId"]}, bucket, prefix + key,
            ExtraArgs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn, "Tagging": tags,
                       "TaggingDirective": "REPLACE", "MetadataDirective": "COPY"},
        )  # fmt: skip
    seconds = round(time.monotonic() - began, 3)
    return Restored(
        Store.FILES, region, f"s3://{bucket}/{prefix}", source or f"versions of s3://{bucket}", iso(moment),
        iso(started), iso(clock()), seconds, {"objects": len(chosen), "bucket": bucket, "prefix": prefix},
    )  # fmt: skip


def sha256_of(s3: Any, bucket: str, key: str, version_id: str | None = None) -> str:
    body = s3.get_object(Bucket=bucket, Key=key, **({"VersionId": version_id} if version_id else {}))["Body"]
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _restore_versions(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    return [
        {"Key": v["Key"], "VersionId": v["VersionId"]}
        for result_key in ("Versions", "DeleteMarkers")
        for v in pages(s3, "list_object_versions", result_key, Bucket=bucket, Prefix=prefix)
        if v["Key"].startswith(prefix)
    ]


def list_file_restores(s3: Any, names: TenantNames, region: str) -> list[ListedRestore]:
    """Each `restores/<name>/` folder of the region's bucket whose name is a restore name."""
    from tenantkit.naming import RESTORE_NAME

    bucket = names.bucket_in(region)
    counts: dict[str, int] = {}
    for version in pages(s3, "list_objects_v2", "Contents", Bucket=bucket, Prefix=RESTORES_FOLDER):
        name = version["Key"].removeprefix(RESTORES_FOLDER).split("/", 1)[0]
        if RESTORE_NAME.fullmatch(name) and "/" in version["Key"].removeprefix(RESTORES_FOLDER):
            counts[name] = counts.get(name, 0) + 1
    found = []
    for name, count in sorted(counts.items()):
        first = next(pages(s3, "list_objects_v2", "Contents", Bucket=bucket, Prefix=names.restore_prefix(name), MaxKeys=1))
        tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=first["Key"]).get("TagSet", [])}
        found.append(ListedRestore(name, Store.FILES, region, f"s3://{bucket}/{names.restore_prefix(name)}",
                                   tags.get(TAG_DATA_TIME), "available", {"objects": count}))  # fmt: skip
    return found


def discard_files(s3: Any, names: TenantNames, name: str, region: str) -> int:
    """Delete every version and delete marker under `restores/<name>/` of the region's bucket;
    how many were removed (0: no such restore there)."""
    bucket, prefix = names.bucket_in(region), names.restore_prefix(name)
    doomed = _restore_versions(s3, bucket, prefix)
    for start in range(0, len(doomed), DELETE_BATCH):
        answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed[start : start + DELETE_BATCH], "Quiet": True})
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise RuntimeError(f"s3://{bucket}/{first['Key']}: {first.get('Code')}: {first.get('Message')}")
    return len(doomed)
