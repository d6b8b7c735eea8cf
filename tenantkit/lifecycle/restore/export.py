"""`tenantkit export`: the tenant's data handed back during the retrieval window.

An export `<name>` is a folder `exports/<name>/` of the tenant's data bucket (primary region,
tenant key, so offboarding destroys it with the bucket and lists it in its plan and report):
- `database/tkx-<id>-<name>/`: a snapshot of the primary instance exported by RDS
  (`StartExportTask`, Parquet, encrypted with the tenant key, written by the role
  `names.export_role_arn`); the snapshot is deleted once the export is complete;
- `manifest.json`: every current object of the bucket (key, size, SHA-256 read from the object,
  version id), tenantkit's own folders (`exports/`, `restores/`) excluded.

`export urls` presigns GETs of the manifest and of every file of the export, valid at most 7 days
(SigV4's limit) and never past the retrieval deadline; after the deadline it refuses.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from tenantkit.aws import pages
from tenantkit.config import TenantConfig
from tenantkit.lifecycle.restore.database import tenant_key_arn
from tenantkit.lifecycle.restore.model import Clock, Environment, RestoreRefused, iso, utc_now
from tenantkit.lifecycle.restore.service import names_of
from tenantkit.naming import EXPORTS_FOLDER, RESTORE_NAME, RESTORES_FOLDER, TAG_TENANT, TenantNames

MANIFEST = "manifest.json"
MAX_URL_SECONDS = 7 * 24 * 3600
"""SigV4 presigned URLs are valid at most 7 days."""
SNAPSHOT_WAIT = {"Delay": 30, "MaxAttempts": 240}
EXPORT_POLL_SECONDS = 60
EXPORT_DONE = {"COMPLETE"}
EXPORT_FAILED = {"FAILED", "CANCELED", "CANCELING"}


@dataclass(frozen=True)
class ManifestEntry:
    key: str
    size: int
    sha256: str
    version_id: str | None


@dataclass(frozen=True)
class ExportResult:
    tenant_id: str
    name: str
    bucket: str
    prefix: str
    database_files: tuple[str, ...]
    manifest_key: str
    objects: int
    bytes: int
    started_at: str
    finished_at: str


@dataclass(frozen=True)
class PresignedUrl:
    key: str
    url: str
    expires_at: str


def check_export_name(name: str) -> None:
    if not RESTORE_NAME.fullmatch(name):
        raise RestoreRefused(f"--as {name!r}: an export name is a letter, then letters and digits, at most 22")


def _sha256(s3: Any, bucket: str, key: str, version_id: str | None) -> str:
    extra = {"VersionId": version_id} if version_id and version_id != "null" else {}
    body = s3.get_object(Bucket=bucket, Key=key, **extra)["Body"]
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def manifest_of(s3: Any, bucket: str) -> list[ManifestEntry]:
    """Every current object of `bucket` but tenantkit's own folders, with its SHA-256 (read from the
    object itself: an upload's checksum is not always kept)."""
    entries = []
    for listed in pages(s3, "list_objects_v2", "Contents", Bucket=bucket):
        key = listed["Key"]
        if key.startswith((EXPORTS_FOLDER, RESTORES_FOLDER)):
            continue
        head = s3.head_object(Bucket=bucket, Key=key)
        version = head.get("VersionId")
        entries.append(ManifestEntry(key, int(listed["Size"]), _sha256(s3, bucket, key, version), version))
    return entries


def _exports(s3: Any, names: TenantNames) -> list[str]:
    """The names of the tenant's exports (folders `exports/<name>/` holding a manifest)."""
    found = []
    for listed in pages(s3, "list_objects_v2", "Contents", Bucket=names.data_bucket, Prefix=EXPORTS_FOLDER):
        parts = listed["Key"].split("/")
        if len(parts) == 3 and parts[2] == MANIFEST:
            found.append(parts[1])
    return sorted(found)


def _wait_for_export(rds: Any, task: str, pause: Callable[[float], None]) -> dict[str, Any]:
    while True:
        (described,) = rds.describe_export_tasks(ExportTaskIdentifier=task)["ExportTasks"]
        status = described["Status"].upper()
        if status in EXPORT_DONE:
            return described
        if status in EXPORT_FAILED:
            raise RestoreRefused(f"export task {task} ended {status}: {described.get('FailureCause', 'no cause given')}")
        pause(EXPORT_POLL_SECONDS)


def start_export(
    config: TenantConfig, env: Environment, name: str, *, clock: Clock = utc_now, pause: Callable[[float], None] | None = None
) -> ExportResult:
    """Export the database and write the manifest under `exports/<name>/`; refused (nothing made)
    when the name is taken."""
    import time as _time

    check_export_name(name)
    names = names_of(config, env)
    region = names.primary_region
    session = env.session_for(region)
    s3, rds = session.client("s3"), session.client("rds")
    prefix, task = names.export_prefix(name), names.export_task(name)
    if name in _exports(s3, names):
        raise RestoreRefused(f"{config.tenant_id} already has an export named {name} (s3://{names.data_bucket}/{prefix}): choose another --as")
    key = tenant_key_arn(session.client("kms"), names, region)
    started = clock()
    snapshot = rds.create_db_snapshot(
        DBSnapshotIdentifier=task, DBInstanceIdentifier=names.db_instance,
        Tags=[{"Key": TAG_TENANT, "Value": config.tenant_id}],
    )["DBSnapshot"]  # fmt: skip
    rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier=task, WaiterConfig=SNAPSHOT_WAIT)
    rds.start_export_task(
        ExportTaskIdentifier=task, SourceArn=snapshot["DBSnapshotArn"], S3BucketName=names.data_bucket,
        S3Prefix=f"{prefix}database", IamRoleArn=names.export_role_arn, KmsKeyId=key,
    )  # fmt: skip
    _wait_for_export(rds, task, pause or _time.sleep)
    rds.delete_db_snapshot(DBSnapshotIdentifier=task)  # the export is the copy handed back; the snapshot only fed it
    database_files = tuple(o["Key"] for o in pages(s3, "list_objects_v2", "Contents", Bucket=names.data_bucket, Prefix=f"{prefix}database/"))
    entries = manifest_of(s3, names.data_bucket)
    finished = clock()
    manifest = {
        "tenant_id": config.tenant_id, "export": name, "bucket": names.data_bucket, "created_at": iso(finished),
        "database": {"export_task": task, "source": snapshot["DBSnapshotArn"], "files": list(database_files)},
        "objects": [entry.__dict__ for entry in entries],
    }  # fmt: skip
    s3.put_object(
        Bucket=names.data_bucket, Key=f"{prefix}{MANIFEST}", Body=json.dumps(manifest, indent=2, sort_keys=True).encode(),
        ServerSideEncryption="aws:kms", SSEKMSKeyId=key, ContentType="application/json",
    )  # fmt: skip
    return ExportResult(
        config.tenant_id, name, names.data_bucket, prefix, database_files, f"{prefix}{MANIFEST}", len(entries),
        sum(e.size for e in entries), iso(started), iso(finished),
    )  # fmt: skip


def url_lifetime(deadline: date | None, now: datetime) -> int:
    """Seconds a URL issued at `now` may live: 7 days, never past the end of the retrieval
    deadline's day (UTC); RestoreRefused once the deadline has passed."""
    if deadline is None:
        return MAX_URL_SECONDS
    end = datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=now.tzinfo)
    left = int((end - now).total_seconds())
    if left <= 0:
        raise RestoreRefused(f"the retrieval deadline {deadline.isoformat()} has passed: no URL issued")
    return min(MAX_URL_SECONDS, left)


def export_urls(
    config: TenantConfig, env: Environment, name: str | None = None, *, clock: Clock = utc_now
) -> tuple[str, list[PresignedUrl]]:
    """Presigned GETs of the manifest and of the database export's files of the export `name`
    (default: the latest); (export name, URLs)."""
    from botocore.config import Config

    names = names_of(config, env)
    now = clock()
    seconds = url_lifetime(config.subscription.retrieval_deadline, now)
    s3 = env.session_for(names.primary_region).client("s3", config=Config(signature_version="s3v4"))
    exports = _exports(s3, names)
    if not exports or (name is not None and name not in exports):
        raise RestoreRefused(f"{config.tenant_id} has no export{' named ' + name if name else ''}: `tenantkit export {config.tenant_id}` first")
    chosen = name or exports[-1]
    manifest_key = f"{names.export_prefix(chosen)}{MANIFEST}"
    manifest = json.loads(s3.get_object(Bucket=names.data_bucket, Key=manifest_key)["Body"].read())
    expires = iso(now + timedelta(seconds=seconds))
    # Each object at the version the manifest names, so what is fetched is what was checksummed.
    wanted = [(k, None) for k in (manifest_key, *manifest["database"]["files"])]
    wanted += [(o["key"], o["version_id"] if o.get("version_id") not in (None, "null") else None) for o in manifest["objects"]]
    urls = []
    for key, version in wanted:
        params = {"Bucket": names.data_bucket, "Key": key, **({"VersionId": version} if version else {})}
        urls.append(PresignedUrl(key, s3.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds), expires))
    return chosen, urls
