"""Data is not configuration: the encryption of a sample of each bucket's most recent objects,
and re-encrypting in place those under anything but the tenant key (`inventory --reencrypt`,
never `deploy --repair`).

An object is judged against its bucket's declared default: under `aws:kms` it must be under the
tenant key of its region; under `AES256` (S3-managed, e.g. access logs) it must not be unencrypted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tenantkit.aws import pages
from tenantkit.lifecycle.inventory.checks import Probe, TenantKeys, Unknown, _Absent, _Unreachable
from tenantkit.lifecycle.inventory.model import Inventory, Item

SAMPLE = 50
"""How many of a bucket's most recent objects are read (HeadObject each)."""
KIND = "objects"


def declared_algorithm(props: dict[str, Any]) -> str | None:
    """The bucket's declared default encryption algorithm (`aws:kms`, `AES256`), if any."""
    rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
    return rules[0].get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") if rules else None


def object_sample(session: Any, region: str, bucket: str, props: dict[str, Any], keys: TenantKeys, tenant_key: str | None, *, sample: int = SAMPLE) -> Item:
    """The item for the `sample` most recent objects of `bucket`: each one not encrypted as its
    bucket declares is a problem naming the object, its key and the declared one."""
    s3 = session.client("s3")
    probe = Probe()
    algorithm = declared_algorithm(props)
    try:
        listed = probe.find("ListObjectsV2", lambda: list(pages(s3, "list_objects_v2", "Contents", Bucket=bucket)))
    except _Absent:
        return Item(region, KIND, bucket)  # the bucket's own item says it is missing
    except _Unreachable as error:
        return Item(region, KIND, bucket, unchecked=(str(error),))
    recent = sorted(listed, key=lambda o: o["LastModified"], reverse=True)[:sample]
    problems, foreign = [], []
    for entry in recent:
        head = probe.read(f"HeadObject {entry['Key']}", lambda e=entry: s3.head_object(Bucket=bucket, Key=e["Key"]), absent=None)
        if head is None or isinstance(head, Unknown):
            continue
        actual_algorithm, actual_key = head.get("ServerSideEncryption"), head.get("SSEKMSKeyId")
        if algorithm == "aws:kms":
            wrong = actual_algorithm != "aws:kms" or bool(keys.judge(actual_key, probe))
            declared = f"aws:kms under the tenant key {tenant_key or '(not found)'}"
        else:
            wrong = algorithm is not None and actual_algorithm is None
            declared = algorithm or "none"
        if wrong:
            if algorithm == "aws:kms":
                foreign.append(entry["Key"])
            actual = f"{actual_algorithm} under {actual_key}" if actual_key else (actual_algorithm or "unencrypted")
            problems.append(f"object {entry['Key']}: declared {declared}, actual {actual}")
    details = {"sampled": len(recent), "of": len(listed), "foreign": foreign, "tenant_key": tenant_key}
    return Item(region, KIND, bucket, details, tuple(problems), tuple(probe.unchecked))


@dataclass(frozen=True)
class Reencrypted:
    region: str
    bucket: str
    key: str
    under: str


def reencrypt(inventory: Inventory, session_for: Callable[[str], Any]) -> list[Reencrypted]:
    """Re-encrypt in place, under the tenant key of its region, each object the inventory found
    under another key (CopyObject onto itself with SSE-KMS, metadata kept)."""
    done = []
    for item in inventory.items:
        if item.kind != KIND or not item.details.get("foreign") or not item.details.get("tenant_key"):
            continue
        s3 = session_for(item.region).client("s3")
        for key in item.details["foreign"]:
            s3.copy_object(
                Bucket=item.name, Key=key, CopySource={"Bucket": item.name, "Key": key}, MetadataDirective="COPY",
                ServerSideEncryption="aws:kms", SSEKMSKeyId=item.details["tenant_key"],
            )
            done.append(Reencrypted(item.region, item.name, key, item.details["tenant_key"]))
    return done
