"""The tenant's access and audit records, kept when its contract says they outlive its data.

When the tenant file sets `offboarding.keep_audit_records_days: N`, offboarding exports, before
it destroys anything, every audit record the tenant's deployment holds: the events of its WAF,
database and VPC flow log groups (one JSON object a line) and the objects of its two access-log
buckets, into the archive bucket fleet.yaml names for the tenant's residency zone
(`offboarding.archive_buckets`). The archive bucket must encrypt with SSE-KMS by default (the
operator's key): anything else is refused before anything is touched. Every archived object is
tagged with the tenant and its expiry date, and the bucket gets one lifecycle rule per expiry
date (`tenantkit-expires-<date>`, filtered on that tag) that deletes them on that date.

Records in a shared trail cannot be deleted per tenant; tenantkit deploys no trail, so the records
of the tenant's API calls stay in the account's CloudTrail event history (`SHARED_TRAIL`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from botocore.exceptions import ClientError

from tenantkit.aws import Failure, classify, error_code, pages
from tenantkit.lifecycle.offboarding.resources import Scope, Target

EXPIRES_TAG = "tenantkit:expires-on"
ARCHIVED_TENANT_TAG = "tenantkit:archived-tenant"
"""Not `tenantkit:tenant`: an archive is the operator's, and outlives the tenant on purpose."""
EVENTS_PER_OBJECT = 10_000

SHARED_TRAIL = (
    "Records of the tenant's API calls in CloudTrail: tenantkit deploys no trail, so none is exported "
    "or deleted here. They remain in the account's CloudTrail event history in each region searched "
    "(management events, kept by AWS for 90 days after each call) and in any trail the account's "
    "owner runs, until that trail's own retention ends; a shared trail cannot be deleted per tenant."
)


class ArchiveRefused(Exception):
    """The archive cannot be written; nothing of the tenant was destroyed. One line."""


@dataclass(frozen=True)
class ArchiveBucket:
    name: str
    region: str


def audit_sources(scope: Scope, targets: tuple[Target, ...]) -> list[Target]:
    """The targets that hold access and audit records: the WAF, database and flow log groups and
    the access-log buckets (the tenant's application logs under /tenantkit/<id>/ are data, not
    audit records)."""
    names = scope.names
    flow = {names.flow_log_group, names.replica_flow_log_group}
    _, database, replica = names.log_group_paths

    def audit(target: Target) -> bool:
        if target.kind == "log group":
            return target.name == names.waf_log_group or target.name in flow or target.name.startswith((database, replica))
        return target.kind == "bucket" and target.name in (names.access_log_bucket, names.dr_access_log_bucket)

    return [target for target in targets if audit(target)]


def check_archive(s3: Any, bucket: str) -> None:
    """The archive bucket exists and encrypts with SSE-KMS by default; else ArchiveRefused."""
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as error:
        raise ArchiveRefused(f"archive bucket {bucket}: {error_code(error)}: nothing destroyed") from None
    algorithms = {r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules}
    if not algorithms & {"aws:kms", "aws:kms:dsse"}:
        raise ArchiveRefused(f"archive bucket {bucket}: its default encryption is not SSE-KMS (the operator's key): nothing destroyed")


def export(
    scope: Scope, sources: list[Target], archive: ArchiveBucket, *, prefix: str, keep_days: int, today: date
) -> dict[str, Any]:
    """Copy every record of `sources` under `prefix` of the archive; return what the report lists
    (bucket, region, prefix, objects, expires_on, sources). Rerunnable: the same prefix and keys."""
    s3 = scope.client("s3", archive.region)
    check_archive(s3, archive.name)
    expires_on = (today + timedelta(days=keep_days)).isoformat()
    tagging = f"{ARCHIVED_TENANT_TAG}={scope.tenant_id}&{EXPIRES_TAG}={expires_on}"
    _expire_on(s3, archive.name, expires_on)
    objects = 0
    for source in sources:
        if source.kind == "bucket":
            objects += _copy_bucket(scope, source, s3, archive.name, f"{prefix}access-logs/{source.name}/", tagging)
        else:
            objects += _export_log_group(scope, source, s3, archive.name, f"{prefix}logs/{source.region}/{source.name.strip('/')}/", tagging)
    return {
        "bucket": archive.name, "region": archive.region, "prefix": prefix, "objects": objects,
        "expires_on": expires_on, "sources": [f"{s.kind} {s.name} ({s.region})" for s in sources],
    }


def _expire_on(s3: Any, bucket: str, expires_on: str) -> None:
    """One lifecycle rule per expiry date deletes the objects tagged with it on that date."""
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError as error:
        if error_code(error) != "NoSuchLifecycleConfiguration":
            raise
        rules = []
    rule_id = f"tenantkit-expires-{expires_on}"
    if any(rule.get("ID") == rule_id for rule in rules):
        return
    rules.append({
        "ID": rule_id, "Status": "Enabled",
        "Filter": {"Tag": {"Key": EXPIRES_TAG, "Value": expires_on}},
        "Expiration": {"Date": f"{expires_on}T00:00:00Z"},
    })  # fmt: skip
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})


def _copy_bucket(scope: Scope, source: Target, s3: Any, bucket: str, prefix: str, tagging: str) -> int:
    """Every current object of an access-log bucket, copied with its bytes and the archive's tags."""
    copied = 0
    for item in pages(scope.client("s3", source.region), "list_objects_v2", "Contents", Bucket=source.name):
        s3.copy_object(
            Bucket=bucket, Key=prefix + item["Key"], CopySource={"Bucket": source.name, "Key": item["Key"]},
            TaggingDirective="REPLACE", Tagging=tagging, ServerSideEncryption="aws:kms",
        )  # fmt: skip
        copied += 1
    return copied


def _export_log_group(scope: Scope, source: Target, s3: Any, bucket: str, prefix: str, tagging: str) -> int:
    """The group's events, in order, as JSON lines (`EVENTS_PER_OBJECT` per object)."""
    logs = scope.client("logs", source.region)
    written, chunk = 0, []
    try:
        for event in pages(logs, "filter_log_events", "events", logGroupName=source.name):
            chunk.append(json.dumps({k: event[k] for k in ("logStreamName", "timestamp", "message") if k in event}, sort_keys=True))
            if len(chunk) == EVENTS_PER_OBJECT:
                _put_chunk(s3, bucket, f"{prefix}part-{written:05d}.jsonl", chunk, tagging)
                written, chunk = written + 1, []
    except ClientError as error:
        if classify(error) is not Failure.ABSENT:
            raise
    if chunk:
        _put_chunk(s3, bucket, f"{prefix}part-{written:05d}.jsonl", chunk, tagging)
        written += 1
    return written


def _put_chunk(s3: Any, bucket: str, key: str, lines: list[str], tagging: str) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=("\n".join(lines) + "\n").encode(), Tagging=tagging, ServerSideEncryption="aws:kms")
