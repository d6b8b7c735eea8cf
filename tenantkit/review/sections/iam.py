"""6. IAM: each role the stacks create, who can assume it, and what it may do (its inline,
attached and AWS-managed policies), every wildcard highlighted and flagged."""

from __future__ import annotations

from typing import Any

from tenantkit.review.model import Section
from tenantkit.review.sections._words import as_list, conditions, principal, text, where, wildcards
from tenantkit.review.source import Stack, TenantTemplates

ID = "iam"
TITLE = "IAM"


def build(templates: TenantTemplates) -> Section:
    section = Section(ID, TITLE)
    roles = section.table("Roles", "Role", "Who can assume it", "Policies")
    permissions = section.table("What each role may do", "Role", "Policy", "Effect", "Actions", "Resources", "Wildcards")
    for stack, logical_id, resource in templates.of_type("AWS::IAM::Role"):
        props = resource.get("Properties", {})
        trusted = []
        for doc in as_list(props.get("AssumeRolePolicyDocument", {}).get("Statement")):
            when = conditions(doc.get("Condition"))
            trusted.append(principal(doc.get("Principal")) + (f" ({when})" if when else ""))
            if doc.get("Effect") == "Allow" and doc.get("Principal") in ("*", {"AWS": "*"}) and not doc.get("Condition"):
                section.flag(stack.name, logical_id, "anyone may assume this role")
            for service in _unguarded_services(doc):
                section.flag(stack.name, logical_id, f"trust policy: the {service} service may assume this role with no "
                             "aws:SourceAccount or aws:SourceArn condition (confused deputy: on behalf of any account)")
        policies = []
        for name, doc, holder in _policies(stack, logical_id, props):
            policies.append(name)
            for number, statement in enumerate(as_list(doc.get("Statement"))):
                found = wildcards(statement)
                permissions.add(f"{stack.name}/{logical_id}/{name}/{statement.get('Sid') or number + 1}", where(stack.name, logical_id), name,
                                statement.get("Effect"), [text(a) for a in as_list(statement.get("Action") or statement.get("NotAction"))],
                                [text(r) for r in as_list(statement.get("Resource") or statement.get("NotResource"))],
                                found or None, flagged=bool(found))
                for wildcard in found:
                    section.flag(stack.name, holder, f"{name} (role {logical_id}): {wildcard}")
        for arn in as_list(props.get("ManagedPolicyArns")):
            shown = text(arn).replace("${AWS.Partition}", "aws")
            policies.append(shown.rsplit("/", 1)[-1] + " (AWS-managed)")
            permissions.add(f"{stack.name}/{logical_id}/{shown}", where(stack.name, logical_id), shown.rsplit("/", 1)[-1],
                            "Allow", f"the actions of AWS-managed {shown.rsplit('/', 1)[-1]} (AWS edits them)", "*",
                            "wildcard resource '*' (AWS-managed: shown, not flagged; AWS scopes it by its actions)")
        roles.add(where(stack.name, logical_id), where(stack.name, logical_id), trusted, policies)
    section.summary.append(f"{len(roles.rows)} roles; {len(section.flags)} wildcard or trust problems.")
    return section


_CONFUSED_DEPUTY_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn", "aws:sourceowner"})
EXECUTION_ROLE_SERVICES = frozenset({"lambda.amazonaws.com"})
"""Services whose role is an execution role passed (iam:PassRole) to a resource of the role's own
account, which IAM cannot pass to another account's resource: no other account can make the
service assume it, so a trust without aws:SourceAccount is shown, not flagged."""


def _unguarded_services(doc: dict[str, Any]) -> list[str]:
    """The service principals an Allow trust statement lets assume the role with no confused-deputy
    condition (aws:SourceAccount / aws:SourceArn)."""
    principal = doc.get("Principal")
    if doc.get("Effect") != "Allow" or not isinstance(principal, dict):
        return []
    tested = {key.lower() for block in (doc.get("Condition") or {}).values() for key in (block or {})}
    if tested & _CONFUSED_DEPUTY_KEYS:
        return []
    return [name for name in map(text, as_list(principal.get("Service"))) if name not in EXECUTION_ROLE_SERVICES]


def _policies(stack: Stack, role_id: str, props: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(policy name, document, logical id of the resource holding it) of every inline policy of
    the role and every policy of the stack attached to it."""
    found = [(f"inline {text(p.get('PolicyName'))}", p.get("PolicyDocument", {}), role_id) for p in as_list(props.get("Policies"))]
    for logical_id, resource in stack.of_type("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
        policy = resource.get("Properties", {})
        if {"Ref": role_id} in as_list(policy.get("Roles")):
            found.append((logical_id, policy.get("PolicyDocument", {}), logical_id))
    return found
