"""Jobs first, for the jobs AWS cannot stop (issue 19.3): a copy job and a restore job of the
tenant's database recovery point are running when offboarding begins (in-process moto with
tenantkit's emulator extensions; the copy runs its plan's 240-minute window, the restore two hours,
by the emulator's clock: `backup_jobs.set_job_windows`). A neighbour whose id is the tenant's plus
tenantkit's own `primary` (`acme-corp` vs `acme-corp-primary-x`) has a copy and a restore of its
own database running too, for far longer.

Offboarding runs as the CLI runs it (`service.execute`), every AWS call recorded. The first run's
bound is 0 minutes: it stops, in one line, before anything of the data is deleted. The second run
(the bound fleet.yaml's default) awaits both jobs while the clock moves (the wait's sleep moves
the clock an hour instead of sleeping), then destroys the copy the copy job landed in the DR vault
and the instance the restore made (untagged: found through the job, by the final sweep), and
signs a verified report naming both jobs; an instance made again under the restore's identifier,
untagged, is named by verification (only the job's record says it is the tenant's). The
neighbour's jobs are never described, stopped or awaited, and still run when the tenant's report
is signed. One offboarding serves every test.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tenantkit.config import TenantConfig
from tenantkit.lifecycle.offboarding import run, service
from tenantkit.lifecycle.offboarding.jobs import KIND, JobsStillRunning
from tenantkit.lifecycle.report import generate_keypair, read_report, verify_report
from tenantkit.naming import names_for
from tenantkit.sandbox.extensions import backup_jobs, install
from tenantkit.sandbox.extensions import kms as clock
from tests.conftest import MINIMAL_TENANT
from tests.lifecycle import offboarding_tenant as tenant
from tests.lifecycle.offboarding_tenant import ACCOUNT, NAMES, PRIMARY, ROLE, SECONDARY, TENANT, Calls

NEIGHBOUR = names_for(f"{TENANT}-primary-x", ACCOUNT, PRIMARY, SECONDARY)  # the tenant's id, then a word tenantkit appends
COPY_MINUTES, RESTORE_MINUTES = 240, 120  # the plan's copy window; a restore's
NEIGHBOUR_MINUTES = 100 * 60  # outlasts every wait of the tenant's offboarding (an hour a poll)
RESTORED = f"{TENANT}-restored"
DATA_DELETES = ("DeleteDBInstance", "DeleteDBSnapshot", "DeleteRecoveryPoint", "DeleteObjects", "DeleteBucket", "DeleteSecret")


def _database_point(names: Any) -> str:
    """A completed backup of `names`' database into its primary vault: the recovery point's ARN."""
    backup = boto3.client("backup", region_name=PRIMARY)
    return backup.start_backup_job(BackupVaultName=names.backup_vault, ResourceArn=names.db_instance_arn, IamRoleArn=ROLE)["RecoveryPointArn"]


def _copy_and_restore(names: Any, point: str, dr_vault_arn: str, restored: str, *, copy_tags: bool) -> dict[str, str]:
    backup = boto3.client("backup", region_name=PRIMARY)
    copy_id = backup.start_copy_job(
        RecoveryPointArn=point, SourceBackupVaultName=names.backup_vault, DestinationBackupVaultArn=dr_vault_arn, IamRoleArn=ROLE
    )["CopyJobId"]  # fmt: skip
    restore_id = backup.start_restore_job(
        RecoveryPointArn=point, IamRoleArn=ROLE, Metadata={"DBInstanceIdentifier": restored}, CopySourceTagsToRestoredResource=copy_tags
    )["RestoreJobId"]  # fmt: skip
    return {"copy": copy_id, "restore": restore_id}


def _jobs(ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    backup = boto3.client("backup", region_name=PRIMARY)
    return {"copy": backup.describe_copy_job(CopyJobId=ids["copy"])["CopyJob"], "restore": backup.describe_restore_job(RestoreJobId=ids["restore"])}


def _instances(region: str) -> set[str]:
    return {i["DBInstanceIdentifier"] for i in boto3.client("rds", region_name=region).describe_db_instances()["DBInstances"]}


def _dr_points(vault: str) -> list[str]:
    points = boto3.client("backup", region_name=SECONDARY).list_recovery_points_by_backup_vault(BackupVaultName=vault)["RecoveryPoints"]
    return [p["RecoveryPointArn"] for p in points]


@pytest.fixture(scope="module")
def offboarded(tmp_path_factory) -> dict[str, Any]:
    install()
    tmp = tmp_path_factory.mktemp("copy-restore")
    private, public = generate_keypair(tmp / "keys")
    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        tenant.whole_tenant()
        tenant.database(NEIGHBOUR, NEIGHBOUR.tenant_id)
        tenant.vault(PRIMARY, NEIGHBOUR.backup_vault, NEIGHBOUR.tenant_id)
        neighbour_dr = tenant.vault(SECONDARY, NEIGHBOUR.dr_backup_vault, NEIGHBOUR.tenant_id)
        dr_vault = boto3.client("backup", region_name=SECONDARY).describe_backup_vault(BackupVaultName=NAMES.dr_backup_vault)["BackupVaultArn"]
        point, neighbour_point = _database_point(NAMES), _database_point(NEIGHBOUR)

        backup_jobs.set_job_windows(ACCOUNT, PRIMARY, copy_minutes=NEIGHBOUR_MINUTES, restore_minutes=NEIGHBOUR_MINUTES)
        neighbours = _copy_and_restore(NEIGHBOUR, neighbour_point, neighbour_dr, f"{NEIGHBOUR.tenant_id}-restored", copy_tags=True)
        backup_jobs.set_job_windows(ACCOUNT, PRIMARY, copy_minutes=COPY_MINUTES, restore_minutes=RESTORE_MINUTES)
        jobs = _copy_and_restore(NAMES, point, dr_vault, RESTORED, copy_tags=False)
        dr_points_before = _dr_points(NAMES.dr_backup_vault)

        calls = Calls()
        config = TenantConfig.model_validate({**copy.deepcopy(MINIMAL_TENANT), "account": ACCOUNT, "subscription": {"ends_on": "2026-01-31"}})
        assert (config.tenant_id, config.primary_region, config.secondary_region) == (TENANT, PRIMARY, SECONDARY)
        env = service.Environment("test", ACCOUNT, tenant.recording_sessions(calls), "tester")

        def execute(**kwargs: Any) -> service.ExecuteOutcome:
            return service.execute(
                config, env, state_dir=tmp / "state", reports_root=tmp / "reports", signing_key_path=private, force=False, reason=None, **kwargs
            )  # fmt: skip

        try:
            with pytest.raises(JobsStillRunning) as stopped:
                execute(job_wait_minutes=0)
            first_calls = len(calls.made)
            after_first = {
                "jobs": _jobs(jobs), "instances": _instances(PRIMARY), "points": _dr_points(NAMES.dr_backup_vault),
                "snapshots": {s["DBSnapshotIdentifier"] for s in boto3.client("rds", region_name=PRIMARY).describe_db_snapshots()["DBSnapshots"]},
            }  # fmt: skip

            slept: list[float] = []
            patch.setattr("tenantkit.lifecycle.offboarding.resources.time.sleep", lambda seconds: (slept.append(seconds), clock.advance_clock(timedelta(hours=1))))
            outcome = execute()
            instances = _instances(PRIMARY)
            boto3.client("rds", region_name=PRIMARY).create_db_instance(
                DBInstanceIdentifier=RESTORED, Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
                MasterUsername="admin", MasterUserPassword="password123",
            )  # fmt: skip  # made again, untagged: only the restore job's record names it
            journal = run.Journal.open(outcome.journal, tenant_id=TENANT, environment="test")
            again = run.verify(service.scope_for(config, env), journal)
            return {
                "jobs": jobs, "neighbours": neighbours, "point": point, "stopped": stopped.value, "first_calls": calls.made[:first_calls],
                "second_calls": calls.made[first_calls:], "after_first": after_first, "dr_points_before": dr_points_before,
                "slept": slept, "outcome": outcome, "public": public, "final": _jobs(jobs), "neighbours_final": _jobs(neighbours),
                "instances": instances, "neighbour_points": _dr_points(NEIGHBOUR.dr_backup_vault), "again": again,
                "dr_vaults": [v["BackupVaultName"] for v in boto3.client("backup", region_name=SECONDARY).list_backup_vaults()["BackupVaultList"]],
            }  # fmt: skip
        finally:
            clock.reset_clock()


def _sent(calls: list[tuple[str, str, str, dict[str, Any]]], operation: str) -> list[dict[str, Any]]:
    return [params for _, _, name, params in calls if name == operation]


def test_past_the_bound_the_run_stops_in_one_line_before_deleting_anything(offboarded):
    message = str(offboarded["stopped"])
    assert "\n" not in message and "still RUNNING" in message and "no data was deleted" in message
    assert f"offboard execute {TENANT}" in message and "after 0 min" in message
    for operation in DATA_DELETES:
        assert not _sent(offboarded["first_calls"], operation), f"{operation} sent before the jobs were over"
    after = offboarded["after_first"]
    assert {NAMES.db_instance, TENANT + "-manual"} <= after["instances"] | after["snapshots"]
    assert RESTORED not in after["instances"] and after["points"] == offboarded["dr_points_before"]
    assert {job["State" if kind == "copy" else "Status"] for kind, job in after["jobs"].items()} == {"RUNNING"}


def test_the_jobs_awaited_are_exactly_the_tenants_copy_and_restore(offboarded):
    journal = run.Journal.open(offboarded["outcome"].journal, tenant_id=TENANT, environment="test")
    journaled = {t.extra["id"]: t.extra["job"] for t in journal.targets() if t.kind == KIND}
    assert journaled == {offboarded["jobs"]["copy"]: "copy", offboarded["jobs"]["restore"]: "restore"}
    calls = offboarded["first_calls"] + offboarded["second_calls"]
    described = {p.get("CopyJobId") or p.get("RestoreJobId") for _, _, name, p in calls if name in ("DescribeCopyJob", "DescribeRestoreJob")}
    assert described == set(offboarded["jobs"].values())  # the neighbour's never
    assert not _sent(calls, "StopBackupJob")  # AWS stops neither a copy nor a restore


def test_the_run_awaits_both_jobs_as_the_clock_moves_before_deleting_anything(offboarded):
    final, calls = offboarded["final"], offboarded["second_calls"]
    assert (final["copy"]["State"], final["restore"]["Status"]) == ("COMPLETED", "COMPLETED")
    assert len(offboarded["slept"]) >= 1 and len(offboarded["slept"]) < NEIGHBOUR_MINUTES // 60
    last_poll = max(i for i, (_, _, name, _) in enumerate(calls) if name in ("DescribeCopyJob", "DescribeRestoreJob"))
    first_delete = min(i for i, (_, _, name, _) in enumerate(calls) if name in DATA_DELETES)
    assert last_poll < first_delete


def test_what_the_jobs_landed_is_destroyed_and_the_report_is_verified(offboarded):
    final, outcome = offboarded["final"], offboarded["outcome"]
    copied, restored_arn = final["copy"]["DestinationRecoveryPointArn"], final["restore"]["CreatedResourceArn"]
    assert copied not in offboarded["dr_points_before"] and restored_arn.endswith(f":db:{RESTORED}")
    deleted_points = [p["RecoveryPointArn"] for p in _sent(offboarded["second_calls"], "DeleteRecoveryPoint")]
    deleted_instances = [p["DBInstanceIdentifier"] for p in _sent(offboarded["second_calls"], "DeleteDBInstance")]
    assert copied in deleted_points and RESTORED in deleted_instances
    assert offboarded["dr_vaults"] == [NEIGHBOUR.dr_backup_vault] and RESTORED not in offboarded["instances"]  # the copy went with its vault
    assert outcome.verification_ok and outcome.report_json is not None
    report = read_report(outcome.report_json)
    verify_report(outcome.report_json, offboarded["public"])
    assert ("restored instance", RESTORED) in {(r.kind, r.name) for r in report.resources}
    lines = report.scope.jobs
    jobs = offboarded["jobs"]
    assert any(f"copy job {jobs['copy']}" in line and "awaited, ended COMPLETED" in line and copied in line for line in lines), lines
    assert any(f"restore job {jobs['restore']}" in line and "awaited, ended COMPLETED" in line and restored_arn in line for line in lines), lines


def test_verification_looks_up_the_instance_a_restore_job_made_though_no_tag_names_it(offboarded):
    again = offboarded["again"]
    assert not again.ok
    assert f"restored instance {RESTORED} ({PRIMARY}), made by a restore job of the tenant" in again.remaining


def test_the_neighbours_jobs_still_run_and_its_data_stays(offboarded):
    final = offboarded["neighbours_final"]
    assert (final["copy"]["State"], final["restore"]["Status"]) == ("RUNNING", "RUNNING")
    assert NEIGHBOUR.db_instance in offboarded["instances"]
    calls = offboarded["first_calls"] + offboarded["second_calls"]
    touched = [p for _, _, name, p in calls if name.startswith(("Delete", "Stop")) and NEIGHBOUR.tenant_id in str(p)]
    assert touched == []

