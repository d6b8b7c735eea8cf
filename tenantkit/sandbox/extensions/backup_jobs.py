"""AWS Backup's selections API, on-demand backup and copy jobs, and recovery points, in moto's
Backup backend, served through boto3 both in-process (`mock_aws`) and by the sandbox server.

moto 5.2.5 defects covered (each probed in `tests/sandbox/moto_defects.py`):
- no backup selection API: `CreateBackupSelection` raises NotImplementedError, and
  `ListBackupSelections` / `GetBackupSelection` / `DeleteBackupSelection` with it;
- no backup, copy or restore jobs (`StartBackupJob`, `DescribeBackupJob`, `StopBackupJob`,
  `ListBackupJobs`, `StartCopyJob`, `DescribeCopyJob`, `ListCopyJobs`, `ListRestoreJobs`: HTTP 404)
  and no recovery points (`ListRecoveryPointsByBackupVault`,
  `ListRecoveryPointsByResource`, `DescribeRecoveryPoint`, `DeleteRecoveryPoint`: HTTP 404);
- `DeleteBackupVault` deletes a vault that still holds recovery points (AWS refuses:
  InvalidRequestException) and answers an unknown vault with success (AWS:
  ResourceNotFoundException); `DescribeBackupVault` never reports `NumberOfRecoveryPoints`;
- RDS `DeleteDBSnapshot` deletes a snapshot AWS Backup owns (SnapshotType `awsbackup`); AWS
  refuses it (InvalidDBSnapshotState): such a snapshot goes with its recovery point only
  (`DeleteRecoveryPoint`).

A backup job completes at once (State COMPLETED) unless it is started with `CompleteWindowMinutes`:
then it runs (State RUNNING) for that whole window, the longest AWS lets it take, by the
emulator's clock (`clock.now()`: tests move it with `tenantkit sandbox clock --advance-hours N`
instead of sleeping); the first Backup call after the window's end completes it, creating its
recovery point as of that end. `StopBackupJob` aborts a running job (State ABORTED, no recovery
point) and is refused (InvalidRequestException) for the resource types AWS does not stop
(`UNSTOPPABLE`: Amazon RDS among them) and for a job no longer running.

Copy and restore jobs run the same way, for the window the emulator is told (`job_windows`):
StartCopyJob and StartRestoreJob take no window in AWS's API (a plan's copy runs within its
rule's completion window, 240 minutes in tenantkit's plan; a restore as long as the data takes),
so a test sets, per account and region, how long the copy and restore jobs started there from
then on run: `set_job_windows(account, region, copy_minutes=240, restore_minutes=60)` in-process,
or POST `{"region": R, "copy_minutes": N, "restore_minutes": M}` (optional `"account"`) to
`/moto-api/tenantkit/job-windows` on the sandbox server; unset (or 0), a job completes at once.
moto's reset clears the windows with the jobs. Nothing stops a copy or restore job: AWS has no
StopCopyJob or StopRestoreJob (its API reference: copy and restore jobs run to their end). A
copy lands its recovery point when its window ends; it FAILS when its source point or
destination vault went meanwhile. `StartRestoreJob` restores the resource types tenantkit backs
up: an RDS recovery point becomes a new DB instance, restored from the snapshot behind it (as
`rds_restore` restores it), named by Metadata's `DBInstanceIdentifier` (required, as AWS requires
it; `DBInstanceClass`, `DBSubnetGroupName` and `AvailabilityZone` are read too) and carrying the
recovery point's tags only with `CopySourceTagsToRestoredResource`; an S3 recovery point's restore
is a record (its CreatedResourceArn the `DestinationBucketName` of Metadata, else the source
bucket; no object is written). The instance appears when the restore's window ends; a restore that
cannot be made (the identifier taken) ends FAILED with RDS's reason. `DescribeRestoreJob` reads a
job; `ListRestoreJobs` filters by account, resource type, status, creation and completion dates,
restore testing plan and parent job, as AWS does (`ListCopyJobs`: by resource ARN, state,
destination vault, resource type, source recovery point, account and dates;
`ListBackupJobs` by resource ARN, state, vault and resource type). Copy and restore jobs are
settled, whichever region is asked, across every region of their account (a copy lands in another
region). A backup of an RDS DB instance is a real
snapshot in moto's RDS backend of the job's region, `awsbackup:job-<job id>`, SnapshotType
`awsbackup`, encrypted with the instance's key; its recovery point ARN is the snapshot's ARN, as
AWS makes it. A copy of it is a snapshot `awsbackup:copyjob-<copy job id>` in the destination
vault's region, encrypted with that vault's key. Deleting an RDS recovery point deletes the
snapshot behind it. An S3 bucket's recovery point is a record only
(`arn:aws:backup:<region>:<account>:recovery-point:<uuid>`, no data is copied). Other resource
types are refused (InvalidParameterValueException). A job on a resource that does not exist
ends FAILED, with the reason in StatusMessage.

Recovery points carry the source resource's tags and then `RecoveryPointTags` (AWS copies the
resource's tags by default); a copy carries its source's. Vault Lock, as AWS documents it: a
recovery point in a locked vault cannot be deleted before `MinRetentionDays`
(InvalidRequestException); a locked vault can be deleted once empty, like any vault. Copies go
to a vault of the same account only (cross-account copies are not emulated).

Everything lives on moto's Backup backends (`records`), so moto's reset clears it. The HTTP
routes are added to `moto.backup.urls.url_paths`, read by moto's in-process request stubber on
each request and by the server when it builds the Backup app (after `install()`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from botocore.utils import parse_timestamp
from moto.backup import urls as backup_urls
from moto.backup.exceptions import InvalidParameterValueException, InvalidRequestException, ResourceNotFoundException
from moto.backup.models import BackupBackend, Vault, backup_backends
from moto.backup.responses import BackupResponse
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random
from moto.moto_api._internal import urls as moto_api_urls
from moto.rds.exceptions import RDSClientError
from moto.rds.models import RDSBackend, rds_backends
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from tenantkit.aws import Arn, parse_arn
from tenantkit.sandbox.extensions import clock
from tenantkit.sandbox.extensions._base import records, wrap

DEFAULT_PAGE = 100
MAX_PAGE = 1000
ROUTES = (
    "{0}/backup-jobs/?$",
    "{0}/backup-jobs/(?P<backupJobId>[^/]+)$",
    "{0}/copy-jobs/?$",
    "{0}/copy-jobs/(?P<copyJobId>[^/]+)$",
    "{0}/restore-jobs/?$",
    "{0}/restore-jobs/(?P<restoreJobId>[^/]+)$",
    "{0}/backup-vaults/(?P<backupVaultName>[^/]+)/recovery-points/$",  # botocore keeps the slash
    "{0}/backup-vaults/(?P<backupVaultName>[^/]+)/recovery-points/(?P<recoveryPointArn>.+)$",
    "{0}/resources/(?P<resourceArn>.+)/recovery-points/?$",
)
"""The selection routes are served by moto's own `/backup/plans/...` route."""


def _backend(account_id: str, region_name: str) -> BackupBackend:
    return backup_backends[account_id][region_name]


def selections(account_id: str, region_name: str) -> dict[str, dict[str, Any]]:
    """The backup selections of (account, region), by selection id: BackupPlanId, the selection
    as given (SelectionName, IamRoleArn, Resources, ...), CreationDate, CreatorRequestId."""
    return records(_backend(account_id, region_name), "backup_selections")


def _recovery_points(backend: BackupBackend) -> dict[str, RecoveryPoint]:
    return records(backend, "recovery_points")


def recovery_point(account_id: str, region_name: str, arn: str) -> RecoveryPoint | None:
    """The recovery point `arn` of (account, region), whatever vault holds it; None when none."""
    return _recovery_points(_backend(account_id, region_name)).get(arn)


JOB_KINDS = {"backup_jobs": ("Backup job", "BackupJobId"), "copy_jobs": ("Copy job", "CopyJobId"), "restore_jobs": ("Restore job", "RestoreJobId")}
"""Each kind of job the backend keeps (`records`): what the API calls it, and its id's field."""
RUNNING = ("CREATED", "PENDING", "RUNNING")
UNSTOPPABLE = frozenset({"RDS", "Aurora", "DocumentDB", "Neptune", "FSx", "SAP HANA on Amazon EC2"})
"""Resource types whose backup jobs AWS does not stop (StopBackupJob, AWS Backup API reference)."""


def _keep_job(backend: BackupBackend, kind: str, job: dict[str, Any]) -> dict[str, Any]:
    records(backend, kind)[job[JOB_KINDS[kind][1]]] = job
    return job


def _job(backend: BackupBackend, kind: str, job_id: str) -> dict[str, Any]:
    job = records(backend, kind).get(job_id)
    if job is None:
        raise ResourceNotFoundException(msg=f"{JOB_KINDS[kind][0]} {job_id} not found")
    return job


def _job_id() -> str:
    return str(mock_random.uuid4()).upper()


def _parsed_arn(arn: str) -> Arn:
    """The parts of an ARN; InvalidParameterValueException when it is not one."""
    try:
        return parse_arn(arn)
    except ValueError:
        raise InvalidParameterValueException(msg=f"Invalid ARN: {arn}") from None


WINDOWS_ROUTE = "{0}/moto-api/tenantkit/job-windows"
WINDOWED = ("copy", "restore")


def job_windows(account_id: str, region: str) -> dict[str, int]:
    """How many minutes the copy and restore jobs started in (account, region) run, by kind
    (`copy`, `restore`); a kind not set completes at once."""
    return records(_backend(account_id, region), "job_windows")


def set_job_windows(account_id: str, region: str, *, copy_minutes: int | None = None, restore_minutes: int | None = None) -> dict[str, int]:
    """Set how long the copy and/or restore jobs started in (account, region) from now on run
    (0: they complete at once); the windows now in force. ValueError for a negative window."""
    windows = job_windows(account_id, region)
    for kind, minutes in zip(WINDOWED, (copy_minutes, restore_minutes), strict=True):
        if minutes is not None:
            if int(minutes) < 0:
                raise ValueError(f"a {kind} window of {minutes} minutes: it must be 0 or more")
            windows[kind] = int(minutes)
    return dict(windows)


def windows_route(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """`/moto-api/tenantkit/job-windows`: POST `{"region": R, "copy_minutes": N, "restore_minutes":
    M}` (`account` optional) sets them; GET `?region=R[&account=A]` reads them."""
    usage = 'POST {"region": R, "copy_minutes": N, "restore_minutes": M}, N and M >= 0 (optional "account")'
    try:
        if request.method == "POST":
            body = clock.request_json(request)
            account, region = str(body.get("account", DEFAULT_ACCOUNT_ID)), str(body["region"])
            minutes = {f"{kind}_minutes": body.get(f"{kind}_minutes") for kind in WINDOWED}
            if region not in backup_backends[account] or any(m is not None and not isinstance(m, int) for m in minutes.values()):
                raise ValueError(usage)
            windows = set_job_windows(account, region, **minutes)
        else:
            query = parse_qs(urlparse(full_url).query)
            account, region = query.get("account", [DEFAULT_ACCOUNT_ID])[0], query["region"][0]
            if region not in backup_backends[account]:
                raise ValueError(usage)
            windows = dict(job_windows(account, region))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        return 400, {}, json.dumps({"Error": str(error) if type(error) is ValueError else usage})
    return 200, {}, json.dumps({"account": account, "region": region, **{f"{kind}_minutes": windows.get(kind, 0) for kind in WINDOWED}})


def _window(backend: BackupBackend, kind: str) -> int:
    return job_windows(backend.account_id, backend.region_name).get(kind, 0)


@dataclass
class RecoveryPoint:
    """One recovery point in one vault; `as_dict()` is DescribeRecoveryPoint's shape."""

    arn: str
    vault: Vault
    resource_arn: str
    resource_type: str
    iam_role_arn: str
    lifecycle: dict[str, Any]
    encryption_key_arn: str | None
    source_vault_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    created: datetime = field(default_factory=utcnow)

    @property
    def region(self) -> str:
        return parse_arn(self.vault.backup_vault_arn).region

    @property
    def snapshot_id(self) -> str | None:
        """The RDS snapshot behind this recovery point, if any."""
        point = parse_arn(self.arn)
        return point.resource_id if point.service == "rds" else None

    def as_dict(self) -> dict[str, Any]:
        calculated = {}
        if self.lifecycle.get("DeleteAfterDays"):
            calculated["DeleteAt"] = self.created + timedelta(days=int(self.lifecycle["DeleteAfterDays"]))
        if self.lifecycle.get("MoveToColdStorageAfterDays"):
            calculated["MoveToColdStorageAt"] = self.created + timedelta(days=int(self.lifecycle["MoveToColdStorageAfterDays"]))
        described = {
            "RecoveryPointArn": self.arn,
            "BackupVaultName": self.vault.backup_vault_name,
            "BackupVaultArn": self.vault.backup_vault_arn,
            "SourceBackupVaultArn": self.source_vault_arn,
            "ResourceArn": self.resource_arn,
            "ResourceType": self.resource_type,
            "ResourceName": parse_arn(self.resource_arn).resource_id,
            "IamRoleArn": self.iam_role_arn,
            "Status": "COMPLETED",
            "CreationDate": self.created,
            "InitiationDate": self.created,
            "CompletionDate": self.created,
            "BackupSizeInBytes": 0,
            "Lifecycle": self.lifecycle,
            "CalculatedLifecycle": calculated,
            "EncryptionKeyArn": self.encryption_key_arn,
            "IsEncrypted": self.encryption_key_arn is not None,
            "StorageClass": "WARM",
            "IsParent": False,
            "VaultType": "BACKUP_VAULT",
        }
        return {key: value for key, value in described.items() if value is not None}


# --- the backend's operations ----------------------------------------------------------------


def _vault(self: BackupBackend, name: str) -> Vault:
    if name not in self.vaults:
        raise ResourceNotFoundException(msg=f"Backup vault {name} not found")
    return self.vaults[name]


def _count_points(vault: Vault, backend: BackupBackend) -> None:
    count = sum(1 for point in _recovery_points(backend).values() if point.vault is vault)
    vault.num_of_recovery_points = count
    vault.number_of_recovery_points = count  # type: ignore[attr-defined]  # moto's serializer reads it; its Vault never sets it


def _plan(self: BackupBackend, plan_id: str) -> None:
    plan = self.plans.get(plan_id)
    if plan is None or plan.deletion_date is not None:
        raise ResourceNotFoundException(msg=f"Backup plan {plan_id} not found")


def create_backup_selection(
    self: BackupBackend, backup_plan_id: str, backup_selection: dict[str, Any], creator_request_id: str | None
) -> dict[str, Any]:
    _plan(self, backup_plan_id)
    selection_id = str(mock_random.uuid4())
    record = {
        "SelectionId": selection_id,
        "BackupPlanId": backup_plan_id,
        "BackupSelection": backup_selection,
        "CreationDate": utcnow(),
        "CreatorRequestId": creator_request_id,
    }
    selections(self.account_id, self.region_name)[selection_id] = record
    return record


def get_backup_selection(self: BackupBackend, backup_plan_id: str, selection_id: str) -> dict[str, Any]:
    record = selections(self.account_id, self.region_name).get(selection_id)
    if record is None or record["BackupPlanId"] != backup_plan_id:
        raise ResourceNotFoundException(msg=f"Backup selection {selection_id} not found in plan {backup_plan_id}")
    return record


def list_backup_selections(self: BackupBackend, backup_plan_id: str) -> list[dict[str, Any]]:
    _plan(self, backup_plan_id)
    return [r for r in selections(self.account_id, self.region_name).values() if r["BackupPlanId"] == backup_plan_id]


def delete_backup_selection(self: BackupBackend, backup_plan_id: str, selection_id: str) -> None:
    get_backup_selection(self, backup_plan_id, selection_id)
    del selections(self.account_id, self.region_name)[selection_id]


def _resource_tags_and_type(account_id: str, region: str, resource_arn: str) -> tuple[str, dict[str, str], Any]:
    """(resource type, its tags, the RDS instance or None); LookupError when it does not exist
    in `region`."""
    arn = _parsed_arn(resource_arn)
    if arn.service == "rds" and arn.resource_type == "db":
        if arn.region != region:
            raise LookupError(f"{resource_arn} is not in {region}")
        database = rds_backends[account_id][region].databases.get(arn.resource_id)
        if database is None:
            raise LookupError(f"DB instance {arn.resource_id} not found")
        return "RDS", {tag["Key"]: tag["Value"] for tag in database.tags or []}, database
    if arn.service == "s3" and arn.resource_type == "bucket" and ":" not in arn.resource:
        s3 = s3_backends[account_id][get_partition(region)]
        bucket = s3.buckets.get(arn.resource_id)
        if bucket is None or bucket.region_name != region:
            raise LookupError(f"bucket {arn.resource_id} not found in {region}")
        return "S3", s3.tagger.get_tag_dict_for_resource(bucket.arn), None
    raise InvalidParameterValueException(
        msg=f"Unsupported resource type for {resource_arn}: the sandbox backs up RDS DB instances and S3 buckets"
    )


def _add_point(self: BackupBackend, point: RecoveryPoint) -> None:
    _recovery_points(self)[point.arn] = point
    if point.tags:
        self.tag_resource(point.arn, point.tags)
    _count_points(point.vault, self)


def _generic_point_arn(region: str, account_id: str) -> str:
    return f"arn:{get_partition(region)}:backup:{region}:{account_id}:recovery-point:{mock_random.uuid4()}"


def _new_job(self: BackupBackend, id_key: str, resource_arn: str, iam_role_arn: str, **fields: Any) -> dict[str, Any]:
    """A job's fields common to backup and copy jobs (CompletionDate: now, dropped while the job
    runs), and `fields`."""
    now = clock.now()
    common = {"AccountId": self.account_id, id_key: _job_id(), "ResourceArn": resource_arn, "IamRoleArn": iam_role_arn,
              "CreationDate": now, "CompletionDate": now, "BackupSizeInBytes": 0, "IsParent": False}  # fmt: skip
    return {**common, **fields}


def start_backup_job(
    self: BackupBackend,
    backup_vault_name: str,
    resource_arn: str,
    iam_role_arn: str,
    lifecycle: dict[str, Any] | None,
    recovery_point_tags: dict[str, str] | None,
    complete_window_minutes: int | None = None,
) -> dict[str, Any]:
    _settle(self)
    vault = _vault(self, backup_vault_name)
    if not iam_role_arn:
        raise InvalidParameterValueException(msg="IamRoleArn is required")
    job = _new_job(
        self, "BackupJobId", resource_arn, iam_role_arn,
        BackupVaultName=vault.backup_vault_name, BackupVaultArn=vault.backup_vault_arn,
        BackupType="", PercentDone="100.0", RecoveryPointLifecycle=lifecycle or {},
    )  # fmt: skip
    job["InitiationDate"] = job["CreationDate"]
    try:
        job["ResourceType"] = _resource_tags_and_type(self.account_id, self.region_name, resource_arn)[0]
    except LookupError as missing:
        job.update(State="FAILED", StatusMessage=f"Resource not found: {missing}", ResourceType=_type_of(resource_arn))
        return _keep_job(self, "backup_jobs", job)
    if complete_window_minutes:
        ends = job["CreationDate"] + timedelta(minutes=int(complete_window_minutes))
        job.update(State="RUNNING", PercentDone="0.0", CompleteWindowMinutes=int(complete_window_minutes))
        del job["CompletionDate"]
        _running(self)[job["BackupJobId"]] = (ends, recovery_point_tags)
        return _keep_job(self, "backup_jobs", job)
    return _keep_job(self, "backup_jobs", _complete_backup(self, job, recovery_point_tags, job["CreationDate"]))


def _running(backend: BackupBackend) -> dict[str, tuple[datetime, dict[str, str] | None]]:
    """Backup job id -> (when it completes by the emulator's clock, its RecoveryPointTags)."""
    return records(backend, "running_backup_jobs")


def _settle(self: BackupBackend) -> None:
    """Complete every running backup job of the region, and every running copy and restore job of
    the account (a copy lands in another region), whose window has ended (`clock.now()`)."""
    now = clock.now()
    for job_id, (ends, tags) in sorted(_running(self).items(), key=lambda item: item[1][0]):
        if ends <= now:
            del _running(self)[job_id]
            _complete_backup(self, _job(self, "backup_jobs", job_id), tags, ends)
    for backend in list(backup_backends[self.account_id].values()):
        for kind, complete in (("copy_jobs", _complete_copy), ("restore_jobs", _complete_restore)):
            running: dict[str, datetime] = records(backend, f"running_{kind}")
            for job_id, ends in sorted(running.items(), key=lambda item: item[1]):
                if ends <= now:
                    del running[job_id]
                    complete(backend, _job(backend, kind, job_id), ends)


def _run_or_complete(
    self: BackupBackend, kind: str, job: dict[str, Any], complete: Any, *, state: str, **running_fields: Any
) -> dict[str, Any]:
    """Keep `job` running for the region's window of its kind (`job_windows`), or complete it now."""
    minutes = _window(self, kind.removesuffix("_jobs"))
    if not minutes:
        return _keep_job(self, kind, complete(self, job, job["CreationDate"]))
    job.pop("CompletionDate", None)
    job.update({state: "RUNNING", "PercentDone": "0.0", **running_fields})
    records(self, f"running_{kind}")[job[JOB_KINDS[kind][1]]] = job["CreationDate"] + timedelta(minutes=minutes)
    return _keep_job(self, kind, job)


def _complete_backup(self: BackupBackend, job: dict[str, Any], recovery_point_tags: dict[str, str] | None, at: datetime) -> dict[str, Any]:
    """The job's recovery point, made `at` (the job's end): an RDS snapshot or a record; the job
    FAILED when its resource or vault went meanwhile."""
    resource_arn, job_id = job["ResourceArn"], job["BackupJobId"]
    job.update(CompletionDate=at, PercentDone="100.0")
    vault = self.vaults.get(job["BackupVaultName"])
    if vault is None:
        job.update(State="FAILED", StatusMessage=f"Backup vault {job['BackupVaultName']} not found")
        return job
    try:
        resource_type, tags, database = _resource_tags_and_type(self.account_id, self.region_name, resource_arn)
    except LookupError as missing:
        job.update(State="FAILED", StatusMessage=f"Resource not found: {missing}")
        return job
    tags = {**tags, **(recovery_point_tags or {})}
    lifecycle = job["RecoveryPointLifecycle"]
    if database is not None:
        snapshot = rds_backends[self.account_id][self.region_name].create_db_snapshot(
            database.db_instance_identifier, f"awsbackup:job-{job_id.lower()}", snapshot_type="awsbackup"
        )
        arn, key = snapshot.arn, snapshot.kms_key_id if snapshot.encrypted else None
        snapshot.tags = [{"Key": k, "Value": v} for k, v in tags.items()]
    else:
        arn, key = _generic_point_arn(self.region_name, self.account_id), vault.encryption_key_arn
    point = RecoveryPoint(arn, vault, resource_arn, resource_type, job["IamRoleArn"], lifecycle, key, tags=tags, created=at)
    _add_point(self, point)
    job.update(State="COMPLETED", RecoveryPointArn=arn, ResourceType=resource_type, IsEncrypted=key is not None)
    job.update({"EncryptionKeyArn": key} if key else {})
    return job


def stop_backup_job(self: BackupBackend, backup_job_id: str) -> None:
    _settle(self)
    job = _job(self, "backup_jobs", backup_job_id)
    if job.get("ResourceType") in UNSTOPPABLE:
        raise InvalidRequestException(msg=f"StopBackupJob is not supported for resource type {job['ResourceType']}")
    if job["State"] not in RUNNING:
        raise InvalidRequestException(msg=f"Backup job {backup_job_id} is {job['State']}: only a running job can be stopped")
    _running(self).pop(backup_job_id, None)
    job.update(State="ABORTED", CompletionDate=clock.now(), StatusMessage="Stopped by StopBackupJob")


@dataclass(frozen=True)
class Dates:
    """The date filters of ListCopyJobs and ListRestoreJobs (`By{Created,Complete}{Before,After}`),
    as the query string carries them (ISO 8601)."""

    created_before: str | None = None
    created_after: str | None = None
    complete_before: str | None = None
    complete_after: str | None = None

    def admit(self, job: dict[str, Any]) -> bool:
        """Whether `job` was created, and completed, within the bounds (a running job has no
        completion date: a completion bound excludes it)."""
        for field_name, bound, before in (
            ("CreationDate", self.created_before, True), ("CreationDate", self.created_after, False),
            ("CompletionDate", self.complete_before, True), ("CompletionDate", self.complete_after, False),
        ):  # fmt: skip
            if bound is None:
                continue
            when, limit = job.get(field_name), _moto_time(bound)
            if when is None or (when >= limit if before else when <= limit):
                return False
        return True


def _moto_time(value: str) -> datetime:
    """A query string's timestamp as moto keeps dates (naive UTC); InvalidParameterValueException
    when it is not one."""
    try:
        parsed = parse_timestamp(value)
    except (ValueError, TypeError):
        raise InvalidParameterValueException(msg=f"Invalid timestamp: {value}") from None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _listed(
    self: BackupBackend, kind: str, dates: Dates | None = None, **fields: str | None
) -> list[dict[str, Any]]:
    """The jobs of `kind` in creation order, within `dates` and with each of `fields` (a job field
    -> the value it must have; None: any)."""
    _settle(self)
    dates = dates or Dates()
    return [
        job for job in records(self, kind).values()
        if all(value is None or job.get(key) == value for key, value in fields.items()) and dates.admit(job)
    ]  # fmt: skip


def list_backup_jobs(
    self: BackupBackend, resource_arn: str | None, state: str | None, vault: str | None, resource_type: str | None
) -> list[dict[str, Any]]:
    return _listed(self, "backup_jobs", ResourceArn=resource_arn, State=state, ResourceType=resource_type, BackupVaultName=vault)


def list_copy_jobs(
    self: BackupBackend,
    resource_arn: str | None,
    state: str | None,
    destination_vault_arn: str | None,
    resource_type: str | None,
    source_recovery_point_arn: str | None = None,
    account_id: str | None = None,
    dates: Dates | None = None,
) -> list[dict[str, Any]]:
    return _listed(
        self, "copy_jobs", dates, ResourceArn=resource_arn, State=state, ResourceType=resource_type,
        DestinationBackupVaultArn=destination_vault_arn, SourceRecoveryPointArn=source_recovery_point_arn, AccountId=account_id,
    )  # fmt: skip


def list_restore_jobs(
    self: BackupBackend,
    status: str | None,
    resource_type: str | None,
    account_id: str | None = None,
    restore_testing_plan_arn: str | None = None,
    parent_job_id: str | None = None,
    dates: Dates | None = None,
) -> list[dict[str, Any]]:
    """The region's restore jobs in creation order, filtered as ListRestoreJobs filters them."""
    jobs = _listed(self, "restore_jobs", dates, Status=status, ResourceType=resource_type, AccountId=account_id, ParentJobId=parent_job_id)
    if restore_testing_plan_arn is None:
        return jobs
    return [job for job in jobs if job.get("CreatedBy", {}).get("RestoreTestingPlanArn") == restore_testing_plan_arn]


RESTORE_METADATA = {"DBInstanceIdentifier": "db_instance_identifier", "DBInstanceClass": "db_instance_class",
                    "DBSubnetGroupName": "db_subnet_group_name", "AvailabilityZone": "availability_zone"}  # fmt: skip
"""The RDS restore metadata the sandbox reads, and moto's name for each."""


def start_restore_job(
    self: BackupBackend,
    recovery_point_arn: str,
    metadata: dict[str, str] | None,
    iam_role_arn: str,
    resource_type: str | None,
    copy_source_tags: bool = False,
) -> dict[str, Any]:
    _settle(self)
    point = _recovery_points(self).get(recovery_point_arn)
    if point is None:
        raise ResourceNotFoundException(msg=f"Recovery point {recovery_point_arn} not found")
    if not iam_role_arn:
        raise InvalidParameterValueException(msg="IamRoleArn is required")
    if resource_type and resource_type != point.resource_type:
        raise InvalidParameterValueException(msg=f"ResourceType {resource_type} does not match the recovery point's ({point.resource_type})")
    metadata = dict(metadata or {})
    if point.resource_type == "RDS" and not metadata.get("DBInstanceIdentifier"):
        raise InvalidParameterValueException(msg="Metadata DBInstanceIdentifier is required to restore an RDS recovery point")
    job = {
        "AccountId": self.account_id, "RestoreJobId": _job_id(), "RecoveryPointArn": recovery_point_arn,
        "SourceResourceArn": point.resource_arn, "BackupVaultArn": point.vault.backup_vault_arn, "ResourceType": point.resource_type,
        "IamRoleArn": iam_role_arn, "CreationDate": clock.now(), "RecoveryPointCreationDate": point.created, "BackupSizeInBytes": 0,
        "IsParent": False, "Metadata": metadata, "CopySourceTags": bool(copy_source_tags),
    }  # fmt: skip
    minutes = _window(self, "restore")
    return _run_or_complete(self, "restore_jobs", job, _complete_restore, state="Status", ExpectedCompletionTimeMinutes=minutes)


def _complete_restore(self: BackupBackend, job: dict[str, Any], at: datetime) -> dict[str, Any]:
    """What the restore makes, `at` (the job's end): a DB instance restored from the snapshot
    behind an RDS recovery point, or an S3 restore's record; FAILED when the point went meanwhile
    or RDS refuses the restore."""
    job.update(CompletionDate=at, PercentDone="100.0")
    point = _recovery_points(self).get(job["RecoveryPointArn"])
    metadata = job["Metadata"]
    if point is None:
        job.update(Status="FAILED", StatusMessage=f"Recovery point {job['RecoveryPointArn']} not found")
        return job
    if point.snapshot_id is None:
        bucket = metadata.get("DestinationBucketName") or parse_arn(point.resource_arn).resource_id
        job.update(Status="COMPLETED", CreatedResourceArn=f"arn:{get_partition(self.region_name)}:s3:::{bucket}")
        return job
    rds = rds_backends[self.account_id][point.region]
    overrides = {moto_name: metadata[name] for name, moto_name in RESTORE_METADATA.items() if metadata.get(name)}
    try:
        instance = rds.restore_db_instance_from_db_snapshot(point.snapshot_id, overrides)
    except RDSClientError as error:
        job.update(Status="FAILED", StatusMessage=str(error))
        return job
    instance.tags = [{"Key": k, "Value": v} for k, v in point.tags.items()] if job["CopySourceTags"] else []  # moto copies the source's
    job.update(Status="COMPLETED", CreatedResourceArn=instance.db_instance_arn)
    return job


def describe_restore_job(self: BackupBackend, restore_job_id: str) -> dict[str, Any]:
    _settle(self)
    return _job(self, "restore_jobs", restore_job_id)


def _type_of(resource_arn: str) -> str:
    try:
        service = parse_arn(resource_arn).service
    except ValueError:
        return ""
    return {"rds": "RDS", "s3": "S3"}.get(service, "")


def describe_backup_job(self: BackupBackend, backup_job_id: str) -> dict[str, Any]:
    _settle(self)
    return _job(self, "backup_jobs", backup_job_id)


def start_copy_job(
    self: BackupBackend,
    recovery_point_arn: str,
    source_backup_vault_name: str,
    destination_backup_vault_arn: str,
    iam_role_arn: str,
    lifecycle: dict[str, Any] | None,
) -> dict[str, Any]:
    _settle(self)
    source_vault = _vault(self, source_backup_vault_name)
    source = _recovery_points(self).get(recovery_point_arn)
    if source is None or source.vault is not source_vault:
        raise ResourceNotFoundException(msg=f"Recovery point {recovery_point_arn} not found in vault {source_backup_vault_name}")
    arn = _parsed_arn(destination_backup_vault_arn)
    if arn.service != "backup" or arn.resource_type != "backup-vault":
        raise InvalidParameterValueException(msg=f"Invalid destination backup vault ARN: {destination_backup_vault_arn}")
    if arn.account != self.account_id:
        raise InvalidParameterValueException(msg="The sandbox copies to vaults of the same account only")
    account_id, region = arn.account, arn.region
    destination = _backend(account_id, region)
    target_vault = _vault(destination, arn.resource_id)
    job = _new_job(
        self, "CopyJobId", source.resource_arn, iam_role_arn,
        SourceBackupVaultArn=source_vault.backup_vault_arn, SourceRecoveryPointArn=recovery_point_arn,
        DestinationBackupVaultArn=target_vault.backup_vault_arn, ResourceType=source.resource_type,
        DestinationRecoveryPointLifecycle=lifecycle or {},
    )  # fmt: skip
    return _run_or_complete(self, "copy_jobs", job, _complete_copy, state="State")


def _complete_copy(self: BackupBackend, job: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The copy's recovery point in its destination vault, made `at` (the job's end): an RDS
    snapshot copied into the vault's region under the vault's key, or a record; FAILED when its
    source point or its destination vault went meanwhile."""
    job.update(CompletionDate=at, PercentDone="100.0")
    source = _recovery_points(self).get(job["SourceRecoveryPointArn"])
    destination_arn = parse_arn(job["DestinationBackupVaultArn"])
    account_id, region = destination_arn.account, destination_arn.region
    destination = _backend(account_id, region)
    target_vault = destination.vaults.get(destination_arn.resource_id)
    if source is None or target_vault is None:
        missing = f"Recovery point {job['SourceRecoveryPointArn']}" if source is None else f"Backup vault {destination_arn.resource_id}"
        job.update(State="FAILED", StatusMessage=f"{missing} not found")
        return job
    job_id = job["CopyJobId"]
    key: str | None = target_vault.encryption_key_arn
    if source.snapshot_id is not None:
        try:
            copied = rds_backends[account_id][region].copy_db_snapshot(
                source.arn, f"awsbackup:copyjob-{job_id.lower()}", kms_key_id=key,
                tags=[{"Key": k, "Value": v} for k, v in source.tags.items()],
            )  # fmt: skip
        except Exception as error:  # noqa: BLE001 - moto's RDS refusal becomes the job's failure, as in AWS
            job.update(State="FAILED", StatusMessage=str(error))
            return job
        copied.snapshot_type = "awsbackup"
        point_arn, key = copied.arn, copied.kms_key_id
    else:
        point_arn = _generic_point_arn(region, account_id)
    point = RecoveryPoint(
        point_arn, target_vault, source.resource_arn, source.resource_type, job["IamRoleArn"], job["DestinationRecoveryPointLifecycle"], key,
        source_vault_arn=job["SourceBackupVaultArn"], tags=dict(source.tags), created=at,
    )  # fmt: skip
    _add_point(destination, point)
    job.update(State="COMPLETED", DestinationRecoveryPointArn=point_arn)
    job.update({"DestinationEncryptionKeyArn": key} if key else {})
    return job


def describe_copy_job(self: BackupBackend, copy_job_id: str) -> dict[str, Any]:
    _settle(self)
    return _job(self, "copy_jobs", copy_job_id)


def list_recovery_points_by_backup_vault(
    self: BackupBackend, backup_vault_name: str, resource_arn: str | None = None, resource_type: str | None = None
) -> list[RecoveryPoint]:
    """In creation order; filtered by resource ARN and type (the API's other filters are not
    emulated)."""
    _settle(self)
    vault = _vault(self, backup_vault_name)
    return [
        point
        for point in _recovery_points(self).values()
        if point.vault is vault
        and (resource_arn is None or point.resource_arn == resource_arn)
        and (resource_type is None or point.resource_type == resource_type)
    ]


def list_recovery_points_by_resource(self: BackupBackend, resource_arn: str) -> list[RecoveryPoint]:
    """Every recovery point of the resource in this region, whatever vault holds it (the
    account's Default vault included), in creation order."""
    _settle(self)
    return [point for point in _recovery_points(self).values() if point.resource_arn == resource_arn]


def describe_recovery_point(self: BackupBackend, backup_vault_name: str, recovery_point_arn: str) -> RecoveryPoint:
    _settle(self)
    vault = _vault(self, backup_vault_name)
    point = _recovery_points(self).get(recovery_point_arn)
    if point is None or point.vault is not vault:
        raise ResourceNotFoundException(msg=f"Recovery point {recovery_point_arn} not found in vault {backup_vault_name}")
    return point


def delete_recovery_point(self: BackupBackend, backup_vault_name: str, recovery_point_arn: str) -> None:
    point = describe_recovery_point(self, backup_vault_name, recovery_point_arn)
    vault = point.vault
    if vault.locked and vault.min_retention_days and clock.now() < point.created + timedelta(days=vault.min_retention_days):
        raise InvalidRequestException(
            msg=f"Recovery point {recovery_point_arn} cannot be deleted: the vault lock keeps it {vault.min_retention_days} days"
        )
    if point.snapshot_id is not None:
        rds_backends[self.account_id][point.region].database_snapshots.pop(point.snapshot_id, None)
    del _recovery_points(self)[recovery_point_arn]
    self.tagger.delete_all_tags_for_resource(recovery_point_arn)
    _count_points(vault, self)


def _delete_backup_vault(original: Any) -> Any:
    def delete(self: BackupBackend, backup_vault_name: str) -> None:
        _settle(self)
        vault = _vault(self, backup_vault_name)
        if any(point.vault is vault for point in _recovery_points(self).values()):
            raise InvalidRequestException(msg="Backup vault cannot be deleted because it contains recovery points.")
        original(self, backup_vault_name)

    return delete


def _delete_db_snapshot(original: Any) -> Any:
    def delete(self: RDSBackend, db_snapshot_identifier: str) -> Any:
        snapshot = self.database_snapshots.get(db_snapshot_identifier)
        if snapshot is not None and snapshot.snapshot_type == "awsbackup":
            raise RDSClientError(
                "InvalidDBSnapshotState", f"DB snapshot {db_snapshot_identifier} is managed by AWS Backup: delete its recovery point"
            )
        return original(self, db_snapshot_identifier)

    return delete


BACKEND_OPERATIONS = (
    create_backup_selection,
    get_backup_selection,
    list_backup_selections,
    delete_backup_selection,
    start_backup_job,
    describe_backup_job,
    stop_backup_job,
    list_backup_jobs,
    start_copy_job,
    list_copy_jobs,
    list_restore_jobs,
    describe_copy_job,
    start_restore_job,
    describe_restore_job,
    list_recovery_points_by_resource,
    list_recovery_points_by_backup_vault,
    describe_recovery_point,
    delete_recovery_point,
)


# --- the HTTP side ---------------------------------------------------------------------------


def _path_part(response: BackupResponse, after: str) -> str:
    """The path segment following `after` (percent-decoded); after `recovery-points`, the rest
    of the path (an ARN)."""
    parts = response.path.split("/")
    index = parts.index(after) + 1
    return unquote("/".join(parts[index:]) if after == "recovery-points" else parts[index])


def _body(response: BackupResponse) -> dict[str, Any]:
    return json.loads(response.body) if response.body else {}


def _without(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key not in keys and value is not None}


def _dates(response: BackupResponse) -> Dates:
    return Dates(*(response._get_param(name) for name in ("createdBefore", "createdAfter", "completeBefore", "completeAfter")))


def _restore_job(job: dict[str, Any]) -> dict[str, Any]:
    """A restore job as the API shows it (what the sandbox keeps to complete it left out)."""
    return _without(job, "Metadata", "CopySourceTags")


def _page(response: BackupResponse, items: list[Any]) -> tuple[list[Any], str | None]:
    """One page of `items` for the request's maxResults / nextToken (an opaque offset)."""
    size = int(response._get_param("maxResults") or DEFAULT_PAGE)
    if not 1 <= size <= MAX_PAGE:
        raise InvalidParameterValueException(msg=f"MaxResults must be between 1 and {MAX_PAGE}")
    token = response._get_param("nextToken")
    try:
        start = int(token) if token else 0
    except ValueError:
        raise InvalidParameterValueException(msg="Invalid NextToken") from None
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


class BackupJobResponses:
    """The methods added to moto's `BackupResponse` (moto routes each request to the method
    named after the operation)."""

    def create_backup_selection(self: Any) -> ActionResult:
        params = _body(self)
        record = self.backup_backend.create_backup_selection(
            _path_part(self, "plans"), params["BackupSelection"], params.get("CreatorRequestId")
        )
        return ActionResult({key: record[key] for key in ("SelectionId", "BackupPlanId", "CreationDate")})

    def get_backup_selection(self: Any) -> ActionResult:
        record = self.backup_backend.get_backup_selection(_path_part(self, "plans"), _path_part(self, "selections"))
        return ActionResult(_without(record))

    def list_backup_selections(self: Any) -> ActionResult:
        found = self.backup_backend.list_backup_selections(_path_part(self, "plans"))
        page, token = _page(self, found)
        listed = [
            {**_without(r, "BackupSelection"), "SelectionName": r["BackupSelection"]["SelectionName"],
             "IamRoleArn": r["BackupSelection"]["IamRoleArn"]}
            for r in page
        ]  # fmt: skip
        return ActionResult(_without({"BackupSelectionsList": listed, "NextToken": token}))

    def delete_backup_selection(self: Any) -> EmptyResult:
        self.backup_backend.delete_backup_selection(_path_part(self, "plans"), _path_part(self, "selections"))
        return EmptyResult()

    def start_backup_job(self: Any) -> ActionResult:
        params = _body(self)
        job = self.backup_backend.start_backup_job(
            params["BackupVaultName"], params["ResourceArn"], params.get("IamRoleArn", ""),
            params.get("Lifecycle"), params.get("RecoveryPointTags"), params.get("CompleteWindowMinutes"),
        )  # fmt: skip
        return ActionResult(
            _without({"BackupJobId": job["BackupJobId"], "RecoveryPointArn": job.get("RecoveryPointArn"),
                      "CreationDate": job["CreationDate"], "IsParent": False})
        )  # fmt: skip

    def describe_backup_job(self: Any) -> ActionResult:
        return ActionResult(_without(self.backup_backend.describe_backup_job(_path_part(self, "backup-jobs"))))

    def stop_backup_job(self: Any) -> EmptyResult:
        self.backup_backend.stop_backup_job(_path_part(self, "backup-jobs"))
        return EmptyResult()

    def list_backup_jobs(self: Any) -> ActionResult:
        found = self.backup_backend.list_backup_jobs(
            self._get_param("resourceArn"), self._get_param("state"), self._get_param("backupVaultName"), self._get_param("resourceType")
        )
        page, token = _page(self, found)
        return ActionResult(_without({"BackupJobs": [_without(job) for job in page], "NextToken": token}))

    def list_copy_jobs(self: Any) -> ActionResult:
        found = self.backup_backend.list_copy_jobs(
            self._get_param("resourceArn"), self._get_param("state"), self._get_param("destinationVaultArn"), self._get_param("resourceType"),
            self._get_param("sourceRecoveryPointArn"), self._get_param("accountId"), _dates(self),
        )  # fmt: skip
        page, token = _page(self, found)
        return ActionResult(_without({"CopyJobs": [_without(job) for job in page], "NextToken": token}))

    def list_restore_jobs(self: Any) -> ActionResult:
        found = self.backup_backend.list_restore_jobs(
            self._get_param("status"), self._get_param("resourceType"), self._get_param("accountId"),
            self._get_param("restoreTestingPlanArn"), self._get_param("parentJobId"), _dates(self),
        )  # fmt: skip
        page, token = _page(self, found)
        return ActionResult(_without({"RestoreJobs": [_restore_job(job) for job in page], "NextToken": token}))

    def start_restore_job(self: Any) -> ActionResult:
        params = _body(self)
        job = self.backup_backend.start_restore_job(
            params["RecoveryPointArn"], params.get("Metadata"), params.get("IamRoleArn", ""), params.get("ResourceType"),
            bool(params.get("CopySourceTagsToRestoredResource")),
        )  # fmt: skip
        return ActionResult({"RestoreJobId": job["RestoreJobId"]})

    def describe_restore_job(self: Any) -> ActionResult:
        return ActionResult(_restore_job(self.backup_backend.describe_restore_job(_path_part(self, "restore-jobs"))))

    def start_copy_job(self: Any) -> ActionResult:
        params = _body(self)
        job = self.backup_backend.start_copy_job(
            params["RecoveryPointArn"], params["SourceBackupVaultName"], params["DestinationBackupVaultArn"],
            params.get("IamRoleArn", ""), params.get("Lifecycle"),
        )  # fmt: skip
        return ActionResult({"CopyJobId": job["CopyJobId"], "CreationDate": job["CreationDate"], "IsParent": False})

    def describe_copy_job(self: Any) -> ActionResult:
        return ActionResult({"CopyJob": _without(self.backup_backend.describe_copy_job(_path_part(self, "copy-jobs")))})

    def list_recovery_points_by_backup_vault(self: Any) -> ActionResult:
        found = self.backup_backend.list_recovery_points_by_backup_vault(
            _path_part(self, "backup-vaults"), self._get_param("resourceArn"), self._get_param("resourceType")
        )
        page, token = _page(self, found)
        return ActionResult(_without({"RecoveryPoints": [point.as_dict() for point in page], "NextToken": token}))

    def list_recovery_points_by_resource(self: Any) -> ActionResult:
        arn = unquote(self.path.split("/resources/", 1)[1].rsplit("/recovery-points", 1)[0])
        page, token = _page(self, self.backup_backend.list_recovery_points_by_resource(arn))
        listed = [
            {key: point.as_dict().get(key) for key in ("RecoveryPointArn", "BackupVaultName", "CreationDate", "Status", "EncryptionKeyArn")}
            for point in page
        ]
        return ActionResult(_without({"RecoveryPoints": listed, "NextToken": token}))

    def describe_recovery_point(self: Any) -> ActionResult:
        point = self.backup_backend.describe_recovery_point(_path_part(self, "backup-vaults"), _path_part(self, "recovery-points"))
        return ActionResult(point.as_dict())

    def delete_recovery_point(self: Any) -> EmptyResult:
        self.backup_backend.delete_recovery_point(_path_part(self, "backup-vaults"), _path_part(self, "recovery-points"))
        return EmptyResult()


def patch() -> None:
    for operation in BACKEND_OPERATIONS:
        setattr(BackupBackend, operation.__name__, operation)
    for name, method in vars(BackupJobResponses).items():
        if callable(method) and not name.startswith("_"):
            setattr(BackupResponse, name, method)
    Vault.number_of_recovery_points = 0  # type: ignore[attr-defined]  # read by moto's serializer, never set by moto; 0 until `_count_points`
    wrap(BackupBackend, "delete_backup_vault", _delete_backup_vault)
    wrap(RDSBackend, "delete_db_snapshot", _delete_db_snapshot)
    for route in ROUTES:
        backup_urls.url_paths.setdefault(route, BackupResponse.dispatch)
    moto_api_urls.url_paths.setdefault(WINDOWS_ROUTE, windows_route)
