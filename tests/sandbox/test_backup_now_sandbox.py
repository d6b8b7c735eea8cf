"""`backup_now` against a real sandbox process: two example tenants deployed as synthesized, one
hourly run played for one of them, and its recovery points found in both vaults with the RDS
snapshots behind them in both regions, through the AWS Backup and RDS APIs (as offboarding will
find them); the neighbour's vaults stay empty."""

from __future__ import annotations

import shutil

import pytest

from tenantkit.config import validate_paths
from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, sandbox_sessions
from tenantkit.lifecycle.local import backup_now_local, deploy_local
from tenantkit.naming import names_for
from tenantkit.sandbox import start_sandbox, stop_sandbox
from tests.conftest import EXAMPLE_CONFIGS

pytestmark = pytest.mark.slow
TENANT, ACCOUNT, PRIMARY, SECONDARY = "maple-ca", "111122223333", "ca-central-1", "ca-west-1"
NAMES = names_for(TENANT, ACCOUNT, PRIMARY, SECONDARY)
NEIGHBOUR = "northwind-us"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("sandbox")
    configs = root / "tenants"
    configs.mkdir()
    for tenant in (TENANT, NEIGHBOUR):
        shutil.copy(EXAMPLE_CONFIGS / f"{tenant}.yaml", configs)
    state = root / ".tenantkit"
    status, _ = start_sandbox(state)
    try:
        for deployed in deploy_local(configs, [TENANT, NEIGHBOUR], root / "cdk.out", state, concurrency=1):
            assert deployed.ok, deployed
        yield {"configs": configs, "state": state, "endpoint": status.endpoint, "sessions": sandbox_sessions(status.endpoint, ACCOUNT)}
    finally:
        stop_sandbox(state)


@pytest.fixture(scope="module")
def run(sandbox):
    return backup_now_local(sandbox["configs"], TENANT, sandbox["state"])


def _points(sandbox, region: str, vault: str) -> list[dict]:
    backup = sandbox["sessions"](region).client("backup")
    return [p for page in backup.get_paginator("list_recovery_points_by_backup_vault").paginate(BackupVaultName=vault)
            for p in page["RecoveryPoints"]]  # fmt: skip


def _awsbackup_snapshots(sandbox, region: str) -> list[dict]:
    rds = sandbox["sessions"](region).client("rds")
    return rds.describe_db_snapshots(SnapshotType="awsbackup")["DBSnapshots"]


def test_the_database_and_the_data_bucket_are_backed_up_and_copied(run):
    assert sorted(p.resource_arn for p in run.recovery_points) == sorted([NAMES.db_instance_arn, NAMES.data_bucket_arn])
    assert all(len(p.copies) == 1 for p in run.recovery_points)


def test_recovery_points_are_in_the_primary_vault_and_copies_in_the_dr_vault(sandbox, run):
    primary = _points(sandbox, PRIMARY, NAMES.backup_vault)
    copies = _points(sandbox, SECONDARY, NAMES.dr_backup_vault)
    assert {p["RecoveryPointArn"] for p in primary} == {p.recovery_point_arn for p in run.recovery_points}
    assert {p["RecoveryPointArn"] for p in copies} == {c.recovery_point_arn for p in run.recovery_points for c in p.copies}
    assert {p["SourceBackupVaultArn"] for p in copies} == {f"arn:aws:backup:{PRIMARY}:{ACCOUNT}:backup-vault:{NAMES.backup_vault}"}
    assert all(p.get("Status") == "COMPLETED" for p in primary + copies)


def test_the_rds_snapshots_behind_them_exist_in_both_regions_encrypted_with_each_regions_vault_key(sandbox, run):
    database = next(p for p in run.recovery_points if p.resource_arn == NAMES.db_instance_arn)
    (primary,) = _awsbackup_snapshots(sandbox, PRIMARY)
    (copy,) = _awsbackup_snapshots(sandbox, SECONDARY)
    assert primary["DBSnapshotArn"] == database.recovery_point_arn and primary["DBInstanceIdentifier"] == NAMES.db_instance
    assert copy["DBSnapshotArn"] == database.copies[0].recovery_point_arn
    dr_vault = sandbox["sessions"](SECONDARY).client("backup").describe_backup_vault(BackupVaultName=NAMES.dr_backup_vault)
    assert primary["Encrypted"] and copy["KmsKeyId"] == dr_vault["EncryptionKeyArn"]


def test_the_vaults_holding_them_cannot_be_deleted(sandbox, run):
    backup = sandbox["sessions"](PRIMARY).client("backup")
    with pytest.raises(backup.exceptions.InvalidRequestException):
        backup.delete_backup_vault(BackupVaultName=NAMES.backup_vault)
    assert backup.describe_backup_vault(BackupVaultName=NAMES.backup_vault)["NumberOfRecoveryPoints"] == 2


def test_the_neighbours_vaults_and_snapshots_are_untouched(sandbox, run):
    (config,) = [c for c in validate_paths([sandbox["configs"]]).configs if c.tenant_id == NEIGHBOUR]
    assert config.account is None  # in the sandbox's default account
    names = names_for(NEIGHBOUR, SANDBOX_ACCOUNT, config.primary_region, config.secondary_region)
    sessions = sandbox_sessions(sandbox["endpoint"], None)
    for region, vault in ((config.primary_region, names.backup_vault), (config.secondary_region, names.dr_backup_vault)):
        backup = sessions(region).client("backup")
        assert backup.list_recovery_points_by_backup_vault(BackupVaultName=vault)["RecoveryPoints"] == []
        assert sessions(region).client("rds").describe_db_snapshots(SnapshotType="awsbackup")["DBSnapshots"] == []
