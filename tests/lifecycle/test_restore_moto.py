"""Restores and drills against in-process moto with tenantkit's emulator extensions, on an example
tenant synthesized and deployed as it is (northwind-us): data put in, `backup_now`, data changed
and deleted, then restored to the earlier time beside the live data. Time is a clock the test
moves (moto's and the services'), never a sleep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tenantkit.lifecycle.backup_now import backup_now
from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, region_sessions
from tenantkit.lifecycle.report import generate_keypair, load_signer, verify_report
from tenantkit.lifecycle.restore import (
    Environment,
    RestoreRefused,
    RestoreRequest,
    Store,
    discard_restore,
    list_restores,
    run_drill,
    start_restore,
    write_drill_report,
)
from tenantkit.naming import TAG_RESTORE, TAG_TENANT, names_for
from tests.lifecycle.deployed_example import deploy_example, synthesized_example

pytestmark = pytest.mark.slow
TENANT = "northwind-us"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    """One moved clock for moto (naive UTC, as moto keeps it) and for the services (aware)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def move(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def __call__(self) -> datetime:
        return self.now

    def naive(self) -> datetime:
        return self.now.replace(tzinfo=None)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from moto import mock_aws

    root = tmp_path_factory.mktemp("restore")
    config, synthesized = synthesized_example(root, TENANT)
    clock = Clock(T0)
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        for module in ("moto.s3.models", "moto.rds.models", "tenantkit.sandbox.extensions.backup_jobs", "tenantkit.sandbox.extensions.clock"):
            patch.setattr(f"{module}.utcnow", clock.naive)
        deploy_example(root, TENANT, synthesized, region_sessions(boto3.Session()))
        names = names_for(TENANT, SANDBOX_ACCOUNT, config.primary_region, config.secondary_region)
        env = Environment("sandbox", SANDBOX_ACCOUNT, region_sessions(boto3.Session()))
        s3 = env.session_for(config.primary_region).client("s3")
        key = env.session_for(config.primary_region).client("kms").describe_key(KeyId=names.key_alias)["KeyMetadata"]["Arn"]

        def put(name: str, body: bytes) -> None:
            s3.put_object(Bucket=names.data_bucket, Key=name, Body=body, ServerSideEncryption="aws:kms", SSEKMSKeyId=key)

        for name in ("a.txt", "b.txt", "deep/c.txt"):
            put(name, f"first {name}".encode())
        backup_at = clock.move(minutes=10)
        run = backup_now(TENANT, account=SANDBOX_ACCOUNT, primary_region=config.primary_region,
                         secondary_region=config.secondary_region, session_for=env.session_for)  # fmt: skip
        clock.move(minutes=10)
        put("a.txt", b"second a.txt")
        s3.delete_object(Bucket=names.data_bucket, Key="b.txt")
        put("d.txt", b"new d.txt")
        clock.move(minutes=10)
        yield {"config": config, "env": env, "names": names, "clock": clock, "run": run, "backup_at": backup_at,
               "s3": s3, "root": root, "key": key}  # fmt: skip


def _point(world, resource_arn):
    (point,) = [p for p in world["run"].recovery_points if p.resource_arn == resource_arn]
    return point


def _request(world, name, **kwargs):
    kwargs.setdefault("region", world["config"].primary_region)
    kwargs.setdefault("stores", tuple(Store))
    return RestoreRequest(name=name, **kwargs)


def _versions(s3, bucket, prefix=""):
    listed = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    return sorted((v["Key"], v["VersionId"]) for v in listed.get("Versions", []) + listed.get("DeleteMarkers", []))


def test_files_restored_to_the_earlier_time_are_exactly_the_earlier_versions_and_the_live_ones_untouched(world):
    s3, names = world["s3"], world["names"]
    live_before = _versions(s3, names.data_bucket)
    result = start_restore(world["config"], world["env"], _request(world, "before", to=world["backup_at"], stores=(Store.FILES,)),
                           clock=world["clock"])  # fmt: skip
    (files,) = result.restored
    assert files.made == f"s3://{names.data_bucket}/restores/before/" and files.details["objects"] == 3
    listed = s3.list_objects_v2(Bucket=names.data_bucket, Prefix="restores/before/")["Contents"]
    bodies = {o["Key"]: s3.get_object(Bucket=names.data_bucket, Key=o["Key"])["Body"].read() for o in listed}
    assert bodies == {f"restores/before/{k}": f"first {k}".encode() for k in ("a.txt", "b.txt", "deep/c.txt")}
    assert _versions(s3, names.data_bucket, "a.txt") + _versions(s3, names.data_bucket, "b.txt") + _versions(
        s3, names.data_bucket, "d.txt") + _versions(s3, names.data_bucket, "deep/") == live_before  # fmt: skip
    assert s3.get_object(Bucket=names.data_bucket, Key="a.txt")["Body"].read() == b"second a.txt"
    head = s3.head_object(Bucket=names.data_bucket, Key="restores/before/a.txt")
    assert head["SSEKMSKeyId"] == world["key"]
    tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=names.data_bucket, Key="restores/before/a.txt")["TagSet"]}
    assert tags[TAG_RESTORE] == "before" and tags[TAG_TENANT] == TENANT


def test_a_database_restored_from_a_recovery_point_comes_from_it_in_new_protected_resources(world):
    names, config = world["names"], world["config"]
    point = _point(world, names.db_instance_arn)
    result = start_restore(config, world["env"], _request(world, "frompoint", recovery_point=point.recovery_point_arn),
                           clock=world["clock"])  # fmt: skip
    (database,) = result.restored
    assert database.store is Store.DATABASE and database.source == point.recovery_point_arn
    assert database.data_time == "2026-12-01T09:10:00Z"
    rds = world["env"].session_for(config.primary_region).client("rds")
    made = rds.describe_db_instances(DBInstanceIdentifier=f"tkrestore-{TENANT}-frompoint")["DBInstances"][0]
    live = rds.describe_db_instances(DBInstanceIdentifier=names.db_instance)["DBInstances"][0]
    assert made["DBInstanceArn"] == database.made and made["DeletionProtection"] is True
    assert made["KmsKeyId"] == world["key"] and made["StorageEncrypted"]
    assert made["DBSubnetGroup"]["DBSubnetGroupName"] == live["DBSubnetGroup"]["DBSubnetGroupName"]
    assert made["VpcSecurityGroups"] == live["VpcSecurityGroups"]
    assert made["EngineVersion"] == config.database.engine_version
    tags = {t["Key"]: t["Value"] for t in made["TagList"]}
    assert tags[TAG_TENANT] == TENANT and tags[TAG_RESTORE] == "frompoint" and tags["tenantkit:restored-from"] == point.recovery_point_arn
    assert live["DBInstanceStatus"] == "available"


def test_a_database_restored_in_the_secondary_region_comes_from_the_latest_copy_under_the_dr_key(world):
    names, config = world["names"], world["config"]
    copy = _point(world, names.db_instance_arn).copies[0]
    result = start_restore(config, world["env"], _request(world, "dr", latest=True, region=config.secondary_region,
                                                          stores=(Store.DATABASE,)), clock=world["clock"])  # fmt: skip
    (database,) = result.restored
    assert database.source == copy.recovery_point_arn and database.region == config.secondary_region
    assert database.data_time == "2026-12-01T09:10:00Z"
    session = world["env"].session_for(config.secondary_region)
    dr_key = session.client("kms").describe_key(KeyId=names.key_alias)["KeyMetadata"]["Arn"]
    made = session.client("rds").describe_db_instances(DBInstanceIdentifier=f"tkrestore-{TENANT}-dr")["DBInstances"][0]
    assert made["KmsKeyId"] == dr_key


def test_files_restored_in_the_secondary_region_come_from_the_replica_bucket_as_it_was(world):
    names, config = world["names"], world["config"]
    session = world["env"].session_for(config.secondary_region)
    result = start_restore(config, world["env"], _request(world, "drfiles", to=world["backup_at"], region=config.secondary_region,
                                                          stores=(Store.FILES,)), clock=world["clock"])  # fmt: skip
    (files,) = result.restored
    assert files.made == f"s3://{names.dr_bucket}/restores/drfiles/" and files.source == f"versions of s3://{names.dr_bucket}"
    s3 = session.client("s3")
    listed = s3.list_objects_v2(Bucket=names.dr_bucket, Prefix="restores/drfiles/")["Contents"]
    assert {o["Key"]: s3.get_object(Bucket=names.dr_bucket, Key=o["Key"])["Body"].read() for o in listed} == {
        f"restores/drfiles/{k}": f"first {k}".encode() for k in ("a.txt", "b.txt", "deep/c.txt")}  # fmt: skip
    dr_key = session.client("kms").describe_key(KeyId=names.key_alias)["KeyMetadata"]["Arn"]
    assert s3.head_object(Bucket=names.dr_bucket, Key="restores/drfiles/a.txt")["SSEKMSKeyId"] == dr_key


def test_a_database_restored_to_a_time_is_a_point_in_time_restore_of_the_live_instance(world):
    config = world["config"]
    result = start_restore(config, world["env"], _request(world, "pitr", to=world["backup_at"], stores=(Store.DATABASE,)),
                           clock=world["clock"])  # fmt: skip
    (database,) = result.restored
    assert database.source == f"point-in-time of {world['names'].db_instance_arn}" and database.data_time == "2026-12-01T09:10:00Z"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"to": T0 - timedelta(days=40)}, "outside the database's retention"),
        ({"to": T0 + timedelta(days=1)}, "outside the database's retention"),
        ({"recovery_point": "arn:aws:rds:us-east-1:123456789012:snapshot:someone-else"}, "is not a recovery point of vault"),
        ({"latest": True, "name": "frompoint"}, "already has a restore named frompoint"),
        ({}, "exactly one of --to TIME, --recovery-point ARN, --latest"),
        ({"latest": True, "name": "Bad-Name"}, "a restore name is a letter"),
    ],
)
def test_refused_requests_change_nothing(world, change, message):
    config, env = world["config"], world["env"]
    start_restore(config, env, _request(world, "frompoint", latest=True, stores=(Store.DATABASE,)), clock=world["clock"]) if not any(
        r.name == "frompoint" for r in list_restores(config, env)) else None  # fmt: skip
    before = list_restores(config, env)
    name = change.pop("name", "refused")
    with pytest.raises(RestoreRefused, match=message):
        start_restore(config, env, _request(world, name, **change), clock=world["clock"])
    assert list_restores(config, env) == before


def test_discard_deletes_exactly_the_named_restore_and_refuses_other_names(world):
    config, env, names, s3 = world["config"], world["env"], world["names"], world["s3"]
    start_restore(config, env, _request(world, "gone", latest=True), clock=world["clock"])
    start_restore(config, env, _request(world, "gonetoo", latest=True, stores=(Store.FILES,)), clock=world["clock"])
    for wrong in ("gon", "tenantkit", "restores", "goneto"):
        with pytest.raises(RestoreRefused, match="has no restore named|is not a restore name"):
            discard_restore(config, env, wrong)
    gone = discard_restore(config, env, "gone")
    assert names.restore_db_instance_arn("gone", config.primary_region) in gone
    remaining = {(r.name, r.store) for r in list_restores(config, env)}
    assert ("gone", Store.DATABASE) not in remaining and ("gone", Store.FILES) not in remaining
    assert ("gonetoo", Store.FILES) in remaining
    assert s3.list_objects_v2(Bucket=names.data_bucket, Prefix="restores/gonetoo/")["KeyCount"] == 3
    assert s3.get_object(Bucket=names.data_bucket, Key="a.txt")["Body"].read() == b"second a.txt"


def test_a_drill_restores_checks_deletes_and_writes_a_report_that_verifies(world):
    config, env = world["config"], world["env"]
    before = list_restores(config, env)
    private, public = generate_keypair(world["root"] / "keys")
    report = run_drill(config, env, clock=world["clock"])
    assert [(c.store, c.region) for c in report.stores] == [
        ("database", config.primary_region), ("files", config.primary_region),
        ("database", config.secondary_region), ("files", config.secondary_region),
    ]  # fmt: skip
    by = {(c.store, c.region): c for c in report.stores}
    primary_db = by[("database", config.primary_region)]
    assert primary_db.ok, primary_db.checks
    assert primary_db.rpo_seconds == 20 * 60 and primary_db.rpo_promised_seconds == 3600
    assert report.ok and all(c.ok for c in report.stores), [c.checks for c in report.stores]
    assert list_restores(config, env) == before  # scratch resources deleted
    written = write_drill_report(report, world["root"] / "reports", load_signer(private))
    assert written.json.name.startswith("drill-") and written.json.parent.name == TENANT
    verified = verify_report(written.json, public)
    assert verified.ok, verified.reason
    from typer.testing import CliRunner

    from tenantkit.cli.main import app

    cli = CliRunner().invoke(app, ["report", "verify", str(written.json), "--public-key", str(public)])
    assert cli.exit_code == 0 and f"drill of tenant {TENANT} (sandbox run), 4 stores checked, passed" in cli.output, cli.output
    assert "PASSED" in written.markdown.read_text()
    tampered = written.json.read_bytes().replace(b'"ok":true', b'"ok":false', 1)
    written.json.write_bytes(tampered)
    assert not verify_report(written.json, public).ok


def test_a_drill_whose_recovery_points_are_older_than_promised_fails(world):
    config, env = world["config"], world["env"]
    late = Clock(world["clock"].now + timedelta(hours=3))
    report = run_drill(config, env, clock=late)
    primary_db = next(c for c in report.stores if c.store == "database" and c.region == config.primary_region)
    assert not report.ok and not primary_db.ok and primary_db.checks["rpo within the promise"].startswith(f"{3 * 3600 + 20 * 60} s")



def test_in_the_secondary_region_a_time_restores_the_database_copy_taken_at_or_before_it(world):
    config, names = world["config"], world["names"]
    copy = _point(world, names.db_instance_arn).copies[0]
    result = start_restore(config, world["env"], _request(world, "drtime", to=world["backup_at"] + timedelta(minutes=5),
                                                          region=config.secondary_region, stores=(Store.DATABASE,)), clock=world["clock"])  # fmt: skip
    assert [r.source for r in result.restored] == [copy.recovery_point_arn]
    with pytest.raises(RestoreRefused, match="no recovery point of tenantkit-northwind-us in tenantkit-northwind-us-dr .* at or before"):
        start_restore(config, world["env"], _request(world, "drearly", to=world["backup_at"] - timedelta(minutes=5),
                                                     region=config.secondary_region, stores=(Store.DATABASE,)), clock=world["clock"])  # fmt: skip


def test_latest_files_are_the_bucket_as_it_was_at_its_latest_recovery_point(world):
    names = world["names"]
    point = _point(world, names.data_bucket_arn)
    result = start_restore(world["config"], world["env"], _request(world, "latestfiles", latest=True, stores=(Store.FILES,)),
                           clock=world["clock"])  # fmt: skip
    (files,) = result.restored
    assert files.data_time == "2026-12-01T09:10:00Z" and files.source.startswith(point.recovery_point_arn)
    keys = {o["Key"] for o in world["s3"].list_objects_v2(Bucket=names.data_bucket, Prefix="restores/latestfiles/")["Contents"]}
    assert keys == {f"restores/latestfiles/{k}" for k in ("a.txt", "b.txt", "deep/c.txt")}
