"""RDS restores from the snapshots behind AWS Backup recovery points (`extensions/rds_restore.py`),
through boto3 under in-process moto. (That plain moto cannot is asserted in `test_extensions.py`.)"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/backup"
pytestmark = pytest.mark.usefixtures("moto_with_extensions")


def _backed_up_database() -> tuple[str, str]:
    """An encrypted instance and the recovery point (snapshot ARN) of one backup job: (key, point)."""
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    rds = boto3.client("rds", region_name=REGION)
    arn = rds.create_db_instance(
        DBInstanceIdentifier="db", Engine="postgres", EngineVersion="16.4", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="password123", StorageEncrypted=True, KmsKeyId=key,
    )["DBInstance"]["DBInstanceArn"]  # fmt: skip
    backup = boto3.client("backup", region_name=REGION)
    backup.create_backup_vault(BackupVaultName="vault", EncryptionKeyArn=key)
    job = backup.start_backup_job(BackupVaultName="vault", ResourceArn=arn, IamRoleArn=ROLE)["BackupJobId"]
    return key, backup.describe_backup_job(BackupJobId=job)["RecoveryPointArn"]


@pytest.mark.parametrize("by", ["arn", "identifier"])
def test_an_instance_restores_from_the_awsbackup_snapshot_behind_a_recovery_point(by):
    key, point = _backed_up_database()
    snapshot = point if by == "arn" else point.split(":snapshot:", 1)[1]
    rds = boto3.client("rds", region_name=REGION)
    restored = rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="restored", DBSnapshotIdentifier=snapshot,
                                                        DeletionProtection=True)["DBInstance"]  # fmt: skip
    assert restored["KmsKeyId"] == key and restored["EngineVersion"] == "16.4" and restored["DeletionProtection"] is True
    (kept,) = rds.describe_db_snapshots(SnapshotType="awsbackup")["DBSnapshots"]
    assert kept["DBSnapshotArn"] == point  # still AWS Backup's: not turned into a manual snapshot
    assert rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"] == []


def test_a_snapshot_that_does_not_exist_is_still_not_found():
    _backed_up_database()
    rds = boto3.client("rds", region_name=REGION)
    with pytest.raises(ClientError) as error:
        rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="restored", DBSnapshotIdentifier="awsbackup:job-absent")
    assert error.value.response["Error"]["Code"] == "DBSnapshotNotFound"
