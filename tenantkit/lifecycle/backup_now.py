"""One hourly run of a tenant's backup plan, on demand: the service behind `tenantkit sandbox
backup-now`.

The tenant's plan is found by its name (`tenantkit.naming`) in the primary region; its selections
name the resources. Each resource is backed up (StartBackupJob) into the vault the plan's hourly
rule targets, with that rule's lifecycle and tags and the selection's role; then each recovery
point is copied (StartCopyJob) to the destination of the rule that has a copy action (the DR
vault), with that action's lifecycle. Every job is awaited (DescribeBackupJob / DescribeCopyJob,
bounded). Plain AWS Backup API calls through region-correct clients: against AWS this is an
on-demand backup; in the sandbox, tenantkit's emulator extensions complete the jobs at once,
with real RDS snapshots behind the database's recovery points in both regions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tenantkit.aws import pages, parse_arn
from tenantkit.naming import names_for

SessionFor = Callable[[str], Any]
DONE_STATES = frozenset({"COMPLETED", "FAILED", "ABORTED", "EXPIRED", "PARTIAL"})
TIMEOUT_S = 3600.0
"""A backup of a large database takes a while in AWS; the sandbox completes jobs at once."""
POLL_S = 10.0


class BackupNowError(Exception):
    """The run cannot start or did not complete; the message says why, in one line."""


@dataclass(frozen=True)
class RecoveryPointCopy:
    vault: str
    region: str
    recovery_point_arn: str


@dataclass(frozen=True)
class CreatedRecoveryPoint:
    vault: str
    region: str
    resource_arn: str
    recovery_point_arn: str
    copies: tuple[RecoveryPointCopy, ...] = ()


@dataclass(frozen=True)
class BackupRun:
    """What one run created: each recovery point and its copies."""

    tenant_id: str
    plan: str
    recovery_points: tuple[CreatedRecoveryPoint, ...]


def backup_now(
    tenant_id: str,
    *,
    account: str,
    primary_region: str,
    secondary_region: str,
    session_for: SessionFor,
    timeout_s: float = TIMEOUT_S,
    poll_s: float = POLL_S,
) -> BackupRun:
    """Run the tenant's hourly backup now, copy each recovery point as the hourly rule's copy
    actions say (to the DR vault unless the tenant set `backup.copy_hourly: false`), and return
    what was created. Raises BackupNowError when the tenant's plan or selection is missing (not
    deployed) or a job does not complete."""
    names = names_for(tenant_id, account, primary_region, secondary_region)
    backup = session_for(primary_region).client("backup")
    plan = _plan(backup, names.backup_plan, tenant_id, primary_region)
    rule = _hourly_rule(plan["BackupPlan"], names.backup_plan)
    vault = rule["TargetBackupVaultName"]
    wait = _Waiter(timeout_s, poll_s)

    started = []
    for resource, role in _selected_resources(backup, plan["BackupPlanId"], names.backup_plan):
        job = backup.start_backup_job(
            BackupVaultName=vault,
            ResourceArn=resource,
            IamRoleArn=role,
            **_present(Lifecycle=rule.get("Lifecycle"), RecoveryPointTags=rule.get("RecoveryPointTags")),
        )
        started.append((resource, role, job["BackupJobId"]))
    points = []
    for resource, role, job_id in started:
        job = wait.until_done(lambda j=job_id: backup.describe_backup_job(BackupJobId=j), f"backup of {resource}")
        points.append((resource, role, job["RecoveryPointArn"]))

    copy_jobs = [
        (resource, point, action, backup.start_copy_job(
            RecoveryPointArn=point, SourceBackupVaultName=vault, DestinationBackupVaultArn=action["DestinationBackupVaultArn"],
            IamRoleArn=role, **_present(Lifecycle=action.get("Lifecycle")),
        )["CopyJobId"])
        for resource, role, point in points
        for action in rule.get("CopyActions", [])
    ]  # fmt: skip
    copies: dict[str, list[RecoveryPointCopy]] = {point: [] for _, _, point in points}
    for _resource, point, action, job_id in copy_jobs:
        copy = wait.until_done(lambda j=job_id: backup.describe_copy_job(CopyJobId=j)["CopyJob"], f"copy of {point}")
        _, destination_region, _, destination_vault = _vault_of(action["DestinationBackupVaultArn"])
        copies[point].append(RecoveryPointCopy(destination_vault, destination_region, copy["DestinationRecoveryPointArn"]))
    created = [
        CreatedRecoveryPoint(vault, primary_region, resource, point, tuple(copies[point])) for resource, _, point in points
    ]
    return BackupRun(tenant_id, names.backup_plan, tuple(created))


def _plan(backup: Any, name: str, tenant_id: str, region: str) -> dict[str, Any]:
    for plan in pages(backup, "list_backup_plans", "BackupPlansList"):
        if plan["BackupPlanName"] == name:
            return backup.get_backup_plan(BackupPlanId=plan["BackupPlanId"])
    raise BackupNowError(f"{tenant_id}: no backup plan {name} in {region}: is the tenant deployed?")


def _is_hourly(expression: str) -> bool:
    """`cron(M * * * ? *)`-like: a fixed minute of every hour."""
    fields = expression.removeprefix("cron(").removesuffix(")").split()
    return expression.startswith("cron(") and len(fields) == 6 and fields[0].isdigit() and fields[1] == "*"


def _hourly_rule(plan: dict[str, Any], name: str) -> dict[str, Any]:
    """The plan's hourly snapshot rule (not its continuous-backup rule, which is hourly too)."""
    for rule in plan.get("Rules", []):
        if _is_hourly(rule.get("ScheduleExpression", "")) and not rule.get("EnableContinuousBackup"):
            return rule
    raise BackupNowError(f"backup plan {name} has no hourly rule")


def _selected_resources(backup: Any, plan_id: str, name: str) -> list[tuple[str, str]]:
    """(resource ARN, the selection's role) for every resource the plan's selections name."""
    selected: dict[str, str] = {}
    for summary in pages(backup, "list_backup_selections", "BackupSelectionsList", BackupPlanId=plan_id):
        selection = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=summary["SelectionId"])["BackupSelection"]
        for resource in selection.get("Resources", []):
            if "*" in resource:
                raise BackupNowError(f"backup plan {name}: selection {selection['SelectionName']} names {resource}, not a resource")
            selected.setdefault(resource, selection["IamRoleArn"])
    if not selected:
        raise BackupNowError(f"backup plan {name} selects no resources: is the tenant deployed?")
    return list(selected.items())


def _vault_of(arn: str) -> tuple[str, str, str, str]:
    """(partition, region, account, vault name) of a backup vault ARN."""
    vault = parse_arn(arn)
    return vault.partition, vault.region, vault.account, vault.resource_id


def _present(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value}


class _Waiter:
    """Polls a job until it ends, within one deadline for the whole run."""

    def __init__(self, timeout_s: float, poll_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._deadline = clock() + timeout_s
        self._poll_s = poll_s
        self._clock = clock

    def until_done(self, describe: Callable[..., dict[str, Any]], what: str) -> dict[str, Any]:  # `...`: callers bind loop variables as lambda defaults
        while True:
            job = describe()
            state = job.get("State", "")
            if state == "COMPLETED":
                return job
            if state in DONE_STATES:
                raise BackupNowError(f"{what}: {state}: {job.get('StatusMessage', 'no reason given')}")
            if self._clock() >= self._deadline:
                raise BackupNowError(f"{what}: still {state or 'unknown'} when the wait ended")
            time.sleep(self._poll_s)
