"""The order of destruction, read from the AWS calls offboarding actually sends while it destroys
a whole tenant (in-process moto with tenantkit's emulator extensions): every copy of the data
(databases, snapshots, recovery points, objects, buckets) destroyed before either KMS key is
scheduled for deletion; the replica before the primary database; the web ACL before its IP sets;
the stacks replica, then primary, then dr.

Jobs first (issue 19.3): at offboarding time a bucket backup (stoppable) and a database backup
into the account's Default vault (RDS: AWS refuses StopBackupJob) are running, and so is a
neighbour's job. A first run whose bound has passed stops before deleting any data and says how
to resume; the rerun stops what AWS lets it stop, awaits the database's job while the emulator's
clock moves (the wait's sleep moves the clock instead of sleeping), lists the vaults again, and
destroys the recovery point that landed. The order tests read the rerun's calls. One
offboarding serves every test of this module."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tenantkit.lifecycle.offboarding.jobs import KIND, JobsStillRunning, job_lines
from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover, verify
from tenantkit.naming import names_for
from tenantkit.sandbox.extensions import install
from tenantkit.sandbox.extensions import kms as clock
from tests.lifecycle import offboarding_tenant as tenant
from tests.lifecycle.offboarding_tenant import ACCOUNT, NAMES, PRIMARY, ROLE, SECONDARY, TENANT, Calls

NEIGHBOUR = names_for(f"{TENANT}-x", ACCOUNT, PRIMARY, SECONDARY)  # shares the tenant's id as a prefix, nothing else
DATA_DELETES = ("DeleteDBInstance", "DeleteDBSnapshot", "DeleteRecoveryPoint", "DeleteObjects", "DeleteBucket")


def _start(vault: str, resource: str, minutes: int) -> str:
    backup = boto3.client("backup", region_name=PRIMARY)
    return backup.start_backup_job(BackupVaultName=vault, ResourceArn=resource, IamRoleArn=ROLE, CompleteWindowMinutes=minutes)["BackupJobId"]


def _job(job_id: str) -> dict[str, Any]:
    return boto3.client("backup", region_name=PRIMARY).describe_backup_job(BackupJobId=job_id)


@pytest.fixture(scope="module")
def offboarded(tmp_path_factory) -> dict[str, Any]:
    install()
    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        tenant.whole_tenant()
        tenant.vault(PRIMARY, "Default", owner="")
        tenant.bucket(PRIMARY, NEIGHBOUR.data_bucket, NEIGHBOUR.tenant_id, versions=1)
        tenant.vault(PRIMARY, NEIGHBOUR.backup_vault, NEIGHBOUR.tenant_id)
        jobs = {
            "database": _start("Default", NAMES.db_instance_arn, 240),
            "bucket": _start(NAMES.backup_vault, NAMES.data_bucket_arn, 480),  # would outlast the database's
            "neighbour": _start(NEIGHBOUR.backup_vault, NEIGHBOUR.data_bucket_arn, 60),
        }
        journal = Journal.open(tmp_path_factory.mktemp("jobs") / f"{TENANT}.json", tenant_id=TENANT, environment="test")

        first_calls = Calls()
        first = dataclasses.replace(tenant.recording_scope(first_calls), job_wait_seconds=0)
        with pytest.raises(JobsStillRunning) as stopped:
            destroy(first, journal, discover(first))
        after_first = {name: _job(job_id)["State"] for name, job_id in jobs.items()}
        database_after_first = boto3.client("rds", region_name=PRIMARY).describe_db_instances(DBInstanceIdentifier=NAMES.db_instance)["DBInstances"]

        slept: list[float] = []
        patch.setattr("tenantkit.lifecycle.offboarding.resources.time.sleep", lambda seconds: (slept.append(seconds), clock.advance_clock(timedelta(hours=1))))
        try:
            second_calls = Calls()
            second = tenant.recording_scope(second_calls)
            plan = discover(second)
            destroy(second, journal, plan)
            verification = verify(second, journal)
            neighbour_points = boto3.client("backup", region_name=PRIMARY).list_recovery_points_by_backup_vault(BackupVaultName=NEIGHBOUR.backup_vault)["RecoveryPoints"]
            return {
                "jobs": jobs, "stopped": str(stopped.value), "after_first": after_first, "first_calls": first_calls,
                "database_after_first": database_after_first, "second_calls": second_calls, "plan": plan, "journal": journal,
                "verification": verification, "slept": slept, "final": {name: _job(job_id) for name, job_id in jobs.items()},
                "neighbour_points": neighbour_points,
                "default_points": boto3.client("backup", region_name=PRIMARY).list_recovery_points_by_backup_vault(BackupVaultName="Default")["RecoveryPoints"],
            }  # fmt: skip
        finally:
            clock.reset_clock()


def test_a_run_whose_bound_passes_stops_before_deleting_any_data_and_says_how_to_resume(offboarded):
    message = offboarded["stopped"]
    assert "still RUNNING" in message and "no data was deleted" in message and f"offboard execute {TENANT}" in message
    for operation in (*DATA_DELETES, "DeleteSecret"):
        assert offboarded["first_calls"].index(operation) == [], f"{operation} sent before the jobs were over"
    assert offboarded["database_after_first"], "the database was deleted while its backup job ran"
    assert offboarded["after_first"]["database"] == "RUNNING"


def test_the_jobs_found_are_exactly_the_tenants_running_ones(offboarded):
    journaled = {t.extra["id"]: t for t in offboarded["journal"].targets() if t.kind == KIND}
    jobs = offboarded["jobs"]
    assert set(journaled) == {jobs["database"], jobs["bucket"]}  # the completed ones and the neighbour's are not
    assert journaled[jobs["database"]].extra["type"] == "RDS"


def test_the_bucket_job_is_stopped_and_the_database_job_awaited_because_aws_cannot_stop_rds_backups(offboarded):
    calls, jobs = offboarded["first_calls"].made + offboarded["second_calls"].made, offboarded["jobs"]
    stopped = [params["BackupJobId"] for _, _, operation, params in calls if operation == "StopBackupJob"]
    assert stopped == [jobs["bucket"]]
    final = offboarded["final"]
    assert final["bucket"]["State"] == "ABORTED" and "RecoveryPointArn" not in final["bucket"]
    assert final["database"]["State"] == "COMPLETED"
    assert 1 <= len(offboarded["slept"]) <= 5  # awaited while the clock moved to the job's end (240 minutes, an hour a poll)


def test_the_recovery_point_the_awaited_job_landed_is_destroyed_and_reported(offboarded):
    landed = offboarded["final"]["database"]["RecoveryPointArn"]
    assert not [t for t in offboarded["plan"].targets if t.kind == "recovery points" and t.name == "Default"]  # none when the run began
    journal = offboarded["journal"]
    (default,) = [t for t in journal.targets() if t.kind == "recovery points" and t.name == "Default"]
    assert journal.is_done(default) and journal.counts(default)["recovery_points"] == 1
    deleted = [params["RecoveryPointArn"] for _, _, operation, params in offboarded["second_calls"].made if operation == "DeleteRecoveryPoint"]
    assert landed in deleted
    assert offboarded["default_points"] == []
    lines = job_lines(journal.targets(), journal.data["done"])
    jobs = offboarded["jobs"]
    assert any(f"backup job {jobs['database']}" in line and "awaited, ended COMPLETED" in line and landed in line for line in lines), lines
    assert any(f"backup job {jobs['bucket']}" in line and "stopped, ended ABORTED" in line for line in lines), lines
    assert offboarded["verification"].ok, offboarded["verification"].remaining


def test_the_neighbours_job_is_neither_stopped_nor_awaited_and_its_recovery_point_stays(offboarded):
    assert offboarded["final"]["neighbour"]["State"] == "COMPLETED"  # ran to its end, as the clock moved
    assert [p["ResourceArn"] for p in offboarded["neighbour_points"]] == [NEIGHBOUR.data_bucket_arn]


def test_every_copy_of_the_data_is_destroyed_before_any_key_is_scheduled_for_deletion(offboarded):
    calls = offboarded["second_calls"]
    scheduled = calls.index("ScheduleKeyDeletion")
    assert len(scheduled) == 2  # both regions' keys
    for operation in DATA_DELETES:
        sent = calls.index(operation)
        assert sent, f"no {operation} was sent"
        assert max(sent) < min(scheduled), f"{operation} sent after a key was scheduled for deletion"
    deleted_buckets = {calls.made[i][3]["Bucket"] for i in calls.index("DeleteBucket")}
    assert deleted_buckets == {NAMES.data_bucket, NAMES.dr_bucket, NAMES.access_log_bucket, NAMES.dr_access_log_bucket}


def test_the_replica_is_deleted_before_the_primary_database(offboarded):
    calls = offboarded["second_calls"]
    (replica,) = calls.index("DeleteDBInstance", DBInstanceIdentifier=NAMES.replica_db_instance)
    (primary,) = calls.index("DeleteDBInstance", DBInstanceIdentifier=f'"{NAMES.db_instance}"')
    assert replica < primary


def test_the_web_acl_is_deleted_before_its_ip_sets(offboarded):
    calls = offboarded["second_calls"]
    (acl,) = calls.index("DeleteWebACL")
    ip_sets = calls.index("DeleteIPSet")
    assert len(ip_sets) == 2 and acl < min(ip_sets)


def test_the_stacks_are_deleted_replica_then_primary_then_dr_and_before_the_keys(offboarded):
    calls = offboarded["second_calls"]
    deleted = [calls.made[i][3]["StackName"] for i in calls.index("DeleteStack")]
    order = [NAMES.replica_stack, NAMES.primary_stack, NAMES.dr_stack]
    assert [next(name for name in order if f"/{name}/" in arn) for arn in deleted] == order
    assert max(calls.index("DeleteStack")) < min(calls.index("ScheduleKeyDeletion"))


def test_the_awaited_job_ended_before_any_data_was_deleted(offboarded):
    calls, job = offboarded["second_calls"], offboarded["jobs"]["database"]
    polled = calls.index("DescribeBackupJob", BackupJobId=job)
    first_delete = min(i for operation in DATA_DELETES for i in calls.index(operation))
    assert polled and max(polled) < first_delete
