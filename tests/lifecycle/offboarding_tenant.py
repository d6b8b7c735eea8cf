"""A whole tenant in in-process moto (with tenantkit's emulator extensions), as offboarding finds
it: keys, a database and its cross-region replica, a manual snapshot, recovery points in both
vaults, versioned buckets, a web ACL and its IP sets, the database secret and its replica, a log
group, a topic, a parameter and the three stacks. Every name comes from `tenantkit.naming`.

`recording_scope` gives offboarding a scope whose clients record every AWS call they make, in
order, so a test asserts on what was actually sent (the destruction order), not on a plan.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from tenantkit.lifecycle.fleet import region_sessions
from tenantkit.lifecycle.offboarding.resources import Scope
from tenantkit.naming import TAG_TENANT, TenantNames, names_for

TENANT, ACCOUNT, PRIMARY, SECONDARY = "acme-corp", "123456789012", "us-east-1", "us-west-2"
NAMES = names_for(TENANT, ACCOUNT, PRIMARY, SECONDARY)
ROLE = f"arn:aws:iam::{ACCOUNT}:role/backup"
VISIBILITY = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
STACK_TEMPLATE = json.dumps({"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})
DATA_OBJECTS = 3  # versions of one key in the data bucket, then a delete marker


def _client(service: str, region: str) -> Any:
    """The run's shared client (`sessions`): botocore takes ~50 ms to make one, and a whole tenant
    is some thirty calls to ten services in two regions."""
    return sessions()(region).client(service)


def tags(owner: str = TENANT) -> list[dict[str, str]]:
    return [{"Key": TAG_TENANT, "Value": owner}]


def key(region: str, names: TenantNames = NAMES, owner: str = TENANT) -> str:
    kms = _client("kms", region)
    arn = kms.create_key(Tags=[{"TagKey": TAG_TENANT, "TagValue": owner}])["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=names.key_alias, TargetKeyId=arn)
    return arn


def database(names: TenantNames = NAMES, owner: str = TENANT) -> str:
    return _client("rds", names.primary_region).create_db_instance(
        DBInstanceIdentifier=names.db_instance, Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="password123", Tags=tags(owner),
    )["DBInstance"]["DBInstanceArn"]  # fmt: skip


def replica(source_arn: str, names: TenantNames = NAMES, owner: str = TENANT) -> str:
    return _client("rds", names.secondary_region).create_db_instance_read_replica(
        DBInstanceIdentifier=names.replica_db_instance, SourceDBInstanceIdentifier=source_arn, Tags=tags(owner),
    )["DBInstance"]["DBInstanceArn"]  # fmt: skip


def vault(region: str, name: str, owner: str = TENANT) -> str:
    return _client("backup", region).create_backup_vault(BackupVaultName=name, BackupVaultTags={TAG_TENANT: owner})["BackupVaultArn"]


def bucket(region: str, name: str, owner: str = TENANT, versions: int = 0) -> None:
    s3 = _client("s3", region)
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **location)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags(owner)})
    for _ in range(versions):
        s3.put_object(Bucket=name, Key="records/1", Body=b"x")
    if versions:
        s3.delete_object(Bucket=name, Key="records/1")


def secret(names: TenantNames = NAMES, owner: str = TENANT, replicated: bool = True) -> None:
    replicas = {"AddReplicaRegions": [{"Region": names.secondary_region}]} if replicated else {}
    _client("secretsmanager", names.primary_region).create_secret(
        Name=names.db_master_secret, SecretString="{}", Tags=tags(owner), **replicas
    )


def web_acl(region: str, names: TenantNames = NAMES) -> None:
    waf = _client("wafv2", region)
    v4 = waf.create_ip_set(Name=names.ip_set("ipv4"), Scope="REGIONAL", IPAddressVersion="IPV4", Addresses=["192.0.2.0/24"])["Summary"]
    waf.create_ip_set(Name=names.ip_set("ipv6"), Scope="REGIONAL", IPAddressVersion="IPV6", Addresses=["2001:db8::/48"])
    rule = {
        "Name": "allow-list", "Priority": 0, "Action": {"Allow": {}}, "VisibilityConfig": VISIBILITY,
        "Statement": {"IPSetReferenceStatement": {"ARN": v4["ARN"]}},
    }  # fmt: skip
    waf.create_web_acl(Name=names.web_acl, Scope="REGIONAL", DefaultAction={"Block": {}}, VisibilityConfig=VISIBILITY, Rules=[rule])


def whole_tenant(names: TenantNames = NAMES, *, primary_template: str = STACK_TEMPLATE) -> None:
    """Every kind of resource offboarding destroys (but alarms and event rules, which only the
    stacks' own resources name: `primary_template` can declare those), in both regions."""
    primary, secondary, owner = names.primary_region, names.secondary_region, names.tenant_id
    for region in (primary, secondary):
        key(region, names, owner)
    source = database(names, owner)
    replica(source, names, owner)
    _client("rds", primary).create_db_snapshot(DBInstanceIdentifier=names.db_instance, DBSnapshotIdentifier=f"{names.tenant_id}-manual")
    bucket(primary, names.data_bucket, owner, versions=DATA_OBJECTS)
    bucket(secondary, names.dr_bucket, owner, versions=1)
    bucket(primary, names.access_log_bucket, owner)
    bucket(secondary, names.dr_access_log_bucket, owner)
    for region, name in ((primary, names.backup_vault), (secondary, names.dr_backup_vault)):
        vault(region, name, owner)
        backup = _client("backup", region)
        source_bucket = names.data_bucket if region == primary else names.dr_bucket
        backup.start_backup_job(BackupVaultName=name, ResourceArn=f"arn:aws:s3:::{source_bucket}", IamRoleArn=ROLE)
    web_acl(primary, names)
    secret(names, owner)
    _client("logs", primary).create_log_group(logGroupName=f"/tenantkit/{names.tenant_id}/app")
    _client("sns", primary).create_topic(Name=names.incident_topic)
    _client("ssm", primary).put_parameter(Name=names.web_acl_arn_parameter, Value="arn", Type="String")
    stacks = ((names.primary_stack, primary, primary_template), (names.dr_stack, secondary, STACK_TEMPLATE), (names.replica_stack, secondary, STACK_TEMPLATE))
    for stack, region, template in stacks:
        _client("cloudformation", region).create_stack(StackName=stack, TemplateBody=template, Capabilities=["CAPABILITY_IAM"])


@dataclass
class Calls:
    """Every AWS call offboarding made, in order: (region, service, operation, params)."""

    made: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)

    def record(self, region: str):
        def before_call(params: dict[str, Any], model: Any, **_kwargs: Any) -> None:
            self.made.append((region, model.service_model.service_name, model.name, dict(params)))

        return before_call

    def index(self, operation: str, **where: str) -> list[int]:
        """Positions of the calls of `operation` whose params contain each of `where` (as substrings)."""
        return [
            i for i, (_, _, name, params) in enumerate(self.made)
            if name == operation and all(value in json.dumps(params.get(key)) for key, value in where.items())
        ]  # fmt: skip


@functools.cache
def shared_session() -> boto3.Session:
    """One boto3 session for the whole test run (botocore loads each service model once per
    session, ~0.2 s each). Made at first use, inside a test: moto (imported by then) hooks
    sessions made after it."""
    return boto3.Session()


@functools.cache
def sessions() -> Any:
    """region -> a session; all share one boto3 session and its clients for the whole test run
    (botocore loads each service model once per session, and makes a client in ~50 ms: an
    offboarding run asks some twenty services, and the tagging API in each of 34 regions). Never
    register a handler on these clients: inject faults and record calls with `hooked_sessions`."""
    return region_sessions(shared_session())


@dataclass(frozen=True)
class _HookedSession:
    session_for: Any
    region: str
    on_client: Callable[[Any, str, str], None]
    made: dict[tuple[str, str], Any]

    def client(self, service: str, **kwargs: Any) -> Any:
        key = (service, self.region)
        if kwargs or key not in self.made:
            client = self.session_for(self.region).client(service, **kwargs)
            self.on_client(client, service, self.region)
            if kwargs:  # a client configured for one caller is not shared
                return client
            self.made[key] = client
        return self.made[key]


@functools.lru_cache(maxsize=16)
def hooked_sessions(on_client: Callable[[Any, str, str], None]) -> Callable[[str], _HookedSession]:
    """region -> a session whose every new client goes through on_client(client, service, region)
    once, when made. The same `on_client` (a bound method of one fault injector: equal each time it
    is read) gets the same clients back: a test that runs offboarding dozens of times with one
    injector makes each client once (botocore takes ~50 ms a client), not once a run."""
    shared, made = region_sessions(shared_session()), {}  # its own clients: the hooks stay on them
    return lambda region: _HookedSession(shared, region, on_client, made)


def hooked_scope(on_client: Callable[[Any, str, str], None], names: TenantNames = NAMES) -> Scope:
    """A scope whose every new client goes through on_client(client, service, region) first (to
    record its calls, or to inject a fault)."""
    return Scope(names, hooked_sessions(on_client))


def recording_sessions(calls: Calls) -> Callable[[str], Any]:
    """region -> a session whose every new client records its calls (an Environment's
    `session_for`, for `service.execute`)."""
    return hooked_sessions(lambda client, _service, region: client.meta.events.register("before-parameter-build.*.*", calls.record(region)))


def recording_scope(calls: Calls, names: TenantNames = NAMES) -> Scope:
    return hooked_scope(lambda client, _service, region: client.meta.events.register("before-parameter-build.*.*", calls.record(region)), names)


# --- a cloud assembly, in the CDK's manifest.json and asset-manifest formats -----------------


def _template(stack: str) -> str:
    return json.dumps({"Description": f"{stack}: security contact and CIDRs", "Resources": {}})


def assembly_stack(out: Path, manifest: dict[str, Any], stack: str, region: str, bundles: tuple[str, ...], *, with_assets: bool = True) -> None:
    """One stack of the assembly: its template and, unless not `with_assets`, its asset manifest
    naming the template (by its hash) and `bundles`."""
    template = f"{stack}.template.json"
    (out / template).write_text(_template(stack))
    manifest["artifacts"][stack] = {
        "type": "aws:cloudformation:stack", "environment": f"aws://{ACCOUNT}/{region}", "properties": {"templateFile": template},
    }  # fmt: skip
    if not with_assets:
        return
    bucket = f"cdk-hnb659fds-assets-${{AWS::AccountId}}-{region}"
    files = {
        name: {"source": {"path": path, "packaging": "file"}, "destinations": {f"{ACCOUNT}-{region}": {"bucketName": bucket, "objectKey": name, "region": region}}}
        for name, path in ((template_key(stack), template), *((bundle, f"asset.{bundle}") for bundle in bundles))
    }  # fmt: skip
    (out / f"{stack}.assets.json").write_text(json.dumps({"version": "36.0.0", "files": files}))
    manifest["artifacts"][f"{stack}.assets"] = {"type": "cdk:asset-manifest", "properties": {"file": f"{stack}.assets.json"}}


def template_key(stack: str) -> str:
    return f"{hashlib.sha256(_template(stack).encode()).hexdigest()}.json"
