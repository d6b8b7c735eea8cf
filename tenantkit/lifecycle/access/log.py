"""`access log`: every break-glass session of a tenant and what it touched, from CloudTrail.

Where it reads, in each of the tenant's regions (and us-east-1, where the global STS endpoint
records its AssumeRole calls):
- sessions: CloudTrail `LookupEvents` by the break-glass role's ARN (`ResourceName`), its
  `AssumeRole` records: the session name, the reason and operator session tags, the caller, the
  issued access key id and the duration asked for;
- management events of each session (KMS, Secrets Manager's GetSecretValue, Backup...):
  `LookupEvents` by the session's access key id (`AccessKeyId`), the 90 days Event history keeps;
- data events (S3 object reads and writes, object listings): the baseline trail's log files in the
  region's audit bucket (`naming.audit_bucket`), under `AWSLogs/<account>/CloudTrail/<region>/<day>/`,
  the days of each session, the records whose `userIdentity.accessKeyId` is the session's.
Whatever could not be read is named in `AccessLog.unreadable` with why, never left out.

In the sandbox the emulator serves the same two sources (tenantkit/sandbox/extensions/cloudtrail_events.py).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tenantkit.aws import Failure, classify, error_code, pages
from tenantkit.lifecycle.access.grant import TAG_OPERATOR, TAG_REASON

GLOBAL_STS_REGION = "us-east-1"
DELIVERY_DELAY = timedelta(minutes=20)
"""CloudTrail delivers a log file within about 5 minutes of the call (CloudTrail User Guide, "How
CloudTrail works"); files named up to this long after a session's end are read."""
_FILE_TIME = re.compile(r"_(\d{8}T\d{4}Z)_[^_]+\.json\.gz$")


@dataclass(frozen=True)
class Touch:
    """One call a break-glass session made."""

    time: datetime
    region: str
    service: str
    action: str
    resources: tuple[str, ...]
    error: str | None
    category: str
    """`Management` (from LookupEvents) or `Data` (from the trail's log files)."""
    event_id: str


@dataclass(frozen=True)
class BreakGlassSession:
    tenant_id: str
    session_name: str
    session_arn: str
    operator: str | None
    reason: str | None
    assumed_by: str
    granted_at: datetime
    expires_at: datetime
    access_key_id: str
    region: str
    touches: tuple[Touch, ...] = ()


@dataclass(frozen=True)
class RefusedGrant:
    """An AssumeRole of the break-glass role that STS refused (no MFA, no trust): no session."""

    time: datetime
    caller: str
    error: str
    operator: str | None
    reason: str | None
    region: str


@dataclass(frozen=True)
class AccessLog:
    tenant_id: str
    role_arn: str
    since: datetime
    sessions: tuple[BreakGlassSession, ...]
    searched: tuple[str, ...]
    """Each source read: the API and region, or the bucket and prefix, with what it gave."""
    unreadable: tuple[str, ...] = field(default_factory=tuple)
    refused: tuple[RefusedGrant, ...] = ()


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def _lookup(cloudtrail: Any, attribute: str, value: str, start: datetime, end: datetime | None = None) -> list[dict[str, Any]]:
    kwargs: dict[str, Any] = {"LookupAttributes": [{"AttributeKey": attribute, "AttributeValue": value}], "StartTime": start}
    if end is not None:
        kwargs["EndTime"] = end
    return [json.loads(event["CloudTrailEvent"]) for event in pages(cloudtrail, "lookup_events", "Events", **kwargs)]


def _session(tenant_id: str, record: dict[str, Any]) -> BreakGlassSession | RefusedGrant | None:
    request = record.get("requestParameters") or {}
    response = record.get("responseElements") or {}
    key = (response.get("credentials") or {}).get("accessKeyId")
    tags = {t.get("key"): t.get("value") for t in request.get("tags") or []}
    granted = _when(record["eventTime"])
    if record.get("errorCode"):
        return RefusedGrant(time=granted, caller=str((record.get("userIdentity") or {}).get("arn", "")), error=str(record["errorCode"]),
                            operator=tags.get(TAG_OPERATOR), reason=tags.get(TAG_REASON), region=str(record.get("awsRegion", "")))  # fmt: skip
    if not key:
        return None
    return BreakGlassSession(
        tenant_id=tenant_id, session_name=str(request.get("roleSessionName", "")),
        session_arn=str((response.get("assumedRoleUser") or {}).get("arn", "")), operator=tags.get(TAG_OPERATOR),
        reason=tags.get(TAG_REASON), assumed_by=str((record.get("userIdentity") or {}).get("arn", "")), granted_at=granted,
        expires_at=granted + timedelta(seconds=int(request.get("durationSeconds") or 3600)), access_key_id=key,
        region=str(record.get("awsRegion", "")),
    )  # fmt: skip


def _touch(record: dict[str, Any]) -> Touch:
    return Touch(
        time=_when(record["eventTime"]), region=str(record.get("awsRegion", "")),
        service=str(record.get("eventSource", "")).removesuffix(".amazonaws.com"), action=str(record.get("eventName", "")),
        resources=tuple(str(r.get("ARN", "")) for r in record.get("resources") or []), error=record.get("errorCode"),
        category=str(record.get("eventCategory", "Management")), event_id=str(record.get("eventID", "")),
    )  # fmt: skip


def _why(error: Exception) -> str:
    failure = classify(error)
    return f"{failure.value} ({error_code(error) or type(error).__name__})" if failure is not Failure.OTHER else str(error)


def access_log(
    config: Any, *, account: str, role_arn: str, trail_bucket: Callable[[str], str], session_for: Callable[[str], Any],
    since: datetime,
) -> AccessLog:
    """Every session of the break-glass role `role_arn` granted since `since`, each with the calls
    it made (management and data), oldest first. `trail_bucket(region)` names the region's audit
    bucket; `session_for(region)` gives a boto3 session acting in the tenant's account."""
    from botocore.exceptions import BotoCoreError, ClientError

    regions = list(dict.fromkeys([*config.regions, GLOBAL_STS_REGION]))
    searched: list[str] = []
    unreadable: list[str] = []
    sessions: dict[str, BreakGlassSession] = {}
    refused: list[RefusedGrant] = []
    for region in regions:
        try:
            found = _lookup(session_for(region).client("cloudtrail"), "ResourceName", role_arn, since)
        except (ClientError, BotoCoreError) as error:
            unreadable.append(f"CloudTrail LookupEvents in {region} (ResourceName {role_arn}): {_why(error)}")
            continue
        calls = [_session(config.tenant_id, r) for r in found if r.get("eventName") == "AssumeRole"]
        grants = [c for c in calls if isinstance(c, BreakGlassSession)]
        refused += [c for c in calls if isinstance(c, RefusedGrant)]
        searched.append(f"CloudTrail LookupEvents in {region}, ResourceName {role_arn}: {len(calls)} AssumeRole, {len(calls) - len(grants)} refused")
        sessions.update({s.access_key_id: s for s in grants})

    touches: dict[str, list[Touch]] = {key: [] for key in sessions}
    for session in sessions.values():
        for region in config.regions:
            try:
                found = _lookup(session_for(region).client("cloudtrail"), "AccessKeyId", session.access_key_id,
                                session.granted_at - timedelta(minutes=1), session.expires_at + timedelta(minutes=1))
            except (ClientError, BotoCoreError) as error:
                unreadable.append(f"CloudTrail LookupEvents in {region} (AccessKeyId {session.access_key_id}): {_why(error)}")
                continue
            touches[session.access_key_id] += [_touch(r) for r in found]
            searched.append(f"CloudTrail LookupEvents in {region}, AccessKeyId {session.access_key_id}: {len(found)} events")
    if sessions:
        for region in config.regions:
            _data_events(session_for(region).client("s3"), trail_bucket(region), account, region, list(sessions.values()),
                         touches, searched, unreadable)  # fmt: skip

    ordered = sorted(sessions.values(), key=lambda s: s.granted_at)
    return AccessLog(
        tenant_id=config.tenant_id, role_arn=role_arn, since=since,
        # by event id: a record found twice (a data event in two log files) is one call
        sessions=tuple(_with(s, sorted({t.event_id: t for t in touches[s.access_key_id]}.values(), key=lambda t: t.time)) for s in ordered),
        searched=tuple(searched), unreadable=tuple(unreadable), refused=tuple(sorted(refused, key=lambda r: r.time)),
    )  # fmt: skip


def _with(session: BreakGlassSession, touches: Iterable[Touch]) -> BreakGlassSession:
    from dataclasses import replace

    return replace(session, touches=tuple(touches))


def _days(sessions: list[BreakGlassSession]) -> list[str]:
    days: set[str] = set()
    for session in sessions:
        day = session.granted_at.date()
        while day <= (session.expires_at + DELIVERY_DELAY).date():
            days.add(day.strftime("%Y/%m/%d"))
            day += timedelta(days=1)
    return sorted(days)


def _in_a_session(key: str, sessions: list[BreakGlassSession]) -> bool:
    """Whether a log file's delivery time (in its name) can hold a call of one of the sessions."""
    match = _FILE_TIME.search(key)
    if match is None:
        return True
    delivered = datetime.strptime(match.group(1), "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    return any(s.granted_at - timedelta(minutes=1) <= delivered + timedelta(minutes=1) and delivered <= s.expires_at + DELIVERY_DELAY
               for s in sessions)


def _data_events(
    s3: Any, bucket: str, account: str, region: str, sessions: list[BreakGlassSession],
    touches: dict[str, list[Touch]], searched: list[str], unreadable: list[str],
) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    for day in _days(sessions):
        prefix = f"AWSLogs/{account}/CloudTrail/{region}/{day}/"
        where = f"s3://{bucket}/{prefix}"
        try:
            keys = [o["Key"] for o in pages(s3, "list_objects_v2", "Contents", Bucket=bucket, Prefix=prefix) if o["Key"].endswith(".json.gz")]
            read = 0
            for key in keys:
                if not _in_a_session(key, sessions):
                    continue
                body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                read += 1
                for record in json.loads(gzip.decompress(body)).get("Records", []):
                    access_key = (record.get("userIdentity") or {}).get("accessKeyId")
                    if record.get("eventCategory") == "Data" and access_key in touches:
                        touches[access_key].append(_touch(record))
        except (ClientError, BotoCoreError, OSError, ValueError) as error:
            unreadable.append(f"trail log files {where}: {_why(error) if isinstance(error, ClientError | BotoCoreError) else error}")
            continue
        searched.append(f"trail log files {where}: {read} of {len(keys)} files read (data events)")
