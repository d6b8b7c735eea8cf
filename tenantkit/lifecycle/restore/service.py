"""The services behind `tenantkit restore start | list | discard`.

Every refusal is decided before anything is made: an unknown tenant, a tenant in offboarding (a
journal under `.tenantkit/offboarding/`) or past its retrieval deadline, a time outside what the
region's copies keep, a recovery point that is not the tenant's, a name already in use.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tenantkit.config import TenantConfig, TenantStatus
from tenantkit.lifecycle.restore import database, files
from tenantkit.lifecycle.restore.model import (
    Clock,
    Environment,
    ListedRestore,
    Restored,
    RestoreRefused,
    RestoreRequest,
    RestoreResult,
    Store,
    iso,
    utc_now,
)
from tenantkit.naming import RESTORE_NAME, TenantNames, names_for

"""Under the state directory: offboarding's journals (`<tenant>.json`), one per tenant in offboarding."""


def tenant(directory: Path, tenant_id: str) -> TenantConfig:
    """The tenant's config; ConfigError for its invalid file, RestoreRefused when none."""
    from tenantkit.config import UnknownTenantError, find_tenant

    try:
        return find_tenant(directory, tenant_id).config
    except UnknownTenantError as error:
        raise RestoreRefused(str(error)) from None


def check_may_restore(config: TenantConfig, *, state_dir: Path, today: date) -> None:
    """Refuse a tenant whose data is being destroyed or may be: in offboarding, or past its
    retrieval deadline. During the retrieval window restores are what the window is for."""
    from tenantkit.lifecycle.offboarding.service import journal_path

    journal = journal_path(state_dir, config.tenant_id, config.generation)  # an earlier generation's is history
    if journal.exists():
        raise RestoreRefused(f"{config.tenant_id} is being offboarded ({journal}): nothing restored")
    if config.subscription.status(today) is TenantStatus.READY_FOR_DESTRUCTION:
        raise RestoreRefused(
            f"{config.tenant_id}: its retrieval deadline {config.subscription.retrieval_deadline} has passed: nothing restored"
        )


def environment(config: TenantConfig, *, local: bool, state_dir: Path) -> Environment:
    """The running sandbox (else RestoreRefused), or AWS with the default credentials in the
    tenant's account (refused in another)."""
    if local:
        from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, sandbox_sessions
        from tenantkit.lifecycle.local import LocalDeployError, running_sandbox

        try:
            status = running_sandbox(state_dir)
        except LocalDeployError as error:
            raise RestoreRefused(str(error)) from None
        return Environment("sandbox", config.account or SANDBOX_ACCOUNT, sandbox_sessions(status.endpoint, config.account))
    import boto3

    from tenantkit.lifecycle.fleet import region_sessions

    session_for = region_sessions(boto3.Session())
    account = session_for(config.primary_region).client("sts").get_caller_identity()["Account"]
    if config.account is not None and account != config.account:
        raise RestoreRefused(f"{config.tenant_id} lives in account {config.account}; these credentials act in {account}")
    return Environment(f"aws:{account}", account, session_for)


def names_of(config: TenantConfig, env: Environment) -> TenantNames:
    return names_for(config.tenant_id, env.account, config.primary_region, config.secondary_region, config.generation)


def default_name(now: datetime, prefix: str = "r") -> str:
    return f"{prefix}{now:%Y%m%d%H%M%S}"


def retention(config: TenantConfig, store: Store, region: str) -> timedelta:
    """How far back a region's copies of a store reach: continuous backup (primary database),
    noncurrent versions (files: `retention_days` in the primary bucket, `copy_retention_days`
    in its replica), copies of the daily backups (DR database)."""
    backup = config.backup
    if region == config.primary_region:
        return timedelta(days=backup.continuous_days if store is Store.DATABASE else backup.retention_days)
    return timedelta(days=backup.copy_retention_days)


def region_of(config: TenantConfig, which: str) -> str:
    if which not in ("primary", "secondary"):
        raise RestoreRefused(f"--region must be primary or secondary, not {which!r}")
    return config.primary_region if which == "primary" else config.secondary_region


def check_request(request: RestoreRequest) -> None:
    """Refuse a request that does not say exactly what to restore, before anything is looked up."""
    if not RESTORE_NAME.fullmatch(request.name):
        raise RestoreRefused(f"--as {request.name!r}: a restore name is a letter, then letters and digits, at most 22")
    if sum((request.to is not None, request.recovery_point is not None, request.latest)) != 1:
        raise RestoreRefused("say what to restore: exactly one of --to TIME, --recovery-point ARN, --latest")
    if request.to is not None and request.to.tzinfo is None:
        raise RestoreRefused("--to needs a time zone (e.g. 2026-12-07T01:00:00Z)")
    if not request.stores:
        raise RestoreRefused("--store must be database, files or all")


def parse_time(value: str) -> datetime:
    """An ISO 8601 time with a zone (`Z` or `+01:00`); RestoreRefused otherwise."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RestoreRefused(f"--to {value!r} is not a time like 2026-12-07T01:00:00Z") from None
    if moment.tzinfo is None:
        raise RestoreRefused(f"--to {value!r} needs a time zone (e.g. 2026-12-07T01:00:00Z)")
    return moment


def start_restore(config: TenantConfig, env: Environment, request: RestoreRequest, *, clock: Clock = utc_now) -> RestoreResult:
    """Restore each requested store into new resources named after `request.name`; refused (one
    line, nothing made) when the request cannot be served whole."""
    names = names_of(config, env)
    region, session = request.region, env.session_for(request.region)
    now = clock()
    check_request(request)
    stores = request.stores
    point: dict[str, Any] | None = None
    if request.recovery_point is not None:
        point = database.point_of(session.client("backup"), names, region, request.recovery_point)
        store = Store.DATABASE if point.get("ResourceType") == "RDS" else Store.FILES
        if stores != (store,) and set(stores) != set(Store):
            raise RestoreRefused(f"{request.recovery_point} is a recovery point of the {store.value}, not of {', '.join(stores)}")
        stores = (store,)
    if request.to is not None:
        for store in stores:
            kept = retention(config, store, region)
            if not now - kept <= request.to <= now:
                raise RestoreRefused(
                    f"--to {iso(request.to)} is outside the {store.value}'s retention in {region} "
                    f"({iso(now - kept)} to {iso(now)}): nothing restored"
                )
    _refuse_existing(env, names, request.name)
    plan = [(store, _source(config, env, names, request, store, point, now)) for store in stores]
    key = database.tenant_key_arn(session.client("kms"), names, region)
    restored: list[Restored] = []
    for store, (kind, value) in plan:
        if store is Store.DATABASE and kind == "point":
            restored.append(database.restore_from_point(session, config, names, request.name, value, clock=clock))
        elif store is Store.DATABASE:
            restored.append(database.restore_to_time(session, config, names, request.name, value, clock=clock))
        else:
            moment, source = value
            restored.append(files.restore_files(session, names, request.name, moment, key, clock=clock, source=source))
    return RestoreResult(config.tenant_id, request.name, tuple(restored), iso(now))


def _source(
    config: TenantConfig, env: Environment, names: TenantNames, request: RestoreRequest, store: Store,
    point: dict[str, Any] | None, now: datetime,
) -> tuple[str, Any]:  # fmt: skip
    """("point", recovery point) or ("time", moment) for the database; ("time", (moment, source))
    for files. Refused when the region holds no copy to serve the request."""
    region = request.region
    backup = env.session_for(region).client("backup")
    if store is Store.DATABASE:
        if point is not None:
            return "point", point
        if request.to is not None and region == config.primary_region:
            return "time", request.to
        candidates = database.database_points(backup, names, region)
        if request.to is not None:  # no continuous backup in the DR region: the copy before the time
            candidates = [p for p in candidates if p["CreationDate"] <= request.to]
        if not candidates:
            when = f" at or before {iso(request.to)}" if request.to is not None else ""
            raise RestoreRefused(f"no recovery point of {names.db_instance} in {names.vault_in(region)} ({region}){when}: nothing restored")
        return "point", candidates[-1]
    if request.to is not None:
        return "time", (request.to, None)
    bucket_arn = names.data_bucket_arn
    if point is None:
        from tenantkit.aws import pages

        listed = pages(backup, "list_recovery_points_by_backup_vault", "RecoveryPoints",
                       BackupVaultName=names.vault_in(region), ByResourceArn=bucket_arn)  # fmt: skip
        points = sorted((p for p in listed if p.get("Status") == "COMPLETED" and p.get("ResourceArn") == bucket_arn),
                        key=lambda p: p["CreationDate"])  # fmt: skip
        if not points:
            raise RestoreRefused(f"no recovery point of {bucket_arn} in {names.vault_in(region)} ({region}): nothing restored")
        point = points[-1]
    elif point.get("ResourceArn") != bucket_arn:
        raise RestoreRefused(f"{point['RecoveryPointArn']} is not a recovery point of {bucket_arn}")
    # The files as they were at the recovery point's time, from the bucket's own versions: the
    # same data, restored beside the live files (an AWS Backup S3 restore writes whole buckets).
    return "time", (point["CreationDate"], f"{point['RecoveryPointArn']} (from versions of s3://{names.bucket_in(region)})")


def _refuse_existing(env: Environment, names: TenantNames, name: str) -> None:
    for found in list_restores_in(env, names):
        if found.name == name:
            raise RestoreRefused(f"{names.tenant_id} already has a restore named {name} ({found.resource}): choose another --as")


def list_restores_in(env: Environment, names: TenantNames) -> list[ListedRestore]:
    found: list[ListedRestore] = []
    for region in (names.primary_region, names.secondary_region):
        session = env.session_for(region)
        found.extend(database.list_database_restores(session.client("rds"), names.tenant_id, region))
        found.extend(files.list_file_restores(session.client("s3"), names, region))
    return sorted(found, key=lambda r: (r.name, r.region, r.store.value))


def list_restores(config: TenantConfig, env: Environment) -> list[ListedRestore]:
    """Every restore of the tenant in both regions (database instances and file folders)."""
    return list_restores_in(env, names_of(config, env))


def discard_restore(config: TenantConfig, env: Environment, name: str) -> list[str]:
    """Delete everything the restore `name` made, in both regions; what was deleted. Refused for
    a name that is not one of the tenant's restores (exact identifier, tags and prefix)."""
    names = names_of(config, env)
    if not RESTORE_NAME.fullmatch(name):
        raise RestoreRefused(f"{name!r} is not a restore name: nothing discarded")
    if not any(found.name == name for found in list_restores_in(env, names)):
        raise RestoreRefused(f"{config.tenant_id} has no restore named {name}: nothing discarded")
    gone: list[str] = []
    for region in (names.primary_region, names.secondary_region):
        session = env.session_for(region)
        arn = database.discard_database(session.client("rds"), names, name)
        if arn is not None:
            gone.append(arn)
        count = files.discard_files(session.client("s3"), names, name, region)
        if count:
            gone.append(f"s3://{names.bucket_in(region)}/{names.restore_prefix(name)} ({count} object versions)")
    return gone


