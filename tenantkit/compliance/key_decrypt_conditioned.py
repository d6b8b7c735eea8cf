"""No key policy lets anyone use a tenant key to decrypt without a tenant condition.

For each `AWS::KMS::Key.KeyPolicy`, every Allow statement granting a Decrypt-family action
(`kms:Decrypt`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`, or a wildcard covering one: `kms:*`,
`kms:Decrypt*`, `*`) must bind the use to the tenant, by one of:
- `aws:PrincipalArn` (ArnLike/ArnEquals/StringLike/StringEquals) whose every value is one of the
  tenant's roles (its IAM path `role/tenantkit/<id>/`) or the stack's CDK cfn-exec role (which
  creates the encrypted resources and resolves the master password's dynamic reference), or a
  `Principal` that is such a role;
- a `kms:EncryptionContext:*` condition, or `aws:SourceArn` together with `kms:ViaService`, whose
  every value names one of the tenant's own resources (`/tenantkit/<id>/`, `tenantkit-<id>`,
  `tenantkit-<id>-replica`, `tenantkit-<id>-incidents`).
An account-root principal with only `kms:ViaService` (what aws-cdk-lib's `Secret` adds, with no
Sid) does not: any principal of the account with an IAM Allow for the secret and the key decrypts.

Sources:
- https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam:
  a key-policy statement naming the account principal "allows IAM policies in the account to
  allow access to the KMS key" (so any IAM policy with kms:Decrypt suffices).
- https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service:
  kms:ViaService limits the use to requests through a service, not to a principal or resource.
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn:
  aws:PrincipalArn is the ARN of the role (with its path), not of the session; a path is set only
  by iam:CreateRole, unlike aws:PrincipalTag, which iam:TagRole and sts:TagSession set.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Any

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import findings_for, of_type

RULE = "key-decrypt-conditioned"

DECRYPT_FAMILY = ("kms:decrypt", "kms:reencryptfrom", "kms:reencryptto", "kms:generatedatakey",
                  "kms:generatedatakeywithoutplaintext", "kms:generatedatakeypair")
PRINCIPAL_OPERATORS = ("ArnLike", "ArnEquals", "StringLike", "StringEquals")
_EXEC_ROLE = re.compile(r"arn:[^:]+:iam::[^:]+:role/cdk-hnb659fds-cfn-exec-role-[^/*?]+")


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def grants_decrypt(statement: dict) -> bool:
    """Whether an Allow statement grants a Decrypt-family action (wildcards included)."""
    if statement.get("Effect") != "Allow":
        return False
    patterns = [render(p).lower() for p in _listed(statement.get("Action", []))]
    return any(fnmatchcase(action, pattern) for action in DECRYPT_FAMILY for pattern in patterns)


def _tenant_role(tenant_id: str) -> re.Pattern[str]:
    return re.compile(rf"arn:[^:]+:iam::[^:]+:role/tenantkit/{re.escape(tenant_id)}/[^/]*")


def _tenant_resource(tenant_id: str) -> re.Pattern[str]:
    own = re.escape(tenant_id)
    return re.compile(rf"(?:/tenantkit/{own}/|tenantkit-{own}(?:-replica|-incidents)?(?:/|$))")


def condition_values(statement: dict, key: str, operators: tuple[str, ...] | None = None) -> list[str] | None:
    """Every value the statement's condition tests `key` against (None when it tests none)."""
    found = [
        render(value)
        for operator, block in statement.get("Condition", {}).items()
        if operators is None or operator in operators
        for name, values in block.items()
        if name.lower() == key.lower()
        for value in _listed(values)
    ]
    return found or None


def _bound_to_tenant(statement: dict, tenant_id: str) -> bool:
    role = _tenant_role(tenant_id)
    resource = _tenant_resource(tenant_id)

    def own_principal(arn: str) -> bool:
        return bool(role.fullmatch(arn) or _EXEC_ROLE.fullmatch(arn))

    principal = statement.get("Principal", {})
    aws = [render(p) for p in _listed(principal.get("AWS", []))] if isinstance(principal, dict) else []
    if aws and all(own_principal(p) for p in aws):
        return True
    arns = condition_values(statement, "aws:PrincipalArn", PRINCIPAL_OPERATORS)
    if arns and all(own_principal(arn) for arn in arns):
        return True
    conditions = statement.get("Condition", {})
    contexts = [
        render(value)
        for block in conditions.values()
        for name, values in block.items()
        if name.lower().startswith("kms:encryptioncontext:")
        for value in _listed(values)
    ]
    if contexts and all(resource.search(value) for value in contexts):
        return True
    sources = condition_values(statement, "aws:SourceArn")
    return bool(
        sources and condition_values(statement, "kms:ViaService") and all(resource.search(s) for s in sources)
    )


def _key_problems(assembly: TenantAssembly):
    def problems(stack: StackTemplate, logical_id: str, key: dict) -> list[str]:
        statements = _listed(key.get("Properties", {}).get("KeyPolicy", {}).get("Statement", []))
        return [
            f"statement {s.get('Sid') or f'#{index}'} grants {', '.join(map(render, _listed(s['Action'])))} "
            "with no tenant condition (the tenant's role path, the deployment role, or an encryption "
            "context / source ARN of the tenant's resources)"
            for index, s in enumerate(statements)
            if grants_decrypt(s) and not _bound_to_tenant(s, assembly.tenant_id)
        ]

    return problems


def key_decrypt_needs_tenant_condition(assembly: TenantAssembly) -> RuleResult:
    keys = of_type(assembly, "AWS::KMS::Key")
    return RuleResult.of(RULE, findings_for(keys, _key_problems(assembly)), applicable=bool(keys))
