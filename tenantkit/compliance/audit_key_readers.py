"""Only the trail encrypts with the audit key, and only the tenants' break-glass roles decrypt with it.

For each `AWS::KMS::Key.KeyPolicy` of a baseline stack, every Allow statement granting a
Decrypt-family action (`kms:Decrypt`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`, or a wildcard
covering one) is bound by one of:
- its only principal is `cloudtrail.amazonaws.com` and an `aws:SourceArn` condition names a trail
  of this account (CloudTrail's confused-deputy guard);
- an `aws:PrincipalArn` condition (ArnLike/ArnEquals/StringLike/StringEquals) whose every value is
  one of the break-glass roles of the environment's tenants (from the tenant files).
An account-root principal with no such condition lets every IAM policy of the account that allows
`kms:Decrypt` read every tenant's recorded accesses, which is what the audit trail must not allow.

Sources:
- https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html:
  the key policy CloudTrail needs (`kms:GenerateDataKey*` for `cloudtrail.amazonaws.com`, with
  `aws:SourceArn` of the trail), and "Enable CloudTrail log decrypt permissions" for named readers.
- https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam:
  naming the account principal lets IAM policies of the account allow use of the key.
"""

from __future__ import annotations

from typing import Any

from tenantkit.compliance.assembly import render
from tenantkit.compliance.key_decrypt_conditioned import PRINCIPAL_OPERATORS, condition_values, grants_decrypt
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.trail_covers_buckets import BaselineTemplate

RULE = "audit-key-readers"


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _bound(statement: dict[str, Any], readers: frozenset[str]) -> bool:
    principal = statement.get("Principal", {})
    services = _listed(principal.get("Service", [])) if isinstance(principal, dict) else []
    if isinstance(principal, dict) and set(principal) == {"Service"} and services == ["cloudtrail.amazonaws.com"]:
        sources = condition_values(statement, "aws:SourceArn") or []
        return bool(sources) and all(":cloudtrail:" in s and ":trail/" in s for s in sources)
    arns = condition_values(statement, "aws:PrincipalArn", PRINCIPAL_OPERATORS) or []
    return bool(arns) and all(arn in readers for arn in arns)


def audit_key_decrypts_only_for_named_readers(baseline: BaselineTemplate) -> RuleResult:
    readers = frozenset(baseline.reader_role_arns)
    stack = baseline.stack
    keys = [(logical_id, r) for logical_id, r in stack.resources.items() if r.get("Type") == "AWS::KMS::Key"]
    findings = [
        f"{stack.name}/{logical_id}: statement {s.get('Sid') or f'#{index}'} grants "
        f"{', '.join(map(render, _listed(s['Action'])))} to others than CloudTrail for a trail of this "
        "account and the tenants' break-glass roles"
        for logical_id, key in keys
        for index, s in enumerate(_listed(key.get("Properties", {}).get("KeyPolicy", {}).get("Statement", [])))
        if grants_decrypt(s) and not _bound(s, readers)
    ]
    return RuleResult.of(RULE, findings, applicable=bool(keys))
