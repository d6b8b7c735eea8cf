"""The tenant's CDK assets (issue 19.4): the objects its stacks' asset manifests publish to the
CDK bootstrap bucket of each region (`cdk-hnb659fds-assets-<account>-<region>`), templates among
them (they carry the security contact, CIDRs and display name); and the template `deploy --local`
publishes under its SHA-256 when a stack's manifest does not name it (`deploy_local`).

Ownership is exact: each object is the bucket and exact key a manifest names, never a prefix.
Assets are content-addressed, so two tenants' stacks can name the same object (the same custom-
resource code): an object any other stack of the cloud assemblies names is kept, and the report
says so (`shared`). The rest is deleted, every version and delete marker of that exact key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenantkit import naming
from tenantkit.compliance.assembly import all_stack_names, stack_artifacts
from tenantkit.lifecycle.offboarding.resources import Progress, Scope, Target, _absent
from tenantkit.naming import cdk_assets_bucket

KIND = "cdk asset"


@dataclass(frozen=True, order=True)
class AssetObject:
    """One object a stack's asset manifest publishes: its region, bucket and exact key."""

    region: str
    bucket: str
    key: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key} ({self.region})"


def assemblies_under(outdir: Path) -> tuple[Path, ...]:
    """The cloud assemblies `tenantkit synth` wrote: `<outdir>/<tenant-id>/` (and `outdir` itself
    when it is one), each a directory with a `manifest.json`."""
    candidates = [outdir, *(sorted(outdir.iterdir()) if outdir.is_dir() else [])]
    return tuple(path for path in candidates if (path / "manifest.json").is_file())


def published_objects(assembly_dir: Path, stack_names: Sequence[str], *, account: str) -> set[AssetObject]:
    """What the named stacks of a cloud assembly publish: every file asset destination of their
    asset manifests, and the template of a stack whose manifest does not name it, under its
    SHA-256 in the bootstrap bucket (where `deploy --local` puts it)."""
    found = set()
    for artifact in stack_artifacts(assembly_dir, stack_names):
        sources = set()
        manifest = json.loads(artifact.assets_file.read_text()) if artifact.assets_file else {}
        for asset in manifest.get("files", {}).values():
            sources.add(asset["source"]["path"])
            for destination in asset["destinations"].values():
                region = destination.get("region") or artifact.region
                bucket = destination["bucketName"].replace("${AWS::AccountId}", account).replace("${AWS::Region}", region)
                found.add(AssetObject(region, bucket, destination["objectKey"]))
        if artifact.template_file.name not in sources:
            key = f"{hashlib.sha256(artifact.template_text().encode()).hexdigest()}.json"
            found.add(AssetObject(artifact.region, cdk_assets_bucket(account, artifact.region), key))
    return found


class AssetsUnknown(Exception):
    """Which of the tenant's asset objects are shared cannot be told (a neighbour's stacks are not
    in the cloud assemblies, or the tenant's are not): none is deleted."""


def tenant_assets(
    assemblies: Sequence[Path], stack_names: Sequence[str], *, account: str, neighbours: Sequence[str] | None = ()
) -> tuple[tuple[AssetObject, ...], tuple[AssetObject, ...]]:
    """(the tenant's own objects, those of them shared): the objects the tenant's stacks
    (`stack_names`) publish in any of the cloud assemblies, and which of these any other stack of
    those assemblies publishes too. Every other tenant of the fleet (`neighbours`; None: unknown)
    must have stacks in the assemblies, else AssetsUnknown: an object only a missing neighbour's
    manifest names would look like the tenant's own."""
    if not assemblies:
        return (), ()
    present = {name for assembly in assemblies for name in all_stack_names(assembly)}
    if not present & set(stack_names):
        raise AssetsUnknown("the cloud assembly holds none of the tenant's stacks")
    if neighbours is None:
        raise AssetsUnknown("the fleet's tenant files could not all be read, so which assets are shared is unknown")
    missing = [tenant for tenant in neighbours if not present & set(naming.stack_names(tenant))]
    if missing:
        raise AssetsUnknown(f"the cloud assembly lacks the stacks of {len(missing)} other tenant(s) ({', '.join(missing[:3])}): which assets they share is unknown")
    own: set[AssetObject] = set()
    others: set[AssetObject] = set()
    for assembly in assemblies:
        present_here = all_stack_names(assembly)
        own |= published_objects(assembly, [name for name in stack_names if name in present_here], account=account)
        others |= published_objects(assembly, [name for name in present_here if name not in stack_names], account=account)
    return tuple(sorted(own - others)), tuple(sorted(own & others))


def _versions(s3: Any, bucket: str, key: str) -> list[dict[str, str]]:
    """Every version and delete marker of exactly `key` (the listing's prefix is the key itself;
    longer keys it also returns are not this object)."""
    listed = _absent(lambda: [
        item for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key)
        for item in (*page.get("Versions", []), *page.get("DeleteMarkers", []))
    ])  # fmt: skip
    return [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in listed or [] if v["Key"] == key]


def find_assets(scope: Scope) -> Iterable[Target]:
    for asset in scope.assets:
        versions = _versions(scope.client("s3", asset.region), asset.bucket, asset.key)
        if versions:
            yield Target(
                KIND, asset.region, f"{asset.bucket}/{asset.key}", f"arn:aws:s3:::{asset.bucket}/{asset.key}",
                counts={"object_versions": len(versions)}, extra={"bucket": asset.bucket, "key": asset.key},
            )  # fmt: skip


def destroy_asset(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    """Every version of the one object, journaled as a batch before it is deleted."""
    s3 = scope.client("s3", target.region)
    bucket, key = target.extra["bucket"], target.extra["key"]
    versions = _versions(s3, bucket, key)
    pending = progress.in_flight()
    if pending is not None:  # an interrupted batch: what of it is gone was deleted
        remaining = {(v["Key"], v["VersionId"]) for v in versions}
        progress.settle({"object_versions": sum(1 for k, v in pending.get("object_versions", []) if (k, v) not in remaining)})
    progress({"object_versions": 0})
    if versions:
        progress.begin({"object_versions": [[v["Key"], v["VersionId"]] for v in versions]})
        answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": versions, "Quiet": False})
        progress.settle({"object_versions": len(answer.get("Deleted", []))})
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise RuntimeError(f"s3://{bucket}/{key}: {first.get('Code')}: {first.get('Message')}")
    return {}
