"""The audit trail of a tenant's region (the baseline stack's `AUDIT_TRAIL`), checked for the
tenant: there, logging, validating its log files, and recording S3 object events of the tenant's
file store in that region (issue 18 item 4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tenantkit.lifecycle.inventory.checks import UNKNOWN, Probe, _Absent, _Unreachable
from tenantkit.lifecycle.inventory.model import Item, missing
from tenantkit.naming import AUDIT_TRAIL, PARTITION

KIND = "audit trail"


def covers(selectors: Sequence[dict[str, Any]], bucket: str) -> bool:
    """Whether an advanced event selector records S3 object events of `bucket`: data events of
    `AWS::S3::Object`, with no ARN condition (every bucket) or an ARN prefix the bucket's objects start with."""
    objects = f"arn:{PARTITION}:s3:::{bucket}/"
    for selector in selectors:
        fields = {f["Field"]: f for f in selector.get("FieldSelectors", [])}
        if "Data" not in fields.get("eventCategory", {}).get("Equals", []):
            continue
        if "AWS::S3::Object" not in fields.get("resources.type", {}).get("Equals", []):
            continue
        arns = fields.get("resources.ARN")
        if arns is None or any(objects.startswith(prefix) for prefix in arns.get("StartsWith", [])):
            return True
    return False


def audit_trail(session: Any, region: str, buckets: Sequence[str]) -> Item:
    """The region's trail: missing, or its problems (stopped, not validating, `buckets` not recorded)."""
    cloudtrail = session.client("cloudtrail")
    probe = Probe()
    try:
        trails = probe.find("DescribeTrails", lambda: cloudtrail.describe_trails(trailNameList=[AUDIT_TRAIL], includeShadowTrails=False)["trailList"])
    except _Absent:
        trails = []
    except _Unreachable as error:
        return Item(region, KIND, AUDIT_TRAIL, unchecked=(str(error),))
    found = [t for t in trails if t.get("Name") == AUDIT_TRAIL and t.get("HomeRegion", region) == region]
    if not found:
        return missing(region, KIND, AUDIT_TRAIL, "no audit trail in this region: the tenant's accesses are not recorded")
    logging = probe.read("GetTrailStatus", lambda: cloudtrail.get_trail_status(Name=AUDIT_TRAIL)["IsLogging"], absent=False)
    selectors = probe.read("GetEventSelectors", lambda: cloudtrail.get_event_selectors(TrailName=AUDIT_TRAIL), absent={})
    problems = []
    if logging is False:
        problems.append("stopped: not logging")
    if not found[0].get("LogFileValidationEnabled"):
        problems.append("log file validation off")
    if selectors is not UNKNOWN:
        uncovered = [b for b in buckets if not covers(selectors.get("AdvancedEventSelectors") or [], b)]
        if uncovered:
            problems.append(f"object events of {', '.join(uncovered)} not recorded")
    details = {"logging": logging if logging is not UNKNOWN else None, "buckets": list(buckets)}
    return Item(region, KIND, AUDIT_TRAIL, details, tuple(problems), tuple(probe.unchecked))
