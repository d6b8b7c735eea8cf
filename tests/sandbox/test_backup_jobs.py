"""The AWS Backup API tenantkit adds to moto (`extensions/backup_jobs.py`), through boto3 under
in-process moto: selections, backup, copy and restore jobs (running on the emulator's clock),
recovery points and the RDS snapshots behind them, vault deletion rules. (That plain moto lacks each is asserted in `test_extensions.py`.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

REGION, DR_REGION = "us-east-1", "us-west-2"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/backup"
pytestmark = pytest.mark.usefixtures("moto_with_extensions")


@pytest.fixture
def vaults():
    """A primary vault and a DR vault, each with its region's key: (backup client, DR client,
    primary key, DR key, DR vault ARN)."""
    keys = [boto3.client("kms", region_name=r).create_key()["KeyMetadata"]["Arn"] for r in (REGION, DR_REGION)]
    backup, dr = boto3.client("backup", region_name=REGION), boto3.client("backup", region_name=DR_REGION)
    backup.create_backup_vault(BackupVaultName="primary", EncryptionKeyArn=keys[0])
    dr_arn = dr.create_backup_vault(BackupVaultName="dr", EncryptionKeyArn=keys[1])["BackupVaultArn"]
    return backup, dr, keys[0], keys[1], dr_arn


def _database(key: str | None = None) -> str:
    encryption = {"StorageEncrypted": True, "KmsKeyId": key} if key else {}
    return boto3.client("rds", region_name=REGION).create_db_instance(
        DBInstanceIdentifier="db", Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="password123", Tags=[{"Key": "tenant", "Value": "t1"}], **encryption,
    )["DBInstance"]["DBInstanceArn"]  # fmt: skip


def _bucket(name: str = "data") -> str:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=name)
    return f"arn:aws:s3:::{name}"


def _refusal(call: Callable[[], object]) -> str:
    """The error code of the ClientError `call` must raise."""
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response["Error"]["Code"]


# --- selections ------------------------------------------------------------------------------


def test_selections_are_created_listed_read_and_deleted():
    backup = boto3.client("backup", region_name=REGION)
    plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": "p", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v"}]})["BackupPlanId"]
    selection = {"SelectionName": "data", "IamRoleArn": ROLE, "Resources": ["arn:aws:s3:::b"]}
    selection_id = backup.create_backup_selection(BackupPlanId=plan, BackupSelection=selection)["SelectionId"]
    (listed,) = backup.list_backup_selections(BackupPlanId=plan)["BackupSelectionsList"]
    assert (listed["SelectionId"], listed["SelectionName"], listed["IamRoleArn"]) == (selection_id, "data", ROLE)
    got = backup.get_backup_selection(BackupPlanId=plan, SelectionId=selection_id)
    assert got["BackupSelection"] == selection and got["BackupPlanId"] == plan
    backup.delete_backup_selection(BackupPlanId=plan, SelectionId=selection_id)
    assert backup.list_backup_selections(BackupPlanId=plan)["BackupSelectionsList"] == []
    assert _refusal(lambda: backup.get_backup_selection(BackupPlanId=plan, SelectionId=selection_id)) == "ResourceNotFoundException"


def test_selections_of_an_unknown_plan_are_resource_not_found():
    assert _refusal(lambda: boto3.client("backup", region_name=REGION).list_backup_selections(BackupPlanId="absent")) == "ResourceNotFoundException"


# --- backup jobs -----------------------------------------------------------------------------


def test_a_database_backup_is_an_awsbackup_snapshot_encrypted_like_the_instance(vaults):
    backup, _, key, _, _ = vaults
    database = _database(key)
    started = backup.start_backup_job(
        BackupVaultName="primary", ResourceArn=database, IamRoleArn=ROLE, Lifecycle={"DeleteAfterDays": 2}, RecoveryPointTags={"run": "1"}
    )
    (snapshot,) = boto3.client("rds", region_name=REGION).describe_db_snapshots(SnapshotType="awsbackup")["DBSnapshots"]
    assert snapshot["DBSnapshotIdentifier"] == f"awsbackup:job-{started['BackupJobId'].lower()}"
    assert snapshot["Encrypted"] is True and snapshot["KmsKeyId"] == key
    assert started["RecoveryPointArn"] == snapshot["DBSnapshotArn"]
    job = backup.describe_backup_job(BackupJobId=started["BackupJobId"])
    assert (job["State"], job["RecoveryPointArn"], job["ResourceType"]) == ("COMPLETED", snapshot["DBSnapshotArn"], "RDS")
    point = backup.describe_recovery_point(BackupVaultName="primary", RecoveryPointArn=started["RecoveryPointArn"])
    assert (point["Status"], point["ResourceArn"], point["EncryptionKeyArn"]) == ("COMPLETED", database, key)
    assert point["Lifecycle"] == {"DeleteAfterDays": 2} and "DeleteAt" in point["CalculatedLifecycle"]
    assert backup.list_tags(ResourceArn=started["RecoveryPointArn"])["Tags"] == {"tenant": "t1", "run": "1"}


def test_a_bucket_backup_is_a_backup_recovery_point_encrypted_with_the_vault_key(vaults):
    backup, _, key, _, _ = vaults
    started = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_bucket(), IamRoleArn=ROLE)
    assert started["RecoveryPointArn"].startswith(f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:")
    point = backup.describe_recovery_point(BackupVaultName="primary", RecoveryPointArn=started["RecoveryPointArn"])
    assert (point["ResourceType"], point["EncryptionKeyArn"], point["IsEncrypted"]) == ("S3", key, True)


def test_a_backup_of_a_missing_resource_fails_and_leaves_no_recovery_point(vaults):
    backup = vaults[0]
    started = backup.start_backup_job(BackupVaultName="primary", ResourceArn="arn:aws:s3:::absent", IamRoleArn=ROLE)
    job = backup.describe_backup_job(BackupJobId=started["BackupJobId"])
    assert job["State"] == "FAILED" and "absent" in job["StatusMessage"] and "RecoveryPointArn" not in started
    assert backup.list_recovery_points_by_backup_vault(BackupVaultName="primary")["RecoveryPoints"] == []


def test_a_backup_into_an_unknown_vault_is_resource_not_found():
    assert _refusal(lambda: boto3.client("backup", region_name=REGION).start_backup_job(BackupVaultName="absent", ResourceArn=_bucket(), IamRoleArn=ROLE)) == "ResourceNotFoundException"


def test_an_unsupported_resource_type_is_an_invalid_parameter(vaults):
    assert _refusal(lambda: vaults[0].start_backup_job(BackupVaultName="primary", ResourceArn=f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t", IamRoleArn=ROLE)) == "InvalidParameterValueException"


def test_an_unknown_backup_job_is_resource_not_found():
    assert _refusal(lambda: boto3.client("backup", region_name=REGION).describe_backup_job(BackupJobId="ABSENT")) == "ResourceNotFoundException"


# --- copy jobs -------------------------------------------------------------------------------


def test_a_database_copy_is_a_snapshot_in_the_dr_region_encrypted_with_the_dr_vault_key(vaults):
    backup, dr, key, dr_key, dr_arn = vaults
    source = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_database(key), IamRoleArn=ROLE)["RecoveryPointArn"]
    copy_id = backup.start_copy_job(
        RecoveryPointArn=source, SourceBackupVaultName="primary", DestinationBackupVaultArn=dr_arn, IamRoleArn=ROLE, Lifecycle={"DeleteAfterDays": 35}
    )["CopyJobId"]
    job = backup.describe_copy_job(CopyJobId=copy_id)["CopyJob"]
    (snapshot,) = boto3.client("rds", region_name=DR_REGION).describe_db_snapshots(SnapshotType="awsbackup")["DBSnapshots"]
    assert job["State"] == "COMPLETED" and job["DestinationRecoveryPointArn"] == snapshot["DBSnapshotArn"]
    assert snapshot["DBSnapshotIdentifier"] == f"awsbackup:copyjob-{copy_id.lower()}" and snapshot["KmsKeyId"] == dr_key
    (copied,) = dr.list_recovery_points_by_backup_vault(BackupVaultName="dr")["RecoveryPoints"]
    assert copied["RecoveryPointArn"] == snapshot["DBSnapshotArn"] and copied["SourceBackupVaultArn"].endswith(":backup-vault:primary")
    assert copied["Lifecycle"] == {"DeleteAfterDays": 35} and copied["EncryptionKeyArn"] == dr_key


def test_a_bucket_copy_is_a_recovery_point_of_the_dr_region(vaults):
    backup, dr, _, dr_key, dr_arn = vaults
    source = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_bucket(), IamRoleArn=ROLE)["RecoveryPointArn"]
    backup.start_copy_job(RecoveryPointArn=source, SourceBackupVaultName="primary", DestinationBackupVaultArn=dr_arn, IamRoleArn=ROLE)
    (copied,) = dr.list_recovery_points_by_backup_vault(BackupVaultName="dr")["RecoveryPoints"]
    assert copied["RecoveryPointArn"].startswith(f"arn:aws:backup:{DR_REGION}:{ACCOUNT}:recovery-point:")
    assert copied["ResourceArn"] == "arn:aws:s3:::data" and copied["EncryptionKeyArn"] == dr_key


def test_copying_an_unknown_recovery_point_is_resource_not_found(vaults):
    absent = f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:absent"
    copy = lambda: vaults[0].start_copy_job(  # noqa: E731
        RecoveryPointArn=absent, SourceBackupVaultName="primary", DestinationBackupVaultArn=vaults[4], IamRoleArn=ROLE
    )
    assert _refusal(copy) == "ResourceNotFoundException"


# --- recovery points -------------------------------------------------------------------------


def test_recovery_points_are_listed_in_pages(vaults):
    backup = vaults[0]
    bucket = _bucket()
    created = [backup.start_backup_job(BackupVaultName="primary", ResourceArn=bucket, IamRoleArn=ROLE)["RecoveryPointArn"] for _ in range(120)]
    first = backup.list_recovery_points_by_backup_vault(BackupVaultName="primary", MaxResults=50)
    assert len(first["RecoveryPoints"]) == 50 and first["NextToken"]
    pages = backup.get_paginator("list_recovery_points_by_backup_vault").paginate(
        BackupVaultName="primary", PaginationConfig={"PageSize": 50}
    )
    sizes_and_points = [(len(page["RecoveryPoints"]), [p["RecoveryPointArn"] for p in page["RecoveryPoints"]]) for page in pages]
    assert [size for size, _ in sizes_and_points] == [50, 50, 20]
    assert [arn for _, arns in sizes_and_points for arn in arns] == created
    assert backup.describe_backup_vault(BackupVaultName="primary")["NumberOfRecoveryPoints"] == 120


def test_only_the_vaults_own_recovery_points_of_its_own_account_are_listed(vaults):
    backup = vaults[0]
    backup.create_backup_vault(BackupVaultName="neighbour")
    bucket = _bucket()
    backup.start_backup_job(BackupVaultName="neighbour", ResourceArn=bucket, IamRoleArn=ROLE)
    sts = boto3.client("sts", region_name=REGION)
    other = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/r", RoleSessionName="neighbour")["Credentials"]
    foreign = boto3.client(
        "backup", region_name=REGION, aws_access_key_id=other["AccessKeyId"],
        aws_secret_access_key=other["SecretAccessKey"], aws_session_token=other["SessionToken"],
    )  # fmt: skip
    foreign.create_backup_vault(BackupVaultName="primary")
    assert backup.list_recovery_points_by_backup_vault(BackupVaultName="primary")["RecoveryPoints"] == []
    assert foreign.list_recovery_points_by_backup_vault(BackupVaultName="primary")["RecoveryPoints"] == []
    assert len(backup.list_recovery_points_by_backup_vault(BackupVaultName="neighbour")["RecoveryPoints"]) == 1


def test_recovery_points_are_filtered_by_resource(vaults):
    backup = vaults[0]
    one, two = _bucket("one"), _bucket("two")
    for bucket in (one, two, one):
        backup.start_backup_job(BackupVaultName="primary", ResourceArn=bucket, IamRoleArn=ROLE)
    found = backup.list_recovery_points_by_backup_vault(BackupVaultName="primary", ByResourceArn=one)["RecoveryPoints"]
    assert [p["ResourceArn"] for p in found] == [one, one]


def test_deleting_a_database_recovery_point_deletes_its_snapshot(vaults):
    backup = vaults[0]
    point = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_database(), IamRoleArn=ROLE)["RecoveryPointArn"]
    backup.delete_recovery_point(BackupVaultName="primary", RecoveryPointArn=point)
    assert boto3.client("rds", region_name=REGION).describe_db_snapshots(SnapshotType="awsbackup")["DBSnapshots"] == []
    assert backup.list_recovery_points_by_backup_vault(BackupVaultName="primary")["RecoveryPoints"] == []
    assert _refusal(lambda: backup.delete_recovery_point(BackupVaultName="primary", RecoveryPointArn=point)) == "ResourceNotFoundException"


def test_the_snapshot_of_a_recovery_point_cannot_be_deleted_through_rds(vaults):
    backup = vaults[0]
    point = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_database(), IamRoleArn=ROLE)["RecoveryPointArn"]
    rds = boto3.client("rds", region_name=REGION)
    snapshot = point.split(":snapshot:")[1]
    assert _refusal(lambda: rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot)) == "InvalidDBSnapshotState"
    assert [s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots(SnapshotType="awsbackup")["DBSnapshots"]] == [snapshot]


def test_a_recovery_point_is_found_only_in_its_own_vault(vaults):
    backup = vaults[0]
    backup.create_backup_vault(BackupVaultName="other")
    point = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_bucket(), IamRoleArn=ROLE)["RecoveryPointArn"]
    assert _refusal(lambda: backup.describe_recovery_point(BackupVaultName="other", RecoveryPointArn=point)) == "ResourceNotFoundException"


def test_a_locked_vault_keeps_its_recovery_points_for_the_minimum_retention(vaults):
    backup = vaults[0]
    backup.put_backup_vault_lock_configuration(BackupVaultName="primary", MinRetentionDays=7)
    point = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_bucket(), IamRoleArn=ROLE)["RecoveryPointArn"]
    assert _refusal(lambda: backup.delete_recovery_point(BackupVaultName="primary", RecoveryPointArn=point)) == "InvalidRequestException"
    assert backup.describe_backup_vault(BackupVaultName="primary")["Locked"] is True


# --- vaults ----------------------------------------------------------------------------------


def test_a_new_vault_reports_no_recovery_points(vaults):
    assert vaults[0].describe_backup_vault(BackupVaultName="primary")["NumberOfRecoveryPoints"] == 0
    (listed,) = vaults[0].list_backup_vaults()["BackupVaultList"]
    assert listed["NumberOfRecoveryPoints"] == 0


def test_a_vault_holding_recovery_points_cannot_be_deleted_until_emptied(vaults):
    backup = vaults[0]
    point = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_bucket(), IamRoleArn=ROLE)["RecoveryPointArn"]
    assert _refusal(lambda: backup.delete_backup_vault(BackupVaultName="primary")) == "InvalidRequestException"
    backup.delete_recovery_point(BackupVaultName="primary", RecoveryPointArn=point)
    assert backup.describe_backup_vault(BackupVaultName="primary")["NumberOfRecoveryPoints"] == 0
    backup.delete_backup_vault(BackupVaultName="primary")
    assert _refusal(lambda: backup.delete_backup_vault(BackupVaultName="primary")) == "ResourceNotFoundException"


def test_motos_reset_clears_jobs_and_recovery_points(vaults):
    backup = vaults[0]
    job = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_bucket(), IamRoleArn=ROLE)["BackupJobId"]
    requests.post("http://motoapi.amazonaws.com/moto-api/reset", timeout=10)
    backup.create_backup_vault(BackupVaultName="primary")
    assert backup.list_recovery_points_by_backup_vault(BackupVaultName="primary")["RecoveryPoints"] == []
    with pytest.raises(ClientError):
        backup.describe_backup_job(BackupJobId=job)


# --- running jobs, on the emulator's clock ---------------------------------------------------


@pytest.fixture
def advance():
    """Move the emulator's clock forward through its HTTP route (as `tenantkit sandbox clock`
    does); moved back after the test."""
    from tenantkit.sandbox.extensions import kms as kms_extension

    def move(**delta: float) -> None:
        seconds = timedelta(**delta).total_seconds()
        assert requests.post("http://motoapi.amazonaws.com/moto-api/tenantkit/clock", json={"advance_seconds": seconds}, timeout=5).ok

    yield move
    kms_extension.reset_clock()


def test_a_job_with_a_completion_window_runs_until_the_clock_passes_its_end_then_lands_its_recovery_point(vaults, advance):
    backup, *_ = vaults
    bucket = _bucket()
    job_id = backup.start_backup_job(BackupVaultName="primary", ResourceArn=bucket, IamRoleArn=ROLE, CompleteWindowMinutes=240)["BackupJobId"]
    assert backup.describe_backup_job(BackupJobId=job_id)["State"] == "RUNNING"
    assert backup.list_recovery_points_by_backup_vault(BackupVaultName="primary")["RecoveryPoints"] == []
    advance(minutes=239)
    assert backup.describe_backup_job(BackupJobId=job_id)["State"] == "RUNNING"
    advance(minutes=1)
    job = backup.describe_backup_job(BackupJobId=job_id)
    (point,) = backup.list_recovery_points_by_backup_vault(BackupVaultName="primary")["RecoveryPoints"]
    assert (job["State"], job["RecoveryPointArn"], point["ResourceArn"]) == ("COMPLETED", point["RecoveryPointArn"], bucket)


def test_a_running_bucket_backup_is_stopped_and_lands_nothing(vaults, advance):
    backup, *_ = vaults
    job_id = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_bucket(), IamRoleArn=ROLE, CompleteWindowMinutes=60)["BackupJobId"]
    backup.stop_backup_job(BackupJobId=job_id)
    advance(hours=2)
    assert backup.describe_backup_job(BackupJobId=job_id)["State"] == "ABORTED"
    assert backup.list_recovery_points_by_backup_vault(BackupVaultName="primary")["RecoveryPoints"] == []
    assert _refusal(lambda: backup.stop_backup_job(BackupJobId=job_id)) == "InvalidRequestException"  # no longer running


def test_stop_backup_job_is_refused_for_an_rds_instance_as_aws_refuses_it(vaults, advance):
    backup, _, key, *_ = vaults
    job_id = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_database(key), IamRoleArn=ROLE, CompleteWindowMinutes=60)["BackupJobId"]
    assert _refusal(lambda: backup.stop_backup_job(BackupJobId=job_id)) == "InvalidRequestException"
    assert backup.describe_backup_job(BackupJobId=job_id)["State"] == "RUNNING"
    advance(hours=1)
    job = backup.describe_backup_job(BackupJobId=job_id)
    assert job["State"] == "COMPLETED"
    (snapshot,) = boto3.client("rds", region_name=REGION).describe_db_snapshots(SnapshotType="awsbackup")["DBSnapshots"]
    assert snapshot["DBSnapshotArn"] == job["RecoveryPointArn"]


def test_backup_and_copy_jobs_are_listed_by_resource_vault_and_state_a_page_at_a_time(vaults):
    backup, _, _, _, dr_arn = vaults
    data, other = _bucket(), _bucket("other")
    done = backup.start_backup_job(BackupVaultName="primary", ResourceArn=data, IamRoleArn=ROLE)
    running = backup.start_backup_job(BackupVaultName="primary", ResourceArn=data, IamRoleArn=ROLE, CompleteWindowMinutes=60)["BackupJobId"]
    backup.start_backup_job(BackupVaultName="primary", ResourceArn=other, IamRoleArn=ROLE)
    copy = backup.start_copy_job(RecoveryPointArn=done["RecoveryPointArn"], SourceBackupVaultName="primary", DestinationBackupVaultArn=dr_arn, IamRoleArn=ROLE)
    listed = [j["BackupJobId"] for j in backup.get_paginator("list_backup_jobs").paginate(ByResourceArn=data, PaginationConfig={"PageSize": 1}).build_full_result()["BackupJobs"]]
    assert listed == [done["BackupJobId"], running]
    assert [j["BackupJobId"] for j in backup.list_backup_jobs(ByResourceArn=data, ByState="RUNNING")["BackupJobs"]] == [running]
    assert len(backup.list_backup_jobs(ByBackupVaultName="primary")["BackupJobs"]) == 3
    assert backup.list_backup_jobs(ByBackupVaultName="absent")["BackupJobs"] == []
    assert [j["CopyJobId"] for j in backup.list_copy_jobs(ByResourceArn=data)["CopyJobs"]] == [copy["CopyJobId"]]
    assert backup.list_copy_jobs(ByResourceArn=other)["CopyJobs"] == []
    assert backup.list_restore_jobs(ByStatus="RUNNING")["RestoreJobs"] == []  # none was started


# --- copy and restore jobs, for the windows a test sets (`job_windows`) ------------------------


WINDOWS = "http://motoapi.amazonaws.com/moto-api/tenantkit/job-windows"


def _windows(**body: object) -> requests.Response:
    return requests.post(WINDOWS, json=body, timeout=5)


def test_a_copy_runs_until_its_window_ends_then_lands_its_recovery_point_in_the_destination_vault(vaults, advance):
    backup, dr, key, dr_key, dr_arn = vaults
    source = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_database(key), IamRoleArn=ROLE)["RecoveryPointArn"]
    assert _windows(region=REGION, copy_minutes=240).json()["copy_minutes"] == 240
    copy_id = backup.start_copy_job(RecoveryPointArn=source, SourceBackupVaultName="primary", DestinationBackupVaultArn=dr_arn, IamRoleArn=ROLE)["CopyJobId"]
    assert backup.describe_copy_job(CopyJobId=copy_id)["CopyJob"]["State"] == "RUNNING"
    advance(minutes=239)
    assert dr.list_recovery_points_by_backup_vault(BackupVaultName="dr")["RecoveryPoints"] == []  # asked in the destination's region
    assert [j["CopyJobId"] for j in backup.list_copy_jobs(ByState="RUNNING")["CopyJobs"]] == [copy_id]
    advance(minutes=1)
    (copied,) = dr.list_recovery_points_by_backup_vault(BackupVaultName="dr")["RecoveryPoints"]
    job = backup.describe_copy_job(CopyJobId=copy_id)["CopyJob"]
    assert (job["State"], job["DestinationRecoveryPointArn"]) == ("COMPLETED", copied["RecoveryPointArn"])
    assert copied["EncryptionKeyArn"] == dr_key and job["CompletionDate"] == copied["CreationDate"]


def test_a_copy_whose_source_point_is_deleted_while_it_runs_fails_and_lands_nothing(vaults, advance):
    backup, dr, _, _, dr_arn = vaults
    source = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_bucket(), IamRoleArn=ROLE)["RecoveryPointArn"]
    _windows(region=REGION, copy_minutes=60)
    copy_id = backup.start_copy_job(RecoveryPointArn=source, SourceBackupVaultName="primary", DestinationBackupVaultArn=dr_arn, IamRoleArn=ROLE)["CopyJobId"]
    backup.delete_recovery_point(BackupVaultName="primary", RecoveryPointArn=source)
    advance(hours=1)
    job = backup.describe_copy_job(CopyJobId=copy_id)["CopyJob"]
    assert job["State"] == "FAILED" and source in job["StatusMessage"]
    assert dr.list_recovery_points_by_backup_vault(BackupVaultName="dr")["RecoveryPoints"] == []


def test_a_copy_job_cannot_be_stopped_as_aws_has_no_call_for_it(vaults):
    backup, *_ = vaults
    assert not {"StopCopyJob", "StopRestoreJob"} & set(backup.meta.service_model.operation_names)
    source = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_bucket(), IamRoleArn=ROLE)["RecoveryPointArn"]
    _windows(region=REGION, copy_minutes=60)
    copy_id = backup.start_copy_job(RecoveryPointArn=source, SourceBackupVaultName="primary", DestinationBackupVaultArn=vaults[4], IamRoleArn=ROLE)["CopyJobId"]
    assert _refusal(lambda: backup.stop_backup_job(BackupJobId=copy_id)) == "ResourceNotFoundException"  # not a backup job
    assert backup.describe_copy_job(CopyJobId=copy_id)["CopyJob"]["State"] == "RUNNING"


def test_windows_are_per_region_and_bad_ones_are_refused(vaults):
    _windows(region=REGION, copy_minutes=30)
    assert requests.get(WINDOWS, params={"region": DR_REGION}, timeout=5).json()["copy_minutes"] == 0
    for bad in ({"region": REGION, "copy_minutes": -1}, {"region": "mars-1", "copy_minutes": 1}, {"copy_minutes": 1}, {"region": REGION, "restore_minutes": "x"}):
        assert _windows(**bad).status_code == 400, bad
    assert requests.get(WINDOWS, params={"region": REGION}, timeout=5).json() == {
        "account": ACCOUNT, "region": REGION, "copy_minutes": 30, "restore_minutes": 0
    }


def test_an_rds_restore_runs_until_its_window_ends_then_the_instance_exists_restored_from_the_snapshot(vaults, advance):
    backup, _, key, *_ = vaults
    source = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_database(key), IamRoleArn=ROLE)["RecoveryPointArn"]
    _windows(region=REGION, restore_minutes=90)
    job_id = backup.start_restore_job(RecoveryPointArn=source, IamRoleArn=ROLE, Metadata={"DBInstanceIdentifier": "restored"})["RestoreJobId"]
    rds = boto3.client("rds", region_name=REGION)
    running = backup.describe_restore_job(RestoreJobId=job_id)
    assert (running["Status"], running["SourceResourceArn"], running["ExpectedCompletionTimeMinutes"]) == ("RUNNING", f"arn:aws:rds:{REGION}:{ACCOUNT}:db:db", 90)
    assert "CreatedResourceArn" not in running and "Metadata" not in running
    assert [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]] == ["db"]
    advance(minutes=90)
    job = backup.describe_restore_job(RestoreJobId=job_id)
    (restored,) = rds.describe_db_instances(DBInstanceIdentifier="restored")["DBInstances"]
    assert (job["Status"], job["CreatedResourceArn"]) == ("COMPLETED", restored["DBInstanceArn"])
    assert restored["KmsKeyId"] == key and restored["TagList"] == []  # tags only with CopySourceTagsToRestoredResource


def test_a_restore_copying_source_tags_carries_the_recovery_points_tags(vaults):
    backup, _, key, *_ = vaults
    source = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_database(key), IamRoleArn=ROLE)["RecoveryPointArn"]
    job_id = backup.start_restore_job(
        RecoveryPointArn=source, IamRoleArn=ROLE, Metadata={"DBInstanceIdentifier": "restored"}, CopySourceTagsToRestoredResource=True
    )["RestoreJobId"]
    assert backup.describe_restore_job(RestoreJobId=job_id)["Status"] == "COMPLETED"  # no window set: at once
    (restored,) = boto3.client("rds", region_name=REGION).describe_db_instances(DBInstanceIdentifier="restored")["DBInstances"]
    assert restored["TagList"] == [{"Key": "tenant", "Value": "t1"}]


def test_a_restore_into_a_taken_identifier_fails_with_rdss_reason(vaults):
    backup, _, key, *_ = vaults
    source = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_database(key), IamRoleArn=ROLE)["RecoveryPointArn"]
    job_id = backup.start_restore_job(RecoveryPointArn=source, IamRoleArn=ROLE, Metadata={"DBInstanceIdentifier": "db"})["RestoreJobId"]
    job = backup.describe_restore_job(RestoreJobId=job_id)
    assert job["Status"] == "FAILED" and "CreatedResourceArn" not in job and job["StatusMessage"]


def test_a_bucket_restore_is_a_record_of_its_destination(vaults):
    backup, *_ = vaults
    source = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_bucket(), IamRoleArn=ROLE)["RecoveryPointArn"]
    to_source = backup.start_restore_job(RecoveryPointArn=source, IamRoleArn=ROLE, Metadata={})["RestoreJobId"]
    elsewhere = backup.start_restore_job(RecoveryPointArn=source, IamRoleArn=ROLE, Metadata={"DestinationBucketName": "other"})["RestoreJobId"]
    assert backup.describe_restore_job(RestoreJobId=to_source)["CreatedResourceArn"] == "arn:aws:s3:::data"
    assert backup.describe_restore_job(RestoreJobId=elsewhere)["CreatedResourceArn"] == "arn:aws:s3:::other"


def test_bad_restores_are_refused(vaults):
    backup, _, key, *_ = vaults
    database = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_database(key), IamRoleArn=ROLE)["RecoveryPointArn"]
    absent = f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:absent"
    assert _refusal(lambda: backup.start_restore_job(RecoveryPointArn=absent, IamRoleArn=ROLE, Metadata={})) == "ResourceNotFoundException"
    assert _refusal(lambda: backup.start_restore_job(RecoveryPointArn=database, IamRoleArn=ROLE, Metadata={})) == "InvalidParameterValueException"
    wrong_type = lambda: backup.start_restore_job(  # noqa: E731
        RecoveryPointArn=database, IamRoleArn=ROLE, Metadata={"DBInstanceIdentifier": "r"}, ResourceType="S3"
    )
    assert _refusal(wrong_type) == "InvalidParameterValueException"
    assert _refusal(lambda: backup.describe_restore_job(RestoreJobId="absent")) == "ResourceNotFoundException"


def test_restore_jobs_are_listed_by_status_type_account_and_dates_a_page_at_a_time(vaults, advance):
    backup, _, key, *_ = vaults
    bucket_point = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_bucket(), IamRoleArn=ROLE)["RecoveryPointArn"]
    database_point = backup.start_backup_job(BackupVaultName="primary", ResourceArn=_database(key), IamRoleArn=ROLE)["RecoveryPointArn"]
    done = backup.start_restore_job(RecoveryPointArn=bucket_point, IamRoleArn=ROLE, Metadata={})["RestoreJobId"]
    advance(hours=1)
    between = backup.describe_restore_job(RestoreJobId=done)["CreationDate"] + timedelta(minutes=30)
    _windows(region=REGION, restore_minutes=120)
    running = backup.start_restore_job(RecoveryPointArn=database_point, IamRoleArn=ROLE, Metadata={"DBInstanceIdentifier": "r"})["RestoreJobId"]

    def listed(**filters: object) -> list[str]:
        paginator = backup.get_paginator("list_restore_jobs").paginate(**filters, PaginationConfig={"PageSize": 1})
        return [job["RestoreJobId"] for job in paginator.build_full_result()["RestoreJobs"]]

    assert listed() == [done, running]
    assert listed(ByStatus="RUNNING") == [running] and listed(ByStatus="COMPLETED") == [done]
    assert listed(ByResourceType="RDS") == [running] and listed(ByResourceType="S3") == [done]
    assert listed(ByAccountId=ACCOUNT) == [done, running] and listed(ByAccountId="210987654321") == []
    assert listed(ByCreatedAfter=between) == [running] and listed(ByCreatedBefore=between) == [done]
    assert listed(ByCompleteBefore=between) == [done] and listed(ByCompleteAfter=between) == []  # a running job has no completion
    assert listed(ByRestoreTestingPlanArn=f"arn:aws:backup:{REGION}:{ACCOUNT}:restore-testing-plan:p") == []
    assert boto3.client("backup", region_name=DR_REGION).list_restore_jobs()["RestoreJobs"] == []  # the region's own jobs only
