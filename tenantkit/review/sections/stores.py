"""Data stores and their own policies: each bucket's policy (TLS, key, the principal set it keeps
out), each backup vault's access policy and lock, the master secret's resource policy and
rotation, and each log group's key and who may read through it. Encryption alone guards nothing
against a principal with the IAM permission: these policies are what keeps the account's own
people out."""

from __future__ import annotations

from typing import Any

from tenantkit.review.model import Section
from tenantkit.review.sections._words import as_list, conditions, days, statement, text, where
from tenantkit.review.sections.encryption import access_log_buckets
from tenantkit.review.source import Stack, TenantTemplates

ID = "stores"
TITLE = "Stores and their policies"

_PRINCIPAL_KEYS = ("aws:principalarn",)


def _tests(doc: dict[str, Any]) -> dict[str, Any]:
    """Condition key (lower case) -> tested values, whatever the operator."""
    return {key.lower(): value for block in (doc.get("Condition") or {}).values() for key, value in (block or {}).items()}


def _denies(doc: dict[str, Any], action: str) -> bool:
    actions = [text(a) for a in as_list(doc.get("Action"))]
    service = action.split(":")[0]
    return doc.get("Effect") == "Deny" and (action in actions or f"{service}:*" in actions or "*" in actions)


def _exempted(doc: dict[str, Any]) -> list[Any] | None:
    """The principals a Deny spares (aws:PrincipalArn under a negated operator: ArnNotLike...),
    or None when it spares no named set (a Deny of one named role is no fence)."""
    for operator, block in (doc.get("Condition") or {}).items():
        if "Not" in operator:
            for key, value in (block or {}).items():
                if key.lower() in _PRINCIPAL_KEYS:
                    return as_list(value)
    return None


def _keeps_out_others(doc: dict[str, Any], action: str) -> bool:
    """A Deny of `action` to every principal but a named set (aws:PrincipalArn)."""
    return _denies(doc, action) and _exempted(doc) is not None


def _principal_set(doc: dict[str, Any]) -> str:
    return ", ".join(text(arn) for arn in _exempted(doc) or [])


def build(templates: TenantTemplates) -> Section:
    section = Section(ID, TITLE)
    buckets = section.table("Bucket policies", "Bucket", "Policy", "TLS only", "Key enforced on upload", "Who else is kept out")
    for stack in templates.stacks:
        log_buckets = access_log_buckets(stack)
        policies = _by_target(templates, stack, "AWS::S3::BucketPolicy", "Bucket")
        for logical_id, _ in stack.of_type("AWS::S3::Bucket"):
            policy_id, docs = policies.get(logical_id, (None, []))
            tls = any(_denies(doc, "s3:*") and text(_tests(doc).get("aws:securetransport")) == "false" for doc in docs)
            key = any(_denies(doc, "s3:PutObject") and "s3:x-amz-server-side-encryption-aws-kms-key-id" in _tests(doc) for doc in docs)
            log_bucket = logical_id in log_buckets
            action = "s3:DeleteObjectVersion" if log_bucket else "s3:*"
            fence = next((doc for doc in docs if _keeps_out_others(doc, action)), None)
            problems = []
            if policy_id is None:
                problems.append("no bucket policy: encryption is its only guard")
            else:
                if not tls:
                    problems.append("the policy does not deny requests without TLS")
                if not key and not log_bucket:
                    problems.append("the policy does not refuse uploads under another KMS key")
                if fence is None:
                    problems.append("no Deny keeps principals outside the tenant's set out"
                                    + (" of deleting logs" if log_bucket else "") + ": any principal with the IAM permission "
                                    "lists, deletes or re-points replication")
            kept_out = (("deletes by all but " if log_bucket else "everything to all but ") + _principal_set(fence)) if fence else "nobody"
            buckets.add(where(stack.name, logical_id), where(stack.name, logical_id), policy_id, tls,
                        "n/a (S3 server access logs: SSE-S3)" if log_bucket else key, kept_out, flagged=bool(problems))
            for problem in problems:
                section.flag(stack.name, policy_id or logical_id, f"bucket {logical_id}: {problem}")

    vaults = section.table("Backup vaults", "Vault", "Access policy", "Lock")
    for stack, logical_id, resource in templates.of_type("AWS::Backup::BackupVault"):
        props = resource.get("Properties", {})
        docs = as_list((props.get("AccessPolicy") or {}).get("Statement"))
        fence = next((doc for doc in docs if _keeps_out_others(doc, "backup:DeleteRecoveryPoint")), None)
        lock = props.get("LockConfiguration")
        lock_words = (f"locked: recovery points kept at least {days(lock.get('MinRetentionDays'))}" if lock
                      else "no lock (the access policy's denies protect the recovery points; offboarding can still delete them)")
        vaults.add(where(stack.name, logical_id), where(stack.name, logical_id),
                   [statement(doc) for doc in docs] or "none", lock_words, flagged=fence is None)
        if not docs:
            section.flag(stack.name, logical_id, "backup vault has no access policy: anyone with the IAM permission deletes "
                         "its recovery points or changes its policy")
        elif fence is None:
            section.flag(stack.name, logical_id, "backup vault access policy does not deny backup:DeleteRecoveryPoint to "
                         "all but a named principal set")

    secrets = section.table("Secrets", "Secret", "Resource policy", "Rotation")
    for stack, logical_id, _ in templates.of_type("AWS::SecretsManager::Secret"):
        docs = [doc for _, found in _all_by_target(templates, "AWS::SecretsManager::ResourcePolicy", "SecretId", "ResourcePolicy", stack, logical_id)
                for doc in found]
        rotations = [
            resource.get("Properties", {}) for s, _, resource in templates.of_type("AWS::SecretsManager::RotationSchedule")
            if templates.target(s, resource.get("Properties", {}).get("SecretId")) == (stack, logical_id)
        ]
        read_fence = next((doc for doc in docs if _keeps_out_others(doc, "secretsmanager:GetSecretValue")), None)
        every = rotations[0].get("RotationRules", {}).get("AutomaticallyAfterDays") if rotations else None
        rotation = (f"every {days(every)}" if every else text(rotations[0].get("RotationRules"))) if rotations else "never rotated"
        secrets.add(where(stack.name, logical_id), where(stack.name, logical_id),
                    [statement(doc) for doc in docs] or "none", rotation, flagged=read_fence is None or not rotations)
        if read_fence is None:
            section.flag(stack.name, logical_id, "secret: no resource policy denies GetSecretValue to all but the tenant's "
                         "principals: any principal with the IAM permission and the key reads it")
        if not rotations:
            section.flag(stack.name, logical_id, "secret is never rotated")

    groups = section.table("Log groups", "Log group", "Name", "Key", "Who may read through the key")
    for stack, logical_id, resource in templates.of_type("AWS::Logs::LogGroup"):
        props = resource.get("Properties", {})
        group_key, key_problem = templates.describe_key(stack, props.get("KmsKeyId"))
        readers = _log_readers(templates, stack, props.get("KmsKeyId"))
        groups.add(where(stack.name, logical_id), where(stack.name, logical_id), text(props.get("LogGroupName")), group_key,
                   readers, flagged=key_problem is not None)
        if key_problem:
            section.flag(stack.name, logical_id, f"log group: {key_problem}")
    return section


def _by_target(templates: TenantTemplates, stack: Stack, kind: str, field: str) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Logical id of the resource a policy resource attaches to -> (policy id, its statements)."""
    found = {}
    for policy_id, resource in stack.of_type(kind):
        props = resource.get("Properties", {})
        target = templates.target(stack, props.get(field))
        if target is not None:
            found[target[1]] = (policy_id, as_list(props.get("PolicyDocument", {}).get("Statement")))
    return found


def _all_by_target(templates: TenantTemplates, kind: str, field: str, document: str, stack: Stack, logical_id: str) -> list[tuple[str, list[dict[str, Any]]]]:
    found = []
    for s, policy_id, resource in templates.of_type(kind):
        props = resource.get("Properties", {})
        if templates.target(s, props.get(field)) == (stack, logical_id):
            found.append((policy_id, as_list((props.get(document) or {}).get("Statement"))))
    return found


def _log_readers(templates: TenantTemplates, stack: Stack, key_value: Any) -> str:
    """CloudWatch Logs decrypts for any reader of a log group the key lets it serve: who that is,
    as far as the key policy says (the logs service statement's condition)."""
    target = templates.target(stack, key_value)
    if target is None:
        return "not known from the templates"
    key_stack, key_id = target
    docs = as_list(key_stack.resources[key_id].get("Properties", {}).get("KeyPolicy", {}).get("Statement"))
    logs = [doc for doc in docs if any(text(s).startswith("logs.") for s in as_list((doc.get("Principal") or {}).get("Service")))]
    if not logs:
        return "nobody through CloudWatch Logs (the key names no logs service)"
    return ("any principal with logs:GetLogEvents / FilterLogEvents on the group (CloudWatch Logs decrypts for them), "
            + "; ".join(conditions(doc.get("Condition")) for doc in logs))
