"""One check per kind of resource: find it by its exact name, read its protections, compare them
with the template.

Every AWS error is classified once (`tenantkit.aws.classify`): only an answer the API documents as
"does not exist" makes a resource missing (or a setting unset); a denied, throttled or failed call
makes the check "could not check", never a finding either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tenantkit.aws import Failure, classify, error_code, pages, parse_arn
from tenantkit.lifecycle.inventory.model import Item, missing
from tenantkit.naming import TAG_TENANT

_AWS_ERRORS = (ClientError, BotoCoreError)
PENDING_REBOOT = "pending-reboot"
"""A DB instance's `ParameterApplyStatus` while parameter changes wait for a reboot."""


class Unknown:
    """What a read that failed (denied, throttled, other) gives: nothing is known."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


class _Absent(Exception):
    """The API said the resource being checked does not exist."""


class _Unreachable(Exception):
    """The call that finds the resource failed: the resource could not be checked at all."""


def _reason(what: str, error: BaseException, failure: Failure) -> str:
    return f"{what}: {failure.value} ({error_code(error) or type(error).__name__})"


@dataclass
class Probe:
    """The calls of one check, each failure classified; the checks it could not make are kept."""

    unchecked: list[str] = field(default_factory=list)

    def find(self, what: str, call: Callable[..., Any]) -> Any:  # `...`: callers bind loop variables as lambda defaults
        """call(), the call that finds the resource: _Absent when the API says it is not there,
        _Unreachable when the call failed otherwise."""
        try:
            return call()
        except _AWS_ERRORS as error:
            failure = classify(error)
            if failure is Failure.ABSENT:
                raise _Absent(what) from None
            raise _Unreachable(_reason(what, error, failure)) from None

    def read(self, what: str, call: Callable[..., Any], *, absent: Any) -> Any:  # `...`: callers bind loop variables as lambda defaults
        """call(), one setting of the resource: `absent` when the API says the setting is not
        there, UNKNOWN (and `what` recorded as unchecked) when the call failed otherwise."""
        try:
            return call()
        except _AWS_ERRORS as error:
            failure = classify(error)
            if failure is Failure.ABSENT:
                return absent
            self.unchecked.append(_reason(what, error, failure))
            return UNKNOWN


@dataclass(frozen=True)
class TenantKeys:
    """The tenant's keys: `verified` proven the tenant's (tag or stack), `unverified` reached by
    the tenant alias whose owner could not be read; `unreadable` when a region's tenant key could
    not be looked up at all."""

    verified: frozenset[str] = frozenset()
    unverified: frozenset[str] = frozenset()
    unreadable: bool = False

    def judge(self, key: str | None, probe: Probe, *, unset: str = "nothing") -> tuple[str, ...]:
        """The finding for data under any key but the tenant's (`unset` names what encrypts it
        when no key is set); data under an unverified key is recorded as not checked."""
        if _is_one_of(key, self.verified):
            return ()
        if _is_one_of(key, self.unverified):
            probe.unchecked.append(f"key {key}: its owner could not be verified")
            return ()
        if self.unreadable and key:
            probe.unchecked.append(f"key {key}: the tenant key could not be looked up")
            return ()
        return (f"encrypted with {key or unset}, not the tenant key",)


def _is_one_of(key: str | None, arns: frozenset[str]) -> bool:
    """Whether `key` (a key ARN or key id) is one of the key ARNs `arns`."""
    return bool(key) and any(key in (arn, parse_arn(arn).resource_id) for arn in arns)


Check = Callable[[Probe, Any, str, dict[str, Any], TenantKeys], Item]


def check_declared(resource_type: str, session: Any, region: str, name: str, props: dict[str, Any], keys: TenantKeys) -> Item | None:
    """The item for one declared resource (None for a type inventory does not check)."""
    if resource_type not in CHECKS:
        return None
    kind, check = CHECKS[resource_type]
    probe = Probe()
    try:
        item = check(probe, session, name, props, keys)
    except _Absent:
        return missing(region, kind, name)
    except _Unreachable as error:
        return Item(region, kind, name, unchecked=(str(error), *probe.unchecked))
    return replace(item, region=region, unchecked=tuple(probe.unchecked))


def _first(probe: Probe, what: str, call: Callable[[], list[Any]]) -> Any:
    """The first of what call() lists; _Absent when it lists nothing."""
    found = probe.find(what, call)
    if not found:
        raise _Absent(what)
    return found[0]


# --- the tenant key --------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyDeclaration:
    """A stack declaring the tenant alias, and the logical id of the key its alias targets."""

    stack: str
    logical_id: str


def tenant_key(session: Any, region: str, alias: str, tenant_id: str, declarations: Sequence[KeyDeclaration]) -> tuple[TenantKeys, Item]:
    """The key the tenant alias names in `region`, trusted only once proven the tenant's: the key
    its stack declares (when the stack is deployed), and tagged `tenantkit:tenant=<tenant_id>`."""
    kms = session.client("kms")
    probe = Probe()
    try:
        target = _first(probe, "ListAliases", lambda: [a["TargetKeyId"] for a in pages(kms, "list_aliases", "Aliases") if a["AliasName"] == alias and "TargetKeyId" in a])
        metadata = probe.find("DescribeKey", lambda: kms.describe_key(KeyId=target)["KeyMetadata"])
    except _Absent:
        return TenantKeys(), missing(region, "kms key", alias)
    except _Unreachable as error:
        return TenantKeys(unreadable=True), Item(region, "kms key", alias, unchecked=(str(error),))
    key_id, arn = metadata["KeyId"], metadata["Arn"]
    problems: list[str] = []
    details: dict[str, Any] = {"arn": arn, "state": metadata["KeyState"]}
    declared = _declared_key(probe, session, declarations)
    if isinstance(declared, str):
        declared_arn = probe.read("DescribeKey of the stack's key", lambda: kms.describe_key(KeyId=declared)["KeyMetadata"]["Arn"], absent=None)
        if declared not in (key_id, arn):
            problems.append(f"the alias points at key {key_id}, not the key {declared} its stack declares")
            trusted = {declared_arn} if isinstance(declared_arn, str) else set()
            return TenantKeys(frozenset(trusted)), Item(region, "kms key", alias, details, tuple(problems), tuple(probe.unchecked))
    tags = probe.read("ListResourceTags", lambda: {t["TagKey"]: t["TagValue"] for t in pages(kms, "list_resource_tags", "Tags", KeyId=key_id)}, absent={})
    if isinstance(tags, dict):
        details["tenant_tag"] = tags.get(TAG_TENANT)
        if tags.get(TAG_TENANT) != tenant_id:
            problems.append(f"the alias points at key {key_id}, tagged {TAG_TENANT}={tags.get(TAG_TENANT) or '(none)'}, not {tenant_id}")
    if metadata["KeyState"] != "Enabled":
        problems.append(f"key state {metadata['KeyState']}")
    rotation = probe.read("GetKeyRotationStatus", lambda: kms.get_key_rotation_status(KeyId=key_id).get("KeyRotationEnabled"), absent=False)
    if rotation is False or rotation is None:
        problems.append("rotation is off")
    owned = isinstance(tags, dict) and tags.get(TAG_TENANT) == tenant_id
    if owned or (isinstance(declared, str) and not isinstance(tags, dict)):
        keys = TenantKeys(frozenset({arn}))
    elif isinstance(tags, dict):
        keys = TenantKeys()  # someone else's key behind the tenant's alias: trust none of its data
    else:
        keys = TenantKeys(unverified=frozenset({arn}))
    return keys, Item(region, "kms key", alias, details, tuple(problems), tuple(probe.unchecked))


def _declared_key(probe: Probe, session: Any, declarations: Sequence[KeyDeclaration]) -> str | None | Unknown:
    """The physical id of the key the tenant's stack declares behind its alias; None when no
    deployed stack declares one."""
    cloudformation = session.client("cloudformation")
    for declaration in declarations:
        found = probe.read(
            f"DescribeStackResource {declaration.stack}/{declaration.logical_id}",
            lambda d=declaration: cloudformation.describe_stack_resource(StackName=d.stack, LogicalResourceId=d.logical_id)["StackResourceDetail"].get("PhysicalResourceId"),
            absent=None,
        )
        if found is not None:
            return found
    return None


# --- one check per resource type ---------------------------------------------------------------


def _bucket(probe: Probe, session: Any, name: str, props: dict[str, Any], keys: TenantKeys) -> Item:
    s3 = session.client("s3")
    probe.find("HeadBucket", lambda: s3.head_bucket(Bucket=name))
    problems: list[str] = []
    details: dict[str, Any] = {}
    rules = probe.read("GetBucketEncryption", lambda: s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"], absent=[])
    if not isinstance(rules, Unknown):
        default = rules[0]["ApplyServerSideEncryptionByDefault"] if rules else {}
        details["encryption"] = default.get("SSEAlgorithm", "none")
        declared_rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
        declared_algorithm = declared_rules[0].get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") if declared_rules else None
        if declared_algorithm == "aws:kms":
            key = default.get("KMSMasterKeyID")
            details["key"] = key
            if default.get("SSEAlgorithm") != "aws:kms":
                problems.append(f"encrypted with {key or default.get('SSEAlgorithm', 'nothing')}, not the tenant key")
            else:
                problems.extend(keys.judge(key, probe))
        elif default.get("SSEAlgorithm") is None:
            problems.append("not encrypted")
    versioning = probe.read("GetBucketVersioning", lambda: s3.get_bucket_versioning(Bucket=name).get("Status", "Disabled"), absent="Disabled")
    if not isinstance(versioning, Unknown):
        details["versioning"] = versioning
        if props.get("VersioningConfiguration", {}).get("Status") == "Enabled" and versioning != "Enabled":
            problems.append(f"versioning is {versioning}, declared Enabled")
    block = probe.read("GetPublicAccessBlock", lambda: s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"], absent={})
    if not isinstance(block, Unknown):
        details["public_access_block"] = all(block.values()) if block else False
        if props.get("PublicAccessBlockConfiguration") and not details["public_access_block"]:
            problems.append("public access is not fully blocked")
    has_policy = probe.read("GetBucketPolicy", lambda: bool(s3.get_bucket_policy(Bucket=name)["Policy"]), absent=False)
    if not isinstance(has_policy, Unknown):
        details["policy"] = has_policy
        if not has_policy:
            problems.append("no bucket policy (TLS-only and encryption rules missing)")
    if "ReplicationConfiguration" in props:
        replication = probe.read("GetBucketReplication", lambda: s3.get_bucket_replication(Bucket=name)["ReplicationConfiguration"]["Rules"], absent=[])
        if not isinstance(replication, Unknown):
            details["replicates_to"] = [r["Destination"]["Bucket"] for r in replication]
            if not replication:
                problems.append("replication is not configured")
    return Item("", "bucket", name, details, tuple(problems))


def _database(probe: Probe, session: Any, name: str, props: dict[str, Any], keys: TenantKeys) -> Item:
    rds = session.client("rds")
    (instance,) = probe.find("DescribeDBInstances", lambda: rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"])
    key = instance.get("KmsKeyId")
    details = {
        "status": instance.get("DBInstanceStatus"),
        "key": key,
        "deletion_protection": instance.get("DeletionProtection"),
        "replica_of": instance.get("ReadReplicaSourceDBInstanceIdentifier"),
        "parameter_groups": [g["DBParameterGroupName"] for g in instance.get("DBParameterGroups", [])],
    }
    problems = list(keys.judge(key, probe))
    if props.get("DeletionProtection") and not instance.get("DeletionProtection"):
        problems.append("deletion protection is off, declared on")
    problems += [
        f"parameter group {g['DBParameterGroupName']} is pending-reboot: its static parameters (pgaudit in "
        "shared_preload_libraries) are not in force until the instance is rebooted"
        for g in instance.get("DBParameterGroups", [])
        if g.get("ParameterApplyStatus") == PENDING_REBOOT
    ]
    return Item("", "database", name, details, tuple(problems))


def _vault(probe: Probe, session: Any, name: str, props: dict[str, Any], keys: TenantKeys) -> Item:
    backup = session.client("backup")
    vault = probe.find("DescribeBackupVault", lambda: backup.describe_backup_vault(BackupVaultName=name))
    key = vault.get("EncryptionKeyArn")
    return Item("", "backup vault", name, {"key": key, "locked": vault.get("Locked", False)}, keys.judge(key, probe))


def _plan(probe: Probe, session: Any, name: str, props: dict[str, Any], keys: TenantKeys) -> Item:
    """The plan and its rules (its selections are not listed)."""
    backup = session.client("backup")
    plan_id = _first(probe, "ListBackupPlans", lambda: [p["BackupPlanId"] for p in pages(backup, "list_backup_plans", "BackupPlansList") if p["BackupPlanName"] == name])
    plan = probe.find("GetBackupPlan", lambda: backup.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"])
    rules = {rule["RuleName"]: rule.get("ScheduleExpression") for rule in plan.get("Rules", [])}
    declared = {rule["RuleName"] for rule in props.get("BackupPlan", {}).get("BackupPlanRule", [])}
    problems = tuple(f"rule {absent} is missing" for absent in sorted(declared - set(rules)))
    return Item("", "backup plan", name, {"rules": rules}, problems)


def _web_acl(probe: Probe, session: Any, name: str, props: dict[str, Any], keys: TenantKeys) -> Item:
    waf = session.client("wafv2")
    arn = _first(probe, "ListWebACLs", lambda: [a["ARN"] for a in pages(waf, "list_web_acls", "WebACLs", Scope="REGIONAL") if a["Name"] == name])
    problems, protects = [], []
    for resource in props.get("_protects", ()):
        found = probe.read(f"GetWebACLForResource {resource}", lambda r=resource: waf.get_web_acl_for_resource(ResourceArn=r).get("WebACL"), absent=None)
        if isinstance(found, Unknown):
            continue
        if found is None or found.get("ARN") != arn:
            problems.append(f"does not protect {resource}")
        else:
            protects.append(resource)
    return Item("", "web acl", name, {"arn": arn, "protects": protects}, tuple(problems))


def _ip_set(probe: Probe, session: Any, name: str, props: dict[str, Any], keys: TenantKeys) -> Item:
    waf = session.client("wafv2")
    set_id = _first(probe, "ListIPSets", lambda: [s["Id"] for s in pages(waf, "list_ip_sets", "IPSets", Scope="REGIONAL") if s["Name"] == name])
    addresses = probe.find("GetIPSet", lambda: waf.get_ip_set(Name=name, Scope="REGIONAL", Id=set_id)["IPSet"]["Addresses"])
    problems = () if sorted(addresses) == sorted(props.get("Addresses", [])) else ("addresses differ from the template",)
    return Item("", "ip set", name, {"addresses": len(addresses)}, problems)


def _log_group(probe: Probe, session: Any, name: str, props: dict[str, Any], keys: TenantKeys) -> Item:
    logs = session.client("logs")
    group = _first(probe, "DescribeLogGroups", lambda: [g for g in pages(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=name) if g["logGroupName"] == name])
    key = group.get("kmsKeyId")
    return Item("", "log group", name, {"key": key, "retention_days": group.get("retentionInDays")}, keys.judge(key, probe))


def _topic(probe: Probe, session: Any, name: str, props: dict[str, Any], keys: TenantKeys) -> Item:
    sns = session.client("sns")
    topic = _first(probe, "ListTopics", lambda: [t["TopicArn"] for t in pages(sns, "list_topics", "Topics") if parse_arn(t["TopicArn"]).resource == name])
    attributes = probe.find("GetTopicAttributes", lambda: sns.get_topic_attributes(TopicArn=topic)["Attributes"])
    subscriptions = []
    listed = probe.read("ListSubscriptionsByTopic", lambda: list(pages(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=topic)), absent=[])
    for subscription in [] if isinstance(listed, Unknown) else listed:
        confirmed: bool | None = False
        if subscription["SubscriptionArn"] != "PendingConfirmation":
            pending = probe.read(
                f"GetSubscriptionAttributes {subscription['SubscriptionArn']}",
                lambda s=subscription: sns.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])["Attributes"].get("PendingConfirmation") == "true",
                absent=True,
            )
            confirmed = None if isinstance(pending, Unknown) else not pending
        subscriptions.append({"endpoint": subscription["Endpoint"], "protocol": subscription["Protocol"], "confirmed": confirmed})
    key = attributes.get("KmsMasterKeyId")
    unconfirmed = tuple(
        f"subscription {s['protocol']}:{s['endpoint']} is still PendingConfirmation: nothing published reaches it"
        for s in subscriptions
        if s["confirmed"] is False
    )
    return Item("", "topic", name, {"key": key, "subscriptions": subscriptions}, keys.judge(key, probe) + unconfirmed)


def _secret(probe: Probe, session: Any, name: str, props: dict[str, Any], keys: TenantKeys) -> Item:
    secrets = session.client("secretsmanager")
    secret = probe.find("DescribeSecret", lambda: secrets.describe_secret(SecretId=name))
    key = secret.get("KmsKeyId")
    replicas = [r["Region"] for r in secret.get("ReplicationStatus", [])]
    return Item("", "secret", name, {"key": key, "replicas": replicas}, keys.judge(key, probe, unset="the AWS-managed key"))


def _queue(probe: Probe, session: Any, name: str, props: dict[str, Any], keys: TenantKeys) -> Item:
    """A queue (what extensions such as the example's add): its key, dead-letter queue and TLS-only policy."""
    sqs = session.client("sqs")
    url = probe.find("GetQueueUrl", lambda: sqs.get_queue_url(QueueName=name)["QueueUrl"])
    attributes = probe.find("GetQueueAttributes", lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"])
    key = attributes.get("KmsMasterKeyId")
    dead_letters = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"] if "RedrivePolicy" in attributes else None
    problems = list(keys.judge(key, probe, unset="the SQS-managed key"))
    if "RedrivePolicy" in props and dead_letters is None:
        problems.append("no dead-letter queue, the template declares one")
    statements = json.loads(attributes["Policy"]).get("Statement", []) if "Policy" in attributes else []
    tls_only = any(s.get("Effect") == "Deny" and "aws:SecureTransport" in json.dumps(s.get("Condition", {})) for s in statements)
    if not tls_only:
        problems.append("no policy refusing requests without TLS")
    return Item("", "queue", name, {"key": key, "dead_letters": dead_letters, "tls_only": tls_only}, tuple(problems))


CHECKS: dict[str, tuple[str, Check]] = {
    "AWS::S3::Bucket": ("bucket", _bucket),
    "AWS::RDS::DBInstance": ("database", _database),
    "AWS::Backup::BackupVault": ("backup vault", _vault),
    "AWS::Backup::BackupPlan": ("backup plan", _plan),
    "AWS::WAFv2::WebACL": ("web acl", _web_acl),
    "AWS::WAFv2::IPSet": ("ip set", _ip_set),
    "AWS::Logs::LogGroup": ("log group", _log_group),
    "AWS::SNS::Topic": ("topic", _topic),
    "AWS::SecretsManager::Secret": ("secret", _secret),
    "AWS::SQS::Queue": ("queue", _queue),
}
"""CloudFormation type -> (the kind shown, its check)."""


# --- stacks and what no template names ---------------------------------------------------------


def stack(session: Any, region: str, name: str) -> Item:
    cloudformation = session.client("cloudformation")
    probe = Probe()
    try:
        (found,) = probe.find("DescribeStacks", lambda: cloudformation.describe_stacks(StackName=name)["Stacks"])
    except _Absent:
        return missing(region, "stack", name, "not deployed")
    except _Unreachable as error:
        return Item(region, "stack", name, unchecked=(str(error),))
    status = found["StackStatus"]
    problems = () if status in ("CREATE_COMPLETE", "UPDATE_COMPLETE") else (f"status {status}",)
    return Item(region, "stack", name, {"status": status}, problems)


def undeclared(session: Any, region: str, tenant_id: str, declared: set[str], keys: TenantKeys) -> Iterator[Item]:
    """Resources carrying this tenant's tag that no template of it declares by name (listed, not
    flagged: stacks create unnamed resources too)."""
    tagging = session.client("resourcegroupstaggingapi")
    probe = Probe()
    tag = f"{TAG_TENANT}={tenant_id}"
    try:
        mappings = probe.find("GetResources", lambda: list(pages(tagging, "get_resources", "ResourceTagMappingList", TagFilters=[{"Key": TAG_TENANT, "Values": [tenant_id]}])))
    except (_Absent, _Unreachable) as error:
        yield Item(region, "tagged resources", tag, unchecked=(str(error),))
        return
    for mapping in mappings:
        arn = mapping["ResourceARN"]
        if arn in keys.verified | keys.unverified or _names_of(arn) & declared:
            continue
        yield Item(region, "tagged", parse_arn(arn).resource, {"arn": arn})


def _names_of(arn: str) -> set[str]:
    """The names a resource ARN can carry for its physical name (exactly, never a prefix)."""
    parsed = parse_arn(arn)
    names = {parsed.resource, parsed.resource_id}
    if parsed.service == "wafv2":  # name/id
        names.add(parsed.resource_id.partition("/")[0])
    if parsed.service == "secretsmanager":  # name-XXXXXX, the suffix AWS adds
        names.add(parsed.resource_id.rpartition("-")[0])
    if parsed.service == "logs":  # log-group:name:*
        names.add(parsed.resource_id.removesuffix(":*"))
    return names
