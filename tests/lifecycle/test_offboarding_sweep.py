"""Offboarding sweeps the whole residency zone, then the whole account, in-process moto with
tenantkit's emulator extensions (issue 19 item 2): three tenants deployed (`acme`, `acme-corp`
whose id is acme's plus a suffix, and `globex`), then, by hand, copies of acme's data where the
old discovery never looked: a snapshot copied to a third region of the zone under another name,
an instance restored from it there (tagged with acme), a recovery point in the account's Default
vault, an Enhanced Monitoring stream, and a topic tagged with acme outside the zone (a residency
incident). The neighbours get the same kinds of copies. Offboarding acme destroys every copy, names
each with its region in the report (the incident marked as one), and leaves the neighbours' resources
and bytes exactly as they were.

Covered elsewhere: running backup, copy and restore jobs stopped or awaited before the first
deletion (tests/lifecycle/test_offboarding_order.py, test_offboarding_copy_restore_jobs.py) and the
tenant's CDK asset objects (tests/lifecycle/test_offboarding_assets.py).
Expected values come from the tenants' names and the copies made here, never from the code under test.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tenantkit.lifecycle.offboarding.resources import MONITORING_LOG_GROUP
from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover, now, verify
from tenantkit.lifecycle.offboarding.service import Environment, build_report, scope_for
from tenantkit.naming import TenantNames
from tests.lifecycle import offboarding_tenant as deploy
from tests.lifecycle.shared_session import RegionalSession
from tests.lifecycle.test_offboarding_zone import _config, _names, aws  # noqa: F401  (aws: the autouse moto fixture)

pytestmark = pytest.mark.slow

ACCOUNT = deploy.ACCOUNT
TENANT, NEIGHBOURS = "acme", ("acme-corp", "globex")
THIRD = "us-east-2"  # in the US zone, neither tenant's primary nor secondary region
OUTSIDE = "eu-west-1"  # outside the US zone
ROLE = deploy.ROLE


def _copies(names: TenantNames) -> dict[str, tuple[str, str]]:
    """Copies of the tenant's data outside its two regions and two vaults, made by hand; what
    each is -> (region, name or ARN)."""
    tenant, primary = names.tenant_id, names.primary_region
    rds_primary, rds_third = boto3.client("rds", region_name=primary), boto3.client("rds", region_name=THIRD)
    source = rds_primary.describe_db_snapshots(DBSnapshotIdentifier=f"{tenant}-manual")["DBSnapshots"][0]
    copy = f"copied-by-hand-{tenant}"
    rds_third.copy_db_snapshot(SourceDBSnapshotIdentifier=source["DBSnapshotArn"], TargetDBSnapshotIdentifier=copy, SourceRegion=primary)
    restored = f"restored-{tenant}"
    rds_third.create_db_instance(
        DBInstanceIdentifier=restored, Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="password123", Tags=deploy.tags(tenant),
    )  # fmt: skip
    backup = boto3.client("backup", region_name=primary)
    point = backup.start_backup_job(BackupVaultName="Default", ResourceArn=TenantNames.bucket_arn(names.data_bucket), IamRoleArn=ROLE)["RecoveryPointArn"]
    instance = rds_primary.describe_db_instances(DBInstanceIdentifier=names.db_instance)["DBInstances"][0]
    logs = boto3.client("logs", region_name=primary)
    logs.create_log_stream(logGroupName=MONITORING_LOG_GROUP, logStreamName=instance["DbiResourceId"])
    topic = boto3.client("sns", region_name=OUTSIDE).create_topic(Name=f"left-behind-{tenant}", Tags=deploy.tags(tenant))["TopicArn"]
    return {
        "snapshot copy": (THIRD, copy),
        "restored instance": (THIRD, restored),
        "default vault point": (primary, point),
        "monitoring stream": (primary, instance["DbiResourceId"]),
        "incident": (OUTSIDE, topic),
    }


def _exists(what: str, region: str, name: str) -> bool:
    if what == "snapshot copy":
        return any(s["DBSnapshotIdentifier"] == name for s in boto3.client("rds", region_name=region).describe_db_snapshots()["DBSnapshots"])
    if what == "restored instance":
        return any(i["DBInstanceIdentifier"] == name for i in boto3.client("rds", region_name=region).describe_db_instances()["DBInstances"])
    if what == "default vault point":
        points = boto3.client("backup", region_name=region).list_recovery_points_by_backup_vault(BackupVaultName="Default")["RecoveryPoints"]
        return any(p["RecoveryPointArn"] == name for p in points)
    if what == "monitoring stream":
        streams = boto3.client("logs", region_name=region).describe_log_streams(logGroupName=MONITORING_LOG_GROUP)["logStreams"]
        return any(s["logStreamName"] == name for s in streams)
    topics = boto3.client("sns", region_name=region).list_topics()["Topics"]
    return any(t["TopicArn"] == name for t in topics)


def _bytes(names: TenantNames) -> dict[tuple[str, str, str], bytes]:
    """Every object version of the tenant's buckets, by (bucket, key, version): its bytes."""
    found = {}
    for region, bucket in ((names.primary_region, names.data_bucket), (names.secondary_region, names.dr_bucket)):
        s3 = boto3.client("s3", region_name=region)
        for version in s3.list_object_versions(Bucket=bucket).get("Versions", []):
            body = s3.get_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])["Body"].read()
            found[(bucket, version["Key"], version["VersionId"])] = body
    return found


def _state(tenant_id: str, copies: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """A neighbour as it stands: every resource its discovery finds (identity and counts), its
    objects' bytes, and whether each hand-made copy of its data exists."""
    targets = discover(scope_for(_config(tenant_id), _env())).targets
    return {
        "targets": sorted((t.id, t.arn, tuple(sorted(t.counts.items()))) for t in targets),
        "bytes": _bytes(_names(tenant_id)),
        "copies": {what: _exists(what, *where) for what, where in copies.items()},
    }


def _env() -> Environment:
    return Environment("test", ACCOUNT, RegionalSession, "tester")


def test_offboarding_sweeps_every_copy_in_the_zone_and_the_account_and_touches_no_neighbour(tmp_path):
    boto3.client("backup", region_name="us-east-1").create_backup_vault(BackupVaultName="Default")
    boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName=MONITORING_LOG_GROUP)
    copies = {}
    for tenant_id in (TENANT, *NEIGHBOURS):
        deploy.whole_tenant(_names(tenant_id))
        copies[tenant_id] = _copies(_names(tenant_id))
    assert all(_exists(what, *where) for made in copies.values() for what, where in made.items())
    before = {tenant_id: _state(tenant_id, copies[tenant_id]) for tenant_id in NEIGHBOURS}

    config, env = _config(TENANT), _env()
    scope = scope_for(config, env)
    plan = discover(scope)
    journal = Journal.open(tmp_path / "journal.json", tenant_id=TENANT, environment=env.name)
    journal.data.update(started_at=now(), operator=env.operator, forced=False, force_reason=None, retrieval_deadline=None)
    destroy(scope, journal, plan)
    verification = verify(scope, journal)
    assert verification.ok, verification.remaining

    assert not any(_exists(what, *where) for what, where in copies[TENANT].items()), "a copy of acme's data remains"
    assert {tenant_id: _state(tenant_id, copies[tenant_id]) for tenant_id in NEIGHBOURS} == before

    journal.data["verification"] = {"ok": True, "checked_at": verification.checked_at, "remaining": []}
    journal.data["completed_at"] = verification.checked_at
    report = build_report(config, env, journal)
    listed = {(r.name, r.region): r.kind for r in report.resources}
    (_, copy), (_, restored) = copies[TENANT]["snapshot copy"], copies[TENANT]["restored instance"]
    assert listed[(copy, THIRD)] == "db snapshot"
    assert listed[(restored, THIRD)] == "restored instance"
    assert listed[("Default", "us-east-1")] == "recovery points"
    assert listed[(copies[TENANT]["monitoring stream"][1], "us-east-1")] == "monitoring stream"
    assert "RESIDENCY INCIDENT" in listed[(copies[TENANT]["incident"][1], OUTSIDE)]
    assert not any(n in name for name, _ in listed for n in ("globex", "acme-corp")), "a neighbour's resource is in acme's report"
    assert THIRD in plan.searched["regions"] and OUTSIDE in plan.searched["tag_regions"]
    assert "Default (us-east-1)" in plan.searched["vaults"]

