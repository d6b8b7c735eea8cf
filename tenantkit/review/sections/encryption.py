"""2. Encryption map: each data-holding resource and the key that encrypts it (the tenant key in
the primary region, the DR key in the other, or a flagged exception); each key's rotation and
who may use it (its key policy in plain words)."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from tenantkit.compliance.key_decrypt_conditioned import _bound_to_tenant, grants_decrypt
from tenantkit.review.model import Section
from tenantkit.review.sections._words import as_list, conditions, statement, text, where
from tenantkit.review.source import Stack, TenantTemplates

ID = "encryption"
TITLE = "Encryption map"

_ACCESS_LOG_NOTE = "S3 server access logs: S3 delivers them only into SSE-S3 buckets; holds logs, not tenant data"


def access_log_buckets(stack: Stack) -> set[str]:
    """Logical ids of the buckets other buckets of the stack write their access logs into."""
    found = set()
    for _, resource in stack.of_type("AWS::S3::Bucket"):
        destination = resource.get("Properties", {}).get("LoggingConfiguration", {}).get("DestinationBucketName")
        if isinstance(destination, dict) and "Ref" in destination:
            found.add(destination["Ref"])
    return found


def build(templates: TenantTemplates) -> Section:
    section = Section(ID, TITLE)
    data = section.table("Data and the key that encrypts it", "Resource", "Kind", "Name", "Key", "Note")

    def row(stack: Stack, logical_id: str, kind: str, name: Any, key: str, problem: str | None, note: str = "") -> None:
        data.add(f"{stack.name}/{logical_id}/{kind}", where(stack.name, logical_id), kind, text(name) if name else None,
                 key, problem or note, flagged=problem is not None)
        if problem:
            section.flag(stack.name, logical_id, f"{kind}: {problem}")

    def keyed(stack: Stack, logical_id: str, kind: str, name: Any, value: Any) -> None:
        key, problem = templates.describe_key(stack, value)
        row(stack, logical_id, kind, name, key, problem)

    for stack in templates.stacks:
        log_buckets = access_log_buckets(stack)
        for logical_id, resource in stack.resources.items():
            props = resource.get("Properties", {})
            kind = resource.get("Type")
            if kind == "AWS::S3::Bucket":
                _bucket(stack, logical_id, props, logical_id in log_buckets, row, keyed)
            elif kind == "AWS::RDS::DBInstance":
                replica = "SourceDBInstanceIdentifier" in props
                label = "read replica storage" if replica else "database storage"
                if not replica and props.get("StorageEncrypted") is not True:
                    row(stack, logical_id, label, props.get("DBInstanceIdentifier"), "none", "storage not encrypted")
                else:
                    keyed(stack, logical_id, label, props.get("DBInstanceIdentifier"), props.get("KmsKeyId"))
                if props.get("EnablePerformanceInsights"):
                    keyed(stack, logical_id, "performance insights", props.get("DBInstanceIdentifier"),
                          props.get("PerformanceInsightsKMSKeyId"))
            elif kind == "AWS::Backup::BackupVault":
                keyed(stack, logical_id, "backup vault", props.get("BackupVaultName"), props.get("EncryptionKeyArn"))
            elif kind == "AWS::Logs::LogGroup":
                keyed(stack, logical_id, "log group", props.get("LogGroupName"), props.get("KmsKeyId"))
            elif kind == "AWS::SNS::Topic":
                keyed(stack, logical_id, "topic", props.get("TopicName"), props.get("KmsMasterKeyId"))
            elif kind == "AWS::SecretsManager::Secret":
                keyed(stack, logical_id, "secret", props.get("Name"), props.get("KmsKeyId"))
                for replica in as_list(props.get("ReplicaRegions")):
                    keyed(stack, logical_id, f"secret replica in {text(replica.get('Region'))}", props.get("Name"),
                          replica.get("KmsKeyId"))
            elif kind == "AWS::SQS::Queue":  # what the example extension adds (fleet.yaml `extensions:`)
                keyed(stack, logical_id, "queue", props.get("QueueName"), props.get("KmsMasterKeyId"))
            elif kind in ("AWS::DynamoDB::Table", "AWS::EFS::FileSystem", "AWS::Kinesis::Stream"):
                row(stack, logical_id, kind, None, "not reviewed", "a data store the tenant stacks do not create")

    keys = section.table("Keys", "Key", "Region", "Alias", "Rotation", "On stack deletion")
    uses = section.table("Who may use each key", "Key", "Statement", "In plain words")
    changers = section.table("Who may change each key's policy", "Key", "Statement", "Who")
    aliases = {
        text(props.get("TargetKeyId")): text(props.get("AliasName"))
        for _, _, resource in templates.of_type("AWS::KMS::Alias")
        for props in [resource.get("Properties", {})]
    }
    for stack, logical_id, resource in templates.of_type("AWS::KMS::Key"):
        props = resource.get("Properties", {})
        rotation = props.get("EnableKeyRotation") is True
        alias = aliases.get(text({"Fn::GetAtt": [logical_id, "Arn"]})) or aliases.get(text({"Ref": logical_id}))
        keys.add(where(stack.name, logical_id), where(stack.name, logical_id), stack.region, alias,
                 "yearly" if rotation else "off", resource.get("DeletionPolicy", "Delete"), flagged=not rotation)
        if not rotation:
            section.flag(stack.name, logical_id, "key rotation is off")
        for number, doc in enumerate(as_list(props.get("KeyPolicy", {}).get("Statement"))):
            sid = doc.get("Sid") or f"statement {number + 1}"
            problem = _key_statement_problem(doc, templates.tenant_id)
            if doc.get("Effect") == "Allow" and _changes_policy(doc):
                changers.add(f"{stack.name}/{logical_id}/{sid}", where(stack.name, logical_id), sid,
                             statement(doc).split(" may ")[0] + (f" ({when})" if (when := conditions(doc.get("Condition"))) else ""),
                             flagged=not doc.get("Condition"))
                if not doc.get("Condition"):
                    section.flag(stack.name, logical_id, f"key policy {sid}: any principal of the account whose IAM policy "
                                 "allows kms:PutKeyPolicy may rewrite this key's policy (no aws:PrincipalArn condition)")
            uses.add(f"{stack.name}/{logical_id}/{sid}", where(stack.name, logical_id), sid,
                     statement(doc) + (f" — {problem}" if problem else ""), flagged=problem is not None)
            if problem:
                section.flag(stack.name, logical_id, f"key policy {sid}: {problem}")
    return section


def _bucket(stack: Stack, logical_id: str, props: dict[str, Any], log_bucket: bool, row: Any, keyed: Any) -> None:
    rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
    default = rules[0].get("ServerSideEncryptionByDefault", {}) if rules else {}
    name = props.get("BucketName")
    kind = "access-log bucket" if log_bucket else "bucket"
    algorithm = default.get("SSEAlgorithm")
    if algorithm in ("aws:kms", "aws:kms:dsse"):
        keyed(stack, logical_id, kind, name, default.get("KMSMasterKeyID"))
    elif algorithm == "AES256" and log_bucket:
        row(stack, logical_id, kind, name, "S3-managed key (SSE-S3)", None, _ACCESS_LOG_NOTE)
    elif algorithm == "AES256":
        row(stack, logical_id, kind, name, "S3-managed key (SSE-S3)", "encrypted with an S3-managed key (AES256), not the tenant key")
    else:
        row(stack, logical_id, kind, name, "none set", "no default encryption set")


_CONFUSED_DEPUTY_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceowner")


def _changes_policy(doc: dict[str, Any]) -> bool:
    return any(fnmatchcase("kms:putkeypolicy", text(action).lower()) for action in as_list(doc.get("Action")))


def _key_statement_problem(doc: dict[str, Any], tenant_id: str) -> str | None:
    """Why a security lead would refuse a key-policy statement, or None."""
    if doc.get("Effect") != "Allow":
        return None
    actions = as_list(doc.get("Action"))
    if "*" in actions or "kms:*" in actions:
        return "grants every KMS action, decrypting included"
    if doc.get("Principal") in ("*", {"AWS": "*"}) and not doc.get("Condition"):
        return "allows anyone, unconditionally"
    if grants_decrypt(doc) and not _bound_to_tenant(doc, tenant_id):
        return ("grants a Decrypt-family action with no tenant condition (the tenant's role path, an encryption "
                "context or source ARN of its resources): any principal it names may decrypt the tenant's data")
    principal = doc.get("Principal")
    services = as_list(principal.get("Service")) if isinstance(principal, dict) else []
    tested = {key.lower() for block in (doc.get("Condition") or {}).values() for key in (block or {})}
    if services and not tested & set(_CONFUSED_DEPUTY_KEYS) and not any(k.startswith("kms:encryptioncontext:") for k in tested):
        return ("a service principal with no aws:SourceAccount, aws:SourceArn or encryption-context condition: "
                "the service may use the key on behalf of any account (confused deputy)")
    return None
