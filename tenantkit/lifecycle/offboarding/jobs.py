"""Jobs first: before any of the tenant's data is deleted, its running AWS Backup jobs are stopped
where AWS allows it and awaited otherwise, so no recovery point lands after the report is signed.

The step runs after the backup plan and the restore testing plan are deleted (no new job starts)
and before the first database, snapshot, recovery point or object is. It finds, in the tenant's
two regions, the backup and copy jobs of the tenant's resources (their exact ARNs: databases,
restores of them, buckets) and of its own vaults (their exact names), and the restore jobs of the
tenant's recovery points; each running one is a target of its own. `StopBackupJob` is sent for a
backup job when AWS supports it for the job's resource type (it does not for Amazon RDS, Aurora,
DocumentDB, Neptune, FSx or SAP HANA: `UNSTOPPABLE`), never for copy or restore jobs (AWS has no
call to stop them). The rest are awaited, all of one run within one bound (fleet.yaml
`offboarding.job_wait_minutes`, 240 by default: a daily copy's window). When the bound passes
first, the run stops (`JobsStillRunning`) before anything of the data is deleted; the journal
keeps every job, so a rerun continues waiting for those not yet done. Once the jobs are over,
`run.destroy` lists the vaults and the zone's instances again, and adds the instance each restore
job made (its CreatedResourceArn: a restore of the tenant's recovery point is the tenant's data,
whatever tags it carries), so what a job landed is destroyed and reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from tenantkit.aws import error_code, pages, parse_arn
from tenantkit.lifecycle.offboarding.resources import (
    OffboardingBlocked,
    Progress,
    Scope,
    Target,
    _absent,
    _backed_up_resources,
    _recovery_points,
    _vaults,
    _wait,
    restored_instance,
)  # fmt: skip

KIND = "backup job"
UNSTOPPABLE = frozenset({"RDS", "Aurora", "DocumentDB", "Neptune", "FSx", "SAP HANA on Amazon EC2"})
"""Resource types whose backup jobs AWS does not stop (StopBackupJob, AWS Backup API reference)."""
RUNNING = {"backup": ("CREATED", "PENDING", "RUNNING", "ABORTING"), "copy": ("CREATED", "RUNNING"), "restore": ("PENDING", "RUNNING")}
"""Per kind of job, the states in which it may still land (or remove) a copy of the data."""


LANDS = {"backup": "RecoveryPointArn", "copy": "DestinationRecoveryPointArn", "restore": "CreatedResourceArn"}
"""Per kind of job, the field naming what it made (a restore job's RecoveryPointArn is its source)."""


class JobsStillRunning(OffboardingBlocked):
    """The wait's bound passed with a job of the tenant still running: no data was deleted, and a
    rerun continues waiting."""


def find_jobs(scope: Scope) -> Iterable[Target]:
    """The tenant's running backup, copy and restore jobs in its two regions, each a target; those
    AWS can stop first, so every stop is sent before any wait begins."""
    found = list(_running_jobs(scope))
    return sorted(found, key=lambda target: not _stoppable(target))


def _stoppable(target: Target) -> bool:
    return target.extra["job"] == "backup" and target.extra.get("type") not in UNSTOPPABLE


def _running_jobs(scope: Scope) -> Iterable[Target]:
    resources = _backed_up_resources(scope)
    for region in scope.regions:
        backup = scope.client("backup", region)
        scope.note("job_regions", region)
        found: dict[tuple[str, str], dict[str, Any]] = {}
        vaults = [vault for where, vault in _vaults(scope) if where == region]
        for kind, operation, key, id_key, filters in (
            *(("backup", "list_backup_jobs", "BackupJobs", "BackupJobId", {"ByResourceArn": arn}) for arn in resources),
            *(("backup", "list_backup_jobs", "BackupJobs", "BackupJobId", {"ByBackupVaultName": vault}) for vault in vaults),
            *(("copy", "list_copy_jobs", "CopyJobs", "CopyJobId", {"ByResourceArn": arn}) for arn in resources),
        ):
            for job in pages(backup, operation, key, **filters):
                if job.get("State") in RUNNING[kind]:
                    found.setdefault((kind, job[id_key]), job)
        for job in _restore_jobs(scope, backup, region, resources):
            found.setdefault(("restore", job["RestoreJobId"]), job)
        for (kind, job_id), job in found.items():
            yield Target(
                KIND, region, f"{kind} job {job_id}", "",
                extra={"job": kind, "id": job_id, "resource": job.get("ResourceArn") or job.get("SourceResourceArn", ""), "type": job.get("ResourceType", "")},
            )  # fmt: skip


def _restore_jobs(scope: Scope, backup: Any, region: str, resources: list[str]) -> list[dict[str, Any]]:
    """Running restore jobs of the region restoring one of the tenant's recovery points (their
    exact ARNs; ListRestoreJobs filters by status, not by resource). Its vaults may be gone already
    (verification discovers again while another tenant's restore runs)."""
    running = [job for status in RUNNING["restore"] for job in pages(backup, "list_restore_jobs", "RestoreJobs", ByStatus=status)]
    if not running:
        return []
    own = [vault for where, vault in _vaults(scope) if where == region]
    points = {p["RecoveryPointArn"] for vault in own for p in _absent(lambda v=vault: _recovery_points(backup, v)) or []}  # a vault gone: none
    for arn in resources:
        points.update(p["RecoveryPointArn"] for p in pages(backup, "list_recovery_points_by_resource", "RecoveryPoints", ResourceArn=arn))
    return [job for job in running if job.get("RecoveryPointArn") in points or job.get("SourceResourceArn") in resources]


def _describe(backup: Any, kind: str, job_id: str) -> dict[str, Any]:
    if kind == "backup":
        return backup.describe_backup_job(BackupJobId=job_id)
    if kind == "copy":
        return backup.describe_copy_job(CopyJobId=job_id)["CopyJob"]
    return backup.describe_restore_job(RestoreJobId=job_id)


def _state(job: dict[str, Any]) -> str:
    return job.get("State") or job.get("Status") or ""


def settle_job(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    """Stop the job where AWS allows it, then await its end within what is left of the run's
    bound; JobsStillRunning when the bound passes first. Returns what became of it."""
    backup = scope.client("backup", target.region)
    kind, job_id = target.extra["job"], target.extra["id"]
    stopped = False
    if _stoppable(target) and _state(_describe(backup, kind, job_id)) in ("CREATED", "PENDING", "RUNNING"):
        try:
            backup.stop_backup_job(BackupJobId=job_id)
            stopped = True
        except ClientError as error:
            if error_code(error) != "InvalidRequestException":
                raise  # refused as not stoppable (or no longer running): awaited like the rest
    try:
        _wait(lambda: _state(_describe(backup, kind, job_id)) not in RUNNING[kind], f"{target.name}", seconds=scope.job_wait_left())
    except TimeoutError:
        state = _state(_describe(backup, kind, job_id))
        raise JobsStillRunning(
            f"{scope.tenant_id}: {target.name} of {target.extra.get('resource') or 'the tenant'} ({target.region}) is still {state} "
            f"after {scope.job_wait_seconds / 60:g} min (fleet.yaml offboarding.job_wait_minutes); no data was deleted "
            f"(its backup plan is gone: no new job starts): run `tenantkit offboard execute {scope.tenant_id}` again to keep waiting"
        ) from None
    job = _describe(backup, kind, job_id)
    landed = job.get(LANDS[kind], "")
    return {"outcome": "stopped" if stopped else "awaited", "state": _state(job), "landed": landed if _state(job) == "COMPLETED" else ""}


def landed_instances(scope: Scope, targets: Iterable[Target], done: dict[str, dict[str, str]]) -> Iterable[Target]:
    """The DB instances the tenant's settled restore jobs made (`landed`), as restored instances to
    destroy: found by the job, not by a tag (AWS Backup's restore copies no tag by default)."""
    for target in targets:
        landed = done.get(target.id, {}).get("landed", "") if target.kind == KIND else ""
        try:
            arn = parse_arn(landed)
        except ValueError:
            continue
        if arn.service != "rds" or arn.resource_type != "db":
            continue
        rds = scope.client("rds", arn.region)
        for instance in _absent(lambda r=rds, i=arn.resource_id: r.describe_db_instances(DBInstanceIdentifier=i)["DBInstances"]) or []:
            if instance.get("DBInstanceStatus") == "deleting":
                continue
            if instance.get("DbiResourceId"):
                scope.resource_ids.add(instance["DbiResourceId"])
            yield restored_instance(arn.region, instance)


def job_lines(targets: Iterable[Target], done: dict[str, dict[str, str]]) -> tuple[str, ...]:
    """The report's account of each job: what it was, and whether it was stopped or awaited."""
    lines = []
    for target in targets:
        if target.kind != KIND:
            continue
        details = done.get(target.id, {})
        outcome = f"{details.get('outcome', 'not settled')}, ended {details.get('state', '?')}"
        landed = f"; it landed {details['landed']}, destroyed by the steps that followed" if details.get("landed") else ""
        lines.append(f"{target.name} of {target.extra.get('resource') or '?'} ({target.region}): {outcome}{landed}")
    return tuple(lines)
