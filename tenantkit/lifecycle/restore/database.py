"""Databases restored beside the live one, never over it: from a recovery point (the RDS snapshot
AWS Backup keeps behind it) or to a point in time, into a new instance in the tenant's subnet
group and security groups, encrypted with the tenant key of its region, deletion protection on,
tagged with the tenant and `tenantkit:restore=<name>`; and found and discarded by that exact
identifier and those exact tags."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from tenantkit.aws import Failure, classify, pages, parse_arn
from tenantkit.config import TenantConfig
from tenantkit.lifecycle.restore.model import Clock, ListedRestore, Restored, RestoreRefused, Store, iso
from tenantkit.naming import TAG_RESTORE, TAG_TENANT, TenantNames, restore_of_db_instance

TAG_SOURCE = "tenantkit:restored-from"
TAG_DATA_TIME = "tenantkit:data-time"
WAIT = {"Delay": 30, "MaxAttempts": 120}
"""An instance restore takes minutes in AWS (one hour at most here); the sandbox's is available at once."""


def tenant_key_arn(kms: Any, names: TenantNames, region: str) -> str:
    """The ARN of the tenant key of `region` (behind `alias/tenantkit/<id>`)."""
    try:
        return kms.describe_key(KeyId=names.key_alias)["KeyMetadata"]["Arn"]
    except Exception as error:
        if classify(error) is Failure.ABSENT:
            raise RestoreRefused(f"{names.tenant_id}: no key {names.key_alias} in {region}: is the tenant deployed?") from None
        raise


def _live_instance(rds: Any, names: TenantNames, region: str) -> dict[str, Any]:
    identifier = names.live_db_instance_in(region)
    try:
        return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except Exception as error:
        if classify(error) is Failure.ABSENT:
            raise RestoreRefused(f"{names.tenant_id}: no DB instance {identifier} in {region}: is the tenant deployed?") from None
        raise


def database_points(backup: Any, names: TenantNames, region: str) -> list[dict[str, Any]]:
    """The completed recovery points of the tenant's database in its vault of `region`, oldest
    first (the DR vault's copies name the primary instance as their resource)."""
    points = pages(
        backup, "list_recovery_points_by_backup_vault", "RecoveryPoints",
        BackupVaultName=names.vault_in(region), ByResourceArn=names.db_instance_arn,
    )  # fmt: skip
    found = [p for p in points if p.get("Status") == "COMPLETED" and p.get("ResourceArn") == names.db_instance_arn]
    return sorted(found, key=lambda p: p["CreationDate"])


def point_of(backup: Any, names: TenantNames, region: str, arn: str) -> dict[str, Any]:
    """The recovery point `arn` of the tenant's vault in `region`; refused when it is not there."""
    try:
        return backup.describe_recovery_point(BackupVaultName=names.vault_in(region), RecoveryPointArn=arn)
    except Exception as error:
        if classify(error) is Failure.ABSENT:
            raise RestoreRefused(f"{arn} is not a recovery point of vault {names.vault_in(region)} in {region}") from None
        raise


def restore_from_point(
    session: Any, config: TenantConfig, names: TenantNames, name: str, point: dict[str, Any], *, clock: Clock
) -> Restored:
    """A new instance from the RDS snapshot behind the recovery point `point`."""
    region = session.region_name
    arn = point["RecoveryPointArn"]
    if point.get("ResourceArn") != names.db_instance_arn or parse_arn(arn).service != "rds":
        raise RestoreRefused(f"{arn} is not a recovery point of {names.db_instance_arn}")
    rds = session.client("rds")
    key = tenant_key_arn(session.client("kms"), names, region)
    snapshot = parse_arn(arn).resource_id  # `awsbackup:job-…` of `snapshot:awsbackup:job-…`
    described = rds.describe_db_snapshots(DBSnapshotIdentifier=snapshot, SnapshotType="awsbackup")["DBSnapshots"][0]
    if described.get("KmsKeyId") != key:
        raise RestoreRefused(f"{arn} is encrypted with {described.get('KmsKeyId')}, not the tenant key of {region} ({key}): not restored")
    data_time = point["CreationDate"]
    return _restore(
        rds, config, names, name, region, source=arn, data_time=data_time, clock=clock, key=key,
        call=lambda common: rds.restore_db_instance_from_db_snapshot(DBSnapshotIdentifier=arn, **common),
        details={"snapshot": snapshot},
    )  # fmt: skip


def restore_to_time(session: Any, config: TenantConfig, names: TenantNames, name: str, to: datetime, *, clock: Clock) -> Restored:
    """A new instance as the live primary instance was at `to` (continuous backup)."""
    region = session.region_name
    rds = session.client("rds")
    key = tenant_key_arn(session.client("kms"), names, region)
    source = names.live_db_instance_in(region)
    return _restore(
        rds, config, names, name, region, source=f"point-in-time of {names.db_instance_arn}", data_time=to, clock=clock, key=key,
        call=lambda common: rds.restore_db_instance_to_point_in_time(
            SourceDBInstanceIdentifier=source, TargetDBInstanceIdentifier=common.pop("DBInstanceIdentifier"), RestoreTime=to, **common
        ),
        details={},
    )  # fmt: skip


def _restore(
    rds: Any, config: TenantConfig, names: TenantNames, name: str, region: str, *,
    source: str, data_time: datetime, clock: Clock, key: str, call: Any, details: dict[str, Any],
) -> Restored:  # fmt: skip
    live = _live_instance(rds, names, region)
    identifier = names.restore_db_instance(name)
    instance_class = config.database.instance_class if region == config.primary_region else config.replica_instance_class
    tags = {TAG_TENANT: config.tenant_id, TAG_RESTORE: name, TAG_SOURCE: source[:256], TAG_DATA_TIME: iso(data_time)}
    common = {
        "DBInstanceIdentifier": identifier,
        "DBInstanceClass": instance_class,
        "DBSubnetGroupName": live["DBSubnetGroup"]["DBSubnetGroupName"],
        "VpcSecurityGroupIds": [group["VpcSecurityGroupId"] for group in live.get("VpcSecurityGroups", [])],
        "MultiAZ": False,  # a restore is for reading back, not serving: one zone is enough
        "PubliclyAccessible": False,
        "DeletionProtection": True,
        "CopyTagsToSnapshot": True,
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
    }
    started = clock()
    began = time.monotonic()
    call(common)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig=WAIT)
    made = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    seconds = round(time.monotonic() - began, 3)
    finished = clock()
    return Restored(
        Store.DATABASE, region, made["DBInstanceArn"], source, iso(data_time), iso(started), iso(finished), seconds,
        {**details, "instance": identifier, "engine_version": made.get("EngineVersion"), "kms_key": made.get("KmsKeyId"),
         "key_expected": key, "status": made.get("DBInstanceStatus")},
    )  # fmt: skip


def _tags(instance: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in instance.get("TagList", [])}


def is_restore(instance: dict[str, Any], tenant_id: str, name: str | None = None) -> bool:
    """The instance is a restore of `tenant_id` (named `name`): its identifier parses to exactly
    them and its tags say the same. Never a prefix match."""
    parsed = restore_of_db_instance(instance["DBInstanceIdentifier"])
    if parsed is None or parsed[0] != tenant_id or (name is not None and parsed[1] != name):
        return False
    tags = _tags(instance)
    return tags.get(TAG_TENANT) == tenant_id and tags.get(TAG_RESTORE) == parsed[1]


def list_database_restores(rds: Any, tenant_id: str, region: str) -> list[ListedRestore]:
    found = []
    for instance in pages(rds, "describe_db_instances", "DBInstances"):
        if is_restore(instance, tenant_id):
            tags = _tags(instance)
            found.append(ListedRestore(
                tags[TAG_RESTORE], Store.DATABASE, region, instance["DBInstanceArn"], tags.get(TAG_DATA_TIME),
                instance.get("DBInstanceStatus", ""), {"source": tags.get(TAG_SOURCE, "")},
            ))  # fmt: skip
    return found


def discard_database(rds: Any, names: TenantNames, name: str) -> str | None:
    """Delete the restore `name`'s instance (deletion protection lifted first, no final
    snapshot: its data is a copy); its ARN, or None when there is no such restore."""
    identifier = names.restore_db_instance(name)
    try:
        instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except Exception as error:
        if classify(error) is Failure.ABSENT:
            return None
        raise
    if not is_restore(instance, names.tenant_id, name):
        raise RestoreRefused(f"{identifier} does not carry the tags of {names.tenant_id}'s restore {name}: not discarded")
    if instance.get("DeletionProtection"):
        rds.modify_db_instance(DBInstanceIdentifier=identifier, DeletionProtection=False, ApplyImmediately=True)
    rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
    return instance["DBInstanceArn"]
