"""Drift in a real sandbox process, on one deployed tenant: each tamper (web ACL, bucket policy, key
policy, subscription, security group, vault access policy, replication rules) is flagged by `inventory`
with the declared and the actual value, `deploy --repair` writes the configuration back (a
drift-reverting change set) and `inventory` is clean again; objects under a foreign key are data,
listed by key and fixed by `--reencrypt` only."""

from __future__ import annotations

import json
import shutil

import boto3
import pytest

from tenantkit.lifecycle.deploy_local import StackOutcome
from tenantkit.lifecycle.inventory.objects import KIND as OBJECTS
from tenantkit.lifecycle.local import deploy_local, inventory_tenants, preview_local, reencrypt_tenants, repair_local
from tenantkit.naming import TenantNames
from tenantkit.sandbox import start_sandbox, stop_sandbox
from tests.conftest import EXAMPLE_CONFIGS

pytestmark = pytest.mark.slow
TENANT, ACCOUNT, REGION = "maple-ca", "111122223333", "ca-central-1"  # from tenant_configs/maple-ca.yaml
NAMES = TenantNames(tenant_id=TENANT, account=ACCOUNT, primary_region=REGION, secondary_region="ca-west-1")
SECURITY_EMAIL = "security@maple.example"  # contacts.security_email of the tenant file
PUBLIC_READ = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{NAMES.data_bucket}/*"}]}
EVERYONE_KMS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("drift")
    configs = root / "tenants"
    configs.mkdir()
    shutil.copy(EXAMPLE_CONFIGS / f"{TENANT}.yaml", configs)
    state = root / ".tenantkit"
    status, _ = start_sandbox(state)
    (deployed,) = deploy_local(configs, [TENANT], root / "cdk.out", state, concurrency=1)
    assert deployed.ok, deployed
    yield {"configs": configs, "out": root / "cdk.out", "state": state, "endpoint": status.endpoint}
    stop_sandbox(state)


OPEN_DB = {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def _client(sandbox, service, role_arn=f"arn:aws:iam::{ACCOUNT}:role/test"):
    """A client acting in the tenant's account (moto maps an assumed role's credentials to it)."""
    sts = boto3.client("sts", endpoint_url=sandbox["endpoint"], region_name="us-east-1")
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="tamper")["Credentials"]
    return boto3.client(
        service, endpoint_url=sandbox["endpoint"], region_name=REGION, aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"],
    )


def _inventory(sandbox):
    (found,) = inventory_tenants(sandbox["configs"], [TENANT], sandbox["out"], sandbox["state"], local=True)
    return found


def _problems(found, kind):
    return [problem for item in found.items if item.kind == kind for problem in item.problems]


def _tamper(sandbox) -> str:
    """Every tamper of the issue, done as someone with console access would; the foreign key's ARN."""
    s3, kms, sns, waf = (_client(sandbox, s) for s in ("s3", "kms", "sns", "wafv2"))
    (acl,) = [a for a in waf.list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"] == NAMES.web_acl]
    current = waf.get_web_acl(Name=acl["Name"], Scope="REGIONAL", Id=acl["Id"])
    kept = [rule for rule in current["WebACL"]["Rules"] if "GeoMatchStatement" not in str(rule["Statement"])]
    assert len(kept) < len(current["WebACL"]["Rules"]), "the tenant's web ACL has a geo rule to remove"
    waf.update_web_acl(Name=acl["Name"], Scope="REGIONAL", Id=acl["Id"], DefaultAction={"Allow": {}}, Rules=kept,
                       VisibilityConfig=current["WebACL"]["VisibilityConfig"], LockToken=current["LockToken"])
    s3.put_bucket_policy(Bucket=NAMES.data_bucket, Policy=json.dumps(PUBLIC_READ))
    tenant_key = kms.describe_key(KeyId=NAMES.key_alias)["KeyMetadata"]["KeyId"]
    kms.put_key_policy(KeyId=tenant_key, PolicyName="default", Policy=json.dumps(EVERYONE_KMS))
    topic = NAMES.incident_topic_arn(REGION)
    (mail,) = [s for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] if s["Endpoint"] == SECURITY_EMAIL]
    sns.unsubscribe(SubscriptionArn=mail["SubscriptionArn"])
    # the database opened to the internet; the vault's protections gone (its policy lets only the
    # offboarding role delete it, whose own policy allows that and no put); no replication to the DR region
    (db,) = _client(sandbox, "rds").describe_db_instances(DBInstanceIdentifier=NAMES.db_instance)["DBInstances"]
    _client(sandbox, "ec2").authorize_security_group_ingress(GroupId=db["VpcSecurityGroups"][0]["VpcSecurityGroupId"], IpPermissions=[OPEN_DB])
    _client(sandbox, "backup", NAMES.offboarding_role_arn).delete_backup_vault_access_policy(BackupVaultName=NAMES.backup_vault)
    s3.delete_bucket_replication(Bucket=NAMES.data_bucket)
    foreign = kms.create_key()["KeyMetadata"]["Arn"]
    s3.put_object(Bucket=NAMES.data_bucket, Key="export/customers.csv", Body=b"id,name\n", ServerSideEncryption="aws:kms", SSEKMSKeyId=foreign)
    return foreign


def test_each_tamper_is_flagged_with_both_values_repaired_and_the_data_reencrypted(sandbox):
    assert _inventory(sandbox).ok, [i.as_dict() for i in _inventory(sandbox).flagged]
    foreign = _tamper(sandbox)

    tampered = _inventory(sandbox)
    drift = "\n".join(_problems(tampered, "stack drift"))
    assert '/DefaultAction: declared {"Block": {}}, actual {"Allow": {}}' in drift
    assert "GeoMatchStatement" in drift.split("/Rules: declared", 1)[1].split(", actual", 1)[0]  # declared has it
    (bucket_policy,) = [line for line in drift.splitlines() if "/PolicyDocument: declared" in line]
    declared, actual = bucket_policy.split(": declared ", 1)[1].split(", actual ", 1)
    assert actual == json.dumps(PUBLIC_READ, sort_keys=True) and "aws:SecureTransport" in declared
    (key_policy,) = [line for line in drift.splitlines() if "/KeyPolicy: declared" in line]
    declared, actual = key_policy.split(": declared ", 1)[1].split(", actual ", 1)
    assert actual == json.dumps(EVERYONE_KMS, sort_keys=True) and f"arn:aws:iam::{ACCOUNT}:root" in declared
    assert "(AWS::SNS::Subscription): declared, deleted outside CloudFormation" in drift
    (ingress,) = [line for line in drift.splitlines() if "/SecurityGroupIngress: declared" in line]
    declared, actual = ingress.split(": declared ", 1)[1].split(", actual ", 1)
    assert '"Peer": "0.0.0.0/0"' in actual and "0.0.0.0/0" not in declared
    (vault_policy,) = [line for line in drift.splitlines() if "(AWS::Backup::BackupVault) /AccessPolicy: declared" in line]
    declared, actual = vault_policy.split(": declared ", 1)[1].split(", actual ", 1)
    assert actual == "null" and NAMES.offboarding_role_arn in declared
    (replication,) = [line for line in drift.splitlines() if "/ReplicationConfiguration: declared" in line]
    assert NAMES.dr_bucket in replication.split(", actual ", 1)[0] and replication.endswith(", actual null")
    (objects,) = [i for i in tampered.items if i.kind == OBJECTS and i.name == NAMES.data_bucket]
    assert objects.details["foreign"] == ["export/customers.csv"]
    assert objects.problems == (f"object export/customers.csv: declared aws:kms under the tenant key {objects.details['tenant_key']}, actual aws:kms under {foreign}",)

    # A preview compares templates: drift is invisible to it, which is why --repair exists.
    (preview,) = preview_local(sandbox["configs"], [TENANT], sandbox["out"], sandbox["state"])
    assert [(s.outcome, s.changes) for s in preview.stacks] == [(StackOutcome.UNCHANGED, ())] * 3

    (repaired,) = repair_local(
        deploy_local(sandbox["configs"], [TENANT], sandbox["out"], sandbox["state"], concurrency=1), sandbox["configs"], sandbox["state"]
    )
    reverted = {(c.resource_type, c.action) for s in repaired.stacks for c in s.changes}
    assert {("AWS::WAFv2::WebACL", "Revert"), ("AWS::S3::BucketPolicy", "Revert"), ("AWS::KMS::Key", "Revert"), ("AWS::SNS::Subscription", "Revert"),
            ("AWS::EC2::SecurityGroup", "Revert"), ("AWS::Backup::BackupVault", "Revert"), ("AWS::S3::Bucket", "Revert")} <= reverted
    after_repair = _inventory(sandbox)
    assert [i.as_dict() for i in after_repair.flagged] == [objects.as_dict()], "repair leaves the data alone"

    (done,) = reencrypt_tenants([after_repair], sandbox["configs"], sandbox["state"], local=True)
    assert (done.bucket, done.key, done.under) == (NAMES.data_bucket, "export/customers.csv", objects.details["tenant_key"])
    assert _inventory(sandbox).ok, [i.as_dict() for i in _inventory(sandbox).flagged]
