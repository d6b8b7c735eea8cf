"""What actually exists for one tenant, in both its regions, compared with what its templates
declare: the service behind `tenantkit inventory`.

Resources are found by the physical names the tenant's templates declare (every one of them
derived from the tenant id by `tenantkit.naming`) and by the tenant tag (the Resource Groups
Tagging API, filtered on `tenantkit:tenant=<id>`): nothing of another tenant is ever queried or
listed. Each data-holding resource's key is compared with the tenant's own keys of its region.

Flagged: a declared resource that does not exist; data encrypted with anything but the tenant's
keys; a protection that differs from the template (versioning, public access block, bucket policy,
deletion protection, key state and rotation, web ACL associations).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from tenantkit.compliance.assembly import stack_artifacts
from tenantkit.naming import TAG_TENANT, key_alias_of

SessionFor = Callable[[str], Any]


@dataclass(frozen=True)
class Item:
    region: str
    kind: str
    name: str
    details: dict[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {"region": self.region, "kind": self.kind, "name": self.name, "details": self.details, "problems": list(self.problems)}


@dataclass
class Inventory:
    tenant_id: str
    items: list[Item] = field(default_factory=list)

    @property
    def flagged(self) -> list[Item]:
        return [item for item in self.items if item.flagged]

    @property
    def ok(self) -> bool:
        return not self.flagged


@dataclass(frozen=True)
class Declared:
    """The physical names one stack's template declares, per resource type."""

    stack: str
    region: str
    names: dict[str, list[tuple[str, dict[str, Any]]]]
    """CloudFormation type -> [(physical name, properties)]."""
    protects: tuple[str, ...] = ()
    """The resources the stack's web ACL is associated with (its WebACLAssociations)."""


def declared_resources(assembly_dir: Path, stack_names: Sequence[str], account: str) -> list[Declared]:
    """The named, data-holding and protective resources each stack declares, names resolved for
    `account` and the stack's region."""
    found = []
    for artifact in stack_artifacts(assembly_dir, stack_names):
        template = artifact.template()
        names: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        protects = []
        for resource in template.get("Resources", {}).values():
            props = resource.get("Properties", {})
            if resource["Type"] == "AWS::WAFv2::WebACLAssociation":
                arn = _literal(props.get("ResourceArn"), account, artifact.region)
                if arn is not None:
                    protects.append(arn)
            key = _NAME_PROPERTY.get(resource["Type"])
            if key is None:
                continue
            value = props.get("BackupPlan", {}).get(key) if resource["Type"] == "AWS::Backup::BackupPlan" else props.get(key)
            name = _literal(value, account, artifact.region)
            if name is not None:
                names.setdefault(resource["Type"], []).append((name, props))
        found.append(Declared(artifact.name, artifact.region, names, tuple(protects)))
    return found


_NAME_PROPERTY = {
    "AWS::KMS::Alias": "AliasName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::Backup::BackupVault": "BackupVaultName",
    "AWS::Backup::BackupPlan": "BackupPlanName",
    "AWS::WAFv2::WebACL": "Name",
    "AWS::WAFv2::IPSet": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SecretsManager::Secret": "Name",
}


def _literal(value: Any, account: str, region: str) -> str | None:
    """A template value as the string it becomes once deployed, when it is built from literals,
    the account and the region only; None otherwise."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value.get("Ref") == "AWS::AccountId":
        return account
    if isinstance(value, dict) and value.get("Ref") == "AWS::Region":
        return region
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        rendered = [_literal(part, account, region) for part in parts]
        return None if any(part is None for part in rendered) else separator.join(rendered)
    return None


def tenant_inventory(
    tenant_id: str,
    declared: Sequence[Declared],
    *,
    key_alias: str,
    session_for: SessionFor,
    stack_regions: dict[str, str],
) -> Inventory:
    """Everything the tenant has in its regions, each item checked against its declaration."""
    inventory = Inventory(tenant_id)
    regions = sorted({d.region for d in declared})
    keys = {region: _tenant_key(session_for(region), key_alias) for region in regions}
    tenant_keys = {arn for arn, _ in keys.values() if arn}
    inventory.items.extend(item for _, item in keys.values())
    for stack in declared:
        session = session_for(stack.region)
        for kind, entries in stack.names.items():
            check = _CHECKS.get(kind)
            if check is None:
                continue
            for name, props in entries:
                if kind == "AWS::WAFv2::WebACL":
                    props = {**props, "_protects": stack.protects}
                inventory.items.append(check(session, stack.region, name, props, tenant_keys))
    for stack_name, region in stack_regions.items():
        inventory.items.append(_stack(session_for(region), region, stack_name))
    declared_names = {name for stack in declared for entries in stack.names.values() for name, _ in entries}
    for region in regions:
        inventory.items.extend(_undeclared(session_for(region), region, tenant_id, declared_names, tenant_keys))
    return inventory


def assembly_inventory(
    tenant_id: str, assembly_dir: Path, stack_names: Sequence[str], *, account: str, session_for: SessionFor
) -> Inventory:
    """The inventory of a tenant against its synthesized assembly, its stacks included (each in
    the region its manifest names)."""
    declared = declared_resources(assembly_dir, stack_names, account)
    return tenant_inventory(
        tenant_id,
        declared,
        key_alias=key_alias_of(tenant_id),
        session_for=session_for,
        stack_regions={stack.stack: stack.region for stack in declared},
    )


# --- one check per resource type ---------------------------------------------------------------


def _tenant_key(session: Any, alias: str) -> tuple[str | None, Item]:
    kms = session.client("kms")
    region = session.region_name
    aliases = [a for a in _pages(kms, "list_aliases", "Aliases") if a["AliasName"] == alias]
    if not aliases or "TargetKeyId" not in aliases[0]:
        return None, Item(region, "kms key", alias, problems=("declared, does not exist",))
    metadata = kms.describe_key(KeyId=aliases[0]["TargetKeyId"])["KeyMetadata"]
    problems = []
    if metadata["KeyState"] != "Enabled":
        problems.append(f"key state {metadata['KeyState']}")
    if not kms.get_key_rotation_status(KeyId=metadata["KeyId"]).get("KeyRotationEnabled"):
        problems.append("rotation is off")
    details = {"arn": metadata["Arn"], "state": metadata["KeyState"]}
    return metadata["Arn"], Item(region, "kms key", alias, details, tuple(problems))


def _bucket(session: Any, region: str, name: str, props: dict, tenant_keys: set[str]) -> Item:
    s3 = session.client("s3")
    try:
        s3.head_bucket(Bucket=name)
    except ClientError:
        return Item(region, "bucket", name, problems=("declared, does not exist",))
    problems, details = [], {}
    rules = _call(lambda: s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"], [])
    default = rules[0]["ApplyServerSideEncryptionByDefault"] if rules else {}
    details["encryption"] = default.get("SSEAlgorithm", "none")
    declared_rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
    declared_algorithm = declared_rules[0].get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") if declared_rules else None
    if declared_algorithm == "aws:kms":
        key = default.get("KMSMasterKeyID")
        details["key"] = key
        if default.get("SSEAlgorithm") != "aws:kms" or not _is_tenant_key(key, tenant_keys):
            problems.append(f"encrypted with {key or default.get('SSEAlgorithm', 'nothing')}, not the tenant key")
    elif default.get("SSEAlgorithm") is None:
        problems.append("not encrypted")
    versioning = s3.get_bucket_versioning(Bucket=name).get("Status", "Disabled")
    details["versioning"] = versioning
    if props.get("VersioningConfiguration", {}).get("Status") == "Enabled" and versioning != "Enabled":
        problems.append(f"versioning is {versioning}, declared Enabled")
    block = _call(lambda: s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"], {})
    details["public_access_block"] = all(block.values()) if block else False
    if props.get("PublicAccessBlockConfiguration") and not details["public_access_block"]:
        problems.append("public access is not fully blocked")
    has_policy = _call(lambda: bool(s3.get_bucket_policy(Bucket=name)["Policy"]), False)
    details["policy"] = has_policy
    if not has_policy:
        problems.append("no bucket policy (TLS-only and encryption rules missing)")
    if "ReplicationConfiguration" in props:
        replication = _call(lambda: s3.get_bucket_replication(Bucket=name)["ReplicationConfiguration"]["Rules"], [])
        details["replicates_to"] = [r["Destination"]["Bucket"] for r in replication]
        if not replication:
            problems.append("replication is not configured")
    return Item(region, "bucket", name, details, tuple(problems))


def _database(session: Any, region: str, name: str, props: dict, tenant_keys: set[str]) -> Item:
    rds = session.client("rds")
    try:
        (instance,) = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"]
    except ClientError:
        return Item(region, "database", name, problems=("declared, does not exist",))
    key = instance.get("KmsKeyId")
    details = {
        "status": instance.get("DBInstanceStatus"),
        "key": key,
        "deletion_protection": instance.get("DeletionProtection"),
        "replica_of": instance.get("ReadReplicaSourceDBInstanceIdentifier"),
        "parameter_groups": [g["DBParameterGroupName"] for g in instance.get("DBParameterGroups", [])],
    }
    problems = list(_key_problems(key, tenant_keys))
    if props.get("DeletionProtection") and not instance.get("DeletionProtection"):
        problems.append("deletion protection is off, declared on")
    return Item(region, "database", name, details, tuple(problems))


def _vault(session: Any, region: str, name: str, props: dict, tenant_keys: set[str]) -> Item:
    backup = session.client("backup")
    try:
        vault = backup.describe_backup_vault(BackupVaultName=name)
    except ClientError:
        return Item(region, "backup vault", name, problems=("declared, does not exist",))
    key = vault.get("EncryptionKeyArn")
    problems = _key_problems(key, tenant_keys)
    return Item(region, "backup vault", name, {"key": key, "locked": vault.get("Locked", False)}, problems)


def _plan(session: Any, region: str, name: str, props: dict, tenant_keys: set[str]) -> Item:
    """The plan and its rules (its selections are not listed)."""
    backup = session.client("backup")
    plans = [p for p in _pages(backup, "list_backup_plans", "BackupPlansList") if p["BackupPlanName"] == name]
    if not plans:
        return Item(region, "backup plan", name, problems=("declared, does not exist",))
    plan = backup.get_backup_plan(BackupPlanId=plans[0]["BackupPlanId"])["BackupPlan"]
    rules = {rule["RuleName"]: rule.get("ScheduleExpression") for rule in plan.get("Rules", [])}
    declared = {rule["RuleName"] for rule in props.get("BackupPlan", {}).get("BackupPlanRule", [])}
    problems = tuple(f"rule {missing} is missing" for missing in sorted(declared - set(rules)))
    return Item(region, "backup plan", name, {"rules": rules}, problems)


def _web_acl(session: Any, region: str, name: str, props: dict, tenant_keys: set[str]) -> Item:
    waf = session.client("wafv2")
    acls = [a for a in waf.list_web_acls(Scope="REGIONAL").get("WebACLs", []) if a["Name"] == name]
    if not acls:
        return Item(region, "web acl", name, problems=("declared, does not exist",))
    arn = acls[0]["ARN"]
    problems, protects = [], []
    for resource in props.get("_protects", ()):
        found = _call(lambda r=resource: waf.get_web_acl_for_resource(ResourceArn=r).get("WebACL"), None)
        if found is None or found.get("ARN") != arn:
            problems.append(f"does not protect {resource}")
        else:
            protects.append(resource)
    return Item(region, "web acl", name, {"arn": arn, "protects": protects}, tuple(problems))


def _ip_set(session: Any, region: str, name: str, props: dict, tenant_keys: set[str]) -> Item:
    waf = session.client("wafv2")
    sets = [s for s in waf.list_ip_sets(Scope="REGIONAL").get("IPSets", []) if s["Name"] == name]
    if not sets:
        return Item(region, "ip set", name, problems=("declared, does not exist",))
    addresses = waf.get_ip_set(Name=name, Scope="REGIONAL", Id=sets[0]["Id"])["IPSet"]["Addresses"]
    problems = () if sorted(addresses) == sorted(props.get("Addresses", [])) else ("addresses differ from the template",)
    return Item(region, "ip set", name, {"addresses": len(addresses)}, problems)


def _log_group(session: Any, region: str, name: str, props: dict, tenant_keys: set[str]) -> Item:
    logs = session.client("logs")
    groups = [g for g in logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", []) if g["logGroupName"] == name]
    if not groups:
        return Item(region, "log group", name, problems=("declared, does not exist",))
    key = groups[0].get("kmsKeyId")
    problems = _key_problems(key, tenant_keys)
    return Item(region, "log group", name, {"key": key, "retention_days": groups[0].get("retentionInDays")}, problems)


def _topic(session: Any, region: str, name: str, props: dict, tenant_keys: set[str]) -> Item:
    sns = session.client("sns")
    topics = [t["TopicArn"] for t in _pages(sns, "list_topics", "Topics") if t["TopicArn"].rsplit(":", 1)[-1] == name]
    if not topics:
        return Item(region, "topic", name, problems=("declared, does not exist",))
    attributes = sns.get_topic_attributes(TopicArn=topics[0])["Attributes"]
    subscriptions = []
    for subscription in sns.list_subscriptions_by_topic(TopicArn=topics[0]).get("Subscriptions", []):
        pending = subscription["SubscriptionArn"] == "PendingConfirmation" or _call(
            lambda s=subscription: sns.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])["Attributes"].get("PendingConfirmation") == "true",
            True,
        )
        subscriptions.append({"endpoint": subscription["Endpoint"], "protocol": subscription["Protocol"], "confirmed": not pending})
    key = attributes.get("KmsMasterKeyId")
    return Item(region, "topic", name, {"key": key, "subscriptions": subscriptions}, _key_problems(key, tenant_keys))


def _secret(session: Any, region: str, name: str, props: dict, tenant_keys: set[str]) -> Item:
    secrets = session.client("secretsmanager")
    try:
        secret = secrets.describe_secret(SecretId=name)
    except ClientError:
        return Item(region, "secret", name, problems=("declared, does not exist",))
    key = secret.get("KmsKeyId")
    problems = _key_problems(key, tenant_keys, unset="the AWS-managed key")
    replicas = [r["Region"] for r in secret.get("ReplicationStatus", [])]
    return Item(region, "secret", name, {"key": key, "replicas": replicas}, problems)


def _stack(session: Any, region: str, name: str) -> Item:
    cloudformation = session.client("cloudformation")
    try:
        (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError:
        return Item(region, "stack", name, problems=("not deployed",))
    status = stack["StackStatus"]
    problems = () if status in ("CREATE_COMPLETE", "UPDATE_COMPLETE") else (f"status {status}",)
    return Item(region, "stack", name, {"status": status}, problems)


def _undeclared(session: Any, region: str, tenant_id: str, declared: set[str], tenant_keys: set[str]) -> Iterator[Item]:
    """Resources carrying this tenant's tag that no template of it declares by name (listed, not
    flagged: stacks create unnamed resources too)."""
    tagging = session.client("resourcegroupstaggingapi")
    for mapping in _pages(tagging, "get_resources", "ResourceTagMappingList", TagFilters=[{"Key": TAG_TENANT, "Values": [tenant_id]}]):
        arn = mapping["ResourceARN"]
        if arn in tenant_keys or any(arn.endswith(name) or f":{name}" in arn or f"/{name}" in arn for name in declared):
            continue
        yield Item(region, "tagged", arn.split(":", 5)[-1], {"arn": arn})


_CHECKS = {
    "AWS::S3::Bucket": _bucket,
    "AWS::RDS::DBInstance": _database,
    "AWS::Backup::BackupVault": _vault,
    "AWS::Backup::BackupPlan": _plan,
    "AWS::WAFv2::WebACL": _web_acl,
    "AWS::WAFv2::IPSet": _ip_set,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::SNS::Topic": _topic,
    "AWS::SecretsManager::Secret": _secret,
}


# --- helpers ---------------------------------------------------------------------------------


def _key_problems(key: str | None, tenant_keys: set[str], *, unset: str = "nothing") -> tuple[str, ...]:
    """The finding for data under any key but the tenant's (`unset` names what encrypts it when
    no key is set)."""
    return () if _is_tenant_key(key, tenant_keys) else (f"encrypted with {key or unset}, not the tenant key",)


def _is_tenant_key(key: str | None, tenant_keys: set[str]) -> bool:
    """Whether `key` (an ARN, a key id, or an alias ARN) is one of the tenant's keys."""
    if not key:
        return False
    return any(key == arn or arn.endswith(f"/{key}") or key.endswith(arn.rsplit("/", 1)[-1]) for arn in tenant_keys)


def _call(function: Callable[..., Any], default: Any) -> Any:  # `...`: callers bind loop variables as lambda defaults
    try:
        return function()
    except ClientError:
        return default


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])
    else:
        yield from getattr(client, operation)(**kwargs).get(key, [])
