"""Inventory: what exists for a tenant compared with its templates, in both regions, and nothing
of another tenant. Resources are made with boto3 in in-process moto, as a deploy would leave them."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from tenantkit.lifecycle.inventory import declared_resources, tenant_inventory

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


def _inventory(tmp_path):
    assembly = write_assembly(tmp_path, _templates())
    declared = declared_resources(assembly, STACKS, ACCOUNT)
    return tenant_inventory(
        "t1",
        declared,
        key_alias="alias/tenantkit/t1",
        session_for=lambda region: boto3.Session(region_name=region),
        stack_regions={},
    )


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


def test_deletion_protection_turned_off_is_flagged(aws, tmp_path):
    _deployed("t1")
    boto3.client("rds", region_name=PRIMARY).modify_db_instance(DBInstanceIdentifier="tenantkit-t1", DeletionProtection=False)
    (flagged,) = _inventory(tmp_path).flagged
    assert flagged.problems == ("deletion protection is off, declared on",)
