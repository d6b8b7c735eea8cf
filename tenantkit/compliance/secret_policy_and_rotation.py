"""Every secret has a resource policy that closes it to all but named principals, and a rotation
schedule.

Constraints, for each `AWS::SecretsManager::Secret` of the tenant:
- an `AWS::SecretsManager::ResourcePolicy` on it (`SecretId` a `Ref` to the secret) with a `Deny`
  statement for every principal (`"*"`) covering `secretsmanager:GetSecretValue`,
  `PutSecretValue`, `DeleteSecret` and `PutResourcePolicy` (by name or wildcard), conditioned on
  `aws:PrincipalArn` with a negated operator (`ArnNotLike`/`ArnNotEquals`/`StringNotLike`/
  `StringNotEquals`): the principals let through are named by ARN, never by a tag anyone with
  `iam:TagRole` or `sts:TagSession` can set;
- an `AWS::SecretsManager::RotationSchedule` on it naming a rotation function
  (`RotationLambdaARN` or `HostedRotationLambda`) and a schedule (`RotationRules` with
  `AutomaticallyAfterDays` or `ScheduleExpression`).

Sources:
- https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html:
  a resource-based policy on a secret controls who can access it; an explicit deny in it
  overrides any identity-policy allow
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
  (`aws:PrincipalArn`: the ARN of the role, not of the session) and
  #condition-keys-principaltag (session tags can be passed by whoever assumes the role).
- https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html
  (SecretsManager.1: "Secrets Manager secrets should have automatic rotation enabled") and
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-rotationschedule.html.
"""

from __future__ import annotations

from typing import Any

from tenantkit.compliance.assembly import TenantAssembly
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import of_type, reference

RULE = "secret-policy-and-rotation"

GUARDED_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:DeleteSecret",
    "secretsmanager:PutResourcePolicy",
)
_NEGATED_OPERATORS = ("ArnNotLike", "ArnNotEquals", "StringNotLike", "StringNotEquals")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _covers(actions: list[Any], action: str) -> bool:
    service, _, name = action.lower().partition(":")
    for pattern in (str(a).lower() for a in actions):
        if pattern in ("*", f"{service}:*", action.lower()):
            return True
        if pattern.endswith("*") and pattern.startswith(f"{service}:") and name.startswith(pattern[len(service) + 1 : -1]):
            return True
    return False


def _to_everyone(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    return principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS")))


def _by_principal_arn(statement: dict[str, Any]) -> bool:
    conditions = statement.get("Condition", {})
    return any(
        "aws:PrincipalArn" in conditions.get(operator, {}) for operator in _NEGATED_OPERATORS
    )


def _uncovered(policy: dict[str, Any]) -> list[str]:
    """The guarded actions no deny-to-everyone-but-named-ARNs statement of `policy` covers."""
    guarding = [
        s
        for s in _as_list(policy.get("Statement", []))
        if isinstance(s, dict) and s.get("Effect") == "Deny" and _to_everyone(s) and _by_principal_arn(s)
    ]
    return [a for a in GUARDED_ACTIONS if not any(_covers(_as_list(s.get("Action", [])), a) for s in guarding)]


def _target(resource: dict[str, Any]) -> str | None:
    found = reference(resource.get("Properties", {}).get("SecretId"))
    return found[0] if found else None


def _schedule_problems(schedule: dict[str, Any]) -> list[str]:
    properties = schedule.get("Properties", {})
    problems = []
    if "RotationLambdaARN" not in properties and "HostedRotationLambda" not in properties:
        problems.append("names no rotation function")
    rules = properties.get("RotationRules", {})
    if "AutomaticallyAfterDays" not in rules and "ScheduleExpression" not in rules:
        problems.append("has no schedule (RotationRules)")
    return problems


def secrets_have_a_closing_policy_and_rotation(assembly: TenantAssembly) -> RuleResult:
    secrets = of_type(assembly, "AWS::SecretsManager::Secret")
    findings = []
    for stack, logical_id, _secret in secrets:
        where = f"{stack.name}/{logical_id}"
        policies = [
            r for _s, _id, r in of_type(assembly, "AWS::SecretsManager::ResourcePolicy")
            if _s is stack and _target(r) == logical_id
        ]
        schedules = [
            r for _s, _id, r in of_type(assembly, "AWS::SecretsManager::RotationSchedule")
            if _s is stack and _target(r) == logical_id
        ]
        if not policies:
            findings.append(f"{where}: no resource policy; deny {', '.join(GUARDED_ACTIONS)} to all but named principals")
        else:
            uncovered = set(GUARDED_ACTIONS)
            for policy in policies:
                uncovered &= set(_uncovered(policy.get("Properties", {}).get("ResourcePolicy", {})))
            if uncovered:
                findings.append(
                    f"{where}: its resource policy lets any principal with an IAM allow call "
                    f"{', '.join(a for a in GUARDED_ACTIONS if a in uncovered)}; deny them to '*' "
                    "unless aws:PrincipalArn is the tenant's (ArnNotLike)"
                )
        if not schedules:
            findings.append(f"{where}: no rotation schedule (AWS::SecretsManager::RotationSchedule)")
        for schedule in schedules:
            findings += [f"{where}: its rotation schedule {problem}" for problem in _schedule_problems(schedule)]
    return RuleResult.of(RULE, findings, applicable=bool(secrets))
