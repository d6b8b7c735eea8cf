"""`tenantkit failover start | status | failback-plan`: the regional-outage runbook as one command.

Steps, in order, each journaled when done (offboarding's `Journal`, under
`.tenantkit/failover/<tenant>.json`, rewritten atomically after every step):

1. `promote`: the DR region's read replica becomes a standalone instance (`PromoteReadReplica`,
   then the `db_instance_available` waiter); an instance already standalone is left as it is.
2. `parameters-dr`: the DR region's `db-endpoint` and `bucket` parameters name the promoted
   instance and the DR bucket.
3. `secret`: the database secret's replica in the DR region becomes a standalone secret
   (`StopReplicationToReplica`: the primary region may be gone) and its `host` names the promoted
   instance (`PutSecretValue`, only when it differs).
4. `parameters-primary`: the primary region's parameters name the same (an application still
   running there follows); during a regional outage this step fails and the run stays open:
   run `failover start` again once the primary region answers.
5. `state`: the tenant's state becomes `failed-over` (`tenantkit.lifecycle.state`), so that
   `deploy` (and drift repair) refuse the tenant instead of re-creating the replica over the
   promoted instance or pointing the parameters back at the lost primary.

Every step is idempotent and checks the world before acting, so a rerun after a crash finishes
what is left and a rerun of a finished failover changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenantkit.aws import Failure, classify
from tenantkit.config import TenantConfig
from tenantkit.lifecycle.offboarding.resources import Target
from tenantkit.lifecycle.offboarding.run import Journal, JournalError
from tenantkit.lifecycle.restore.model import Environment, RestoreRefused
from tenantkit.lifecycle.restore.service import names_of
from tenantkit.naming import TenantNames, names_for

FAILOVER_JOURNALS = Path("failover")
"""Under the state directory: one journal per tenant that was failed over (`<tenant>.json`)."""
STEPS = ("promote", "parameters-dr", "secret", "parameters-primary", "state")
WAIT = {"Delay": 30, "MaxAttempts": 120}
"""A promotion takes minutes in AWS (one hour at most here); the sandbox's is available at once."""


@dataclass(frozen=True)
class StepStatus:
    step: str
    region: str
    done_at: str | None
    details: dict[str, str]


@dataclass(frozen=True)
class FailoverStatus:
    """What the journal says was done, and what the regions say now (`live`: what was read where;
    a region that could not be read says so)."""

    tenant_id: str
    reason: str | None
    started_at: str | None
    steps: tuple[StepStatus, ...]
    live: dict[str, str]

    @property
    def complete(self) -> bool:
        return all(step.done_at for step in self.steps)


def journal_path(state_dir: Path, tenant_id: str) -> Path:
    return state_dir / FAILOVER_JOURNALS / f"{tenant_id}.json"


def check_confirmation(config: TenantConfig, confirm: str | None, reason: str | None) -> None:
    """Refuse before anything is done: `--confirm` must repeat the tenant id, `--reason` say why."""
    if confirm != config.tenant_id:
        given = "missing" if not confirm else f"{confirm!r}"
        raise RestoreRefused(f"{config.tenant_id}: --confirm {given}: repeat the tenant id (--confirm {config.tenant_id}) to fail it over")
    if not (reason and reason.strip()):
        raise RestoreRefused(f"{config.tenant_id}: --reason is required: say why the tenant is failed over")


def _step_target(names: TenantNames, step: str) -> Target:
    region = names.primary_region if step in ("parameters-primary", "state") else names.secondary_region
    return Target(kind="failover", region=region, name=step, arn="")


def _open(state_dir: Path, env: Environment, names: TenantNames) -> Journal:
    try:
        return Journal.open(journal_path(state_dir, names.tenant_id), tenant_id=names.tenant_id, environment=env.name)
    except JournalError as error:
        raise RestoreRefused(str(error)) from None


def promote_replica(rds: Any, names: TenantNames, backup_days: int) -> dict[str, str]:
    """Promote the DR replica (standalone already: left as it is); its identifier and endpoint."""
    identifier = names.replica_db_instance
    try:
        instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except Exception as error:
        if classify(error) is Failure.ABSENT:
            raise RestoreRefused(f"{names.tenant_id}: no DB instance {identifier} in {names.secondary_region}: nothing to promote") from None
        raise
    if instance.get("ReadReplicaSourceDBInstanceIdentifier"):
        # The promoted instance keeps its own backups from now on: it is the tenant's database.
        rds.promote_read_replica(DBInstanceIdentifier=identifier, BackupRetentionPeriod=backup_days)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig=WAIT)
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    if instance.get("ReadReplicaSourceDBInstanceIdentifier"):
        raise RestoreRefused(f"{identifier} in {names.secondary_region} is still a read replica after its promotion: run failover start again")
    return {"instance": instance["DBInstanceArn"], "endpoint": instance["Endpoint"]["Address"], "port": str(instance["Endpoint"]["Port"])}


def point_parameters(ssm: Any, names: TenantNames, endpoint: str) -> dict[str, str]:
    """The region's `db-endpoint` and `bucket` parameters name the promoted instance and the DR bucket."""
    values = {names.db_endpoint_parameter: endpoint, names.bucket_parameter: names.dr_bucket}
    for name, value in values.items():
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    return values


def point_secret(secrets: Any, names: TenantNames, endpoint: str, port: str) -> dict[str, str]:
    """The DR replica of the database secret made standalone and pointed at the promoted instance."""
    described = secrets.describe_secret(SecretId=names.db_master_secret)
    details = {"secret": described["ARN"]}
    if described.get("PrimaryRegion") not in (None, names.secondary_region):
        secrets.stop_replication_to_replica(SecretId=described["ARN"])
        details["promoted"] = "replica secret made standalone"
    value = json.loads(secrets.get_secret_value(SecretId=described["ARN"])["SecretString"])
    wanted = {**value, "host": endpoint, "port": int(port), "dbInstanceIdentifier": names.replica_db_instance}
    if wanted != value:
        secrets.put_secret_value(SecretId=described["ARN"], SecretString=json.dumps(wanted))
        details["host"] = endpoint
    return details


def start_failover(
    config: TenantConfig, env: Environment, *, state_dir: Path, reason: str, by: str, store: Any
) -> FailoverStatus:
    """Run (or resume) the failover of the tenant; its status afterwards. `store` is the tenant's
    `StateStore`. A step that fails leaves the journal open: the next run resumes there."""
    names = names_of(config, env)
    state = store.read(names)
    if state.closed:
        raise RestoreRefused(f"{config.tenant_id} is {state.describe()}: failover refused, nothing changed")
    journal = _open(state_dir, env, names)
    if not journal.data.get("started_at"):
        from tenantkit.lifecycle.offboarding.run import now

        journal.data.update(started_at=now(), reason=reason, by=by)
        for step in STEPS:
            journal.add(_step_target(names, step))
        journal.save()
    dr, primary = env.session_for(names.secondary_region), env.session_for(names.primary_region)
    for step in STEPS:
        target = _step_target(names, step)
        if journal.is_done(target):
            continue
        promoted = journal.data["done"].get(_step_target(names, "promote").id, {})
        if step == "promote":
            details = promote_replica(dr.client("rds"), names, config.backup.continuous_days)
        elif step == "parameters-dr":
            details = point_parameters(dr.client("ssm"), names, promoted["endpoint"])
        elif step == "secret":
            details = point_secret(dr.client("secretsmanager"), names, promoted["endpoint"], promoted["port"])
        elif step == "parameters-primary":
            details = point_parameters(primary.client("ssm"), names, promoted["endpoint"])
        else:
            from tenantkit.lifecycle.state import State

            record = store.move(names, State.FAILED_OVER, by=by, reason=journal.data.get("reason") or reason)
            details = {"state": record.state.value, "since": record.since}
        journal.mark_done(target, details)
    return failover_status(config, env, state_dir=state_dir)


def _read(what: str, call: Any) -> str:
    try:
        return str(call())
    except Exception as error:  # noqa: BLE001 - reported as unreadable (a lost region), never guessed
        return f"unreadable ({classify(error).value}: {error})"


def failover_status(config: TenantConfig, env: Environment, *, state_dir: Path) -> FailoverStatus:
    """The journal's steps and what the regions say now: the DR instance (standalone or replica),
    both regions' parameters."""
    names = names_of(config, env)
    path = journal_path(state_dir, config.tenant_id)
    if not path.exists():
        raise RestoreRefused(f"{config.tenant_id} has not been failed over ({path} does not exist)")
    journal = _open(state_dir, env, names)
    steps = tuple(
        StepStatus(step, _step_target(names, step).region, journal.data["done"].get(_step_target(names, step).id, {}).get("destroyed_at"),
                   {k: str(v) for k, v in journal.data["done"].get(_step_target(names, step).id, {}).items() if k != "destroyed_at"})
        for step in STEPS
    )  # fmt: skip
    rds = env.session_for(names.secondary_region).client("rds")

    def instance() -> str:
        found = rds.describe_db_instances(DBInstanceIdentifier=names.replica_db_instance)["DBInstances"][0]
        role = f"replica of {found['ReadReplicaSourceDBInstanceIdentifier']}" if found.get("ReadReplicaSourceDBInstanceIdentifier") else "standalone"
        return f"{found['DBInstanceStatus']}, {role}, {found['Endpoint']['Address']}"

    live = {f"{names.replica_db_instance} ({names.secondary_region})": _read("instance", instance)}
    for region in (names.secondary_region, names.primary_region):
        ssm = env.session_for(region).client("ssm")
        for parameter in (names.db_endpoint_parameter, names.bucket_parameter):
            live[f"{parameter} ({region})"] = _read(parameter, lambda p=parameter, s=ssm: s.get_parameter(Name=p)["Parameter"]["Value"])
    return FailoverStatus(config.tenant_id, journal.data.get("reason"), journal.data.get("started_at"), steps, live)


def failback_plan(config: TenantConfig, account: str) -> str:
    """The runbook (Markdown) that brings the tenant back to its primary region: a new primary
    re-created from the promoted instance, then the usual shape again. Written, not run: each
    step is a decision an operator takes in a maintenance window."""
    names = names_for(config.tenant_id, account, config.primary_region, config.secondary_region)
    p, s = names.primary_region, names.secondary_region
    promoted = names.replica_db_instance_arn
    return f"""# Failback of {config.tenant_id}: back to {p}

The tenant serves from {s}: `{names.replica_db_instance}` is a standalone instance there and the
parameters `{names.db_endpoint_parameter}` and `{names.bucket_parameter}` of both regions name it
and `{names.dr_bucket}`. Its state is `failed-over`: `tenantkit deploy` refuses it until step 7.

1. **Check the primary region answers** and what is left there: `aws rds describe-db-instances
   --region {p} --db-instance-identifier {names.db_instance}`. The old primary holds data up to the
   outage only: keep it (rename it `{names.db_instance}-lost`, deletion protection on) until the
   failback is verified; never write to it.
2. **Re-create the primary from the promoted instance**, encrypted with the tenant key of {p}:
   `aws rds create-db-instance-read-replica --region {p} --db-instance-identifier {names.db_instance}
   --source-db-instance-identifier {promoted} --kms-key-id {names.key_alias}
   --db-subnet-group-name <the primary stack's subnet group>` (the identifier is free once the old
   one is renamed). Wait until its replica lag is 0.
3. **Copy the files back**: objects written in {s} since the failover are in `{names.dr_bucket}`
   only. `aws s3 sync s3://{names.dr_bucket} s3://{names.data_bucket} --sse aws:kms
   --sse-kms-key-id {names.key_alias}` (versioned buckets: nothing is overwritten irrecoverably).
4. **Maintenance window: stop writes** (application in read-only mode), check the lag is 0 and the
   last object is copied.
5. **Promote the new primary**: `aws rds promote-read-replica --region {p} --db-instance-identifier
   {names.db_instance} --backup-retention-period {config.backup.continuous_days}`.
6. **Point the parameters back**: in both regions `{names.db_endpoint_parameter}` = the new
   primary's endpoint, `{names.bucket_parameter}` = `{names.data_bucket}`; the secret
   `{names.db_master_secret}` of {p}: `host` = the new primary's endpoint.
7. **Set the state back** to `active` (the state module's failed-over -> active) and redeploy: the replica stack re-creates
   `{names.replica_db_instance}` as a read replica of the new primary only after the promoted one
   is renamed or deleted (take a final snapshot first: `aws rds delete-db-instance --region {s}
   --db-instance-identifier {names.replica_db_instance} --final-db-snapshot-identifier
   {names.replica_db_instance}-failback`), and the secret's replica is added again by the
   primary stack (`aws secretsmanager delete-secret --region {s}` of the standalone copy first).
8. **Prove it**: `tenantkit drill {config.tenant_id}` and `tenantkit inventory`; then delete
   `{names.db_instance}-lost` after its final snapshot.
"""
