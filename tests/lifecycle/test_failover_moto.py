"""`failover start | status` against in-process moto with tenantkit's emulator extensions, on an
example tenant synthesized and deployed as it is (northwind-us): the DR replica promoted, both
regions' parameters and the DR secret pointed at it, the state `failed-over`, every step
journaled; a run cut by a lost primary region resumes; deploy is refused afterwards. And `export`:
the database export and a manifest whose checksums are the objects', with presigned URLs."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, region_sessions
from tenantkit.lifecycle.restore import (
    Environment,
    RestoreRefused,
    export_urls,
    failover_status,
    start_export,
    start_failover,
)
from tenantkit.lifecycle.restore.failover import STEPS, journal_path
from tenantkit.lifecycle.state import State, StateError, TenantState
from tenantkit.lifecycle.state.service import Guard, guarded, store_in
from tenantkit.naming import names_for
from tests.lifecycle.deployed_example import deploy_example, synthesized_example

pytestmark = pytest.mark.slow
TENANT = "northwind-us"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from moto import mock_aws

    root = tmp_path_factory.mktemp("failover")
    config, synthesized = synthesized_example(root, TENANT)
    with mock_aws():
        session_for = region_sessions(boto3.Session())
        deploy_example(root, TENANT, synthesized, session_for)
        names = names_for(TENANT, SANDBOX_ACCOUNT, config.primary_region, config.secondary_region)
        yield {"config": config, "env": Environment("sandbox", SANDBOX_ACCOUNT, session_for), "names": names, "root": root}


class _LostRegion:
    """A fake session of a region in an outage: every call of its clients fails to connect."""

    def __init__(self, region: str) -> None:
        self.region_name = region

    def client(self, service: str):
        session = self

        class _Client:
            def __getattr__(self, name: str):
                def fail(**_: object) -> None:
                    raise EndpointConnectionError(endpoint_url=f"https://{service}.{session.region_name}.amazonaws.com")

                return fail

        return _Client()


def _replica(world) -> dict:
    names = world["names"]
    rds = world["env"].session_for(names.secondary_region).client("rds")
    return rds.describe_db_instances(DBInstanceIdentifier=names.replica_db_instance)["DBInstances"][0]


def _parameters(world, region: str) -> dict[str, str]:
    names = world["names"]
    ssm = world["env"].session_for(region).client("ssm")
    return {p: ssm.get_parameter(Name=p)["Parameter"]["Value"] for p in (names.db_endpoint_parameter, names.bucket_parameter)}


def test_failover_promotes_points_parameters_and_secret_resumes_after_an_outage_and_stops_deploy(world, tmp_path):
    config, env, names = world["config"], world["env"], world["names"]
    store = store_in("sandbox", env.session_for, tmp_path)
    replica = _replica(world)
    assert replica.get("ReadReplicaSourceDBInstanceIdentifier") == names.db_instance_arn  # deployed as a replica
    primary_before = _parameters(world, config.primary_region)
    assert primary_before[names.bucket_parameter] == names.data_bucket

    # A tenant in offboarding is refused, nothing changed.
    store.write(names, TenantState(tenant_id=TENANT, state=State.OFFBOARDING, since="2026-12-01T00:00:00Z", by="test"))
    with pytest.raises(RestoreRefused, match=f"{TENANT} is offboarding"):
        start_failover(config, env, state_dir=tmp_path, reason="drill", by="test", store=store)
    assert _replica(world).get("ReadReplicaSourceDBInstanceIdentifier") and not journal_path(tmp_path, TENANT).exists()
    world["env"].session_for(config.primary_region).client("ssm").delete_parameter(Name=names.state_parameter)

    # The primary region is lost: the DR side is done, the run stays open at the primary's parameters.
    lost = Environment("sandbox", SANDBOX_ACCOUNT, lambda r: _LostRegion(r) if r == config.primary_region else env.session_for(r))
    with pytest.raises(EndpointConnectionError):
        start_failover(config, lost, state_dir=tmp_path, reason="us-east-1 outage", by="test", store=store)
    journal = json.loads(journal_path(tmp_path, TENANT).read_text())
    assert sorted(k.split("|")[2] for k in journal["done"]) == ["parameters-dr", "promote", "secret"]
    assert _parameters(world, config.primary_region) == primary_before

    promoted = _replica(world)
    assert "ReadReplicaSourceDBInstanceIdentifier" not in promoted and promoted["DBInstanceStatus"] == "available"
    endpoint = promoted["Endpoint"]["Address"]
    assert _parameters(world, config.secondary_region) == {names.db_endpoint_parameter: endpoint, names.bucket_parameter: names.dr_bucket}
    secrets = env.session_for(config.secondary_region).client("secretsmanager")
    described = secrets.describe_secret(SecretId=names.db_master_secret)
    assert described.get("PrimaryRegion") in (None, config.secondary_region)  # standalone in the DR region
    assert json.loads(secrets.get_secret_value(SecretId=names.db_master_secret)["SecretString"])["host"] == endpoint

    # The primary answers again: the rerun finishes, without promoting twice.
    status = start_failover(config, env, state_dir=tmp_path, reason="ignored on resume", by="test", store=store)
    assert status.complete and [s.step for s in status.steps] == list(STEPS)
    assert _parameters(world, config.primary_region) == {names.db_endpoint_parameter: endpoint, names.bucket_parameter: names.dr_bucket}
    recorded = store.read(names)
    assert recorded.state is State.FAILED_OVER and recorded.reason == "us-east-1 outage"

    # Status reads the regions; a rerun changes nothing.
    again = failover_status(config, env, state_dir=tmp_path)
    assert again.live[f"{names.replica_db_instance} ({config.secondary_region})"] == f"available, standalone, {endpoint}"
    assert again.live[f"{names.db_endpoint_parameter} ({config.primary_region})"] == endpoint
    before = journal_path(tmp_path, TENANT).read_text()
    start_failover(config, env, state_dir=tmp_path, reason="again", by="test", store=store)
    assert journal_path(tmp_path, TENANT).read_text() == before and store.read(names) == recorded

    # deploy (and drift repair) would undo it: refused, naming the way back.
    guard = Guard("deploy", lambda _: store, tmp_path, None)
    with pytest.raises(StateError, match="deploy refused, it would undo the failover"), guarded(guard, [config]):
        pass
    with guarded(Guard("drill", lambda _: store, tmp_path, None), [config]) as states:
        assert states[TENANT].state is State.FAILED_OVER  # other operations go on


def test_export_writes_the_database_export_and_a_manifest_whose_checksums_match_the_objects(world):
    config, env, names = world["config"], world["env"], world["names"]
    session = env.session_for(config.primary_region)
    s3, rds = session.client("s3"), session.client("rds")
    key = session.client("kms").describe_key(KeyId=names.key_alias)["KeyMetadata"]["Arn"]
    bodies = {"invoices/2026-11.csv": b"n,amount\n1,10\n", "logo.png": bytes(range(256)) * 40, "restores/r1/old.txt": b"a restore"}
    for name, body in bodies.items():
        s3.put_object(Bucket=names.data_bucket, Key=name, Body=body, ServerSideEncryption="aws:kms", SSEKMSKeyId=key)

    def no_pause(_: float) -> None:
        raise AssertionError("the sandbox's export is complete at once: nothing to wait for")

    result = start_export(config, env, "handback", pause=no_pause)
    manifest = json.loads(s3.get_object(Bucket=names.data_bucket, Key="exports/handback/manifest.json")["Body"].read())
    listed = {o["key"]: o for o in manifest["objects"]}
    assert set(listed) == {"invoices/2026-11.csv", "logo.png"}  # tenantkit's restores/ and exports/ are not the customer's
    for name, entry in listed.items():
        assert entry["size"] == len(bodies[name]) and entry["sha256"] == hashlib.sha256(bodies[name]).hexdigest(), name
    assert result.objects == 2 and result.bytes == sum(len(bodies[k]) for k in listed)
    assert s3.head_object(Bucket=names.data_bucket, Key="exports/handback/manifest.json")["SSEKMSKeyId"] == key

    task = f"tkx-{TENANT}-handback"
    info_key = f"exports/handback/database/{task}/export_info_{task}.json"
    assert info_key in result.database_files and manifest["database"]["files"] == list(result.database_files)
    info = json.loads(s3.get_object(Bucket=names.data_bucket, Key=info_key)["Body"].read())
    assert info["exportTaskIdentifier"] == task and info["kmsKeyId"] == key and info["iamRoleArn"] == names.export_role_arn
    assert info["sourceArn"].endswith(f":snapshot:{task}") and "emulated" in info
    (described,) = rds.describe_export_tasks(ExportTaskIdentifier=task)["ExportTasks"]
    assert described["S3Bucket"] == names.data_bucket and described["Status"].upper() == "COMPLETE"
    assert not [s for s in rds.describe_db_snapshots()["DBSnapshots"] if s["DBSnapshotIdentifier"] == task]  # fed the export, then deleted

    with pytest.raises(RestoreRefused, match="already has an export named handback"):
        start_export(config, env, "handback", pause=no_pause)

    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    chosen, urls = export_urls(config, env, clock=lambda: now)
    assert chosen == "handback"
    assert [u.key for u in urls] == ["exports/handback/manifest.json", *result.database_files, *listed]
    query = parse_qs(urlparse(urls[0].url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Expires"] == [str(7 * 24 * 3600)]
    logo = parse_qs(urlparse(urls[-1].url).query)
    assert logo["versionId"] == [listed["logo.png"]["version_id"]]  # the version that was checksummed
