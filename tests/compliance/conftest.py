"""Small hand-made tenant assemblies for the tenant-isolation rules: one good, then broken copies."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tenantkit.compliance import StackTemplate, TenantAssembly

TENANT = "acme"
ZONE = frozenset({"us-east-1", "us-west-2"})
TAGS = [{"Key": "tenantkit:tenant", "Value": TENANT}]


def _key_and_alias(key_id: str) -> dict[str, Any]:
    return {
        key_id: {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True, "Tags": TAGS}},
        f"{key_id}Alias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": f"alias/tenantkit/{TENANT}", "TargetKeyId": {"Fn::GetAtt": [key_id, "Arn"]}},
        },
    }


def good_primary() -> dict[str, Any]:
    key = {"Fn::GetAtt": ["Key", "Arn"]}
    return {
        "Resources": {
            **_key_and_alias("Key"),
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"KmsKeyId": key, "Tags": TAGS}},
            "AccessLogs": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": "acme-logs-1-us-east-1",
                    "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                    "Tags": TAGS,
                },
            },
            "Data": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": "acme-data-1-us-east-1",
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
                        ]
                    },
                    "LoggingConfiguration": {"DestinationBucketName": {"Ref": "AccessLogs"}},
                    "ReplicationConfiguration": {
                        "Rules": [
                            {
                                "Destination": {
                                    "Bucket": {"Fn::Join": ["", ["arn:aws:s3:::acme-dr-", {"Ref": "AWS::AccountId"}, "-us-west-2"]]},
                                    "EncryptionConfiguration": {
                                        "ReplicaKmsKeyID": {
                                            "Fn::Join": ["", ["arn:aws:kms:us-west-2:", {"Ref": "AWS::AccountId"}, ":alias/tenantkit/acme"]]
                                        }
                                    },
                                }
                            }
                        ]
                    },
                    "Tags": TAGS,
                },
            },
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "KmsKeyId": key,
                    "EnablePerformanceInsights": True,
                    "PerformanceInsightsKMSKeyId": key,
                    "ManageMasterUserPassword": True,
                    "MasterUserSecret": {"KmsKeyId": key},
                    "Tags": TAGS,
                },
            },
            "Vault": {"Type": "AWS::Backup::BackupVault", "Properties": {"EncryptionKeyArn": key, "BackupVaultTags": {"tenantkit:tenant": TENANT}}},
            "Plan": {
                "Type": "AWS::Backup::BackupPlan",
                "Properties": {
                    "BackupPlan": {
                        "BackupPlanName": "tenantkit-acme-hourly",
                        "BackupPlanRule": [
                            {
                                "RuleName": "Hourly",
                                "ScheduleExpression": "cron(0 * * * ? *)",
                                "CopyActions": [
                                    {"DestinationBackupVaultArn": "arn:aws:backup:us-west-2:111122223333:backup-vault:tenantkit-acme-dr"}
                                ],
                            }
                        ],
                    },
                    "BackupPlanTags": {"tenantkit:tenant": TENANT},
                },
            },
            "Selection": {
                "Type": "AWS::Backup::BackupSelection",
                "Properties": {
                    "BackupPlanId": {"Ref": "Plan"},
                    "BackupSelection": {
                        "IamRoleArn": "arn:aws:iam::111122223333:role/backup",
                        "SelectionName": "tenant-data",
                        "Resources": [
                            {"Fn::Join": ["", ["arn:aws:rds:us-east-1:111122223333:db:", {"Ref": "Db"}]]},
                            {"Fn::GetAtt": ["Data", "Arn"]},
                        ],
                    },
                },
            },
            "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Data"}}},
        },
        "Outputs": {"Arn": {"Value": "arn:aws:sns:us-east-1:111122223333:tenantkit-acme-incidents"}},
    }


def good_dr() -> dict[str, Any]:
    return {
        "Resources": {
            **_key_and_alias("DrKey"),
            "DrBucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": {"Fn::Join": ["", ["acme-dr-", {"Ref": "AWS::AccountId"}, "-us-west-2"]]},
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["DrKey", "Arn"]}}}
                        ]
                    },
                    "Tags": TAGS,
                },
            }
        },
        "Outputs": {"ExportDrKey": {"Value": {"Fn::GetAtt": ["DrKey", "Arn"]}, "Export": {"Name": "tenant-acme-dr:DrKeyArn"}}},
    }


def good_replica() -> dict[str, Any]:
    return {
        "Resources": {
            "Replica": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "SourceDBInstanceIdentifier": "arn:aws:rds:us-east-1:111122223333:db:tenantkit-acme",
                    "KmsKeyId": {"Fn::ImportValue": "tenant-acme-dr:DrKeyArn"},
                    "Tags": TAGS,
                },
            }
        }
    }


def make_assembly(
    primary: dict | None = None,
    dr: dict | None = None,
    replica: dict | None = None,
    *,
    others: frozenset[str] = frozenset({"globex", "acme-eu"}),
    primary_region: str = "us-east-1",
) -> TenantAssembly:
    return TenantAssembly(
        tenant_id=TENANT,
        zone=ZONE,
        stacks=(
            StackTemplate("tenant-acme-dr", "us-west-2", dr or good_dr()),
            StackTemplate("tenant-acme-primary", primary_region, primary or good_primary()),
            StackTemplate("tenant-acme-replica", "us-west-2", replica or good_replica()),
        ),
        other_tenant_ids=others,
    )


@pytest.fixture
def assembly() -> TenantAssembly:
    return make_assembly()


@pytest.fixture
def primary() -> dict[str, Any]:
    return copy.deepcopy(good_primary())
