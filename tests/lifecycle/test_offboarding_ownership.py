"""Offboarding touches nothing of anyone else's, in-process moto with tenantkit's emulator
extensions: `acme` is offboarded with neighbours deployed beside it whose ids begin `acme-`, and
with neighbours whose ids shared acme's name prefixes before tenant ids were refused any word
tenantkit appends to names (`acme-primary-x`: its stacks are `tenant-acme-primary-x-*`, and its
custom-resource Lambdas' log groups began `/aws/lambda/tenant-acme-primary-`, the prefix the old
discovery matched). Those ids no longer validate, so their names are derived through naming.py
directly. Every tenant's stacks hold a custom-resource Lambda whose log group Lambda created, as
CDK's providers do; the names of those functions are CloudFormation's to generate (and truncate).

Expected values come from the tenants' names, never from the code under test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto import mock_aws

from tenantkit.config import TenantConfig
from tenantkit.lifecycle.offboarding.resources import Scope
from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover, now, verify
from tenantkit.lifecycle.offboarding.service import Environment, build_report, scope_for
from tenantkit.naming import NAME_WORDS, TenantNames, names_for
from tenantkit.sandbox.extensions import install
from tests.conftest import MINIMAL_TENANT
from tests.lifecycle.shared_session import RegionalSession

ACCOUNT = "123456789012"
TENANT = "acme"
VALID_NEIGHBOURS = ("acme-corp", "acme-primaryx")
OLD_NEIGHBOURS = tuple(f"acme-{word}-x" for word in NAME_WORDS)
"""Ids valid before every appended word was reserved: built through naming.py, not validated."""
VISIBILITY = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }
    },
}


@pytest.fixture(autouse=True)
def aws():
    install()
    with mock_aws():
        yield


@pytest.fixture
def config() -> TenantConfig:
    return TenantConfig.model_validate({**MINIMAL_TENANT, "tenant_id": TENANT, "account": ACCOUNT})


def _names(tenant_id: str, config: TenantConfig) -> TenantNames:
    return names_for(tenant_id, ACCOUNT, config.primary_region, config.secondary_region)


def _regions(names: TenantNames) -> dict[str, str]:
    return {names.dr_stack: names.secondary_region, names.primary_stack: names.primary_region, names.replica_stack: names.secondary_region}


def _client(service: str, region: str) -> Any:
    return RegionalSession(region).client(service)


def _deploy_stacks(names: TenantNames, function_names: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """Each of the tenant's stacks with a custom-resource provider Lambda (named by
    CloudFormation unless `function_names` gives the stack's) and a log group CloudFormation names;
    then the function's log group, as Lambda creates it at the provider's first invocation.
    (kind, region, log group) of each, as offboarding reports them."""
    groups = []
    for stack, region in _regions(names).items():
        function: dict[str, Any] = {"Handler": "index.handler", "Runtime": "python3.12", "Role": {"Fn::GetAtt": ["ProviderRole", "Arn"]},
                                    "Code": {"ZipFile": "def handler(event, context):\n    return {}\n"}}
        if function_names and stack in function_names:
            function["FunctionName"] = function_names[stack]
        template = {"Resources": {
            "ProviderRole": ROLE,
            "CustomVpcRestrictDefaultSGCustomResourceProviderHandler": {"Type": "AWS::Lambda::Function", "Properties": function},
            "Logs": {"Type": "AWS::Logs::LogGroup"},  # named by CloudFormation: only the stack knows it
        }}
        cloudformation = _client("cloudformation", region)
        cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
        for resource in cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]:
            if resource["ResourceType"] == "AWS::Lambda::Function":
                group = f"/aws/lambda/{resource['PhysicalResourceId']}"
                _client("logs", region).create_log_group(logGroupName=group)
                groups.append(("function log group", region, group))
            elif resource["ResourceType"] == "AWS::Logs::LogGroup":
                groups.append(("log group", region, resource["PhysicalResourceId"]))
    return groups


def _deploy(names: TenantNames) -> set[tuple[str, str, str]]:
    """The tenant's named resources, each (kind, region, name) as offboarding reports it."""
    primary, secondary = names.primary_region, names.secondary_region
    made = set(_deploy_stacks(names))
    made |= {("stack", region, stack) for stack, region in _regions(names).items()}
    for region, group in (
        (primary, names.flow_log_group), (secondary, names.replica_flow_log_group), (primary, names.waf_log_group),
        (primary, names.db_log_group(names.db_instance, "postgresql")), (secondary, names.db_log_group(names.replica_db_instance, "postgresql")),
    ):
        _client("logs", region).create_log_group(logGroupName=group)
        made.add(("log group", region, group))
    s3 = _client("s3", primary)
    s3.create_bucket(Bucket=names.data_bucket)
    s3.put_object(Bucket=names.data_bucket, Key="record", Body=names.tenant_id.encode())
    ssm = _client("ssm", primary)
    ssm.put_parameter(Name=names.web_acl_arn_parameter, Value=f"arn-of-{names.tenant_id}", Type="String")
    waf = _client("wafv2", primary)
    waf.create_web_acl(Name=names.web_acl, Scope="REGIONAL", DefaultAction={"Block": {}}, VisibilityConfig=VISIBILITY)
    for version in ("ipv4", "ipv6"):
        waf.create_ip_set(Name=names.ip_set(version), Scope="REGIONAL", IPAddressVersion=version.upper(), Addresses=[])
        made.add(("ip set", primary, names.ip_set(version)))
    _client("sns", primary).create_topic(Name=names.incident_topic)
    _client("backup", primary).create_backup_vault(BackupVaultName=names.backup_vault)
    for region in (primary, secondary):
        kms = _client("kms", region)
        kms.create_alias(AliasName=names.key_alias, TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
        made.add(("kms key", region, names.key_alias))
    return made | {
        ("bucket", primary, names.data_bucket), ("parameter", primary, names.web_acl_arn_parameter), ("web acl", primary, names.web_acl),
        ("topic", primary, names.incident_topic), ("recovery points", primary, names.backup_vault), ("backup vault", primary, names.backup_vault),
    }


def _world(regions: tuple[str, str]) -> set[tuple[str, ...]]:
    """Everything in the account's two regions, with what identifies its content."""
    found: set[tuple[str, ...]] = set()
    for region in regions:
        cloudformation = _client("cloudformation", region)
        for stack in cloudformation.describe_stacks()["Stacks"]:
            found.add(("stack", region, stack["StackName"], stack["StackStatus"]))
        for group in _client("logs", region).describe_log_groups()["logGroups"]:
            found.add(("log group", region, group["logGroupName"]))
        for function in _client("lambda", region).list_functions()["Functions"]:
            found.add(("function", region, function["FunctionName"]))
        for parameter in _client("ssm", region).describe_parameters()["Parameters"]:
            found.add(("parameter", region, parameter["Name"]))
        waf = _client("wafv2", region)
        found |= {("web acl", region, acl["ARN"]) for acl in waf.list_web_acls(Scope="REGIONAL", Limit=100)["WebACLs"]}
        found |= {("ip set", region, ip_set["ARN"]) for ip_set in waf.list_ip_sets(Scope="REGIONAL", Limit=100)["IPSets"]}
        found |= {("topic", region, topic["TopicArn"]) for topic in _client("sns", region).list_topics()["Topics"]}
        found |= {("vault", region, vault["BackupVaultName"]) for vault in _client("backup", region).list_backup_vaults()["BackupVaultList"]}
        kms = _client("kms", region)
        for key in kms.list_keys()["Keys"]:
            aliases = sorted(a["AliasName"] for a in kms.list_aliases(KeyId=key["KeyId"])["Aliases"])
            found.add(("kms key", region, key["KeyArn"], kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"], *aliases))
    s3 = _client("s3", regions[0])
    for bucket in s3.list_buckets()["Buckets"]:
        for version in s3.list_object_versions(Bucket=bucket["Name"]).get("Versions", []):
            body = s3.get_object(Bucket=bucket["Name"], Key=version["Key"], VersionId=version["VersionId"])["Body"].read()
            found.add(("object", bucket["Name"], version["Key"], body.decode()))
    return found


def _offboard(config: TenantConfig, tmp_path) -> tuple[Any, Any]:
    env = Environment("test", ACCOUNT, RegionalSession, "tester")
    scope = scope_for(config, env)
    plan = discover(scope)
    journal = Journal.open(tmp_path / "journal.json", tenant_id=config.tenant_id, environment=env.name)
    journal.data.update(started_at=now(), operator=env.operator, forced=False, force_reason=None, retrieval_deadline=None)
    destroy(scope, journal, plan)
    verification = verify(scope, journal)
    journal.data["verification"] = {"ok": verification.ok, "checked_at": verification.checked_at, "remaining": list(verification.remaining)}
    journal.data["completed_at"] = verification.checked_at
    return plan, build_report(config, env, journal)


def test_offboarding_acme_leaves_every_neighbour_untouched_and_out_of_its_report(config, tmp_path):
    regions = (config.primary_region, config.secondary_region)
    for neighbour in VALID_NEIGHBOURS + OLD_NEIGHBOURS:
        _deploy(_names(neighbour, config))
    neighbours_only = _world(regions)
    acme = _deploy(_names(TENANT, config))

    plan, report = _offboard(config, tmp_path)

    assert {(t.kind, t.region, t.name) for t in plan.targets} == acme
    assert {(r.kind.removesuffix(" (deletion scheduled)"), r.region, r.name) for r in report.resources} == acme
    assert report.verification.ok, report.verification.remaining
    kinds = [r.kind for r in report.resources]  # deleting a stack invokes its custom resources once more:
    assert min(i for i, k in enumerate(kinds) if k == "function log group") > max(i for i, k in enumerate(kinds) if k == "stack")
    # every neighbour's stack, function, log group, object, parameter, key ... as it was, and
    # nothing of acme's left but its two keys, pending deletion, without their alias
    left = _world(regions) - neighbours_only
    assert neighbours_only <= _world(regions)
    assert sorted((item[0], item[1], item[3:]) for item in left) == [
        ("kms key", config.primary_region, ("PendingDeletion",)), ("kms key", config.secondary_region, ("PendingDeletion",)),
    ]


def test_custom_resource_log_groups_are_found_under_truncated_generated_names(tmp_path):
    """CloudFormation fits a generated function name into 64 characters by cutting the stack
    name: the longest tenant id's functions do not begin with their stack's full name."""
    tenant = "a" * 28 + "-b"
    config = TenantConfig.model_validate({**MINIMAL_TENANT, "tenant_id": tenant, "account": ACCOUNT})
    names = _names(tenant, config)
    truncated = {stack: f"{stack[:34]}-CustomVpcRestrictDefau-{suffix}" for stack, suffix in zip(names.stacks, ("Ab12Cd34Ef56", "Gh78Ij90Kl12", "Mn34Op56Qr78"), strict=True)}
    assert not any(name.startswith(f"{stack}-") for stack, name in truncated.items())
    groups = _deploy_stacks(names, truncated)

    found = {(t.kind, t.region, t.name) for t in discover(Scope(names, RegionalSession)).targets}
    functions = {group for group in groups if group[0] == "function log group"}
    assert len(functions) == 3 and functions <= found
