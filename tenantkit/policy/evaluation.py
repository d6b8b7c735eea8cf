"""Deciding one request against identity policies and a resource policy, as the IAM User Guide's
"Policy evaluation logic" and "Cross-account policy evaluation logic" pages describe, and the KMS
Developer Guide's "Key policies" page for keys.

The order (what AWS documents; no SCPs, RCPs, permissions boundaries or session policies here):
1. an explicit Deny in any applicable statement refuses the request;
2. within one account, an Allow in an identity policy OR in the resource policy suffices;
   across accounts, both sides must allow;
3. otherwise the request is implicitly denied.
A resource-policy Allow whose Principal is an *account* (`arn:aws:iam::ACCT:root` or the bare id)
grants nothing by itself: it delegates to that account's IAM policies, so an identity Allow is
then also needed. KMS differs from every other service: the key policy must allow, either naming
the principal or delegating to the account's IAM policies; an identity Allow alone never suffices.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from tenantkit.policy.conditions import (
    Context,
    PolicyError,
    condition_holds,
    normalise_context,
    substitute,
    wildcard_match,
)

__all__ = ["Decision", "PolicyError", "Request", "evaluate"]

PolicyDocument = Mapping[str, Any] | str

# Services whose resource policy must allow (directly or by delegation to IAM): the KMS key policy,
# and a role's trust policy for sts:AssumeRole (IAM User Guide, "Roles terms and concepts": the
# trust policy defines which principals can assume the role; an identity Allow alone does not).
_REQUIRED_POLICY = {"kms": "the key policy", "sts": "the role's trust policy"}
RESOURCE_POLICY_REQUIRED = frozenset(_REQUIRED_POLICY)


@dataclass(frozen=True)
class Request:
    """Who asks to do what to which resource, and the request context AWS would build (condition
    keys such as `aws:SecureTransport`, `s3:x-amz-server-side-encryption`, `aws:PrincipalTag/x`).

    For an assumed-role session (`arn:aws:sts::ACCT:assumed-role/NAME/SESSION`), give the role's
    ARN with its path as `aws:PrincipalArn` in the context; without it, the path is taken as `/`.
    """

    principal_arn: str
    action: str
    resource: str
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """`allowed`, and `reason`: which statement decided (by Sid, or by index when it has none),
    or why nothing allowed."""

    allowed: bool
    reason: str


class _Match(IntEnum):
    """How a resource policy's Principal names the requester."""

    NONE = 0
    ACCOUNT = 1  # through the requester's account: a delegation to the account's IAM policies
    DIRECT = 2  # the requester itself, one of its roles, a service, or everyone ("*")


@dataclass(frozen=True)
class _Principal:
    arn: str
    account: str | None  # None for a service principal or an anonymous caller
    aliases: frozenset[str]  # the ARNs a Principal element may name it by (a session: its role's too)
    is_service: bool


def _principal(arn: str, context: Context) -> _Principal:
    if arn.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        return _Principal(arn, None, frozenset({arn}), True)
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return _Principal(arn, None, frozenset({arn}), False)  # anonymous or unknown
    partition, service, account, resource = parts[1], parts[2], parts[4], parts[5]
    aliases = {arn}
    if service == "sts" and resource.startswith("assumed-role/"):
        role_arn = context.get("aws:principalarn", (f"arn:{partition}:iam::{account}:role/{resource.split('/')[1]}",))[0]
        aliases.add(role_arn)
    return _Principal(arn, account, frozenset(aliases), False)


def _default_context(request: Request) -> dict[str, tuple[str, ...]]:
    """The request context with the keys AWS always sets for the principal filled in."""
    context = normalise_context(request.context)
    principal = _principal(request.principal_arn, context)
    if principal.is_service:
        context.setdefault("aws:principalisawsservice", ("true",))
        context.setdefault("aws:principalservicename", (principal.arn,))
        return context
    context.setdefault("aws:principalisawsservice", ("false",))
    if principal.account is not None:
        context.setdefault("aws:principalaccount", (principal.account,))
        role_arns = sorted(a for a in principal.aliases if ":role/" in a)
        context.setdefault("aws:principalarn", (role_arns[0] if role_arns else principal.arn,))
        resource = principal.arn.split(":", 5)[5]
        if resource.startswith("user/"):
            context.setdefault("aws:username", (resource.rsplit("/", 1)[1],))
    return context


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _load(policy: PolicyDocument) -> list[dict[str, Any]]:
    document = json.loads(policy) if isinstance(policy, str) else policy
    statements = _as_list(document.get("Statement"))
    for statement in statements:
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise PolicyError(f"statement {statement.get('Sid', '')!r}: Effect must be Allow or Deny")
    return statements


def _account_entry(entry: str) -> str | None:
    """The account an `AWS` principal entry names as a whole, if it does."""
    if entry.isdigit() and len(entry) == 12:
        return entry
    parts = entry.split(":")
    if len(parts) == 6 and parts[2] == "iam" and parts[5] == "root":
        return parts[4]
    return None


def _entries(element: Any) -> list[tuple[str, str]]:
    if element == "*":
        return [("*", "*")]
    return [(kind, entry) for kind, values in element.items() for entry in _as_list(values)]


def _principal_match(element: Any, principal: _Principal) -> _Match:
    best = _Match.NONE
    for kind, entry in _entries(element):
        if entry == "*" and kind in ("*", "AWS"):
            return _Match.DIRECT
        if entry in principal.aliases and kind in ("AWS", "Service", "Federated"):
            return _Match.DIRECT
        if kind == "AWS" and principal.account is not None and _account_entry(entry) == principal.account:
            best = _Match.ACCOUNT
    return best


def _excluded_by_not_principal(element: Any, principal: _Principal) -> bool:
    """NotPrincipal excludes a principal only when it names the principal itself (a session by its
    session ARN) and, for an IAM identity, also its account, as the IAM User Guide's NotPrincipal
    page requires; a role ARN alone does not exclude the role's sessions."""
    entries = _entries(element)
    if any(entry == "*" for _, entry in entries):
        return True
    named = any(entry == principal.arn for _, entry in entries)
    if principal.account is None:
        return named
    account_named = any(kind == "AWS" and _account_entry(entry) == principal.account for kind, entry in entries)
    is_root = principal.arn.endswith(":root")
    return account_named and (named or is_root)


def _action_matches(statement: dict[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(wildcard_match(a, action, ignore_case=True) for a in _as_list(statement["NotAction"]))
    return any(wildcard_match(a, action, ignore_case=True) for a in _as_list(statement.get("Action")))


def _resource_pattern_matches(pattern: str, resource: str, context: Context) -> bool:
    resolved = substitute(pattern, context)
    if resolved is None:
        return False
    if resolved == "*":
        return True
    pattern_parts, resource_parts = resolved.split(":", 5), resource.split(":", 5)
    if len(pattern_parts) != 6 or len(resource_parts) != 6:
        return wildcard_match(resolved, resource)
    return all(wildcard_match(p, r) for p, r in zip(pattern_parts, resource_parts, strict=True))


def _resource_matches(statement: dict[str, Any], resource: str, context: Context) -> bool:
    if "NotResource" in statement:
        return not any(_resource_pattern_matches(p, resource, context) for p in _as_list(statement["NotResource"]))
    if "Resource" not in statement:
        return True  # a resource policy may leave it out: the resource it is attached to
    return any(_resource_pattern_matches(p, resource, context) for p in _as_list(statement["Resource"]))


def _label(source: str, index: int, statement: dict[str, Any]) -> str:
    sid = statement.get("Sid")
    return f"{source} statement {sid!r}" if sid else f"{source} statement #{index}"


@dataclass(frozen=True)
class _Hit:
    effect: str
    match: _Match
    label: str


def _hits(
    statements: list[dict[str, Any]], source: str, request: Request, context: Context, principal: _Principal | None
) -> list[_Hit]:
    """The statements of one policy that apply to the request (`principal` given for a resource
    policy, whose statements name who they apply to)."""
    hits = []
    for index, statement in enumerate(statements):
        match = _Match.DIRECT
        if principal is not None:
            if "NotPrincipal" in statement:
                match = _Match.NONE if _excluded_by_not_principal(statement["NotPrincipal"], principal) else _Match.DIRECT
            else:
                match = _principal_match(statement.get("Principal", {}), principal)
            if match is _Match.NONE:
                continue
        if not (_action_matches(statement, request.action) and _resource_matches(statement, request.resource, context)):
            continue
        if not condition_holds(statement.get("Condition"), context):
            continue
        hits.append(_Hit(statement["Effect"], match, _label(source, index, statement)))
    return hits


def _resource_account(resource: str, fallback: str | None) -> str | None:
    parts = resource.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4] else fallback


def evaluate(
    request: Request,
    *,
    identity_policies: Sequence[PolicyDocument] = (),
    resource_policy: PolicyDocument | None = None,
    resource_account: str | None = None,
    service: str | None = None,
) -> Decision:
    """Decide `request`. `identity_policies` are the principal's own (ignored for a service
    principal); `resource_policy` is the one attached to the resource (a key, secret, bucket or
    vault policy). `resource_account` defaults to the account in the resource's ARN (S3 ARNs have
    none: then the principal's). `service` defaults to the action's prefix; for `kms` the key policy
    must allow. Raises PolicyError on a policy AWS would not accept."""
    context = _default_context(request)
    principal = _principal(request.principal_arn, context)
    service = (service or request.action.split(":", 1)[0]).lower()
    identity_hits = [] if principal.is_service else [
        hit for number, policy in enumerate(identity_policies)
        for hit in _hits(_load(policy), f"identity policy {number}", request, context, None)
    ]
    resource_hits = [] if resource_policy is None else _hits(_load(resource_policy), "resource policy", request, context, principal)

    for hit in (*identity_hits, *resource_hits):
        if hit.effect == "Deny":
            return Decision(False, f"explicit deny: {hit.label}")

    identity_allow = next((h for h in identity_hits if h.effect == "Allow"), None)
    resource_allows = sorted((h for h in resource_hits if h.effect == "Allow"), key=lambda h: -h.match)
    direct = next((h for h in resource_allows if h.match is _Match.DIRECT), None)
    delegated = next((h for h in resource_allows if h.match is _Match.ACCOUNT), None)
    owner = resource_account or _resource_account(request.resource, principal.account)
    same_account = principal.account is None or principal.account == owner

    if service in RESOURCE_POLICY_REQUIRED:
        if direct is not None and (same_account or identity_allow is not None):
            return Decision(True, f"allowed by {direct.label}")
        if delegated is not None and identity_allow is not None:
            return Decision(True, f"allowed by {identity_allow.label}, as {delegated.label} delegates to IAM")
        if identity_allow is not None:
            return Decision(False, f"implicit deny: {_REQUIRED_POLICY[service]} does not allow it ({identity_allow.label} alone does not suffice for {service})")
        return Decision(False, f"implicit deny: {_REQUIRED_POLICY[service]} does not allow it")
    if same_account:
        if identity_allow is not None:
            return Decision(True, f"allowed by {identity_allow.label}")
        if direct is not None:
            return Decision(True, f"allowed by {direct.label}")
        return Decision(False, "implicit deny: no statement allows it")
    if identity_allow is None:
        return Decision(False, "implicit deny: cross-account, and no identity policy allows it")
    granting = direct or delegated
    if granting is None:
        return Decision(False, "implicit deny: cross-account, and the resource policy does not allow it")
    return Decision(True, f"allowed by {identity_allow.label} and {granting.label} (cross-account)")
