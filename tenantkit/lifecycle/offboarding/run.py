"""Discover, plan, destroy with a journal, verify.

The journal (`.tenantkit/offboarding/<tenant>.json`, rewritten atomically and fsynced after every
step, and before and after every batch of a long step) records the targets found, what each step
destroyed so far and when it finished. A batch is journaled as in flight before it is deleted and
settled after with what AWS says it deleted, so the counts are exact however a run stops. A rerun
after a crash, a throttling error or a Ctrl-C discovers again, adds anything new (an object written
meanwhile), reopens anything journaled as destroyed that exists again, skips what is done and
finishes the rest; every destroy action is idempotent, so a step interrupted after its last call
but before its journal entry is simply done again. Verification reopens whatever it finds, so
only a verified journal is complete, and a rerun of a complete journal changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tenantkit.aws import atomic_write
from tenantkit.lifecycle.offboarding.jobs import KIND as JOB_KIND
from tenantkit.lifecycle.offboarding.jobs import landed_instances
from tenantkit.lifecycle.offboarding.resources import (
    BY_NAME,
    FIRST_DELETION,
    KIND_ORDER,
    KINDS,
    MONITORING_LOG_GROUP,
    OffboardingBlocked,
    Scope,
    Target,
    tagged_targets,
)  # fmt: skip

JOURNAL_VERSION = 1


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Plan:
    """Everything the tenant owns, in destruction order."""

    tenant_id: str
    targets: tuple[Target, ...]
    searched: dict[str, list[str]] = field(default_factory=dict)
    """What discovery looked at, for the report's scope: `regions` (the residency zone), `vaults`
    (`name (region)`), `tag_regions` (every enabled region of the account, asked for anything
    tagged with the tenant). Other accounts are never searched."""

    @property
    def incidents(self) -> list[Target]:
        """Targets found outside the residency zone."""
        return [t for t in self.targets if t.extra.get("incident") == "residency"]

    @property
    def blockers(self) -> list[str]:
        return [blocker for target in self.targets for blocker in target.blockers]

    @property
    def lifts(self) -> list[str]:
        return [f"{lift}: {target.kind} {target.name} ({target.region})" for target in self.targets for lift in target.lifts]

    def totals(self) -> dict[str, dict[str, int]]:
        """kind -> {"resources": n, <count>: sum, ...}, in destruction order."""
        totals: dict[str, dict[str, int]] = {}
        for target in self.targets:
            entry = totals.setdefault(target.kind, {"resources": 0})
            entry["resources"] += 1
            for key, value in target.counts.items():
                entry[key] = entry.get(key, 0) + value
        return totals


def discover(scope: Scope) -> Plan:
    """Find everything of the tenant's that offboarding destroys: each kind in the tenant's two
    regions and, for copies, every region of its residency zone; then whatever else carries the
    tenant's tag in any enabled region of the account (outside the zone: a residency incident)."""
    found = [target for kind in KINDS for target in kind.find(scope)]
    found += tagged_targets(scope, {t.arn for t in found})
    found.sort(key=lambda t: KIND_ORDER[t.kind])
    return Plan(scope.tenant_id, tuple(found), {what: sorted(items) for what, items in scope.searched.items()})


# --- the journal -------------------------------------------------------------------------------


class JournalError(Exception):
    """The journal cannot be used (unreadable, or written for another environment)."""


@dataclass
class Journal:
    path: Path
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path, *, tenant_id: str, environment: str) -> Journal:
        """The journal at `path`, or a new one (not yet written) when there is none."""
        if not path.exists():
            return cls(path, {"version": JOURNAL_VERSION, "tenant_id": tenant_id, "environment": environment, "targets": {}, "order": [], "progress": {}, "done": {}})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise JournalError(f"{path}: unreadable journal ({error}); move it aside only if no offboarding of {tenant_id} is under way") from None
        if data.get("tenant_id") != tenant_id or data.get("environment") != environment:
            raise JournalError(
                f"{path}: this journal is for {data.get('tenant_id')} in {data.get('environment')}, not {tenant_id} in {environment}: "
                "finish that offboarding or move the journal aside"
            )
        return cls(path, data)

    @property
    def started(self) -> bool:
        return "started_at" in self.data

    @property
    def completed(self) -> bool:
        """Verified and reported. A run whose verification found something stays open (a journal
        of an older tenantkit may carry `completed_at` with a failed verification: open too)."""
        return "completed_at" in self.data and self.data.get("verification", {}).get("ok") is True

    def targets(self) -> list[Target]:
        """Every target ever planned, in destruction order: kind order, then the order discovery
        found them in (replica stack before primary before dr; log buckets after the buckets they
        log), which the journal keeps explicitly: its JSON is written with sorted keys."""
        order = {target_id: index for index, target_id in enumerate(self.data["order"])}
        found = [Target.from_dict(t) for t in self.data["targets"].values()]
        return sorted(found, key=lambda t: (KIND_ORDER[t.kind], order[t.id]))

    def add(self, target: Target) -> None:
        if target.id not in self.data["targets"]:
            self.data["targets"][target.id] = target.as_dict()
            self.data["order"].append(target.id)

    def is_done(self, target: Target) -> bool:
        return target.id in self.data["done"]

    def found(self, target: Target) -> None:
        """Discovery found `target`: journal it, or, when it is journaled already, take its current
        identity (a resource made again under the same name has a new ARN or id) and reopen it."""
        if target.id not in self.data["targets"]:
            self.add(target)
            return
        self.data["targets"][target.id].update(arn=target.arn, extra=dict(target.extra))
        self.reopen(target.id)

    def reopen(self, target_id: str) -> None:
        """A target journaled as destroyed exists again: the next run destroys it again (what it
        counted stays; what the next run destroys is added)."""
        self.data["done"].pop(target_id, None)

    def progress(self, target: Target, counts: dict[str, int]) -> None:
        self._add(target, counts)
        self.save()

    def begin(self, target: Target, batch: dict[str, list[Any]]) -> None:
        """Journal a batch as in flight before it is deleted."""
        self.data.setdefault("in_flight", {})[target.id] = batch
        self.save()

    def settle(self, target: Target, counts: dict[str, int]) -> None:
        """The batch in flight is over: `counts` of it were deleted (one write for both)."""
        self.data.setdefault("in_flight", {}).pop(target.id, None)
        self._add(target, counts)
        self.save()

    def in_flight(self, target: Target) -> dict[str, list[Any]] | None:
        return self.data.get("in_flight", {}).get(target.id)

    def _add(self, target: Target, counts: dict[str, int]) -> None:
        totals = self.data["progress"].setdefault(target.id, {})
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value

    def mark_done(self, target: Target, details: dict[str, str]) -> None:
        self.data["done"][target.id] = {"destroyed_at": now(), **details}
        self.save()

    def counts(self, target: Target) -> dict[str, int]:
        """What the target held: its counts at discovery, replaced by what was actually destroyed
        where a step counted its work."""
        return {**target.counts, **self.data["progress"].get(target.id, {})}

    def save(self) -> None:
        """Replace the journal atomically, on disk before this returns: a batch journaled as in
        flight must be on disk before the request that deletes it is sent."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(self.data, indent=2, sort_keys=True), mode=0o600)


@dataclass(frozen=True)
class _JournalProgress:
    """The `Progress` a step reports to: the journal, for one target."""

    journal: Journal
    target: Target

    def __call__(self, counts: dict[str, int]) -> None:
        self.journal.progress(self.target, counts)

    def begin(self, batch: dict[str, list[Any]]) -> None:
        self.journal.begin(self.target, batch)

    def settle(self, counts: dict[str, int]) -> None:
        self.journal.settle(self.target, counts)

    def in_flight(self) -> dict[str, list[Any]] | None:
        return self.journal.in_flight(self.target)


# --- destroy and verify ------------------------------------------------------------------------


StepCallback = Callable[[Target, str], None]
"""on_step(target, "start" | "done") as each step begins and ends."""


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    checked_at: str
    remaining: tuple[str, ...]
    found_again: tuple[str, ...] = ()  # ids of journaled targets that exist again: reopened for the next run


def destroy(scope: Scope, journal: Journal, plan: Plan, *, on_step: StepCallback | None = None) -> None:
    """Destroy every target of `plan` and of the journal not yet done, in order, journaling each.
    Raises OffboardingBlocked before touching anything when a target cannot be destroyed, and
    JobsStillRunning (`jobs`) after the plans' deletion but before any data's when a running
    backup, copy or restore job outlasts the bound. Once the jobs are over, the vaults and the
    zone's instances are listed again, and the instances restore jobs made are added."""
    blockers = plan.blockers
    if blockers:
        raise OffboardingBlocked(f"{scope.tenant_id}: cannot be destroyed by tenantkit: {'; '.join(blockers)}")
    for target in plan.targets:
        journal.found(target)  # it exists (again): done only once destroyed in this run
    journal.save()
    first_deletion = KIND_ORDER[FIRST_DELETION]
    _steps(scope, journal, [t for t in journal.targets() if KIND_ORDER[t.kind] < first_deletion], on_step)  # plans, then jobs
    if any(target.kind == JOB_KIND for target in journal.targets()):
        landed = [  # what a job landed meanwhile: a recovery point in any vault, a restored instance
            *BY_NAME["restored instance"].find(scope),
            *landed_instances(scope, journal.targets(), journal.data["done"]),
            *BY_NAME["recovery points"].find(scope),
        ]
        for target in landed:
            journal.found(target)
        journal.save()
    _steps(scope, journal, [t for t in journal.targets() if KIND_ORDER[t.kind] >= first_deletion], on_step)


def _steps(scope: Scope, journal: Journal, targets: list[Target], on_step: StepCallback | None) -> None:
    for target in targets:
        if journal.is_done(target):
            continue
        if on_step is not None:
            on_step(target, "start")
        details = BY_NAME[target.kind].destroy(scope, target, _JournalProgress(journal, target))
        journal.mark_done(target, details)
        if on_step is not None:
            on_step(target, "done")


def _log_group_exists(scope: Scope, target: Target) -> bool:
    logs = scope.client("logs", target.region)
    return any(g["logGroupName"] == target.name for g in logs.describe_log_groups(logGroupNamePrefix=target.name).get("logGroups", []))


def _stream_exists(scope: Scope, target: Target) -> bool:
    logs = scope.client("logs", target.region)
    try:
        streams = logs.describe_log_streams(logGroupName=target.extra.get("group", MONITORING_LOG_GROUP), logStreamNamePrefix=target.name)
    except logs.exceptions.ResourceNotFoundException:
        return False
    return any(s["logStreamName"] == target.name for s in streams.get("logStreams", []))


def _snapshot_exists(scope: Scope, target: Target) -> bool:
    rds = scope.client("rds", target.region)
    try:
        return bool(rds.describe_db_snapshots(DBSnapshotIdentifier=target.name)["DBSnapshots"])
    except rds.exceptions.DBSnapshotNotFoundFault:
        return False


EXACT_CHECKS: dict[str, Callable[[Scope, Target], bool]] = {
    "log group": _log_group_exists,
    "function log group": _log_group_exists,
    "monitoring stream": _stream_exists,
    "db snapshot": _snapshot_exists,
}
"""Journaled targets verification looks up again by their exact name: discovery can no longer
find some of them (a custom-resource Lambda's log group is known only through the stacks, gone
by then; a stream or a copy only through an instance that is gone)."""


def verify(scope: Scope, journal: Journal) -> VerificationResult:
    """Every journaled target whose discovery depended on something now gone is looked up again by
    its exact name (`EXACT_CHECKS`), and every instance a restore job of the tenant made by its
    ARN; then discover again, in every region of the zone and, for
    anything carrying the tenant's tag, every enabled region of the account: nothing of the
    tenant may remain but its keys, pending deletion."""
    remaining = []
    found_again = []
    key_arns = set()
    for target in journal.targets():
        if target.extra.get("resource_id"):  # the instance is gone; its snapshots and streams are matched by it
            scope.resource_ids.add(target.extra["resource_id"])
        if target.kind in EXACT_CHECKS and EXACT_CHECKS[target.kind](scope, target):
            remaining.append(f"{target.kind} {target.name} ({target.region})")
            found_again.append(target.id)
        if target.kind == "kms key":
            key_arns.add(target.arn)
            state = scope.client("kms", target.region).describe_key(KeyId=target.arn)["KeyMetadata"]["KeyState"]
            if state != "PendingDeletion":
                remaining.append(f"kms key {target.arn}: {state}, not pending deletion")
                found_again.append(target.id)
    for target in landed_instances(scope, journal.targets(), journal.data["done"]):  # untagged: discovery cannot see them
        remaining.append(f"{target.kind} {target.name} ({target.region}), made by a restore job of the tenant")
        found_again.append(target.id)
    for target in discover(scope).targets:  # every region of the zone; anything tagged in the account
        if target.kind == "kms key" and target.extra.get("state") == "PendingDeletion":
            continue
        if target.kind == "tagged resource" and target.arn in key_arns:
            continue
        remaining.append(f"{target.kind} {target.name} ({target.region})")
        found_again.append(target.id)
    return VerificationResult(not remaining, now(), tuple(dict.fromkeys(remaining)), tuple(dict.fromkeys(found_again)))
