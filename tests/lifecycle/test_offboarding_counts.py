"""The signed report's counts are what was deleted, however the run is interrupted (in-process
moto with tenantkit's emulator extensions).

A bucket is emptied in batches (`DELETE_BATCH`, made small here so that a few objects make
several batches): each batch is journaled as in flight before DeleteObjects and settled with what
S3 answered it deleted; a rerun settles a batch an interrupted run left in flight by looking at
what still exists. Each case interrupts the run at one point (before a batch is sent, after S3
deleted it but before its answer was journaled, between two batches, or with S3 deleting only
part of a batch), reruns it to the end, and compares the report's counts with the versions and
delete markers that existed before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from tenantkit.config import TenantConfig
from tenantkit.lifecycle.offboarding import resources, service
from tenantkit.lifecycle.offboarding.resources import Scope, Target
from tenantkit.lifecycle.offboarding.run import Journal, Plan, destroy, discover, now
from tests.lifecycle import offboarding_tenant as tenant
from tests.lifecycle.offboarding_tenant import ACCOUNT, NAMES, PRIMARY, TENANT

pytestmark = pytest.mark.usefixtures("moto_with_extensions")

BATCH = 4
BUCKET = Target("bucket", PRIMARY, NAMES.data_bucket, f"arn:aws:s3:::{NAMES.data_bucket}")
KEYS, VERSIONS, MARKERS = 4, 2, 3  # 8 versions and 3 delete markers: batches of 4, 4, 3


class Interrupted(Exception):
    """What the injected fault raises (a Ctrl-C, a lost connection, a crash)."""


@dataclass
class Fault:
    """Interrupt the `nth` call of `operation`: before it is sent, or after S3 answered (it did
    the work; the answer is lost). `partial` instead drops the last two objects of the request
    before it is sent and answers them as S3 answers objects it could not delete (a stand-in for
    a partial failure: S3 deletes the rest of the batch)."""

    operation: str
    nth: int
    after: bool = False
    partial: bool = False
    seen: int = 0
    dropped: list[dict[str, str]] = field(default_factory=list)

    def attach(self, client: Any) -> None:
        events = client.meta.events
        events.register(f"before-parameter-build.s3.{self.operation}", self._before_build)
        events.register(f"before-call.s3.{self.operation}", self._before_call)
        events.register(f"after-call.s3.{self.operation}", self._after_call)

    def _hit(self) -> bool:
        return self.seen == self.nth

    def _before_build(self, params: dict[str, Any], **_kwargs: Any) -> None:
        self.seen += 1
        if self._hit() and self.partial:
            objects = params["Delete"]["Objects"]
            self.dropped, params["Delete"]["Objects"] = objects[-2:], objects[:-2]

    def _before_call(self, **_kwargs: Any) -> None:
        if self._hit() and not self.after and not self.partial:
            raise Interrupted(f"before {self.operation} #{self.nth}")

    def _after_call(self, parsed: dict[str, Any], **_kwargs: Any) -> None:
        if self._hit() and self.partial:
            parsed.setdefault("Errors", []).extend({**o, "Code": "AccessDenied", "Message": "Access Denied"} for o in self.dropped)
        elif self._hit() and self.after:
            raise Interrupted(f"after {self.operation} #{self.nth}")


def _scope(fault: Fault | None) -> Scope:
    return tenant.hooked_scope(lambda client, service_name, _region: fault.attach(client) if fault and service_name == "s3" else None)


def _fill() -> dict[str, set[tuple[str, str]]]:
    """The data bucket with KEYS keys of VERSIONS versions each and MARKERS delete markers: what
    exists, by count name."""
    tenant.bucket(PRIMARY, NAMES.data_bucket)
    s3 = boto3.client("s3", region_name=PRIMARY)
    for index in range(KEYS):
        for _ in range(VERSIONS):
            s3.put_object(Bucket=NAMES.data_bucket, Key=f"records/{index}", Body=b"x")
    for index in range(MARKERS):
        s3.delete_object(Bucket=NAMES.data_bucket, Key=f"records/{index}")
    return _existing()


def _existing() -> dict[str, set[tuple[str, str]]]:
    s3 = boto3.client("s3", region_name=PRIMARY)
    if NAMES.data_bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        return {"object_versions": set(), "delete_markers": set()}
    page = s3.list_object_versions(Bucket=NAMES.data_bucket)
    return {
        "object_versions": {(v["Key"], v["VersionId"]) for v in page.get("Versions", [])},
        "delete_markers": {(m["Key"], m["VersionId"]) for m in page.get("DeleteMarkers", [])},
    }


def _report_counts(tenant_data: dict[str, Any], journal: Journal) -> dict[str, int]:
    """The data bucket's counts as the signed report states them."""
    config = TenantConfig.model_validate({**tenant_data, "account": ACCOUNT})
    env = service.Environment("test", ACCOUNT, tenant.sessions(), "tester")
    journal.data.update(started_at=now(), operator=env.operator, forced=False, force_reason=None, retrieval_deadline=None)
    journal.data.update(verification={"ok": True, "checked_at": now(), "remaining": []}, completed_at=now())
    (bucket,) = [r for r in service.build_report(config, env, journal).resources if r.name == NAMES.data_bucket]
    return {name: bucket.counts[name] for name in ("object_versions", "delete_markers")}


CASES = {
    **{f"before DeleteObjects #{n}": [Fault("DeleteObjects", n)] for n in (1, 2, 3)},
    **{f"after DeleteObjects #{n} (S3 deleted, answer lost)": [Fault("DeleteObjects", n, after=True)] for n in (1, 2, 3)},
    **{f"between batches, before ListObjectVersions #{n}": [Fault("ListObjectVersions", n)] for n in (2, 3, 4)},
    "S3 deletes only part of batch #2": [Fault("DeleteObjects", 2, partial=True)],
    "after #2, then the rerun interrupted after its first batch": [Fault("DeleteObjects", 2, after=True), Fault("DeleteObjects", 1, after=True)],
    "after #3, then the rerun interrupted while it settles": [Fault("DeleteObjects", 3, after=True), Fault("ListObjectVersions", 1)],
}


@pytest.mark.parametrize("faults", CASES.values(), ids=CASES.keys())
def test_the_reports_counts_are_what_was_deleted_however_the_run_is_interrupted(faults, tenant_data, tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "DELETE_BATCH", BATCH)
    before = _fill()
    target = BUCKET
    journal = Journal.open(tmp_path / "journal.json", tenant_id=TENANT, environment="test")
    for fault in faults:
        with pytest.raises((Interrupted, RuntimeError)):
            destroy(_scope(fault), journal, Plan(TENANT, (target,)))
        journal = Journal.open(tmp_path / "journal.json", tenant_id=TENANT, environment="test")  # what a rerun reads
        now_there = _existing()
        settled = journal.counts(target)
        in_flight = journal.in_flight(target) or {}
        for name in before:
            deleted = len(before[name] - now_there[name])
            assert settled.get(name, 0) <= deleted <= settled.get(name, 0) + len(in_flight.get(name, [])), (name, fault)
    destroy(_scope(None), journal, Plan(TENANT, (target,)))
    assert _existing() == {"object_versions": set(), "delete_markers": set()}
    assert journal.in_flight(target) is None
    assert _report_counts(tenant_data, journal) == {name: len(before[name]) for name in before} == {"object_versions": 8, "delete_markers": 3}


def test_an_uninterrupted_run_counts_the_same(tenant_data, tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "DELETE_BATCH", BATCH)
    _fill()
    scope = _scope(None)
    journal = Journal.open(tmp_path / "journal.json", tenant_id=TENANT, environment="test")
    destroy(scope, journal, discover(scope))
    assert _report_counts(tenant_data, journal) == {"object_versions": 8, "delete_markers": 3}


def test_a_partial_failure_stops_the_step_and_counts_only_what_s3_deleted(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "DELETE_BATCH", BATCH)
    _fill()
    target = BUCKET
    journal = Journal.open(tmp_path / "journal.json", tenant_id=TENANT, environment="test")
    with pytest.raises(RuntimeError, match=f"s3://{NAMES.data_bucket}/records/.*: AccessDenied"):
        destroy(_scope(Fault("DeleteObjects", 1, partial=True)), journal, Plan(TENANT, (target,)))
    assert not journal.is_done(target) and journal.in_flight(target) is None
    assert sum(journal.counts(target)[name] for name in ("object_versions", "delete_markers")) == BATCH - 2


def test_recovery_points_are_counted_once_when_a_run_is_interrupted_after_asking_for_a_deletion(tmp_path):
    """A recovery point journaled in flight, deleted, the answer lost: the rerun counts it (once)."""
    backup = boto3.client("backup", region_name=PRIMARY)
    tenant.vault(PRIMARY, NAMES.backup_vault)
    for name in ("one-bucket", "two-bucket"):
        tenant.bucket(PRIMARY, name)
        backup.start_backup_job(BackupVaultName=NAMES.backup_vault, ResourceArn=f"arn:aws:s3:::{name}", IamRoleArn=tenant.ROLE)
    (points, _vault) = [t for t in discover(_scope(None)).targets if t.kind in ("recovery points", "backup vault")]  # the buckets: tagged resources
    journal = Journal.open(tmp_path / "journal.json", tenant_id=TENANT, environment="test")

    def lose_answer(client, service_name, _region):
        if service_name == "backup":
            client.meta.events.register("after-call.backup.DeleteRecoveryPoint", _raise_interrupted)

    faulty = tenant.hooked_scope(lose_answer)
    with pytest.raises(Interrupted):
        destroy(faulty, journal, Plan(TENANT, (points,)))
    assert journal.in_flight(points) is not None
    destroy(_scope(None), journal, Plan(TENANT, (points,)))
    assert journal.counts(points) == {"recovery_points": 2}
    assert backup.list_recovery_points_by_backup_vault(BackupVaultName=NAMES.backup_vault)["RecoveryPoints"] == []


def _raise_interrupted(**_kwargs: Any) -> None:
    raise Interrupted("the answer to DeleteRecoveryPoint was lost")
