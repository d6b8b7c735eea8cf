"""The baseline stack's trail records what the README promises, for every tenant of its account
and region: management events (KMS use and Secrets Manager reads among them), S3 object events of
each tenant's data and DR bucket there, log file validation, its logs encrypted with a KMS key.

For the one `AWS::CloudTrail::Trail` of a baseline stack:
- `IsLogging` and `EnableLogFileValidation` are true, and `KMSKeyId` is set;
- an advanced event selector records every management event (`eventCategory` equals `Management`
  and no other field narrows it, so no `readOnly` or `eventSource` filter drops KMS or Secrets
  Manager calls);
- an advanced event selector records S3 object events (`eventCategory` `Data`, `resources.type`
  `AWS::S3::Object`) either of every bucket (no `resources.ARN` field) or with a `resources.ARN`
  `StartsWith` of `arn:<partition>:s3:::<bucket>/` for each expected bucket. The expected buckets
  come from the tenant files (naming), never from the template.

Sources:
- https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html:
  data events are not logged by default; for S3 objects, advanced selectors filter on
  `resources.type` `AWS::S3::Object` and `resources.ARN` (`StartsWith` a bucket ARN and `/`).
- https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html:
  KMS actions (Decrypt, GenerateDataKey...) and Secrets Manager's GetSecretValue are management events.
- https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html:
  log file integrity validation is enabled per trail (`EnableLogFileValidation`).

cfn-lint misses it: every selector above is valid CloudFormation; whether it covers the fleet's
buckets depends on the tenant files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenantkit.compliance.assembly import StackTemplate, render
from tenantkit.compliance.result import RuleResult
from tenantkit.naming import PARTITION

RULE = "trail-covers-buckets"


@dataclass(frozen=True)
class BaselineTemplate:
    """One baseline stack's template, with what the tenant files expect of it."""

    stack: StackTemplate
    tenant_buckets: tuple[str, ...]
    """The data and DR buckets of every tenant of the stack's account and region (from naming)."""
    reader_role_arns: tuple[str, ...] = ()
    """The break-glass roles of those tenants: the only principals that may decrypt the trail's logs."""


def _fields(selector: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {render(f.get("Field")): f for f in selector.get("FieldSelectors", [])}


def _values(field: dict[str, Any] | None, operator: str) -> list[str]:
    return [render(value) for value in (field or {}).get(operator, []) or []]


def _records_management(selectors: list[dict[str, Any]]) -> bool:
    return any(list(_fields(s)) == ["eventCategory"] and _values(_fields(s)["eventCategory"], "Equals") == ["Management"]
               for s in selectors)  # fmt: skip


def _uncovered_buckets(selectors: list[dict[str, Any]], buckets: tuple[str, ...]) -> list[str] | None:
    """The expected buckets no S3 object selector covers; None when no selector records S3 objects."""
    covered: set[str] = set()
    found = False
    for selector in selectors:
        fields = _fields(selector)
        if _values(fields.get("eventCategory"), "Equals") != ["Data"]:
            continue
        if _values(fields.get("resources.type"), "Equals") != ["AWS::S3::Object"]:
            continue
        if set(fields) - {"eventCategory", "resources.type", "resources.ARN"}:
            continue  # narrowed by another field (readOnly, eventName...): not every access
        found = True
        arn = fields.get("resources.ARN")
        if arn is None:
            return []  # every bucket of the region
        if set(arn) - {"Field", "StartsWith"}:
            continue
        covered.update(_values(arn, "StartsWith"))
    if not found:
        return None
    return [b for b in buckets if f"arn:{PARTITION}:s3:::{b}/" not in covered]


def _problems(trail: dict[str, Any], buckets: tuple[str, ...]) -> list[str]:
    props = trail.get("Properties", {})
    problems = [f"{name} is not true" for name in ("IsLogging", "EnableLogFileValidation") if props.get(name) is not True]
    if not props.get("KMSKeyId"):
        problems.append("KMSKeyId is not set: its logs are not encrypted with a key of the zone")
    selectors = props.get("AdvancedEventSelectors") or []
    if not _records_management(selectors):
        problems.append("no advanced event selector records every management event (KMS and Secrets Manager use)")
    uncovered = _uncovered_buckets(selectors, buckets)
    if uncovered is None and buckets:
        problems.append("no advanced event selector records S3 object events")
    elif uncovered:
        problems.append(f"S3 object events of {', '.join(uncovered)} are not recorded")
    return problems


def trail_records_every_tenant_bucket(baseline: BaselineTemplate) -> RuleResult:
    stack = baseline.stack
    trails = [(logical_id, r) for logical_id, r in stack.resources.items() if r.get("Type") == "AWS::CloudTrail::Trail"]
    if len(trails) != 1:
        return RuleResult.of(RULE, [f"{stack.name}: {len(trails)} CloudTrail trails, expected exactly one"])
    logical_id, trail = trails[0]
    return RuleResult.of(RULE, [f"{stack.name}/{logical_id}: {problem}" for problem in _problems(trail, baseline.tenant_buckets)])
