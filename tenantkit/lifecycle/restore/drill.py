"""`tenantkit drill`: the evidence that restores work. The latest recovery point of every store in
both regions is restored into scratch resources (a restore named `drill<time>`), each is checked,
the achieved RPO (now − the recovery point's time) and RTO (restore start → usable) are measured
and compared with what the tenant file promises, the scratch resources are deleted, and a signed
report says all of it.

Checks, per region:
- database: the instance is `available`, its engine version is the declared one, it is encrypted
  with the tenant key of its region;
- files: the restored folder holds as many objects as the primary bucket held at the recovery
  point's time, and a sample's SHA-256 equals that of the primary bucket's version then (so the
  DR region's check also proves replication).

The report is signed as destruction reports are (`tenantkit.evidence`, detached `.json.sig` over
the canonical JSON, schema `tenantkit.drill-report/1`), and `tenantkit report verify` accepts it.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tenantkit import __version__, evidence
from tenantkit.aws import atomic_write, pages
from tenantkit.config import TenantConfig
from tenantkit.config.promises import copy_promises, secondary_region_rpo
from tenantkit.lifecycle.drills import DRILL_SCHEMA
from tenantkit.lifecycle.report import ReportError, _build, _fields  # one reading of report fields
from tenantkit.lifecycle.restore import database, files
from tenantkit.lifecycle.restore.model import Clock, Environment, RestoreRefused, Store, iso, utc_now
from tenantkit.lifecycle.restore.service import default_name, discard_restore, names_of

SCHEMA = DRILL_SCHEMA
SAMPLE = 20
"""Objects whose checksums are compared, per region: enough to catch a wrong version, cheap to read."""
_AMOUNT = re.compile(r"(\d+)\s+(second|minute|hour|day)s?")


class DrillError(Exception):
    """A drill report that cannot be read or written; one line."""


@dataclass(frozen=True)
class StoreCheck:
    store: str
    region: str
    recovery_point: str  # its ARN, or "" when the region holds none
    recovery_point_time: str | None
    restored: str  # what the drill made (deleted afterwards)
    rpo_seconds: int | None
    rpo_promised: str
    rpo_promised_seconds: int | None
    rpo_met: bool
    rto_seconds: float | None
    checks: dict[str, str]  # what was checked -> "ok" or what was wrong
    ok: bool


@dataclass(frozen=True)
class DrillReport:
    """One drill, as signed. Times are ISO 8601 UTC strings."""

    tenant_id: str
    display_name: str
    account: str
    primary_region: str
    secondary_region: str
    started_at: str
    completed_at: str
    name: str
    stores: tuple[StoreCheck, ...]
    scratch_deleted: tuple[str, ...]
    ok: bool
    tool_version: str
    sandbox: bool

    def as_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DrillReport:
        data = dict(data)
        schema = data.pop("schema", SCHEMA)
        if schema != SCHEMA:
            raise DrillError(f"schema {schema!r} is not {SCHEMA!r}")
        try:
            values = _fields(cls, data)
            values["stores"] = tuple(_build(StoreCheck, s) for s in values["stores"])
        except ReportError as error:
            raise DrillError(str(error)) from None
        values["scratch_deleted"] = tuple(values["scratch_deleted"])
        return cls(**values)


def canonical_json(report: DrillReport) -> bytes:
    data = {**report.as_dict(), "schema": SCHEMA}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def seconds_of(promise: str) -> int | None:
    """`1 hour` -> 3600, `15 minutes` -> 900; None for a promise with no fixed amount."""
    match = _AMOUNT.search(promise)
    if match is None:
        return None
    unit = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[match.group(2)]
    return int(match.group(1)) * unit


def promised_rpo(config: TenantConfig, store: Store, region: str) -> str:
    """What the tenant file promises a restore from backups in `region` can lose."""
    if region == config.secondary_region:
        return secondary_region_rpo(config)[store.value]["from backups"]
    hourly = [p for p in copy_promises(config) if p.store == store.value and p.region == region and p.copy.startswith("hourly")]
    return hourly[0].rpo


def run_drill(config: TenantConfig, env: Environment, *, clock: Clock = utc_now, sample: int = SAMPLE) -> DrillReport:
    """Restore, check, measure, delete; the unsigned report. Scratch resources are deleted
    even when a check or a restore fails; a region without a recovery point fails its check."""
    names = names_of(config, env)
    started = clock()
    name = default_name(started, "drill")
    checks: list[StoreCheck] = []
    deleted: tuple[str, ...] = ()
    try:
        for region in config.regions:
            session = env.session_for(region)
            key = database.tenant_key_arn(session.client("kms"), names, region)
            checks.append(_drill_database(config, names, session, region, name, key, clock))
            checks.append(_drill_files(config, names, env, session, region, name, key, clock, sample))
    finally:
        try:
            deleted = tuple(discard_restore(config, env, name))
        except RestoreRefused:
            deleted = ()  # nothing was made
    ok = all(c.ok for c in checks)
    return DrillReport(
        config.tenant_id, config.display_name, env.account, config.primary_region, config.secondary_region,
        iso(started), iso(clock()), name, tuple(checks), deleted, ok, __version__, env.sandbox,
    )  # fmt: skip


def _latest(points: list[dict[str, Any]]) -> dict[str, Any] | None:
    return max(points, key=lambda p: p["CreationDate"]) if points else None


def _rpo(config: TenantConfig, store: Store, region: str, point_time: datetime | None, now: datetime) -> tuple[int | None, str, int | None, bool]:
    promise = promised_rpo(config, store, region)
    limit = seconds_of(promise)
    achieved = None if point_time is None else int((now - point_time).total_seconds())
    return achieved, promise, limit, achieved is not None and limit is not None and achieved <= limit


def _drill_database(config: TenantConfig, names: Any, session: Any, region: str, name: str, key: str, clock: Clock) -> StoreCheck:
    point = _latest(database.database_points(session.client("backup"), names, region))
    now = clock()
    rpo = _rpo(config, Store.DATABASE, region, point["CreationDate"] if point else None, now)
    if point is None:
        return StoreCheck("database", region, "", None, "", *rpo, None, {"recovery point": f"none in {names.vault_in(region)}"}, False)
    try:
        made = database.restore_from_point(session, config, names, name, point, clock=clock)
    except Exception as error:  # noqa: BLE001 - a failed restore is the drill's finding, not a crash
        return StoreCheck("database", region, point["RecoveryPointArn"], iso(point["CreationDate"]), "", *rpo, None,
                          {"restore": f"failed: {error}"}, False)  # fmt: skip
    details = made.details
    checks = {
        "instance available": "ok" if details["status"] == "available" else f"status {details['status']}",
        "engine version as declared": "ok" if details["engine_version"] == config.database.engine_version
        else f"{details['engine_version']}, declared {config.database.engine_version}",
        "encrypted with the tenant key": "ok" if details["kms_key"] == key else f"{details['kms_key']}, not {key}",
        "rpo within the promise": "ok" if rpo[3] else f"{rpo[0]} s, promised {rpo[1]}",
    }
    return StoreCheck("database", region, point["RecoveryPointArn"], made.data_time, made.made, *rpo, made.seconds, checks,
                      all(v == "ok" for v in checks.values()))  # fmt: skip


def _drill_files(
    config: TenantConfig, names: Any, env: Environment, session: Any, region: str, name: str, key: str, clock: Clock, sample: int
) -> StoreCheck:
    bucket_arn = names.data_bucket_arn
    listed = pages(session.client("backup"), "list_recovery_points_by_backup_vault", "RecoveryPoints",
                   BackupVaultName=names.vault_in(region), ByResourceArn=bucket_arn)  # fmt: skip
    point = _latest([p for p in listed if p.get("Status") == "COMPLETED" and p.get("ResourceArn") == bucket_arn])
    now = clock()
    rpo = _rpo(config, Store.FILES, region, point["CreationDate"] if point else None, now)
    if point is None:
        return StoreCheck("files", region, "", None, "", *rpo, None, {"recovery point": f"none in {names.vault_in(region)}"}, False)
    moment = point["CreationDate"]
    try:
        made = files.restore_files(session, names, name, moment, key, clock=clock, source=point["RecoveryPointArn"])
    except Exception as error:  # noqa: BLE001
        return StoreCheck("files", region, point["RecoveryPointArn"], iso(moment), "", *rpo, None, {"restore": f"failed: {error}"}, False)
    live = env.session_for(config.primary_region).client("s3")
    expected = files.versions_at(live, names.data_bucket, moment)
    s3 = session.client("s3")
    prefix = names.restore_prefix(name)
    restored = {o["Key"].removeprefix(prefix) for o in pages(s3, "list_objects_v2", "Contents", Bucket=names.bucket_in(region), Prefix=prefix)}
    keys = sorted(expected)
    chosen = random.Random(name).sample(keys, min(sample, len(keys)))
    wrong = [k for k in chosen if k not in restored or files.sha256_of(s3, names.bucket_in(region), prefix + k)
             != files.sha256_of(live, names.data_bucket, k, expected[k]["VersionId"])]  # fmt: skip
    checks = {
        "object count as in the live bucket then": "ok" if restored == set(expected) else f"{len(restored)} restored, {len(expected)} then",
        f"sha-256 of {len(chosen)} sampled objects": "ok" if not wrong else f"{len(wrong)} differ, e.g. {wrong[0]}",
        "rpo within the promise": "ok" if rpo[3] else f"{rpo[0]} s, promised {rpo[1]}",
    }
    return StoreCheck("files", region, point["RecoveryPointArn"], made.data_time, made.made, *rpo, made.seconds, checks,
                      all(v == "ok" for v in checks.values()))  # fmt: skip


# --- the signed files --------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillFiles:
    json: Path
    signature: Path
    markdown: Path


def render_markdown(report: DrillReport, signature: evidence.Signature | None = None) -> str:
    def cell(value: object) -> str:
        return " ".join(str(value).split()).replace("|", "\\|")

    lines = [
        f"# Restore drill: {cell(report.display_name)} ({report.tenant_id})",
        "",
        *(["**SANDBOX RUN: emulated restores, times not indicative of AWS.**", ""] if report.sandbox else []),
        f"Result: **{'PASSED' if report.ok else 'FAILED'}**. Account {report.account}, regions "
        f"{report.primary_region} + {report.secondary_region}, {report.started_at} to {report.completed_at}.",
        "",
        "| store | region | recovery point time | RPO achieved (s) | RPO promised | RTO (s) | result |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *(f"| {c.store} | {c.region} | {c.recovery_point_time or 'none'} | {c.rpo_seconds if c.rpo_seconds is not None else '-'} "
          f"| {cell(c.rpo_promised)} | {c.rto_seconds if c.rto_seconds is not None else '-'} | {'ok' if c.ok else 'FAILED'} |"
          for c in report.stores),
        "",
        "## Checks",
        "",
        *(f"- {c.store} in {c.region}: {cell(check)}: {cell(result)}" for c in report.stores for check, result in c.checks.items()),
        "",
        "## Scratch resources deleted",
        "",
        *(f"- {cell(item)}" for item in report.scratch_deleted),
        "",
        f"tenantkit {report.tool_version}. Only the JSON is signed"
        + (f" ({signature.algorithm}, key {signature.fingerprint})." if signature else "."),
        "",
    ]  # fmt: skip
    return "\n".join(lines)


def write_drill_report(report: DrillReport, reports_root: Path, signer: evidence.Signer) -> DrillFiles:
    """Sign and write `reports_root/<tenant>/drill-<started>.{json,json.sig,md}`; never replaces a report."""
    directory = reports_root / report.tenant_id
    stem = f"drill-{report.started_at.replace('-', '').replace(':', '')}"
    written = DrillFiles(directory / f"{stem}.json", directory / f"{stem}.json.sig", directory / f"{stem}.md")
    if written.json.exists():
        raise DrillError(f"{written.json}: a report already exists; not overwritten")
    body = canonical_json(report)
    signature = evidence.sign(body, signer)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        atomic_write(written.markdown, render_markdown(report, signature))
        atomic_write(written.signature, signature.as_json())
        atomic_write(written.json, body)  # last: a report with no signature never appears
    except OSError as error:
        raise DrillError(f"{directory}: cannot write the drill report: {error.strerror or error}") from None
    return written


def read_drill_report(data: bytes) -> DrillReport:
    try:
        return DrillReport.from_dict(json.loads(data))
    except (ValueError, TypeError) as error:
        raise DrillError(f"not a drill report: {error}") from None

