"""Inventory: what exists for a tenant compared with its templates, in both regions, and nothing
of another tenant. Resources are made with boto3 in in-process moto, as a deploy would leave them."""

from __future__ import annotations

import functools
import json
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from tenantkit.lifecycle.fleet import region_sessions
from tenantkit.lifecycle.inventory import Status, declared_resources, tenant_inventory
from tests.lifecycle.offboarding_tenant import sessions

from .test_deploy_local import ACCOUNT, STACKS, write_assembly

PRIMARY, SECONDARY = "us-east-1", "us-west-2"
BUCKET = f"t1-data-{ACCOUNT}-{PRIMARY}"


def _key_ref():
    return {"Fn::GetAtt": ["Key", "Arn"]}


def _templates() -> dict[str, dict]:
    primary = {
        "Resources": {
            "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Alias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/tenantkit/t1"}},
            "Data": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": {"Fn::Join": ["", ["t1-data-", {"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}]]},
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": _key_ref()}}
                        ]
                    },
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "PublicAccessBlockConfiguration": {"BlockPublicAcls": True},
                },
            },
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {"DBInstanceIdentifier": "tenantkit-t1", "DeletionProtection": True},
            },
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/tenantkit/t1/vpc-flow-logs"}},
        }
    }
    dr = {
        "Resources": {
            "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Alias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/tenantkit/t1"}},
            "Vault": {"Type": "AWS::Backup::BackupVault", "Properties": {"BackupVaultName": "tenantkit-t1-dr"}},
        }
    }
    return {"tenant-t1-dr": dr, "tenant-t1-primary": primary}


def _tenant_key(region: str, alias: str) -> str:
    kms = boto3.client("kms", region_name=region)
    key = kms.create_key(Tags=[{"TagKey": "tenantkit:tenant", "TagValue": alias.rsplit("/", 1)[-1]}])["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return key["Arn"]


def _deployed(tenant: str = "t1") -> dict[str, str]:
    """What deploying tenant `tenant` would leave, in both regions."""
    keys = {region: _tenant_key(region, f"alias/tenantkit/{tenant}") for region in (PRIMARY, SECONDARY)}
    s3 = boto3.client("s3", region_name=PRIMARY)
    bucket = f"{tenant}-data-{ACCOUNT}-{PRIMARY}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "tenantkit:tenant", "Value": tenant}]})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": keys[PRIMARY]}}]
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration=dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True),
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    boto3.client("rds", region_name=PRIMARY).create_db_instance(
        DBInstanceIdentifier=f"tenantkit-{tenant}", Engine="postgres", DBInstanceClass="db.t4g.medium",
        MasterUsername="x", MasterUserPassword="password123", AllocatedStorage=20, StorageEncrypted=True,
        KmsKeyId=keys[PRIMARY], DeletionProtection=True,
    )
    boto3.client("logs", region_name=PRIMARY).create_log_group(logGroupName=f"/tenantkit/{tenant}/vpc-flow-logs", kmsKeyId=keys[PRIMARY])
    boto3.client("backup", region_name=SECONDARY).create_backup_vault(BackupVaultName=f"tenantkit-{tenant}-dr", EncryptionKeyArn=keys[SECONDARY])
    return keys


@pytest.fixture
def aws():
    with mock_aws():
        yield


def _sessions(region: str) -> Any:
    """Sessions and clients shared by the whole module (`offboarding_tenant.sessions`): a new boto3
    session per call loads its endpoint rules and every service model again (~0.2 s each)."""
    return sessions()(region)


def _inventory(tmp_path, *, templates=None, session_for=_sessions, stack_regions=None, stacks=STACKS):
    assembly = write_assembly(tmp_path, templates or _templates())
    declared = declared_resources(assembly, stacks, ACCOUNT)
    return tenant_inventory(
        "t1",
        declared,
        key_alias="alias/tenantkit/t1",
        session_for=session_for,
        stack_regions=stack_regions or {},
    )


_REFUSALS: dict[str, str] = {}
"""The operations the refusing session answers with an AWS error: what the last `_refusing` named."""


def _answer_refused(model, **_):
    code = _REFUSALS.get(model.name)
    if code is None:
        return None
    status = 403 if "Denied" in code else 400
    return AWSResponse("https://refused.example", status, {}, None), {
        "Error": {"Code": code, "Message": f"{code} (injected)"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }


@functools.cache
def _refusing_sessions():
    session = boto3.Session()  # made at first use, inside a test: moto hooks sessions made after it
    session.events.register("before-call", _answer_refused)
    return region_sessions(session)


def _refusing(**refusals: str):
    """Sessions whose clients answer the named operations (`HeadBucket="AccessDenied"`) with that
    AWS error, injected at botocore's before-call boundary (moto cannot deny or throttle a call);
    every other call goes to moto. One session for the module (its service models loaded once)."""
    _REFUSALS.clear()
    _REFUSALS.update(refusals)
    return _refusing_sessions()


def _item(inventory, kind, name=None):
    (found,) = [item for item in inventory.items if item.kind == kind and (name is None or item.name == name)]
    return found


def test_a_tenant_as_declared_is_inventoried_in_both_regions_with_nothing_flagged(aws, tmp_path):
    _deployed("t1")
    inventory = _inventory(tmp_path)
    assert inventory.ok, [item.as_dict() for item in inventory.flagged]
    kinds = {(item.region, item.kind, item.name) for item in inventory.items}
    assert {
        (PRIMARY, "kms key", "alias/tenantkit/t1"),
        (SECONDARY, "kms key", "alias/tenantkit/t1"),
        (PRIMARY, "bucket", BUCKET),
        (PRIMARY, "database", "tenantkit-t1"),
        (PRIMARY, "log group", "/tenantkit/t1/vpc-flow-logs"),
        (SECONDARY, "backup vault", "tenantkit-t1-dr"),
    } <= kinds


def test_nothing_of_another_tenant_is_listed(aws, tmp_path):
    _deployed("t1")
    _deployed("t2")
    inventory = _inventory(tmp_path)
    assert inventory.ok
    assert not any("t2" in item.name or "t2" in json.dumps(item.details) for item in inventory.items)



def test_a_tagged_resource_is_matched_to_a_declaration_by_its_exact_name_never_a_prefix(aws, tmp_path):
    """A tenant-tagged bucket named like a declared one plus a suffix is listed as undeclared."""
    _deployed("t1")
    s3 = boto3.client("s3", region_name=PRIMARY)
    s3.create_bucket(Bucket=f"{BUCKET}-old")
    s3.put_bucket_tagging(Bucket=f"{BUCKET}-old", Tagging={"TagSet": [{"Key": "tenantkit:tenant", "Value": "t1"}]})
    inventory = _inventory(tmp_path)
    tagged = {(item.region, item.name) for item in inventory.items if item.kind == "tagged"}
    assert (PRIMARY, f"{BUCKET}-old") in tagged
    assert (PRIMARY, BUCKET) not in tagged  # the declared bucket is matched to its declaration

def test_a_bucket_re_encrypted_with_a_foreign_key_is_flagged(aws, tmp_path):
    _deployed("t1")
    foreign = boto3.client("kms", region_name=PRIMARY).create_key()["KeyMetadata"]["Arn"]
    boto3.client("s3", region_name=PRIMARY).put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": foreign}}]
        },
    )
    (flagged,) = _inventory(tmp_path).flagged
    assert (flagged.kind, flagged.name) == ("bucket", BUCKET)
    assert flagged.problems == (f"encrypted with {foreign}, not the tenant key",)


def test_a_deleted_bucket_policy_is_flagged(aws, tmp_path):
    _deployed("t1")
    boto3.client("s3", region_name=PRIMARY).delete_bucket_policy(Bucket=BUCKET)
    (flagged,) = _inventory(tmp_path).flagged
    assert flagged.problems == ("no bucket policy (TLS-only and encryption rules missing)",)


def test_a_declared_resource_that_is_missing_is_flagged(aws, tmp_path):
    _deployed("t1")
    boto3.client("backup", region_name=SECONDARY).delete_backup_vault(BackupVaultName="tenantkit-t1-dr")
    (flagged,) = _inventory(tmp_path).flagged
    assert (flagged.region, flagged.kind, flagged.problems) == (SECONDARY, "backup vault", ("declared, does not exist",))
    assert flagged.status is Status.MISSING


def test_deletion_protection_turned_off_is_flagged(aws, tmp_path):
    _deployed("t1")
    boto3.client("rds", region_name=PRIMARY).modify_db_instance(DBInstanceIdentifier="tenantkit-t1", DeletionProtection=False)
    (flagged,) = _inventory(tmp_path).flagged
    assert flagged.problems == ("deletion protection is off, declared on",)


# --- missing (the API said so) versus could not check (denied, throttled, failed) ---------------


@pytest.mark.parametrize(
    ("operation", "code", "failure", "kind"),
    [
        ("HeadBucket", "AccessDenied", "denied", "bucket"),
        ("DescribeDBInstances", "ThrottlingException", "throttled", "database"),
        ("DescribeBackupVault", "AccessDeniedException", "denied", "backup vault"),
        ("DescribeLogGroups", "ServiceUnavailableException", "other", "log group"),
    ],
)
def test_a_failed_lookup_is_could_not_check_never_missing(aws, tmp_path, operation, code, failure, kind):
    _deployed("t1")
    inventory = _inventory(tmp_path, session_for=_refusing(**{operation: code}))
    (flagged,) = inventory.flagged
    assert (flagged.kind, flagged.status, flagged.problems) == (kind, Status.UNCHECKED, ())
    assert flagged.unchecked == (f"{operation}: {failure} ({code})",)
    assert not inventory.ok and inventory.missing == []


def test_a_bucket_the_api_says_is_gone_is_missing(aws, tmp_path):
    _deployed("t1")
    s3 = boto3.client("s3", region_name=PRIMARY)
    s3.delete_bucket(Bucket=BUCKET)
    inventory = _inventory(tmp_path)
    (flagged,) = inventory.flagged
    assert (flagged.kind, flagged.status, flagged.problems, flagged.unchecked) == ("bucket", Status.MISSING, ("declared, does not exist",), ())
    assert inventory.missing == [flagged]


def test_a_denied_setting_is_not_checked_not_read_as_unset(aws, tmp_path):
    """Bucket policy and encryption unreadable: neither "no bucket policy" nor "not encrypted"."""
    _deployed("t1")
    inventory = _inventory(tmp_path, session_for=_refusing(GetBucketPolicy="AccessDenied", GetBucketEncryption="AccessDenied"))
    (flagged,) = inventory.flagged
    assert (flagged.kind, flagged.status, flagged.problems) == ("bucket", Status.UNCHECKED, ())
    assert set(flagged.unchecked) == {"GetBucketPolicy: denied (AccessDenied)", "GetBucketEncryption: denied (AccessDenied)"}
    assert flagged.details["versioning"] == "Enabled"  # what could be read still was


def test_an_absent_setting_is_a_problem_not_a_failed_check(aws, tmp_path):
    """NoSuchBucketPolicy is the API saying "no policy": a finding, not "could not check"."""
    _deployed("t1")
    boto3.client("s3", region_name=PRIMARY).delete_bucket_policy(Bucket=BUCKET)
    (flagged,) = _inventory(tmp_path).flagged
    assert (flagged.status, flagged.unchecked) == (Status.DRIFTED, ())


def test_a_stack_not_deployed_is_missing_and_a_denied_one_not_checked(aws, tmp_path):
    _deployed("t1")
    stacks = {"tenant-t1-primary": PRIMARY}
    assert _item(_inventory(tmp_path, stack_regions=stacks), "stack").status is Status.MISSING
    denied = _item(_inventory(tmp_path, stack_regions=stacks, session_for=_refusing(DescribeStacks="AccessDenied")), "stack")
    assert (denied.status, denied.unchecked) == (Status.UNCHECKED, ("DescribeStacks: denied (AccessDenied)",))


def test_a_denied_tag_search_is_not_checked(aws, tmp_path):
    _deployed("t1")
    inventory = _inventory(tmp_path, session_for=_refusing(GetResources="AccessDenied"))
    assert {(item.region, item.kind, item.status) for item in inventory.flagged} == {
        (PRIMARY, "tagged resources", Status.UNCHECKED),
        (SECONDARY, "tagged resources", Status.UNCHECKED),
    }


def test_an_unreadable_tenant_key_leaves_the_data_unchecked_not_foreign(aws, tmp_path):
    _deployed("t1")
    inventory = _inventory(tmp_path, session_for=_refusing(ListAliases="AccessDenied"))
    assert all(not item.problems for item in inventory.items), [i.as_dict() for i in inventory.flagged]
    keys = [item for item in inventory.items if item.kind == "kms key"]
    assert {item.status for item in keys} == {Status.UNCHECKED}
    bucket = _item(inventory, "bucket")
    assert bucket.status is Status.UNCHECKED
    assert bucket.unchecked[0].endswith("the tenant key could not be looked up")



def test_a_key_whose_owner_cannot_be_read_is_not_checked_and_neither_is_its_data(aws, tmp_path):
    """The alias' key tags denied and no stack to compare with: neither trusted nor called foreign."""
    _deployed("t1")
    inventory = _inventory(tmp_path, session_for=_refusing(ListResourceTags="AccessDeniedException"))
    assert all(not item.problems for item in inventory.items), [i.as_dict() for i in inventory.flagged]
    keys = [item for item in inventory.items if item.kind == "kms key"]
    assert {item.unchecked for item in keys} == {("ListResourceTags: denied (AccessDeniedException)",)}
    bucket = _item(inventory, "bucket")
    assert bucket.status is Status.UNCHECKED
    assert bucket.unchecked[0].endswith("its owner could not be verified")

# --- WAF lists page with NextMarker ---------------------------------------------------------------


def test_the_tenants_web_acl_and_ip_set_are_found_past_the_first_page(aws, tmp_path):
    """ListWebACLs and ListIPSets answer 100 per page (moto as AWS) and boto3 has no paginator."""
    _deployed("t1")
    waf = boto3.client("wafv2", region_name=PRIMARY)
    visibility = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
    for i in range(101):
        waf.create_web_acl(Name=f"other-{i:03}", Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=visibility)
        waf.create_ip_set(Name=f"other-{i:03}", Scope="REGIONAL", IPAddressVersion="IPV4", Addresses=["198.51.100.0/24"])
    waf.create_web_acl(Name="t1-acl", Scope="REGIONAL", DefaultAction={"Block": {}}, VisibilityConfig=visibility)
    waf.create_ip_set(Name="t1-v4", Scope="REGIONAL", IPAddressVersion="IPV4", Addresses=["192.0.2.0/24"])
    assert "t1-acl" not in {a["Name"] for a in waf.list_web_acls(Scope="REGIONAL")["WebACLs"]}  # not on page one
    templates = _templates()
    templates["tenant-t1-primary"]["Resources"].update(
        {
            "Acl": {"Type": "AWS::WAFv2::WebACL", "Properties": {"Name": "t1-acl"}},
            "V4": {"Type": "AWS::WAFv2::IPSet", "Properties": {"Name": "t1-v4", "Addresses": ["192.0.2.0/24"]}},
        }
    )
    inventory = _inventory(tmp_path, templates=templates)
    assert inventory.ok, [item.as_dict() for item in inventory.flagged]
    assert _item(inventory, "web acl").status is Status.OK
    assert _item(inventory, "ip set").details == {"addresses": 1}


# --- the key behind the alias must be the tenant's -------------------------------------------------


def _foreign_key(region: str, tag: str | None) -> str:
    kms = boto3.client("kms", region_name=region)
    tags = [{"TagKey": "tenantkit:tenant", "TagValue": tag}] if tag else []
    key = kms.create_key(Tags=tags)["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    return key["Arn"]


@pytest.mark.parametrize(("tag", "shown"), [("t2", "t2"), (None, "(none)")])
def test_an_alias_repointed_at_a_key_not_the_tenants_is_flagged_and_its_data_too(aws, tmp_path, tag, shown):
    _deployed("t1")
    foreign = _foreign_key(PRIMARY, tag)
    boto3.client("kms", region_name=PRIMARY).update_alias(AliasName="alias/tenantkit/t1", TargetKeyId=foreign)
    boto3.client("s3", region_name=PRIMARY).put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": foreign}}]},
    )
    inventory = _inventory(tmp_path)
    (key,) = [item for item in inventory.items if item.kind == "kms key" and item.region == PRIMARY]
    assert key.status is Status.DRIFTED
    assert key.problems == (f"the alias points at key {foreign.rsplit('/', 1)[-1]}, tagged tenantkit:tenant={shown}, not t1",)
    assert _item(inventory, "bucket").problems == (f"encrypted with {foreign}, not the tenant key",)


def _key_stack(region: str) -> str:
    """A deployed stack declaring the tenant key and its alias, as the primary stack does; the
    key's physical id."""
    # The policy as a JSON string: plain moto keeps a template's policy object as is and then fails
    # every DescribeKey (the sandbox's KMS extension serializes it).
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}]})
    template = {
        "Resources": {
            "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": policy}},
            "Alias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/tenantkit/t1", "TargetKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}},
        }
    }
    cloudformation = boto3.client("cloudformation", region_name=region)
    cloudformation.create_stack(StackName="tenant-t1-primary", TemplateBody=json.dumps(template))
    key_id = cloudformation.describe_stack_resource(StackName="tenant-t1-primary", LogicalResourceId="Key")["StackResourceDetail"]["PhysicalResourceId"]
    kms = boto3.client("kms", region_name=region)
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "tenantkit:tenant", "TagValue": "t1"}])
    kms.enable_key_rotation(KeyId=key_id)
    return key_id


def _key_templates() -> dict[str, dict]:
    alias = {"AliasName": "alias/tenantkit/t1", "TargetKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}
    return {"tenant-t1-primary": {"Resources": {"Key": {"Type": "AWS::KMS::Key"}, "Alias": {"Type": "AWS::KMS::Alias", "Properties": alias}}}}


def test_the_key_its_stack_declares_behind_the_alias_is_the_tenants(aws, tmp_path):
    _key_stack(PRIMARY)
    inventory = _inventory(tmp_path, templates=_key_templates(), stacks=("tenant-t1-primary",))
    key = _item(inventory, "kms key")
    assert key.status is Status.OK, key.as_dict()


def test_an_alias_repointed_away_from_the_key_its_stack_declares_is_flagged_even_if_tagged(aws, tmp_path):
    declared = _key_stack(PRIMARY)
    impostor = _foreign_key(PRIMARY, "t1")  # carries the tenant's tag, but no stack of it made it
    boto3.client("kms", region_name=PRIMARY).update_alias(AliasName="alias/tenantkit/t1", TargetKeyId=impostor)
    inventory = _inventory(tmp_path, templates=_key_templates(), stacks=("tenant-t1-primary",))
    key = _item(inventory, "kms key")
    assert key.problems == (f"the alias points at key {impostor.rsplit('/', 1)[-1]}, not the key {declared} its stack declares",)



# --- what the audit needs in force: parameters applied, incidents delivered ---------------------

PENDING_REBOOT = (
    "parameter group t1-audit is pending-reboot: its static parameters (pgaudit in shared_preload_libraries) "
    "are not in force until the instance is rebooted"
)


def _audited_instance() -> Any:
    """The tenant's instance on its own parameter group, applied (as a first deploy leaves it)."""
    rds = boto3.client("rds", region_name=PRIMARY)
    rds.create_db_parameter_group(DBParameterGroupName="t1-audit", DBParameterGroupFamily="postgres17", Description="d")
    rds.modify_db_instance(DBInstanceIdentifier="tenantkit-t1", DBParameterGroupName="t1-audit", ApplyImmediately=True)
    rds.reboot_db_instance(DBInstanceIdentifier="tenantkit-t1")
    return rds


def test_a_static_parameter_change_leaves_the_database_flagged_pending_reboot_until_rebooted(moto_with_extensions, tmp_path):
    _deployed("t1")
    rds = _audited_instance()
    assert _inventory(tmp_path).ok
    rds.modify_db_parameter_group(DBParameterGroupName="t1-audit", Parameters=[
        {"ParameterName": "shared_preload_libraries", "ParameterValue": "pg_stat_statements,pgaudit", "ApplyMethod": "pending-reboot"}])
    (flagged,) = _inventory(tmp_path).flagged
    assert (flagged.kind, flagged.name, flagged.problems) == ("database", "tenantkit-t1", (PENDING_REBOOT,))
    rds.reboot_db_instance(DBInstanceIdentifier="tenantkit-t1")
    assert _inventory(tmp_path).ok


def test_a_parameter_group_attached_and_not_yet_rebooted_is_flagged(moto_with_extensions, tmp_path):
    _deployed("t1")
    rds = boto3.client("rds", region_name=PRIMARY)
    rds.create_db_parameter_group(DBParameterGroupName="t1-audit", DBParameterGroupFamily="postgres17", Description="d")
    rds.modify_db_instance(DBInstanceIdentifier="tenantkit-t1", DBParameterGroupName="t1-audit", ApplyImmediately=True)
    (flagged,) = _inventory(tmp_path).flagged
    assert flagged.problems == (PENDING_REBOOT,)


def _with_incident_topic() -> dict[str, dict]:
    templates = _templates()
    templates["tenant-t1-primary"]["Resources"]["Incidents"] = {
        "Type": "AWS::SNS::Topic",
        "Properties": {"TopicName": "tenantkit-t1-incidents", "KmsMasterKeyId": _key_ref()},
    }
    return templates


def test_an_incident_subscription_still_pending_confirmation_is_flagged(moto_with_extensions, tmp_path):
    keys = _deployed("t1")
    sns = boto3.client("sns", region_name=PRIMARY)
    topic = sns.create_topic(Name="tenantkit-t1-incidents", Attributes={"KmsMasterKeyId": keys[PRIMARY]})["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")
    assert _inventory(tmp_path, templates=_with_incident_topic()).ok
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security@t1.invalid")  # mail nobody receives: never confirmed
    (flagged,) = _inventory(tmp_path, templates=_with_incident_topic()).flagged
    assert (flagged.kind, flagged.name) == ("topic", "tenantkit-t1-incidents")
    assert flagged.problems == (
        "subscription email:security@t1.invalid is still PendingConfirmation: nothing published reaches it",
    )
    assert {s["endpoint"]: s["confirmed"] for s in flagged.details["subscriptions"]} == {
        "oncall@example.com": True, "security@t1.invalid": False,
    }
