"""The tenant's CDK assets (issue 19.4), in in-process moto: a cloud assembly (the CDK's own
manifest.json and asset-manifest formats, written here) holds the tenant's three stacks and a
neighbour's. The tenant's templates, its own Lambda bundle and the template `deploy --local`
published under its SHA-256 (a stack with no asset manifest) are destroyed, every version; the
bundle both tenants' stacks publish (same content hash) is kept and reported as shared; the
neighbour's objects, and an object whose key merely starts with one of the tenant's, are
byte-for-byte unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tenantkit.lifecycle.offboarding.assets import KIND, AssetObject, AssetsUnknown, assemblies_under, tenant_assets
from tenantkit.lifecycle.offboarding.resources import Scope
from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover, verify
from tenantkit.naming import cdk_assets_bucket, stack_names
from tenantkit.sandbox.extensions import install
from tests.lifecycle.offboarding_tenant import (
    ACCOUNT,
    NAMES,
    PRIMARY,
    SECONDARY,
    TENANT,
    assembly_stack,
    sessions,
    template_key,
)

NEIGHBOUR = f"{TENANT}-x"
SHARED_ZIP, OWN_ZIP, NEIGHBOUR_ZIP = "a" * 64 + ".zip", "b" * 64 + ".zip", "c" * 64 + ".zip"


@pytest.fixture(scope="module")
def assembly(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cdk.out")
    manifest: dict[str, Any] = {"version": "36.0.0", "artifacts": {}}
    dr, primary, replica = stack_names(TENANT)
    assembly_stack(out, manifest, primary, PRIMARY, (SHARED_ZIP, OWN_ZIP))
    assembly_stack(out, manifest, dr, SECONDARY, (), with_assets=False)  # deploy --local publishes its template under its SHA-256
    assembly_stack(out, manifest, replica, SECONDARY, ())
    assembly_stack(out, manifest, stack_names(NEIGHBOUR)[1], PRIMARY, (SHARED_ZIP, NEIGHBOUR_ZIP))
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def _objects(region: str) -> dict[tuple[str, str], bytes]:
    s3 = boto3.client("s3", region_name=region)
    bucket = cdk_assets_bucket(ACCOUNT, region)
    listed = s3.list_object_versions(Bucket=bucket)
    return {(v["Key"], v["VersionId"]): s3.get_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])["Body"].read() for v in listed.get("Versions", [])}


@pytest.fixture(scope="module")
def offboarded(assembly, tmp_path_factory) -> dict[str, Any]:
    install()
    with mock_aws():
        dr, primary, replica = stack_names(TENANT)
        for region, keys in (
            (PRIMARY, [template_key(primary), template_key(primary), SHARED_ZIP, OWN_ZIP, template_key(stack_names(NEIGHBOUR)[1]), NEIGHBOUR_ZIP, OWN_ZIP + "x"]),
            (SECONDARY, [template_key(dr), template_key(replica)]),
        ):  # the tenant's primary template was published twice: two versions
            s3 = boto3.client("s3", region_name=region)
            bucket = cdk_assets_bucket(ACCOUNT, region)
            s3.create_bucket(Bucket=bucket, **({} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}))
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
            for key in keys:
                s3.put_object(Bucket=bucket, Key=key, Body=f"content of {key}".encode())
        before = _objects(PRIMARY)
        own, shared = tenant_assets([assembly], stack_names(TENANT), account=ACCOUNT)
        scope = Scope(NAMES, sessions(), assets=own)
        journal = Journal.open(tmp_path_factory.mktemp("assets") / f"{TENANT}.json", tenant_id=TENANT, environment="test")
        destroy(scope, journal, discover(scope))
        return {
            "own": own, "shared": shared, "journal": journal, "before": before, "after": _objects(PRIMARY),
            "after_secondary": _objects(SECONDARY), "verification": verify(scope, journal),
        }  # fmt: skip


def test_the_tenants_objects_are_exactly_what_only_its_manifests_name(offboarded):
    dr, primary, replica = stack_names(TENANT)
    bucket, dr_bucket = cdk_assets_bucket(ACCOUNT, PRIMARY), cdk_assets_bucket(ACCOUNT, SECONDARY)
    assert set(offboarded["own"]) == {
        AssetObject(PRIMARY, bucket, template_key(primary)), AssetObject(PRIMARY, bucket, OWN_ZIP),
        AssetObject(SECONDARY, dr_bucket, template_key(dr)), AssetObject(SECONDARY, dr_bucket, template_key(replica)),
    }  # fmt: skip
    assert offboarded["shared"] == (AssetObject(PRIMARY, bucket, SHARED_ZIP),)


def test_every_version_of_the_tenants_objects_is_deleted_and_journaled(offboarded):
    remaining = {key for key, _ in offboarded["after"]} | {key for key, _ in offboarded["after_secondary"]}
    dr, primary, replica = stack_names(TENANT)
    assert not remaining & {template_key(primary), OWN_ZIP, template_key(dr), template_key(replica)}
    journal = offboarded["journal"]
    counts = {t.name.rsplit("/", 1)[1]: journal.counts(t)["object_versions"] for t in journal.targets() if t.kind == KIND}
    assert counts == {template_key(primary): 2, OWN_ZIP: 1, template_key(dr): 1, template_key(replica): 1}
    assert offboarded["verification"].ok, offboarded["verification"].remaining


def test_the_shared_object_and_the_neighbours_are_byte_for_byte_unchanged(offboarded):
    kept = {SHARED_ZIP, NEIGHBOUR_ZIP, template_key(stack_names(NEIGHBOUR)[1]), OWN_ZIP + "x"}
    expected = {version: body for version, body in offboarded["before"].items() if version[0] in kept}
    assert len(expected) == len(kept)
    assert offboarded["after"] == expected


def test_with_no_assembly_nothing_is_searched_or_deleted(assembly):
    assert tenant_assets([], stack_names(TENANT), account=ACCOUNT) == ((), ())


def test_every_other_tenant_of_the_fleet_listed_in_the_assembly_is_what_makes_the_split_trustworthy(assembly):
    own, shared = tenant_assets([assembly], stack_names(TENANT), account=ACCOUNT, neighbours=[NEIGHBOUR])
    assert len(own) == 4 and len(shared) == 1


@pytest.mark.parametrize(
    ("stacks", "neighbours", "reason"),
    [
        (stack_names(TENANT), [NEIGHBOUR, "globex"], "lacks the stacks of 1 other tenant(s) (globex)"),  # globex's shared objects would look like acme's
        (stack_names(TENANT), None, "could not all be read"),
        (stack_names("initech"), [], "none of the tenant's stacks"),
    ],
)
def test_when_whose_assets_are_shared_is_unknown_none_is_taken_for_the_tenants(assembly, stacks, neighbours, reason):
    with pytest.raises(AssetsUnknown, match=re.escape(reason)):
        tenant_assets([assembly], stacks, account=ACCOUNT, neighbours=neighbours)


def test_the_fleets_other_tenants_are_read_from_its_directory_and_unknown_when_a_file_is_bad(write_tenant, tenant_data, tmp_path):
    from tenantkit.lifecycle.offboarding.service import neighbours_of

    for tenant_id in (TENANT, NEIGHBOUR, "globex"):
        write_tenant({**tenant_data, "tenant_id": tenant_id})
    directory = tmp_path / "tenant_configs"
    assert sorted(neighbours_of(directory, TENANT)) == sorted([NEIGHBOUR, "globex"])
    write_tenant("tenant_id: [not, valid]\n", name="broken.yaml")
    assert neighbours_of(directory, TENANT) is None


def test_the_assemblies_are_every_tenants_directory_synth_wrote(tmp_path, assembly):
    out = tmp_path / "cdk.out"
    for tenant_id in ("globex", TENANT):
        (out / tenant_id).mkdir(parents=True)
        (out / tenant_id / "manifest.json").write_text("{}")
    (out / "cache").mkdir()  # not an assembly
    assert assemblies_under(out) == (out / TENANT, out / "globex")
    assert assemblies_under(assembly) == (assembly,)
    assert assemblies_under(tmp_path / "absent") == ()
