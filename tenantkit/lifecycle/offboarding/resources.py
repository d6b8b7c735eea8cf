"""Every kind of resource a tenant owns: how to find each one (in both regions, and copies in every
region of its residency zone) and how to destroy it, in the order offboarding destroys them.

Nothing here looks beyond the tenant, and nothing matches by a name prefix that a longer tenant
id could share (`acme` vs `acme-corp`). Each resource is found by the exact physical name
`tenantkit.naming` derives from the tenant id, under a path whose segment is exactly the tenant id
or one of its database identifiers (`/tenantkit/<id>/`, naming's `log_group_paths`), by the
instance identifier its snapshots name, inside the tenant's own backup vaults, or among the
physical ids the tenant's own stacks report (that is how the log groups of CDK's custom-resource
Lambdas are found, whatever name CloudFormation generated for them). Before a database, bucket,
vault or key is destroyed its `tenantkit:tenant` tag is checked too: a resource with the tenant's
name but another owner's tag is a stop, never a deletion.

Every destroy action is idempotent: a resource already gone counts as destroyed, so a rerun after
an interruption finishes the work. Actions that take long (emptying a bucket, deleting recovery
points) journal each batch before deleting it and settle it after (`Progress`), so the journal's
counts are what was deleted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import ClientError

from tenantkit.aws import Failure, classify, error_code, pages, parse_arn
from tenantkit.naming import EXPORTS_FOLDER, TAG_TENANT, TenantNames


class Progress(Protocol):
    """How a step that deletes in batches keeps the journal exact, however it is interrupted: a
    batch is journaled as in flight (`begin`) before it is deleted and settled with what was
    actually deleted (`settle`) after; a rerun first settles a batch an interrupted run left in
    flight (`in_flight`), by looking at what still exists."""

    def __call__(self, counts: dict[str, int]) -> None:
        """`counts` more were destroyed (added to the target's totals and journaled)."""

    def begin(self, batch: dict[str, list[Any]]) -> None:
        """About to delete `batch` (count name -> identities of the items); journaled first."""

    def settle(self, counts: dict[str, int]) -> None:
        """Of the batch in flight, `counts` were deleted: added to the totals, the batch cleared."""

    def in_flight(self) -> dict[str, list[Any]] | None:
        """The batch an interrupted run began and never settled, if any."""

WAIT_SECONDS = 1800
KEY_PENDING_WINDOW_DAYS = 30
"""The longest window KMS allows: the last chance to stop a key deletion made by mistake."""


class OffboardingBlocked(Exception):
    """A resource the tenant owns cannot be destroyed by tenantkit (a lock), or a name of the
    tenant's belongs to someone else. The message says which and why, in one line."""


@dataclass(frozen=True)
class Target:
    """One thing to destroy: its kind, region, name and ARN, what it holds (counts), the
    protections offboarding lifts to destroy it, and any it cannot lift (blockers)."""

    kind: str
    region: str
    name: str
    arn: str
    counts: dict[str, int] = field(default_factory=dict)
    lifts: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.kind}|{self.region}|{self.name}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "region": self.region, "name": self.name, "arn": self.arn,
            "counts": dict(self.counts), "lifts": list(self.lifts), "blockers": list(self.blockers),
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        return cls(
            kind=data["kind"], region=data["region"], name=data["name"], arn=data["arn"],
            counts=dict(data.get("counts", {})), lifts=tuple(data.get("lifts", ())),
            blockers=tuple(data.get("blockers", ())), extra=dict(data.get("extra", {})),
        )


@dataclass(frozen=True)
class Scope:
    """The tenant being offboarded: its names, the sessions of its regions, the resources its web
    ACLs protect (the application's, disassociated, never deleted), the regions of its residency
    zone (`zone`: swept for copies) and the enabled regions of the account (`account_regions`:
    asked for anything tagged with the tenant). Empty, each means the tenant's two regions.

    `resource_ids` gathers the DbiResourceIds of the tenant's instances as discovery sees them (a
    rerun seeds it from the journal, once the instances are gone): snapshots, recovery points and
    Enhanced Monitoring streams outlive their instance and are matched by it. `searched` records
    what discovery looked at (regions, vaults), for the report's scope."""

    names: TenantNames
    session_for: Callable[[str], Any]
    protects: tuple[str, ...] = ()
    zone: tuple[str, ...] = ()
    account_regions: tuple[str, ...] = ()
    resource_ids: set[str] = field(default_factory=set, compare=False)
    searched: dict[str, set[str]] = field(default_factory=dict, compare=False)
    destroyer_for: Callable[[str], Any] | None = None
    """region -> a session acting as the tenant's offboarding role: the only principal the
    tenant's bucket and vault policies let destroy their contents (None: `session_for` acts)."""
    job_wait_seconds: float = 240 * 60
    """How long one run awaits the tenant's running backup jobs (`jobs`), all of them together."""
    assets: tuple[Any, ...] = ()
    """The CDK asset objects only this tenant's stacks publish (`assets.AssetObject`), from its cloud assemblies."""
    _job_deadline: list[float] = field(default_factory=list, compare=False, repr=False)
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def tenant_id(self) -> str:
        return self.names.tenant_id

    @property
    def regions(self) -> tuple[str, str]:
        return (self.names.primary_region, self.names.secondary_region)

    @property
    def zone_regions(self) -> tuple[str, ...]:
        """The tenant's two regions first, then the rest of its residency zone, sorted."""
        return (*self.regions, *sorted(set(self.zone) - set(self.regions)))

    @property
    def tag_regions(self) -> tuple[str, ...]:
        """Where the Resource Groups Tagging API is asked: every enabled region of the account."""
        return (*self.zone_regions, *sorted(set(self.account_regions) - set(self.zone_regions)))

    def note(self, what: str, *items: str) -> None:
        """Record that discovery searched `items` (regions, vaults) for the report's scope."""
        self.searched.setdefault(what, set()).update(items)

    def job_wait_left(self) -> float:
        """Seconds left of this run's bound on awaiting jobs, which starts with the first wait."""
        if not self._job_deadline:
            self._job_deadline.append(time.monotonic() + self.job_wait_seconds)
        return max(0.0, self._job_deadline[0] - time.monotonic())

    def destroyer(self, service: str, region: str, name: str) -> Any:
        """The client that destroys `name`: as the offboarding role for the tenant's own buckets
        and vaults (their policies deny everyone else), else the operator's (`client`)."""
        names = self.names
        own = {names.data_bucket, names.access_log_bucket, names.dr_bucket, names.dr_access_log_bucket,
               names.backup_vault, names.dr_backup_vault}
        if self.destroyer_for is None or name not in own:
            return self.client(service, region)
        key = (f"destroyer:{service}", region)
        if key not in self._clients:
            self._clients[key] = self.destroyer_for(region).client(service)
        return self._clients[key]

    def client(self, service: str, region: str) -> Any:
        """One client per service and region (a new session per call would cost ~0.3 s each)."""
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session_for(region).client(service)
        return self._clients[key]


# --- helpers ---------------------------------------------------------------------------------


def _is_absent(error: ClientError) -> bool:
    """Only what the API says is absent (`tenantkit.aws.classify`): access denied, throttling or
    any other failure must stop offboarding, not hide what it could not see."""
    return classify(error) is Failure.ABSENT


def _absent(call: Callable[..., Any]) -> Any:  # `...`: callers bind loop variables as lambda defaults
    """call(), or None when the resource it reads is not there."""
    try:
        return call()
    except ClientError as error:
        if _is_absent(error):
            return None
        raise


def _gone(call: Callable[..., Any]) -> None:  # `...`: callers bind loop variables as lambda defaults
    """Run a delete; a resource already gone is fine."""
    _absent(call)


def _check_owner(target: Target, tags: dict[str, str] | None, tenant_id: str) -> None:
    """Refuse a resource carrying another tenant's tag (no tag at all is accepted: the name is
    the tenant's, and some resources are created without tags)."""
    owner = (tags or {}).get(TAG_TENANT)
    if owner is not None and owner != tenant_id:
        raise OffboardingBlocked(f"{target.kind} {target.name} ({target.region}) is tagged {TAG_TENANT}={owner}, not {tenant_id}: not touched")


def _wait(check: Callable[[], bool], what: str, *, seconds: float = WAIT_SECONDS) -> None:
    """Poll check() until it is true (AWS deletes databases and stacks asynchronously)."""
    deadline = time.monotonic() + seconds
    delay = 0.2
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: still not done after {seconds:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 15.0)


# --- restore testing plan and backup plan: stop new restores and copies first ---------------


def _find_restore_testing_plans(scope: Scope) -> Iterable[Target]:
    """The primary stack's restore testing plan, by its exact name: it restores the tenant's
    recovery points into new instances on a schedule, so it goes before anything is deleted."""
    region, name = scope.names.primary_region, scope.names.restore_testing_plan
    backup = scope.client("backup", region)
    plan = _absent(lambda: backup.get_restore_testing_plan(RestoreTestingPlanName=name)["RestoreTestingPlan"])
    if plan is not None:
        selections = list(pages(backup, "list_restore_testing_selections", "RestoreTestingSelections", RestoreTestingPlanName=name))
        yield Target("restore testing plan", region, name, plan["RestoreTestingPlanArn"], counts={"selections": len(selections)})


def _destroy_restore_testing_plan(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    """Its selections first (AWS deletes a plan only once it has none), then the plan."""
    backup = scope.client("backup", target.region)
    selections = _absent(lambda: list(pages(backup, "list_restore_testing_selections", "RestoreTestingSelections", RestoreTestingPlanName=target.name)))
    for selection in selections or []:
        _gone(lambda s=selection: backup.delete_restore_testing_selection(RestoreTestingPlanName=target.name, RestoreTestingSelectionName=s["RestoreTestingSelectionName"]))
    _gone(lambda: backup.delete_restore_testing_plan(RestoreTestingPlanName=target.name))
    return {}


def _find_backup_plans(scope: Scope) -> Iterable[Target]:
    region = scope.names.primary_region
    backup = scope.client("backup", region)
    for plan in pages(backup, "list_backup_plans", "BackupPlansList"):
        if plan["BackupPlanName"] == scope.names.backup_plan:
            selections = _selections(backup, plan["BackupPlanId"])
            yield Target(
                "backup plan", region, plan["BackupPlanName"], plan["BackupPlanArn"],
                counts={"selections": len(selections)}, extra={"id": plan["BackupPlanId"]},
            )


def _selections(backup: Any, plan_id: str) -> list[dict[str, Any]]:
    return list(_absent(lambda: list(pages(backup, "list_backup_selections", "BackupSelectionsList", BackupPlanId=plan_id))) or [])


def _destroy_backup_plan(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    backup = scope.client("backup", target.region)
    plan_id = target.extra["id"]
    for selection in _selections(backup, plan_id):
        _gone(lambda s=selection: backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=s["SelectionId"]))
    _gone(lambda: backup.delete_backup_plan(BackupPlanId=plan_id))
    return {}


# --- databases ---------------------------------------------------------------------------------


def _tenant_tagged(tags: Iterable[dict[str, str]], tenant_id: str) -> bool:
    return any(t.get("Key") == TAG_TENANT and t.get("Value") == tenant_id for t in tags)


def _zone_instances(scope: Scope) -> Iterator[tuple[str, dict[str, Any]]]:
    """(region, instance) of every DB instance of the zone that is the tenant's: its two
    identifiers exactly, or tagged with the tenant (a restore). Their DbiResourceIds are noted."""
    own = {scope.names.db_instance, scope.names.replica_db_instance}
    for region in scope.zone_regions:
        for instance in pages(scope.client("rds", region), "describe_db_instances", "DBInstances"):
            if instance["DBInstanceIdentifier"] in own or _tenant_tagged(instance.get("TagList", []), scope.tenant_id):
                if instance.get("DbiResourceId"):
                    scope.resource_ids.add(instance["DbiResourceId"])
                yield region, instance


def _database_finder(replica: bool) -> Callable[[Scope], Iterable[Target]]:
    def find(scope: Scope) -> Iterable[Target]:
        names = scope.names
        region, identifier = (names.secondary_region, names.replica_db_instance) if replica else (names.primary_region, names.db_instance)
        rds = scope.client("rds", region)
        found = _absent(lambda: rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"])
        for instance in found or []:
            if instance.get("DBInstanceStatus") == "deleting":
                continue
            automated = len(_automated_backups(rds, identifier))
            if instance.get("DbiResourceId"):
                scope.resource_ids.add(instance["DbiResourceId"])
            yield Target(
                "read replica" if replica else "database", region, identifier, instance["DBInstanceArn"],
                counts={"automated_backups": automated},
                lifts=("deletion protection",) if instance.get("DeletionProtection") else (),
                extra={"resource_id": instance.get("DbiResourceId", "")},
            )

    return find


def _find_restored_instances(scope: Scope) -> Iterable[Target]:
    """Instances of the zone tagged with the tenant under any other identifier (restores, copies
    made by hand), in any region of the zone."""
    own = {scope.names.db_instance, scope.names.replica_db_instance}
    for region, instance in _zone_instances(scope):
        if instance["DBInstanceIdentifier"] in own or instance.get("DBInstanceStatus") == "deleting":
            continue
        yield restored_instance(region, instance)


def restored_instance(region: str, instance: dict[str, Any]) -> Target:
    """The target destroying a restored instance (DescribeDBInstances' shape)."""
    return Target(
        "restored instance", region, instance["DBInstanceIdentifier"], instance["DBInstanceArn"],
        lifts=("deletion protection",) if instance.get("DeletionProtection") else (),
        extra={"resource_id": instance.get("DbiResourceId", "")},
    )


def _automated_backups(rds: Any, identifier: str) -> list[dict[str, Any]]:
    return list(_absent(lambda: rds.describe_db_instance_automated_backups(DBInstanceIdentifier=identifier)["DBInstanceAutomatedBackups"]) or [])


def _destroy_database(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    rds = scope.client("rds", target.region)
    found = _absent(lambda: rds.describe_db_instances(DBInstanceIdentifier=target.name)["DBInstances"])
    for instance in found or []:
        tags = {t["Key"]: t["Value"] for t in instance.get("TagList", [])}
        _check_owner(target, tags, scope.tenant_id)
        if instance.get("DeletionProtection"):
            rds.modify_db_instance(DBInstanceIdentifier=target.name, DeletionProtection=False, ApplyImmediately=True)
        if instance.get("DBInstanceStatus") != "deleting":
            _gone(lambda: rds.delete_db_instance(DBInstanceIdentifier=target.name, SkipFinalSnapshot=True, DeleteAutomatedBackups=True))
        _wait(lambda: not _absent(lambda: rds.describe_db_instances(DBInstanceIdentifier=target.name)["DBInstances"]), f"deleting {target.name}")
    for backup in _automated_backups(rds, target.name):  # kept when a deletion did not ask for their removal
        _gone(lambda b=backup: rds.delete_db_instance_automated_backup(DbiResourceId=b["DbiResourceId"]))
        progress({"automated_backups": 1})
    return {}


# --- DB snapshots (manual and automated; AWS Backup's are recovery points) -------------------


def _find_snapshots(scope: Scope) -> Iterable[Target]:
    """Every snapshot in every region of the zone whose instance is the tenant's (its identifier,
    or its DbiResourceId, which a copy keeps whatever it is named), that carries the tenant's tag,
    or that was copied from one of these (its source ARN): all exact matches."""
    list(_zone_instances(scope))  # the DbiResourceIds of instances that exist (restores included)
    identifiers = {scope.names.db_instance, scope.names.replica_db_instance}
    every = [(region, s) for region in scope.zone_regions for s in pages(scope.client("rds", region), "describe_db_snapshots", "DBSnapshots")]
    scope.note("regions", *scope.zone_regions)
    mine: dict[str, tuple[str, dict[str, Any]]] = {}
    while True:  # copies of copies: until no snapshot names a source among the tenant's
        before = len(mine)
        for region, snapshot in every:
            if snapshot["DBSnapshotArn"] in mine:
                continue
            if (
                snapshot.get("DBInstanceIdentifier") in identifiers
                or snapshot.get("DbiResourceId") in scope.resource_ids
                or snapshot.get("SourceDBSnapshotIdentifier") in mine
                or _tenant_tagged(snapshot.get("TagList", []), scope.tenant_id)
            ):
                mine[snapshot["DBSnapshotArn"]] = (region, snapshot)
        if len(mine) == before:
            break
    for region, snapshot in mine.values():
        if snapshot.get("SnapshotType") == "awsbackup":
            continue  # deleted with its recovery point
        yield Target(
            "db snapshot", region, snapshot["DBSnapshotIdentifier"], snapshot["DBSnapshotArn"],
            extra={"type": snapshot.get("SnapshotType", "manual")},
        )


def _destroy_snapshot(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    rds = scope.client("rds", target.region)
    _gone(lambda: rds.delete_db_snapshot(DBSnapshotIdentifier=target.name))
    return {}


# --- AWS Backup: recovery points, then vaults ---------------------------------------------------


def _vaults(scope: Scope) -> tuple[tuple[str, str], ...]:
    return ((scope.names.primary_region, scope.names.backup_vault), (scope.names.secondary_region, scope.names.dr_backup_vault))


def _recovery_points(backup: Any, vault: str) -> list[dict[str, Any]]:
    return list(pages(backup, "list_recovery_points_by_backup_vault", "RecoveryPoints", BackupVaultName=vault))


def _backed_up_resources(scope: Scope) -> list[str]:
    """The ARNs of the tenant's resources AWS Backup may hold points of: its databases (and any
    restore of them), its buckets."""
    names = scope.names
    arns = [names.db_instance_arn, names.replica_db_instance_arn, *(TenantNames.bucket_arn(b) for _, b in _bucket_names(scope))]
    return list(dict.fromkeys([*arns, *(i["DBInstanceArn"] for _, i in _zone_instances(scope))]))


def _points_of(backup: Any, vault: str, resources: list[str] | None) -> list[dict[str, Any]]:
    """The recovery points of `vault`; only those of `resources` when given (a vault not the
    tenant's, such as the account's Default vault)."""
    if resources is None:
        return _recovery_points(backup, vault)
    return [p for arn in resources for p in pages(backup, "list_recovery_points_by_backup_vault", "RecoveryPoints", BackupVaultName=vault, ByResourceArn=arn)]


def _shared_vaults(scope: Scope, resources: list[str]) -> dict[tuple[str, str], None]:
    """(region, vault) of every vault of the zone, not the tenant's own, holding a point of one of
    `resources` (ListRecoveryPointsByResource: whatever vault it is in)."""
    own = set(_vaults(scope))
    found: dict[tuple[str, str], None] = {}
    for region in scope.zone_regions:
        backup = scope.client("backup", region)
        for arn in resources:
            for point in _absent(lambda b=backup, a=arn: list(pages(b, "list_recovery_points_by_resource", "RecoveryPoints", ResourceArn=a))) or []:
                if (region, point["BackupVaultName"]) not in own:
                    found[(region, point["BackupVaultName"])] = None
    return found


def _find_recovery_points(scope: Scope) -> Iterable[Target]:
    """The tenant's two vaults whole, then its points in any other vault of the zone."""
    resources = _backed_up_resources(scope)
    for (region, vault), shared in [*((v, False) for v in _vaults(scope)), *((v, True) for v in _shared_vaults(scope, resources))]:
        backup = scope.client("backup", region)
        scope.note("vaults", f"{vault} ({region})")
        described = _absent(lambda b=backup, v=vault: b.describe_backup_vault(BackupVaultName=v))
        if described is None:
            continue
        points = _points_of(backup, vault, resources if shared else None)
        if shared and not points:
            continue
        blockers = (f"vault lock on {vault}: its recovery points cannot be deleted before their retention ends",) if described.get("Locked") and points else ()
        yield Target(
            "recovery points", region, vault, described["BackupVaultArn"],
            counts={"recovery_points": len(points)}, blockers=blockers,
            extra={"resources": json.dumps(resources)} if shared else {},
        )


def _destroy_recovery_points(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    """Each point journaled before its deletion is requested and settled after, so a point is
    counted once, by the run that asked for its deletion (a rerun sees it DELETING, or gone)."""
    backup = scope.destroyer("backup", target.region, target.name)
    if _absent(lambda: backup.describe_backup_vault(BackupVaultName=target.name)) is None:
        return {}
    only = json.loads(target.extra["resources"]) if "resources" in target.extra else None  # a vault not the tenant's: its points only
    points = _points_of(backup, target.name, only)
    pending = progress.in_flight()
    if pending is not None:
        still = {p["RecoveryPointArn"] for p in points if p.get("Status") != "DELETING"}
        progress.settle({"recovery_points": sum(1 for arn in pending.get("recovery_points", []) if arn not in still)})
    progress({"recovery_points": 0})
    for point in points:
        arn = point["RecoveryPointArn"]
        if point.get("Status") == "DELETING":
            continue
        progress.begin({"recovery_points": [arn]})
        requested = _absent(lambda a=arn: backup.delete_recovery_point(BackupVaultName=target.name, RecoveryPointArn=a))
        progress.settle({"recovery_points": 0 if requested is None else 1})
    _wait(lambda: not _points_of(backup, target.name, only), f"deleting the recovery points of {target.name}")
    return {}


def _find_vaults(scope: Scope) -> Iterable[Target]:
    for region, vault in _vaults(scope):
        described = _absent(lambda r=region, v=vault: scope.client("backup", r).describe_backup_vault(BackupVaultName=v))
        if described is not None:
            blockers = (f"vault lock on {vault}",) if described.get("Locked") else ()
            yield Target("backup vault", region, vault, described["BackupVaultArn"], blockers=blockers)


def _destroy_vault(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    backup = scope.destroyer("backup", target.region, target.name)
    tags = _absent(lambda: backup.list_tags(ResourceArn=target.arn).get("Tags"))
    _check_owner(target, tags, scope.tenant_id)
    _gone(lambda: backup.delete_backup_vault(BackupVaultName=target.name))
    return {}


# --- buckets: every object version and delete marker, then the bucket -------------------------


def _bucket_names(scope: Scope) -> tuple[tuple[str, str], ...]:
    names = scope.names
    return (
        (names.primary_region, names.data_bucket),
        (names.secondary_region, names.dr_bucket),
        (names.primary_region, names.access_log_bucket),  # logs last: they log the deletions above
        (names.secondary_region, names.dr_access_log_bucket),
    )


def _find_buckets(scope: Scope) -> Iterable[Target]:
    for region, bucket in _bucket_names(scope):
        s3 = scope.client("s3", region)
        if _absent(lambda s=s3, b=bucket: s.head_bucket(Bucket=b)) is None:
            continue
        versions = markers = 0
        exports: set[str] = set()  # `tenantkit export` folders: the plan and the report name how many go
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            versions += len(page.get("Versions", []))
            markers += len(page.get("DeleteMarkers", []))
            exports.update(v["Key"].split("/")[1] for v in page.get("Versions", []) if _is_export_manifest(v["Key"]))
        lock = _absent(lambda s=s3, b=bucket: s.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"])
        blockers = (f"S3 Object Lock on {bucket}: locked versions cannot be deleted before their retention ends",) if lock and lock.get("ObjectLockEnabled") == "Enabled" else ()
        yield Target(
            "bucket", region, bucket, TenantNames.bucket_arn(bucket),
            counts={"object_versions": versions, "delete_markers": markers, **({"exports": len(exports)} if exports else {})}, blockers=blockers,
        )


def _is_export_manifest(key: str) -> bool:
    """`exports/<name>/manifest.json`: one export of `tenantkit export` (destroyed with the bucket)."""
    parts = key.split("/")
    return len(parts) == 3 and f"{parts[0]}/" == EXPORTS_FOLDER and parts[2] == "manifest.json" and bool(parts[1])


def _destroy_bucket(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    s3 = scope.destroyer("s3", target.region, target.name)
    if _absent(lambda: s3.head_bucket(Bucket=target.name)) is None:
        return {}
    tags = _absent(lambda: {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=target.name)["TagSet"]})
    _check_owner(target, tags, scope.tenant_id)
    for attempt in range(5):  # access logs of the deletions may still arrive in a log bucket
        for upload in pages(s3, "list_multipart_uploads", "Uploads", Bucket=target.name):
            _gone(lambda u=upload: s3.abort_multipart_upload(Bucket=target.name, Key=u["Key"], UploadId=u["UploadId"]))
            progress({"multipart_uploads": 1})
        _empty(s3, target.name, progress)
        try:
            s3.delete_bucket(Bucket=target.name)
            return {}
        except ClientError as error:
            if _is_absent(error):
                return {}
            if error_code(error) != "BucketNotEmpty" or attempt == 4:
                raise
    return {}


DELETE_BATCH = 1000
"""Object versions per DeleteObjects request (S3's limit); a page of ListObjectVersions too."""

_OBJECT_COUNTS = ("object_versions", "delete_markers")


def _empty(s3: Any, bucket: str, progress: Progress) -> None:
    """Delete every object version and delete marker, a batch at a time: each batch journaled
    before DeleteObjects and settled after with what S3 says it deleted (`Deleted`), so the
    counts are exact even when S3 deleted part of a batch (`Errors`) or the run stopped mid-way."""
    _settle_objects(s3, bucket, progress)
    progress(dict.fromkeys(_OBJECT_COUNTS, 0))  # the counts are what was deleted, even when nothing was
    while True:
        page = s3.list_object_versions(Bucket=bucket, MaxKeys=DELETE_BATCH)
        items = [("object_versions", [v["Key"], v["VersionId"]]) for v in page.get("Versions", [])]
        items += [("delete_markers", [m["Key"], m["VersionId"]]) for m in page.get("DeleteMarkers", [])]
        if not items:
            return
        for start in range(0, len(items), DELETE_BATCH):
            chunk = items[start : start + DELETE_BATCH]
            progress.begin({name: [entry for kind, entry in chunk if kind == name] for name in _OBJECT_COUNTS})
            answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k, "VersionId": v} for _, (k, v) in chunk], "Quiet": False})
            deleted = {(item["Key"], item.get("VersionId") or item.get("DeleteMarkerVersionId")) for item in answer.get("Deleted", [])}
            progress.settle({name: sum(1 for kind, (k, v) in chunk if kind == name and (k, v) in deleted) for name in _OBJECT_COUNTS})
            errors = answer.get("Errors", [])
            if errors:
                first = errors[0]
                raise RuntimeError(f"s3://{bucket}/{first.get('Key')}: {first.get('Code')}: {first.get('Message')}")


def _settle_objects(s3: Any, bucket: str, progress: Progress) -> None:
    """Settle the batch an interrupted run left in flight: what of it no longer exists was deleted.
    A batch is one page of the listing, so the scan stops past its last key."""
    batch = progress.in_flight()
    if not batch:
        return
    wanted = {(k, v) for entries in batch.values() for k, v in entries}
    if not wanted:
        progress.settle({})
        return
    last = max(k for k, _ in wanted)
    remaining = set()
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for item in (*page.get("Versions", []), *page.get("DeleteMarkers", [])):
            if (item["Key"], item["VersionId"]) in wanted:
                remaining.add((item["Key"], item["VersionId"]))
        if page.get("NextKeyMarker", "") > last:
            break
    progress.settle({name: sum(1 for k, v in entries if (k, v) not in remaining) for name, entries in batch.items()})


# --- WAF: associations and logging, web ACL, IP sets ---------------------------------------------


WAF_RESOURCE_TYPES = (
    "APPLICATION_LOAD_BALANCER", "API_GATEWAY", "APPSYNC", "COGNITO_USER_POOL", "APP_RUNNER_SERVICE", "VERIFIED_ACCESS_INSTANCE",
)
"""Every kind of regional resource a web ACL can protect (WAF API reference, ListResourcesForWebACL).
Asked one by one: without a ResourceType the call answers for load balancers only, and an API
Gateway stage, Cognito pool or AppSync API associated through the published SSM parameter would
be missed (and then block the web ACL's deletion)."""


def _protected_in(scope: Scope, region: str) -> list[str]:
    """The resources `access.protect` declares in `region`."""
    return [arn for arn in scope.protects if parse_arn(arn).region == region]


def _find_web_acls(scope: Scope) -> Iterable[Target]:
    for region in scope.regions:
        waf = scope.client("wafv2", region)
        for acl in pages(waf, "list_web_acls", "WebACLs", Scope="REGIONAL"):
            if acl["Name"] == scope.names.web_acl:
                associations = _associations(waf, acl["ARN"], _protected_in(scope, region))
                yield Target("web acl", region, acl["Name"], acl["ARN"], counts={"associations": len(associations)}, extra={"id": acl["Id"]})


def _associations(waf: Any, acl_arn: str, protected: list[str]) -> list[str]:
    """Every resource associated with the web ACL, whatever associated it (the stacks, the
    application through the SSM parameter, a person)."""
    found: set[str] = set()
    for resource_type in WAF_RESOURCE_TYPES:
        found.update(_absent(lambda t=resource_type: waf.list_resources_for_web_acl(WebACLArn=acl_arn, ResourceType=t)["ResourceArns"]) or [])
    for arn in protected:  # the declared ones asked directly as well: no type of theirs is missed
        acl = _absent(lambda a=arn: waf.get_web_acl_for_resource(ResourceArn=a).get("WebACL"))
        if acl and acl.get("ARN") == acl_arn:
            found.add(arn)
    return sorted(found)


def _destroy_web_acl(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    """Every association removed first (WAF refuses to delete an associated web ACL), then its
    logging configuration, then the web ACL."""
    waf = scope.client("wafv2", target.region)
    for resource in _associations(waf, target.arn, _protected_in(scope, target.region)):
        _gone(lambda r=resource: waf.disassociate_web_acl(ResourceArn=r))
    _gone(lambda: waf.delete_logging_configuration(ResourceArn=target.arn))
    acl = _absent(lambda: waf.get_web_acl(Name=target.name, Scope="REGIONAL", Id=target.extra["id"]))
    if acl is not None:
        _gone(lambda: waf.delete_web_acl(Name=target.name, Scope="REGIONAL", Id=target.extra["id"], LockToken=acl["LockToken"]))
    return {}


def _find_ip_sets(scope: Scope) -> Iterable[Target]:
    wanted = {scope.names.ip_set("ipv4"), scope.names.ip_set("ipv6")}
    for region in scope.regions:
        waf = scope.client("wafv2", region)
        for ip_set in pages(waf, "list_ip_sets", "IPSets", Scope="REGIONAL"):
            if ip_set["Name"] in wanted:
                yield Target("ip set", region, ip_set["Name"], ip_set["ARN"], extra={"id": ip_set["Id"]})


def _destroy_ip_set(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    waf = scope.client("wafv2", target.region)
    found = _absent(lambda: waf.get_ip_set(Name=target.name, Scope="REGIONAL", Id=target.extra["id"]))
    if found is not None:
        _gone(lambda: waf.delete_ip_set(Name=target.name, Scope="REGIONAL", Id=target.extra["id"], LockToken=found["LockToken"]))
    return {}


# --- secrets: the replica (removed from replication), then the primary -------------------------


def _secret_finder(replica: bool) -> Callable[[Scope], Iterable[Target]]:
    """The secret in the primary region; its replicas (or a copy under its name) in every other
    region of the zone."""

    def find(scope: Scope) -> Iterable[Target]:
        names = scope.names
        regions = scope.zone_regions[1:] if replica else scope.zone_regions[:1]
        for region in regions:
            secret = _absent(lambda r=region: scope.client("secretsmanager", r).describe_secret(SecretId=names.db_master_secret))
            if secret is not None and not secret.get("DeletedDate"):
                yield Target("secret replica" if replica else "secret", region, names.db_master_secret, secret["ARN"])

    return find


def _destroy_secret(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    secrets = scope.client("secretsmanager", target.region)
    if target.kind == "secret replica":
        primary = scope.client("secretsmanager", scope.names.primary_region)
        described = _absent(lambda: primary.describe_secret(SecretId=target.name))
        if described:  # before replication is touched: it is the primary's to change
            _check_owner(target, {t["Key"]: t["Value"] for t in described.get("Tags", [])}, scope.tenant_id)
        if described and any(r["Region"] == target.region for r in described.get("ReplicationStatus", [])):
            primary.remove_regions_from_replication(SecretId=target.name, RemoveReplicaRegions=[target.region])
    secret = _absent(lambda: secrets.describe_secret(SecretId=target.name))
    if secret is not None and not secret.get("DeletedDate"):
        _check_owner(target, {t["Key"]: t["Value"] for t in secret.get("Tags", [])}, scope.tenant_id)
        _gone(lambda: secrets.delete_secret(SecretId=target.name, ForceDeleteWithoutRecovery=True))
    return {}


# --- alarms and event rules: physical ids of the tenant's own stacks ---------------------------


def _stack_resources(scope: Scope, resource_type: str) -> Iterator[tuple[str, str]]:
    """(region, physical id) of every resource of `resource_type` in the tenant's stacks."""
    for stack, region in _stacks(scope):
        cloudformation = scope.client("cloudformation", region)
        resources = _absent(lambda c=cloudformation, s=stack: list(pages(c, "list_stack_resources", "StackResourceSummaries", StackName=s)))
        for resource in resources or []:
            if resource["ResourceType"] == resource_type and resource.get("PhysicalResourceId"):
                yield region, resource["PhysicalResourceId"]


def _find_alarms(scope: Scope) -> Iterable[Target]:
    for region, name in _stack_resources(scope, "AWS::CloudWatch::Alarm"):
        alarms = scope.client("cloudwatch", region).describe_alarms(AlarmNames=[name]).get("MetricAlarms", [])
        for alarm in alarms:
            yield Target("alarm", region, name, alarm["AlarmArn"])


def _destroy_alarm(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    _gone(lambda: scope.client("cloudwatch", target.region).delete_alarms(AlarmNames=[target.name]))
    return {}


def _find_rules(scope: Scope) -> Iterable[Target]:
    for region, physical_id in _stack_resources(scope, "AWS::Events::Rule"):
        name = physical_id.split("|")[-1]
        rule = _absent(lambda r=region, n=name: scope.client("events", r).describe_rule(Name=n))
        if rule is not None:
            yield Target("event rule", region, name, rule["Arn"])


def _destroy_rule(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    events = scope.client("events", target.region)
    targets = _absent(lambda: events.list_targets_by_rule(Rule=target.name).get("Targets", [])) or []
    if targets:
        _gone(lambda: events.remove_targets(Rule=target.name, Ids=[t["Id"] for t in targets], Force=True))
    _gone(lambda: events.delete_rule(Name=target.name, Force=True))
    return {}


# --- log groups, topic, parameters ---------------------------------------------------------------


def _log_group(logs: Any, name: str) -> dict[str, Any] | None:
    """The log group named exactly `name`, or None."""
    return next((g for g in pages(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=name) if g["logGroupName"] == name), None)


def _log_group_target(kind: str, region: str, group: dict[str, Any]) -> Target:
    return Target(kind, region, group["logGroupName"], group["arn"].removesuffix(":*"), counts={"stored_bytes": int(group.get("storedBytes", 0))})


def _find_log_groups(scope: Scope) -> Iterable[Target]:
    """Every group under the tenant's own paths (each a whole path segment: `/tenantkit/<id>/`
    and RDS's `/aws/rds/instance/<identifier>/`), the WAF's group by its exact name, and every
    group the tenant's stacks declare."""
    declared = list(_stack_resources(scope, "AWS::Logs::LogGroup"))
    for region in scope.zone_regions:
        logs = scope.client("logs", region)
        found: dict[str, dict[str, Any]] = {}
        for path in scope.names.log_group_paths:
            found.update((g["logGroupName"], g) for g in pages(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=path))
        for name in (scope.names.waf_log_group, *(name for where, name in declared if where == region)):
            if name not in found and (group := _log_group(logs, name)) is not None:
                found[name] = group
        for group in found.values():
            yield _log_group_target("log group", region, group)


def _find_function_log_groups(scope: Scope) -> Iterable[Target]:
    """The log groups of the Lambda functions in the tenant's stacks (CDK's custom-resource
    providers), `/aws/lambda/<physical id>`: CloudFormation generates those names and truncates
    long ones, so only the stacks know them. Destroyed after the stacks, because deleting a stack
    invokes its custom resources once more, and their logs would re-create a group deleted before."""
    for region, function in _stack_resources(scope, "AWS::Lambda::Function"):
        group = _log_group(scope.client("logs", region), TenantNames.function_log_group(function))
        if group is not None:
            yield _log_group_target("function log group", region, group)


def _destroy_log_group(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    _gone(lambda: scope.client("logs", target.region).delete_log_group(logGroupName=target.name))
    return {}


MONITORING_LOG_GROUP = "RDSOSMetrics"
"""Where RDS Enhanced Monitoring writes, one stream per instance named by its DbiResourceId."""


def _find_monitoring_streams(scope: Scope) -> Iterable[Target]:
    """The Enhanced Monitoring streams of the tenant's instances: exactly their DbiResourceIds."""
    for region in scope.zone_regions:
        logs = scope.client("logs", region)
        for resource_id in sorted(scope.resource_ids):
            streams = _absent(lambda r=resource_id, c=logs: list(pages(c, "describe_log_streams", "logStreams", logGroupName=MONITORING_LOG_GROUP, logStreamNamePrefix=r)))
            for stream in streams or []:
                if stream["logStreamName"] == resource_id:
                    yield Target("monitoring stream", region, stream["logStreamName"], stream.get("arn", ""), extra={"group": MONITORING_LOG_GROUP})


def _destroy_monitoring_stream(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    _gone(lambda: scope.client("logs", target.region).delete_log_stream(logGroupName=target.extra["group"], logStreamName=target.name))
    return {}


def _find_topics(scope: Scope) -> Iterable[Target]:
    for region in scope.regions:
        arn = scope.names.incident_topic_arn(region)
        if _absent(lambda r=region, a=arn: scope.client("sns", r).get_topic_attributes(TopicArn=a)) is not None:
            yield Target("topic", region, scope.names.incident_topic, arn)


def _destroy_topic(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    _gone(lambda: scope.client("sns", target.region).delete_topic(TopicArn=target.arn))
    return {}


def _find_parameters(scope: Scope) -> Iterable[Target]:
    for region in scope.regions:
        ssm = scope.client("ssm", region)
        for parameter in pages(ssm, "get_parameters_by_path", "Parameters", Path=scope.names.parameter_path, Recursive=True):
            if parameter["Name"] == scope.names.state_parameter:
                continue  # the tenant's lifecycle state (no data): it records the offboarding, so it outlives it
            yield Target("parameter", region, parameter["Name"], parameter["ARN"])


def _destroy_parameter(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    _gone(lambda: scope.client("ssm", target.region).delete_parameter(Name=target.name))
    return {}


# --- stacks, then keys ------------------------------------------------------------------------


def _stacks(scope: Scope) -> tuple[tuple[str, str], ...]:
    """(stack, region) in deletion order: replica, primary, dr."""
    names = scope.names
    return ((names.replica_stack, names.secondary_region), (names.primary_stack, names.primary_region), (names.dr_stack, names.secondary_region))


def _find_stacks(scope: Scope) -> Iterable[Target]:
    for stack, region in _stacks(scope):
        found = _absent(lambda r=region, s=stack: scope.client("cloudformation", r).describe_stacks(StackName=s)["Stacks"])
        for description in found or []:
            if description["StackStatus"] == "DELETE_COMPLETE":
                continue
            lifts = ("termination protection",) if description.get("EnableTerminationProtection") else ()
            yield Target("stack", region, stack, description["StackId"], lifts=lifts)


def _destroy_stack(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    cloudformation = scope.client("cloudformation", target.region)

    def status() -> str | None:
        found = _absent(lambda: cloudformation.describe_stacks(StackName=target.arn)["Stacks"])
        return found[0]["StackStatus"] if found else None

    if status() in (None, "DELETE_COMPLETE"):
        return {}
    _gone(lambda: cloudformation.update_termination_protection(StackName=target.name, EnableTerminationProtection=False))
    cloudformation.delete_stack(StackName=target.arn)
    _wait(lambda: status() in (None, "DELETE_COMPLETE", "DELETE_FAILED"), f"deleting stack {target.name}")
    if status() == "DELETE_FAILED":
        reasons = [
            f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}"
            for e in pages(cloudformation, "describe_stack_events", "StackEvents", StackName=target.arn)
            if e.get("ResourceStatus") == "DELETE_FAILED"
        ]
        raise RuntimeError(f"stack {target.name} could not be deleted: {'; '.join(reasons[:3]) or 'DELETE_FAILED'}")
    return {}


def _find_keys(scope: Scope) -> Iterable[Target]:
    alias = scope.names.key_alias
    for region in scope.zone_regions:
        kms = scope.client("kms", region)
        for entry in pages(kms, "list_aliases", "Aliases"):
            if entry["AliasName"] == alias and entry.get("TargetKeyId"):
                metadata = kms.describe_key(KeyId=entry["TargetKeyId"])["KeyMetadata"]
                yield Target("kms key", region, alias, metadata["Arn"], extra={"state": metadata["KeyState"]})


def _destroy_key(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    """Schedule the key's deletion with the longest window, then remove its alias (the journal
    keeps the key's ARN, so a rerun finds it without the alias)."""
    kms = scope.client("kms", target.region)
    metadata = kms.describe_key(KeyId=target.arn)["KeyMetadata"]
    tags = {t["TagKey"]: t["TagValue"] for t in _absent(lambda: list(pages(kms, "list_resource_tags", "Tags", KeyId=target.arn))) or []}
    _check_owner(target, tags, scope.tenant_id)
    if metadata["KeyState"] != "PendingDeletion":
        kms.schedule_key_deletion(KeyId=metadata["KeyId"], PendingWindowInDays=KEY_PENDING_WINDOW_DAYS)
        metadata = kms.describe_key(KeyId=target.arn)["KeyMetadata"]
    for entry in pages(kms, "list_aliases", "Aliases", KeyId=metadata["KeyId"]):
        if entry["AliasName"] == target.name:
            _gone(lambda: kms.delete_alias(AliasName=target.name))
    deletion = metadata.get("DeletionDate")
    return {"deletion_date": deletion.isoformat() if hasattr(deletion, "isoformat") else str(deletion or "")}


# --- anything else tagged with the tenant, in every enabled region of the account -----------


def tagged_arns(scope: Scope) -> dict[str, str]:
    """ARN -> region of everything the Resource Groups Tagging API finds tagged with the tenant,
    in every enabled region of the account (a bucket listed in each region is placed in its own)."""
    found: dict[str, str] = {}
    for region in scope.tag_regions:
        scope.note("tag_regions", region)
        tagging = scope.client("resourcegroupstaggingapi", region)
        for mapping in pages(tagging, "get_resources", "ResourceTagMappingList", TagFilters=[{"Key": TAG_TENANT, "Values": [scope.tenant_id]}]):
            arn = mapping["ResourceARN"]
            if arn in found:
                continue
            where = parse_arn(arn).region
            if parse_arn(arn).service == "s3":
                located = _absent(lambda a=arn, r=region: scope.client("s3", r).get_bucket_location(Bucket=parse_arn(a).resource_id))
                where = (located or {}).get("LocationConstraint") or "us-east-1"
            found[arn] = where or region
    return found


def tagged_targets(scope: Scope, known: set[str]) -> list[Target]:
    """What the tagging API finds that discovery did not: each a target of its own, and anything
    outside the residency zone marked as a residency incident."""
    zone = set(scope.zone_regions)
    targets = []
    for arn, region in tagged_arns(scope).items():
        if arn in known or arn.removesuffix(":*") in known or _key_pending_deletion(scope, arn, region):
            continue
        extra = {} if region in zone else {"incident": "residency"}
        targets.append(Target("tagged resource", region, arn, arn, extra=extra))
    return targets


def _key_pending_deletion(scope: Scope, arn: str, region: str) -> bool:
    """A KMS key already scheduled for deletion (the tenant's keys, once their alias is gone)."""
    if parse_arn(arn).service != "kms":
        return False
    described = _absent(lambda: scope.client("kms", region).describe_key(KeyId=arn)["KeyMetadata"])
    return described is not None and described["KeyState"] == "PendingDeletion"


def _schedule_tagged_key(scope: Scope, target: Target, arn: Any, progress: Progress) -> None:
    if not _key_pending_deletion(scope, target.arn, target.region):
        scope.client("kms", target.region).schedule_key_deletion(KeyId=arn.resource_id, PendingWindowInDays=KEY_PENDING_WINDOW_DAYS)


def _still_tagged(scope: Scope, target: Target) -> bool:
    tagging = scope.client("resourcegroupstaggingapi", target.region)
    return any(
        m["ResourceARN"] == target.arn
        for m in pages(tagging, "get_resources", "ResourceTagMappingList", TagFilters=[{"Key": TAG_TENANT, "Values": [scope.tenant_id]}])
    )


def _destroy_tagged(scope: Scope, target: Target, progress: Progress) -> dict[str, str]:
    """After the stacks (which delete their own tagged resources): what is still tagged with the
    tenant is deleted by its service. A kind tenantkit cannot delete is left: verification finds
    it, the run stays open with no report, and names it for the operator to remove."""
    if not _still_tagged(scope, target):
        return {}
    arn = parse_arn(target.arn)
    delete = _TAGGED_DELETERS.get((arn.service, arn.resource_type))
    if delete is None:
        return {"left": f"tenantkit cannot delete {arn.service} {arn.resource_type or 'resource'}s: the operator removes it"}
    delete(scope, target, arn, progress)
    return {}


def _delete_tagged_bucket(scope: Scope, target: Target, arn: Any, progress: Progress) -> None:
    _destroy_bucket(scope, Target("bucket", target.region, arn.resource_id, target.arn), progress)


def _delete_tagged_instance(scope: Scope, target: Target, arn: Any, progress: Progress) -> None:
    _destroy_database(scope, Target("restored instance", target.region, arn.resource_id, target.arn), progress)


_TAGGED_DELETERS: dict[tuple[str, str], Callable[[Scope, Target, Any, Progress], None]] = {
    ("sns", ""): lambda s, t, a, p: _gone(lambda: s.client("sns", t.region).delete_topic(TopicArn=t.arn)),
    ("logs", "log-group"): lambda s, t, a, p: _gone(lambda: s.client("logs", t.region).delete_log_group(logGroupName=a.resource_id.removesuffix(":*"))),
    ("sqs", ""): lambda s, t, a, p: _gone(lambda: s.client("sqs", t.region).delete_queue(QueueUrl=s.client("sqs", t.region).get_queue_url(QueueName=a.resource_id)["QueueUrl"])),
    ("rds", "snapshot"): lambda s, t, a, p: _gone(lambda: s.client("rds", t.region).delete_db_snapshot(DBSnapshotIdentifier=a.resource_id)),
    ("rds", "db"): _delete_tagged_instance,
    ("secretsmanager", "secret"): lambda s, t, a, p: _gone(lambda: s.client("secretsmanager", t.region).delete_secret(SecretId=t.arn, ForceDeleteWithoutRecovery=True)),
    ("ssm", "parameter"): lambda s, t, a, p: _gone(lambda: s.client("ssm", t.region).delete_parameter(Name="/" + a.resource_id)),
    ("dynamodb", "table"): lambda s, t, a, p: _gone(lambda: s.client("dynamodb", t.region).delete_table(TableName=a.resource_id)),
    ("lambda", "function"): lambda s, t, a, p: _gone(lambda: s.client("lambda", t.region).delete_function(FunctionName=t.arn)),
    ("s3", "bucket"): _delete_tagged_bucket,
    ("kms", "key"): _schedule_tagged_key,
}
"""How a resource found only by its tag is deleted, by (service, resource type) of its ARN."""


# --- the order ---------------------------------------------------------------------------------


from tenantkit.lifecycle.offboarding import (  # noqa: E402  # they build on the helpers above; looked up when run
    assets,
    jobs,
)

FIRST_DELETION = "read replica"
"""The first kind whose destruction deletes data: every kind before it stops new copies (plans, jobs)."""


@dataclass(frozen=True)
class Kind:
    name: str
    find: Callable[[Scope], Iterable[Target]]
    destroy: Callable[[Scope, Target, Progress], dict[str, str]]


KINDS: tuple[Kind, ...] = (
    Kind("restore testing plan", _find_restore_testing_plans, _destroy_restore_testing_plan),
    Kind("backup plan", _find_backup_plans, _destroy_backup_plan),
    Kind("backup job", lambda scope: jobs.find_jobs(scope), lambda scope, target, progress: jobs.settle_job(scope, target, progress)),
    Kind("read replica", _database_finder(replica=True), _destroy_database),
    Kind("database", _database_finder(replica=False), _destroy_database),
    Kind("restored instance", _find_restored_instances, _destroy_database),
    Kind("monitoring stream", _find_monitoring_streams, _destroy_monitoring_stream),
    Kind("db snapshot", _find_snapshots, _destroy_snapshot),
    Kind("recovery points", _find_recovery_points, _destroy_recovery_points),
    Kind("backup vault", _find_vaults, _destroy_vault),
    Kind("bucket", _find_buckets, _destroy_bucket),
    Kind("web acl", _find_web_acls, _destroy_web_acl),
    Kind("ip set", _find_ip_sets, _destroy_ip_set),
    Kind("secret replica", _secret_finder(replica=True), _destroy_secret),
    Kind("secret", _secret_finder(replica=False), _destroy_secret),
    Kind("alarm", _find_alarms, _destroy_alarm),
    Kind("event rule", _find_rules, _destroy_rule),
    Kind("log group", _find_log_groups, _destroy_log_group),
    Kind("topic", _find_topics, _destroy_topic),
    Kind("parameter", _find_parameters, _destroy_parameter),
    Kind("stack", _find_stacks, _destroy_stack),
    Kind("function log group", _find_function_log_groups, _destroy_log_group),
    Kind("cdk asset", lambda scope: assets.find_assets(scope), lambda scope, target, progress: assets.destroy_asset(scope, target, progress)),
    Kind("tagged resource", lambda scope: (), _destroy_tagged),  # found by `run.discover`, after every other kind
    Kind("kms key", _find_keys, _destroy_key),
)
KIND_ORDER = {kind.name: index for index, kind in enumerate(KINDS)}
BY_NAME = {kind.name: kind for kind in KINDS}
