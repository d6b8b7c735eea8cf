"""`backup_now`: one hourly run of a tenant's plan through the AWS Backup API, against in-process
moto with tenantkit's extensions (moto alone has no backup jobs), the tenant's vaults, plan and
selection created as its stacks declare them (names from `tenantkit.naming`)."""

from __future__ import annotations

import boto3
import pytest

from tenantkit.lifecycle.backup_now import BackupNowError, _Waiter, backup_now
from tenantkit.naming import names_for

ACCOUNT, PRIMARY, SECONDARY = "123456789012", "ca-central-1", "ca-west-1"
NAMES = names_for("acme", ACCOUNT, PRIMARY, SECONDARY)
ROLE = f"arn:aws:iam::{ACCOUNT}:role/backup"
pytestmark = pytest.mark.usefixtures("moto_with_extensions")


def session_for(region: str) -> boto3.Session:
    return boto3.Session(region_name=region)


def _plan(*, copy: bool = True) -> str:
    """The tenant's vaults and plan as its stacks declare them: a daily continuous rule, the
    hourly snapshot rule (copied to the DR vault unless `copy` is false, as `backup.copy_hourly`),
    a daily rule copying to the DR vault; returns the plan id."""
    keys = {r: boto3.client("kms", region_name=r).create_key()["KeyMetadata"]["Arn"] for r in (PRIMARY, SECONDARY)}
    backup = boto3.client("backup", region_name=PRIMARY)
    backup.create_backup_vault(BackupVaultName=NAMES.backup_vault, EncryptionKeyArn=keys[PRIMARY])
    boto3.client("backup", region_name=SECONDARY).create_backup_vault(BackupVaultName=NAMES.dr_backup_vault, EncryptionKeyArn=keys[SECONDARY])
    daily = {"RuleName": "Daily", "TargetBackupVaultName": NAMES.backup_vault, "ScheduleExpression": "cron(30 3 * * ? *)",
             "Lifecycle": {"DeleteAfterDays": 35},
             "CopyActions": [{"DestinationBackupVaultArn": NAMES.dr_backup_vault_arn, "Lifecycle": {"DeleteAfterDays": 35}}]}  # fmt: skip
    hourly = {"RuleName": "Hourly", "TargetBackupVaultName": NAMES.backup_vault, "ScheduleExpression": "cron(30 * * * ? *)",
              "Lifecycle": {"DeleteAfterDays": 2}}  # fmt: skip
    if copy:
        hourly["CopyActions"] = [{"DestinationBackupVaultArn": NAMES.dr_backup_vault_arn, "Lifecycle": {"DeleteAfterDays": 30}}]
    rules = [
        {"RuleName": "Continuous", "TargetBackupVaultName": NAMES.backup_vault, "ScheduleExpression": "cron(0 * * * ? *)",
         "EnableContinuousBackup": True, "Lifecycle": {"DeleteAfterDays": 35}},
        hourly,
        daily,
    ]  # fmt: skip
    return backup.create_backup_plan(BackupPlan={"BackupPlanName": NAMES.backup_plan, "Rules": rules})["BackupPlanId"]


def _select(plan_id: str, resources: list[str]) -> None:
    selection = {"SelectionName": "tenant-data", "IamRoleArn": ROLE, "Resources": resources}
    boto3.client("backup", region_name=PRIMARY).create_backup_selection(BackupPlanId=plan_id, BackupSelection=selection)


def _data() -> list[str]:
    boto3.client("rds", region_name=PRIMARY).create_db_instance(
        DBInstanceIdentifier=NAMES.db_instance, Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="password123",
    )  # fmt: skip
    boto3.client("s3", region_name=PRIMARY).create_bucket(
        Bucket=NAMES.data_bucket, CreateBucketConfiguration={"LocationConstraint": PRIMARY}
    )
    return [NAMES.db_instance_arn, NAMES.data_bucket_arn]


def _run():
    return backup_now("acme", account=ACCOUNT, primary_region=PRIMARY, secondary_region=SECONDARY, session_for=session_for, poll_s=0)


def test_each_resource_gets_a_recovery_point_in_the_primary_vault_and_a_copy_in_the_dr_vault():
    resources = _data()
    _select(_plan(), resources)
    run = _run()
    assert [p.resource_arn for p in run.recovery_points] == resources
    assert {(p.vault, p.region) for p in run.recovery_points} == {(NAMES.backup_vault, PRIMARY)}
    assert {(c.vault, c.region) for p in run.recovery_points for c in p.copies} == {(NAMES.dr_backup_vault, SECONDARY)}
    listed = boto3.client("backup", region_name=PRIMARY).list_recovery_points_by_backup_vault(BackupVaultName=NAMES.backup_vault)
    assert [p["RecoveryPointArn"] for p in listed["RecoveryPoints"]] == [p.recovery_point_arn for p in run.recovery_points]
    assert {p["Lifecycle"]["DeleteAfterDays"] for p in listed["RecoveryPoints"]} == {2}  # the hourly rule's
    copies = boto3.client("backup", region_name=SECONDARY).list_recovery_points_by_backup_vault(BackupVaultName=NAMES.dr_backup_vault)
    assert {p["Lifecycle"]["DeleteAfterDays"] for p in copies["RecoveryPoints"]} == {30}  # the hourly copy action's
    for region in (PRIMARY, SECONDARY):
        (snapshot,) = boto3.client("rds", region_name=region).describe_db_snapshots(SnapshotType="awsbackup")["DBSnapshots"]
        assert snapshot["DBInstanceIdentifier"] == NAMES.db_instance


def test_a_tenant_without_a_plan_is_not_deployed():
    with pytest.raises(BackupNowError, match="no backup plan tenantkit-acme-backups in ca-central-1: is the tenant deployed"):
        _run()


def test_a_plan_without_selections_selects_nothing():
    _plan()
    with pytest.raises(BackupNowError, match="selects no resources"):
        _run()


def test_without_hourly_copies_the_recovery_points_stay_in_the_primary_vault():
    _select(_plan(copy=False), _data())
    run = _run()
    assert [p.copies for p in run.recovery_points] == [(), ()]
    copies = boto3.client("backup", region_name=SECONDARY).list_recovery_points_by_backup_vault(BackupVaultName=NAMES.dr_backup_vault)
    assert copies["RecoveryPoints"] == []  # the daily rule's copy action is not the hourly run's


def test_a_failed_backup_job_stops_the_run_with_its_reason():
    _select(_plan(), [NAMES.data_bucket_arn])  # the bucket does not exist
    with pytest.raises(BackupNowError, match=f"backup of {NAMES.data_bucket_arn}: FAILED: Resource not found"):
        _run()


def test_the_wait_is_bounded():
    ticks = iter([0.0, 5.0, 11.0])
    waiter = _Waiter(10.0, 0, clock=lambda: next(ticks))
    with pytest.raises(BackupNowError, match="backup of x: still RUNNING when the wait ended"):
        waiter.until_done(lambda: {"State": "RUNNING"}, "backup of x")
