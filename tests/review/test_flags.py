"""Each review flag, produced on a small hand-made assembly (no synthesis: fast): the good assembly
flags nothing in the section, and each weakening of it, one at a time, raises exactly the flag it
should, on the resource it weakened.

The backups section's flags are compared with the good assembly's own: its hourly rule is being
redefined (issue 17).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tenantkit.naming import stack_names
from tenantkit.review.sections import audit_logging, backups, compliance, encryption, iam, network, residency
from tenantkit.review.source import load_tenant_templates

TENANT = "acme"
ACCOUNT = "111122223333"
DR, PRIMARY, REPLICA = stack_names(TENANT)
REGIONS = {DR: "us-west-2", PRIMARY: "us-east-1", REPLICA: "us-west-2"}
KEY = {"Fn::GetAtt": ["Key", "Arn"]}
DR_KEY_IMPORT = {"Fn::ImportValue": f"{DR}:DrKeyArn"}
DR_ALIAS_ARN = f"arn:aws:kms:us-west-2:{ACCOUNT}:alias/tenantkit/{TENANT}"
BLOCK_PUBLIC = dict.fromkeys(("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True)
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-{ACCOUNT}-us-east-1"
ALB = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/acme/50dc6c495c0c9188"


def log_group(name: str, key: Any = KEY) -> dict[str, Any]:
    return {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": name, "KmsKeyId": key, "RetentionInDays": 365}}


def good_primary() -> dict[str, Any]:
    allow_root = {
        "Sid": "KeyAdministration",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["kms:Create*", "kms:Describe*", "kms:PutKeyPolicy"],
        "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": DEPLOYER}},
    }
    tagged_use = {
        "Sid": "TenantUse",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/tenantkit/{TENANT}/*"}},
    }
    return {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {"EnableKeyRotation": True, "KeyPolicy": {"Statement": [allow_root, tagged_use]}},
        },
        "KeyAlias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": f"alias/tenantkit/{TENANT}", "TargetKeyId": KEY}},
        "Data": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": f"acme-data-{ACCOUNT}-us-east-1",
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY}}
                ]},
                "LoggingConfiguration": {"DestinationBucketName": {"Ref": "AccessLogs"}, "LogFilePrefix": "data/"},
                "PublicAccessBlockConfiguration": dict(BLOCK_PUBLIC),
                "VersioningConfiguration": {"Status": "Enabled"},
                "ReplicationConfiguration": {"Rules": [{
                    "Id": "everything-to-dr",
                    "Status": "Enabled",
                    "Destination": {
                        "Bucket": f"arn:aws:s3:::acme-dr-{ACCOUNT}-us-west-2",
                        "EncryptionConfiguration": {"ReplicaKmsKeyID": DR_ALIAS_ARN},
                        "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
                    },
                }]},
            },
        },
        "AccessLogs": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]},
                "PublicAccessBlockConfiguration": dict(BLOCK_PUBLIC),
                "VersioningConfiguration": {"Status": "Enabled"},
                "LifecycleConfiguration": {"Rules": [{"ExpirationInDays": 365, "Status": "Enabled"}]},
            },
        },
        "DataPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "Data"}, "PolicyDocument": {"Statement": [{
                "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }]}},
        },
        "Db": {
            "Type": "AWS::RDS::DBInstance",
            "Properties": {
                "DBInstanceIdentifier": "tenantkit-acme",
                "StorageEncrypted": True,
                "KmsKeyId": KEY,
                "EnablePerformanceInsights": True,
                "PerformanceInsightsKMSKeyId": KEY,
                "EnableCloudwatchLogsExports": ["postgresql"],
                "PubliclyAccessible": False,
                "DeletionProtection": True,
                "BackupRetentionPeriod": 35,
            },
        },
        "DbLogs": log_group("/aws/rds/instance/tenantkit-acme/postgresql"),
        "Vault": {"Type": "AWS::Backup::BackupVault", "Properties": {"BackupVaultName": "tenantkit-acme", "EncryptionKeyArn": KEY}},
        "Plan": {
            "Type": "AWS::Backup::BackupPlan",
            "Properties": {"BackupPlan": {"BackupPlanName": "tenantkit-acme", "BackupPlanRule": [{
                "RuleName": "Daily",
                "ScheduleExpression": "cron(0 5 * * ? *)",
                "CopyActions": [{"DestinationBackupVaultArn": f"arn:aws:backup:us-west-2:{ACCOUNT}:backup-vault:tenantkit-acme-dr"}],
            }]}},
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "tenantkit-acme-incidents", "KmsMasterKeyId": KEY}},
        "Secret": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {
                "Name": "tenantkit/acme/database",
                "KmsKeyId": KEY,
                "ReplicaRegions": [{"Region": "us-west-2", "KmsKeyId": DR_ALIAS_ARN}],
            },
        },
        "Acl": {
            "Type": "AWS::WAFv2::WebACL",
            "Properties": {"Scope": "REGIONAL", "DefaultAction": {"Block": {}}, "Rules": [
                *({"Name": group, "Priority": number, "OverrideAction": {"None": {}},
                   "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group}}}
                  for number, group in enumerate(("AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList"))),
                {"Name": "RateLimit", "Priority": 2, "Action": {"Block": {}},
                 "Statement": {"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}}},
                {"Name": "AllowListed", "Priority": 3, "Action": {"Allow": {}},
                 "Statement": {"IPSetReferenceStatement": {"Arn": {"Fn::GetAtt": ["IpSet", "Arn"]}}}},
            ]},
        },
        "IpSet": {"Type": "AWS::WAFv2::IPSet", "Properties": {"IPAddressVersion": "IPV4", "Addresses": ["192.0.2.0/24"]}},
        "Association": {
            "Type": "AWS::WAFv2::WebACLAssociation",
            "Properties": {"ResourceArn": ALB, "WebACLArn": {"Fn::GetAtt": ["Acl", "Arn"]}},
        },
        "WafLogs": log_group("aws-waf-logs-tenantkit-acme"),
        "WafLogging": {
            "Type": "AWS::WAFv2::LoggingConfiguration",
            "Properties": {
                "ResourceArn": {"Fn::GetAtt": ["Acl", "Arn"]},
                "LogDestinationConfigs": [f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-tenantkit-acme"],
            },
        },
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "FlowLogs": log_group("/tenantkit/acme/flow-logs"),
        "FlowLog": {
            "Type": "AWS::EC2::FlowLog",
            "Properties": {"ResourceId": {"Ref": "Vpc"}, "LogGroupName": {"Ref": "FlowLogs"}, "TrafficType": "ALL"},
        },
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "MapPublicIpOnLaunch": False}},
        "DbSecurityGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"SecurityGroupIngress": [{"CidrIp": "10.0.0.0/16", "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432}]},
        },
        "BackupRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {"Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole",
                     "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}
                ]},
                "Policies": [{"PolicyName": "read-data", "PolicyDocument": {"Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::acme-data-{ACCOUNT}-us-east-1/*"}
                ]}}],
                "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"],
            },
        },
        "BackupRolePolicy": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"Roles": [{"Ref": "BackupRole"}], "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}
            ]}},
        },
    }


def good_dr() -> dict[str, Any]:
    dr_key = {"Fn::GetAtt": ["DrKey", "Arn"]}
    return {
        "DrKey": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}},
        "DrKeyAlias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": f"alias/tenantkit/{TENANT}", "TargetKeyId": dr_key}},
        "DrVault": {"Type": "AWS::Backup::BackupVault", "Properties": {"BackupVaultName": "tenantkit-acme-dr", "EncryptionKeyArn": dr_key}},
    }


def good_replica() -> dict[str, Any]:
    return {
        "Replica": {
            "Type": "AWS::RDS::DBInstance",
            "Properties": {
                "DBInstanceIdentifier": "tenantkit-acme-replica",
                "SourceDBInstanceIdentifier": f"arn:aws:rds:us-east-1:{ACCOUNT}:db:tenantkit-acme",
                "KmsKeyId": DR_KEY_IMPORT,
                "EnableCloudwatchLogsExports": ["postgresql"],
                "DeletionProtection": True,
            },
        },
        "ReplicaLogs": log_group("/aws/rds/instance/tenantkit-acme-replica/postgresql", DR_KEY_IMPORT),
    }


def write_assembly(
    directory: Path,
    resources: dict[str, dict[str, Any]],
    *,
    regions: dict[str, str] = REGIONS,
    residency: str | None = "us",
    metadata: dict[str, dict[str, list[dict[str, Any]]]] | None = None,
    validation_report: dict[str, Any] | None = None,
) -> Path:
    """A cloud assembly as `cdk synth` leaves it: manifest.json, one template per stack."""
    directory.mkdir()
    artifacts = {}
    for name, stack_resources in resources.items():
        template: dict[str, Any] = {"Resources": stack_resources}
        if name == DR:
            template["Outputs"] = {"DrKeyArn": {"Value": {"Fn::GetAtt": ["DrKey", "Arn"]}, "Export": {"Name": f"{DR}:DrKeyArn"}}}
        (directory / f"{name}.template.json").write_text(json.dumps(template))
        entries = {f"/{name}": [{"type": "aws:cdk:stack-tags", "data": [{"key": "tenantkit:residency", "value": residency}]}]}
        entries = {**(entries if residency else {}), **(metadata or {}).get(name, {})}
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": f"aws://{ACCOUNT}/{regions[name]}",
            "properties": {"templateFile": f"{name}.template.json"},
            "metadata": entries,
        }
    (directory / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": artifacts}))
    if validation_report is not None:
        (directory / "validation-report.json").write_text(json.dumps(validation_report))
    return directory


def good() -> dict[str, dict[str, Any]]:
    """The good assembly's resources, no part shared with another copy (each test weakens its own)."""
    return copy.deepcopy({DR: good_dr(), PRIMARY: good_primary(), REPLICA: good_replica()})


def flags_of(module: ModuleType, directory: Path, **templates_fields: Any) -> list[tuple[str, str, str]]:
    from dataclasses import replace

    templates = replace(load_tenant_templates(directory, TENANT), **templates_fields)
    return [(flag.stack, flag.logical_id, flag.message) for flag in module.build(templates).flags]


SECTIONS = (residency, encryption, network, audit_logging, iam)


@pytest.mark.parametrize("module", SECTIONS, ids=lambda m: m.ID)
def test_the_good_assembly_flags_nothing(module: ModuleType, tmp_path: Path) -> None:
    assert flags_of(module, write_assembly(tmp_path / "good", good())) == []


def _set(stack: str, logical_id: str, path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set (or, with value DELETE, remove) one property path of one resource."""

    def change(resources: dict[str, Any]) -> None:
        node = resources[stack][logical_id]["Properties"]
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        key: str | int = int(leaf) if leaf.isdigit() else leaf
        if value is DELETE:
            del node[key]
        else:
            node[key] = value

    return change


def _add(stack: str, logical_id: str, resource: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda resources: resources[stack].__setitem__(logical_id, resource)


def _remove(stack: str, logical_id: str) -> Callable[[dict[str, Any]], None]:
    return lambda resources: resources[stack].pop(logical_id)


def _both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(resources: dict[str, Any]) -> None:
        for one in changes:
            one(resources)

    return change


DELETE = object()
REPLICATION = "ReplicationConfiguration.Rules.0.Destination"
ANYONE = {"AWS": "*"}
OPEN_INGRESS = {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432}


def _statement(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme/*", **fields}


WEAKENINGS = [
    # residency: every copy of the data (bucket replication, backup copies, secret replicas) in the zone
    (residency, _set(PRIMARY, "Data", f"{REPLICATION}.Bucket", "arn:aws:s3:::acme-dr-1-eu-west-1"),
     (PRIMARY, "Data", "bucket replication to eu-west-1, outside the US regions")),
    (residency, _both(  # a destination bucket named without its region: the replica key's region
        _set(PRIMARY, "Data", f"{REPLICATION}.Bucket", "arn:aws:s3:::acme-dr"),
        _set(PRIMARY, "Data", f"{REPLICATION}.EncryptionConfiguration.ReplicaKmsKeyID", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/k"),
     ),
     (PRIMARY, "Data", "bucket replication to eu-west-1, outside the US regions")),
    (residency, _set(PRIMARY, "Data", REPLICATION, {"Bucket": "arn:aws:s3:::acme-dr"}),
     (PRIMARY, "Data", "bucket replication to an unknown region, outside the US regions")),
    (residency, _set(PRIMARY, "Plan", "BackupPlan.BackupPlanRule.0.CopyActions.0.DestinationBackupVaultArn",
                     f"arn:aws:backup:ca-central-1:{ACCOUNT}:backup-vault:x"),
     (PRIMARY, "Plan", "backup copy (Daily) to ca-central-1, outside the US regions")),
    (residency, _set(PRIMARY, "Secret", "ReplicaRegions.0.Region", "eu-west-1"),
     (PRIMARY, "Secret", "secret replica to eu-west-1, outside the US regions")),
    # encryption: each data store's key, each key's rotation and policy
    (encryption, _set(PRIMARY, "Db", "StorageEncrypted", False), (PRIMARY, "Db", "database storage: storage not encrypted")),
    (encryption, _set(PRIMARY, "Db", "KmsKeyId", DELETE), (PRIMARY, "Db", "database storage: no customer-managed key")),
    (encryption, _set(REPLICA, "Replica", "KmsKeyId", DELETE), (REPLICA, "Replica", "read replica storage: no customer-managed key")),
    (encryption, _set(PRIMARY, "Db", "PerformanceInsightsKMSKeyId", DELETE),
     (PRIMARY, "Db", "performance insights: no customer-managed key")),
    (encryption, _set(PRIMARY, "Vault", "EncryptionKeyArn", "arn:aws:kms:us-east-1:111122223333:alias/aws/backup"),
     (PRIMARY, "Vault", "backup vault: an AWS-managed key, not the tenant's")),
    (encryption, _set(PRIMARY, "FlowLogs", "KmsKeyId", {"Fn::GetAtt": ["Topic", "Arn"]}),
     (PRIMARY, "FlowLogs", "log group: not a KMS key")),
    (encryption, _set(PRIMARY, "Topic", "KmsMasterKeyId", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/someone-elses"),
     (PRIMARY, "Topic", "topic: a key the tenant's stacks do not create")),
    (encryption, _set(PRIMARY, "Secret", "KmsKeyId", DELETE), (PRIMARY, "Secret", "secret: no customer-managed key")),
    (encryption, _set(PRIMARY, "Secret", "ReplicaRegions.0", {"Region": "us-east-2", "KmsKeyId": f"arn:aws:kms:us-east-2:{ACCOUNT}:alias/tenantkit/acme"}),
     (PRIMARY, "Secret", "secret replica in us-east-2: no key of the tenant's stacks in us-east-2")),
    (encryption, _set(PRIMARY, "Data", "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault",
                      {"SSEAlgorithm": "AES256"}),
     (PRIMARY, "Data", "bucket: encrypted with an S3-managed key (AES256), not the tenant key")),
    (encryption, _set(PRIMARY, "Data", "BucketEncryption", DELETE), (PRIMARY, "Data", "bucket: no default encryption set")),
    (encryption, _set(PRIMARY, "AccessLogs", "BucketEncryption", DELETE),
     (PRIMARY, "AccessLogs", "access-log bucket: no default encryption set")),
    (encryption, _set(PRIMARY, "Data", "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID", DELETE),
     (PRIMARY, "Data", "bucket: no customer-managed key")),
    (encryption, _add(PRIMARY, "Queue", {"Type": "AWS::SQS::Queue", "Properties": {}}),
     (PRIMARY, "Queue", "queue: no customer-managed key")),
    (encryption, _add(PRIMARY, "Table", {"Type": "AWS::DynamoDB::Table", "Properties": {}}),
     (PRIMARY, "Table", "AWS::DynamoDB::Table: a data store the tenant stacks do not create")),
    (encryption, _set(DR, "DrKey", "EnableKeyRotation", False), (DR, "DrKey", "key rotation is off")),
    (encryption, _set(PRIMARY, "Key", "KeyPolicy.Statement.0.Action", "kms:*"),
     (PRIMARY, "Key", "key policy KeyAdministration: grants every KMS action, decrypting included")),
    (encryption, _set(PRIMARY, "Key", "KeyPolicy.Statement.1.Condition", DELETE),
     (PRIMARY, "Key", "key policy TenantUse: allows anyone, unconditionally")),
    (encryption, _set(PRIMARY, "Key", "KeyPolicy.Statement.1", {
        "Sid": "TenantUse", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:Decrypt",
        "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}}),
     (PRIMARY, "Key", "key policy TenantUse: grants a Decrypt-family action with no tenant condition (the tenant's role path, "
      "an encryption context or source ARN of its resources): any principal it names may decrypt the tenant's data")),
    (encryption, _set(PRIMARY, "Key", "KeyPolicy.Statement.1.Condition", {"StringEquals": {"aws:PrincipalTag/tenantkit:tenant": TENANT}}),
     (PRIMARY, "Key", "key policy TenantUse: grants a Decrypt-family action with no tenant condition (the tenant's role path, "
      "an encryption context or source ARN of its resources): any principal it names may decrypt the tenant's data")),
    (encryption, lambda resources: resources[PRIMARY]["Key"]["Properties"]["KeyPolicy"]["Statement"].append({
        "Sid": "EventsDescribe", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "kms:DescribeKey", "Resource": "*"}),
     (PRIMARY, "Key", "key policy EventsDescribe: a service principal with no aws:SourceAccount, aws:SourceArn or "
      "encryption-context condition: the service may use the key on behalf of any account (confused deputy)")),
    (encryption, _set(PRIMARY, "Key", "KeyPolicy.Statement.0.Condition", DELETE),
     (PRIMARY, "Key", "key policy KeyAdministration: any principal of the account whose IAM policy allows kms:PutKeyPolicy "
      "may rewrite this key's policy (no aws:PrincipalArn condition)")),
    # network: web ACLs, allow-lists, public endpoints
    (network, _set(PRIMARY, "Acl", "DefaultAction", {"Allow": {}}),
     (PRIMARY, "Acl", "default action is Allow: requests no rule blocks are let through")),
    (network, _remove(PRIMARY, "Association"),
     (PRIMARY, "Acl", "protects nothing: no resource is associated with this web ACL")),
    (network, _set(PRIMARY, "IpSet", "Addresses", ["192.0.2.0/24", "0.0.0.0/0"]),
     (PRIMARY, "IpSet", "allow-lists 0.0.0.0/0: every address")),
    (network, _set(PRIMARY, "IpSet", "Addresses", ["::/0"]), (PRIMARY, "IpSet", "allow-lists ::/0: every address")),
    (network, _set(PRIMARY, "Db", "PubliclyAccessible", True), (PRIMARY, "Db", "database is publicly accessible")),
    (network, _set(PRIMARY, "DbSecurityGroup", "SecurityGroupIngress.0", OPEN_INGRESS),
     (PRIMARY, "DbSecurityGroup", "ingress from 0.0.0.0/0 (tcp 5432-5432)")),
    (network, _set(PRIMARY, "DbSecurityGroup", "SecurityGroupIngress.0", {"CidrIpv6": "::/0", "IpProtocol": "-1"}),
     (PRIMARY, "DbSecurityGroup", "ingress from ::/0 (all traffic)")),
    (network, _add(PRIMARY, "Ingress", {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": OPEN_INGRESS}),
     (PRIMARY, "Ingress", "ingress from 0.0.0.0/0 (tcp 5432-5432)")),
    (network, _set(PRIMARY, "Subnet", "MapPublicIpOnLaunch", True),
     (PRIMARY, "Subnet", "subnet gives instances public IP addresses")),
    (network, _add(PRIMARY, "Gateway", {"Type": "AWS::EC2::InternetGateway"}), (PRIMARY, "Gateway", "an internet gateway")),
    (network, _add(PRIMARY, "Gateway6", {"Type": "AWS::EC2::EgressOnlyInternetGateway"}), (PRIMARY, "Gateway6", "an internet gateway")),
    (network, _add(PRIMARY, "Balancer", {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}}),
     (PRIMARY, "Balancer", "internet-facing load balancer")),
    (network, _add(PRIMARY, "Url", {"Type": "AWS::Lambda::Url", "Properties": {"AuthType": "NONE"}}),
     (PRIMARY, "Url", "function URL without authentication")),
    (network, _set(PRIMARY, "Data", "PublicAccessBlockConfiguration.RestrictPublicBuckets", False),
     (PRIMARY, "Data", "bucket without a full public access block")),
    (network, _set(PRIMARY, "DataPolicy", "PolicyDocument.Statement.0", _statement(Principal="*")),
     (PRIMARY, "DataPolicy", "policy allows anyone")),
    (network, _add(PRIMARY, "TopicPolicy", {"Type": "AWS::SNS::TopicPolicy", "Properties": {"PolicyDocument": {"Statement": [_statement(Principal=ANYONE)]}}}),
     (PRIMARY, "TopicPolicy", "policy allows anyone")),
    # audit logging: bucket access logs, WAF logs, database logs, VPC flow logs
    (audit_logging, _add(PRIMARY, "Uploads", {"Type": "AWS::S3::Bucket", "Properties": {}}),
     (PRIMARY, "Uploads", "bucket has no access logging")),
    (audit_logging, _remove(PRIMARY, "WafLogging"), (PRIMARY, "Acl", "web ACL has no logging")),
    (audit_logging, _set(PRIMARY, "WafLogging", "LogDestinationConfigs", [f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-x"]),
     (PRIMARY, "Acl", "logs go to aws-waf-logs-x, which the stacks do not create")),
    (audit_logging, _set(PRIMARY, "Db", "EnableCloudwatchLogsExports", []), (PRIMARY, "Db", "database exports no logs")),
    (audit_logging, _set(REPLICA, "ReplicaLogs", "KmsKeyId", DELETE),
     (REPLICA, "Replica", "log group /aws/rds/instance/tenantkit-acme-replica/postgresql: no customer-managed key")),
    (audit_logging, _remove(PRIMARY, "FlowLog"), (PRIMARY, "Vpc", "VPC has no flow log")),
    (audit_logging, _set(PRIMARY, "FlowLogs", "KmsKeyId", "alias/aws/logs"),
     (PRIMARY, "Vpc", "log group /tenantkit/acme/flow-logs: an AWS-managed key, not the tenant's")),
    # IAM: who may assume each role, wildcards in its inline and attached policies
    (iam, _set(PRIMARY, "BackupRole", "AssumeRolePolicyDocument.Statement.0", {"Effect": "Allow", "Principal": ANYONE, "Action": "sts:AssumeRole"}),
     (PRIMARY, "BackupRole", "anyone may assume this role")),
    (iam, _set(PRIMARY, "BackupRole", "AssumeRolePolicyDocument.Statement.0.Condition", DELETE),
     (PRIMARY, "BackupRole", "trust policy: the backup.amazonaws.com service may assume this role with no aws:SourceAccount "
      "or aws:SourceArn condition (confused deputy: on behalf of any account)")),
    (iam, _set(PRIMARY, "BackupRole", "Policies.0.PolicyDocument.Statement.0.Action", "*"),
     (PRIMARY, "BackupRole", "inline read-data (role BackupRole): wildcard action '*'")),
    (iam, _set(PRIMARY, "BackupRole", "Policies.0.PolicyDocument.Statement.0.Action", ["s3:GetObject", "s3:*"]),
     (PRIMARY, "BackupRole", "inline read-data (role BackupRole): wildcard action 's3:*'")),
    (iam, _set(PRIMARY, "BackupRole", "Policies.0.PolicyDocument.Statement.0", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::x"}),
     (PRIMARY, "BackupRole", "inline read-data (role BackupRole): NotAction: every action but the listed ones")),
    (iam, _set(PRIMARY, "BackupRolePolicy", "PolicyDocument.Statement.0.Resource", "*"),
     (PRIMARY, "BackupRolePolicy", "BackupRolePolicy (role BackupRole): wildcard resource '*'")),
    (iam, _set(PRIMARY, "BackupRolePolicy", "PolicyDocument.Statement.0", {"Effect": "Allow", "Action": "kms:Decrypt", "NotResource": "arn:aws:kms:*:*:key/x"}),
     (PRIMARY, "BackupRolePolicy", "BackupRolePolicy (role BackupRole): NotResource: every resource but the listed ones")),
    (iam, _add(PRIMARY, "InlinePolicy", {"Type": "AWS::IAM::Policy", "Properties": {
        "Roles": [{"Ref": "BackupRole"}], "PolicyName": "extra", "PolicyDocument": {"Statement": [_statement(Action="*")]}}}),
     (PRIMARY, "InlinePolicy", "InlinePolicy (role BackupRole): wildcard action '*'")),
]


def _label(case: tuple[ModuleType, Any, tuple[str, str, str]]) -> str:
    module, _, (_, logical_id, message) = case
    return f"{module.ID}: {logical_id}: {message[:50]}"


@pytest.mark.parametrize(("module", "weaken", "expected"), WEAKENINGS, ids=[_label(c) for c in WEAKENINGS])
def test_each_weakening_raises_its_flag(module: ModuleType, weaken: Callable[..., Any], expected: tuple[str, str, str], tmp_path: Path) -> None:
    resources = good()
    weaken(resources)
    assert flags_of(module, write_assembly(tmp_path / "weakened", resources)) == [expected]


@pytest.mark.parametrize(
    ("module", "weaken"),
    [
        pytest.param(encryption, _both(_set(PRIMARY, "Db", "EnablePerformanceInsights", False),
                                       _set(PRIMARY, "Db", "PerformanceInsightsKMSKeyId", DELETE)),
                     id="performance insights off: its key is not read"),
        pytest.param(encryption, _both(_set(PRIMARY, "Key", "KeyPolicy.Statement.0.Effect", "Deny"),
                                       _set(PRIMARY, "Key", "KeyPolicy.Statement.0.Action", "kms:*")),
                     id="a Deny of every KMS action is no grant"),
        pytest.param(encryption, _add(PRIMARY, "Queue", {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}}),
                     id="an extension's queue under the tenant key"),
        pytest.param(network, _add(PRIMARY, "Balancer", {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": "internal"}}),
                     id="internal load balancer"),
        pytest.param(network, _add(PRIMARY, "Url", {"Type": "AWS::Lambda::Url", "Properties": {"AuthType": "AWS_IAM"}}),
                     id="function URL with IAM auth"),
        pytest.param(iam, _set(PRIMARY, "BackupRole", "AssumeRolePolicyDocument.Statement.0", {
            "Effect": "Allow", "Principal": ANYONE, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalTag/tenantkit:tenant": TENANT}}}),
            id="anyone, on a condition"),
        pytest.param(iam, _set(PRIMARY, "BackupRole", "Policies.0.PolicyDocument.Statement.0", {"Effect": "Deny", "Action": "*", "Resource": "*"}),
                     id="a Deny of everything grants no wildcard"),
    ],
)
def test_what_looks_alike_but_is_safe_is_not_flagged(module: ModuleType, weaken: Callable[..., Any], tmp_path: Path) -> None:
    resources = good()
    weaken(resources)
    assert flags_of(module, write_assembly(tmp_path / "alike", resources)) == []


BACKUP_WEAKENINGS = [
    (_remove(PRIMARY, "Plan"), ("-", "-", "no backup plan")),
    (_set(PRIMARY, "Db", "DeletionProtection", False), (PRIMARY, "Db", "deletion protection is off")),
    (_set(REPLICA, "Replica", "DeletionProtection", DELETE), (REPLICA, "Replica", "deletion protection is off")),
    (_set(PRIMARY, "Db", "BackupRetentionPeriod", 0), (PRIMARY, "Db", "automated backups are off: no point-in-time restore")),
    (_set(PRIMARY, "Data", "ReplicationConfiguration.Rules.0.Status", "Disabled"),
     (PRIMARY, "Data", "replication rule everything-to-dr is disabled")),
    (_set(PRIMARY, "Data", f"{REPLICATION}.ReplicationTime", DELETE),
     (PRIMARY, "Data", "replication rule everything-to-dr has no Replication Time Control")),
    (_set(PRIMARY, "AccessLogs", "VersioningConfiguration", {"Status": "Suspended"}), (PRIMARY, "AccessLogs", "versioning is off")),
]


@pytest.mark.parametrize(("weaken", "expected"), BACKUP_WEAKENINGS, ids=[e[2] for _, e in BACKUP_WEAKENINGS])
def test_each_backup_weakening_adds_its_flag(weaken: Callable[..., Any], expected: tuple[str, str, str], tmp_path: Path) -> None:
    """Compared with the good assembly's flags: what the section says of the hourly schedule is
    being redefined (issue 17) and is left to its own tests."""
    before = flags_of(backups, write_assembly(tmp_path / "good", good()))
    resources = good()
    weaken(resources)
    after = flags_of(backups, write_assembly(tmp_path / "weakened", resources))
    assert [flag for flag in after if flag not in before] == [expected]


def test_a_stack_outside_the_zone_and_its_replica_are_flagged(tmp_path: Path) -> None:
    directory = write_assembly(tmp_path / "moved", good(), regions={**REGIONS, REPLICA: "eu-west-1"})
    assert flags_of(residency, directory) == [
        (REPLICA, "-", "deployed to eu-west-1, outside the US regions"),
        (REPLICA, "Replica", "read replica to eu-west-1, outside the US regions"),
    ]


def test_untagged_templates_have_no_zone_and_every_stack_is_flagged(tmp_path: Path) -> None:
    found = flags_of(residency, write_assembly(tmp_path / "untagged", good(), residency=None))
    message = "the templates name no single tenantkit:residency: no zone to hold the copies to"
    assert [(stack, lid, m) for stack, lid, m in found if m == message] == [(DR, "-", message), (PRIMARY, "-", message), (REPLICA, "-", message)]


def test_compliance_flags_unacknowledged_findings_warnings_rule_findings_and_lint(tmp_path: Path) -> None:
    resources = good()
    resources[PRIMARY]["Topic"]["Properties"]["TopicName"] = "tenantkit-globex-incidents"
    report = {"pluginReports": [{"violations": [{
        "ruleName": "AwsSolutions-S1", "description": "The S3 Bucket has server access logs disabled.\nmore",
        "violatingConstructs": [{"constructPath": f"{PRIMARY}/Data/Resource"}],
    }]}]}
    warning = {f"/{PRIMARY}/Data/Resource": [{"type": "aws:cdk:warning", "data": "a warning CDK left\nmore"}]}
    directory = write_assembly(tmp_path / "assembly", resources, metadata={PRIMARY: warning}, validation_report=report)
    lint = (f"cfn-lint W3005 at {PRIMARY}/Resources/Vault/DependsOn: obsolete DependsOn",)
    found = flags_of(compliance, directory, other_tenant_ids=frozenset({"globex"}), lint_findings=lint)
    assert (PRIMARY, "-", f"AwsSolutions-S1 at {PRIMARY}/Data/Resource: The S3 Bucket has server access logs disabled.") in found
    assert (PRIMARY, "-", f"CDK warning at /{PRIMARY}/Data/Resource: a warning CDK left") in found
    assert (PRIMARY, "Topic", f"names-no-other-tenant: {PRIMARY}/Topic: names tenant 'globex'") in found
    assert (PRIMARY, "Vault", lint[0]) in found


def test_compliance_flags_nothing_rules_and_lint_do_not_find(tmp_path: Path) -> None:
    found = flags_of(compliance, write_assembly(tmp_path / "assembly", good()), other_tenant_ids=frozenset({"globex"}), lint_findings=())
    assert not [flag for flag in found if flag[2].startswith("names-no-other-tenant") or flag[2].startswith("cfn-lint")]


def test_a_wildcard_resource_on_lambda_vpc_actions_alone_is_not_flagged_but_beside_another_action_it_is():
    from tenantkit.review.sections._words import wildcards

    vpc = {"Effect": "Allow", "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeSubnets"], "Resource": "*"}
    assert wildcards(vpc) == []
    assert wildcards({**vpc, "Action": [*vpc["Action"], "s3:GetObject"]}) == ["wildcard resource '*'"]
