"""Discovery sweeps the residency zone and the account, exactly (issue 19 item 2), one property
per test, in-process moto with tenantkit's emulator extensions. `acme` is offboarded beside
`acme-corp` (its id plus a suffix): every copy of acme's is found wherever in the zone it is, and
nothing of acme-corp's, however alike the names. The whole three-tenant run is
`test_offboarding_sweep.py` (slow).

Expected values come from the tenants' names and the copies made here, never from the code under test.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tenantkit.config import TenantConfig
from tenantkit.lifecycle.offboarding.resources import MONITORING_LOG_GROUP, Target
from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover, verify
from tenantkit.lifecycle.offboarding.service import Environment, scope_for
from tenantkit.naming import TAG_TENANT, TenantNames, names_for
from tenantkit.sandbox.extensions import install
from tests.conftest import MINIMAL_TENANT
from tests.lifecycle.shared_session import RegionalSession

ACCOUNT, TENANT, NEIGHBOUR = "123456789012", "acme", "acme-corp"
PRIMARY, THIRD, OUTSIDE = "us-east-1", "us-east-2", "eu-west-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/backup"


@pytest.fixture(autouse=True)
def aws():
    install()
    with mock_aws():
        yield


def _config(tenant_id: str) -> TenantConfig:
    return TenantConfig.model_validate({**MINIMAL_TENANT, "tenant_id": tenant_id, "account": ACCOUNT})


def _names(tenant_id: str) -> TenantNames:
    config = _config(tenant_id)
    return names_for(tenant_id, ACCOUNT, config.primary_region, config.secondary_region)


def _scope(tenant_id: str = TENANT):
    return scope_for(_config(tenant_id), Environment("test", ACCOUNT, RegionalSession, "tester"))


def _instance(tenant_id: str) -> dict:
    return boto3.client("rds", region_name=PRIMARY).create_db_instance(
        DBInstanceIdentifier=_names(tenant_id).db_instance, Engine="postgres", DBInstanceClass="db.t4g.medium",
        AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="password123",
        Tags=[{"Key": TAG_TENANT, "Value": tenant_id}],
    )["DBInstance"]  # fmt: skip


def _found(tenant_id: str = TENANT) -> set[tuple[str, str, str]]:
    return {(t.kind, t.region, t.name) for t in discover(_scope(tenant_id)).targets}


def test_snapshot_copies_are_found_in_every_region_of_the_zone_and_none_of_the_neighbours():
    rds, third = boto3.client("rds", region_name=PRIMARY), boto3.client("rds", region_name=THIRD)
    for tenant_id in (TENANT, NEIGHBOUR):
        _instance(tenant_id)
        source = rds.create_db_snapshot(DBInstanceIdentifier=_names(tenant_id).db_instance, DBSnapshotIdentifier=f"{tenant_id}-manual")["DBSnapshot"]
        third.copy_db_snapshot(SourceDBSnapshotIdentifier=source["DBSnapshotArn"], TargetDBSnapshotIdentifier=f"copy-of-{tenant_id}", SourceRegion=PRIMARY)
    snapshots = {(t.region, t.name) for t in discover(_scope()).targets if t.kind == "db snapshot" and t.extra["type"] == "manual"}
    assert snapshots == {(PRIMARY, "acme-manual"), (THIRD, "copy-of-acme")}


def test_the_default_vault_loses_the_tenants_points_only(tmp_path):
    """The Default vault is the account's: acme's points go; the vault and the neighbour's stay."""
    backup, s3 = boto3.client("backup", region_name=PRIMARY), boto3.client("s3", region_name=PRIMARY)
    backup.create_backup_vault(BackupVaultName="Default")
    points = {}
    for tenant_id in (TENANT, NEIGHBOUR):
        s3.create_bucket(Bucket=_names(tenant_id).data_bucket)
        arn = TenantNames.bucket_arn(_names(tenant_id).data_bucket)
        points[tenant_id] = backup.start_backup_job(BackupVaultName="Default", ResourceArn=arn, IamRoleArn=ROLE)["RecoveryPointArn"]
    scope = _scope()
    plan = discover(scope)
    assert ("recovery points", PRIMARY, "Default") in {(t.kind, t.region, t.name) for t in plan.targets}
    assert f"Default ({PRIMARY})" in plan.searched["vaults"]
    destroy(scope, _journal(tmp_path), plan)
    left = [p["RecoveryPointArn"] for p in backup.list_recovery_points_by_backup_vault(BackupVaultName="Default")["RecoveryPoints"]]
    assert left == [points[NEIGHBOUR]]


def test_anything_tagged_with_the_tenant_outside_the_zone_is_a_residency_incident(tmp_path):
    sns = boto3.client("sns", region_name=OUTSIDE)
    for tenant_id in (TENANT, NEIGHBOUR):
        sns.create_topic(Name=f"stray-{tenant_id}", Tags=[{"Key": TAG_TENANT, "Value": tenant_id}])
    topic = f"arn:aws:sns:{OUTSIDE}:{ACCOUNT}:stray-{TENANT}"
    plan = discover(_scope())
    assert [(t.region, t.arn, t.extra.get("incident")) for t in plan.incidents] == [(OUTSIDE, topic, "residency")]
    destroy(_scope(), _journal(tmp_path), plan)
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [f"arn:aws:sns:{OUTSIDE}:{ACCOUNT}:stray-{NEIGHBOUR}"]


def test_enhanced_monitoring_streams_are_matched_by_the_exact_resource_id():
    logs = boto3.client("logs", region_name=PRIMARY)
    logs.create_log_group(logGroupName=MONITORING_LOG_GROUP)
    mine, theirs = _instance(TENANT)["DbiResourceId"], _instance(NEIGHBOUR)["DbiResourceId"]
    for stream in (mine, theirs, f"{mine}0"):
        logs.create_log_stream(logGroupName=MONITORING_LOG_GROUP, logStreamName=stream)
    streams = {name for kind, _, name in _found() if kind == "monitoring stream"}
    assert streams == {mine}


def test_verification_looks_up_each_journaled_log_group_by_its_exact_name(tmp_path):
    """A custom-resource Lambda's log group is known only through the stacks, gone by then: one
    made again after its deletion is found by its journaled name."""
    names = _names(TENANT)
    group = TenantNames.function_log_group(f"{names.primary_stack}-Provider-Abc123")
    journal = _journal(tmp_path)
    target = Target("function log group", PRIMARY, group, f"arn:aws:logs:{PRIMARY}:{ACCOUNT}:log-group:{group}")
    journal.add(target)
    journal.data["done"][target.id] = {"destroyed_at": "2026-01-01T00:00:00Z"}
    assert verify(_scope(), journal).ok
    boto3.client("logs", region_name=PRIMARY).create_log_group(logGroupName=group)
    result = verify(_scope(), journal)
    assert not result.ok and result.found_again == (target.id,)


def _journal(tmp_path) -> Journal:
    return Journal.open(tmp_path / "journal.json", tenant_id=TENANT, environment="test")


def test_the_restore_testing_plan_is_deleted_before_anything_else(tmp_path):
    """Issue 19 item 3 (in part): the plan that restores the tenant's recovery points into new
    instances goes first, its selections before it (AWS refuses a plan that still has some)."""
    from tests.lifecycle.offboarding_tenant import Calls, recording_scope
    from tests.sandbox.test_extensions import RESTORE_PLAN, RESTORE_SELECTION

    names = _names(TENANT)
    assert RESTORE_PLAN["Properties"]["RestoreTestingPlanName"] == names.restore_testing_plan
    template = {"Resources": {"RestorePlan": RESTORE_PLAN, "Selection": RESTORE_SELECTION}}
    boto3.client("cloudformation", region_name=PRIMARY).create_stack(StackName=names.primary_stack, TemplateBody=json.dumps(template))
    _instance(TENANT)
    backup = boto3.client("backup", region_name=PRIMARY)
    with pytest.raises(ClientError, match="InvalidRequestException"):
        backup.delete_restore_testing_plan(RestoreTestingPlanName=names.restore_testing_plan)
    calls = Calls()
    scope = recording_scope(calls, names)
    destroy(scope, _journal(tmp_path), discover(scope))
    (plan_deleted,) = calls.index("DeleteRestoreTestingPlan")
    before = {operation for _, _, operation, _ in calls.made[:plan_deleted] if operation.startswith("Delete")}
    assert before <= {"DeleteRestoreTestingSelection", "DeleteBackupSelection", "DeleteBackupPlan"}
    assert calls.index("DeleteDBInstance") and calls.index("DeleteDBInstance")[0] > plan_deleted
    assert backup.list_restore_testing_plans()["RestoreTestingPlans"] == []
