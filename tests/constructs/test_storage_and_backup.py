from __future__ import annotations

import pytest
from aws_cdk import Duration

from tenantkit.constructs.access_log_bucket import TenantAccessLogBucket, TenantAccessLogBucketProps
from tenantkit.constructs.backup import BackupTiers, TenantBackup, TenantBackupProps
from tenantkit.constructs.backup_vault import TenantBackupVault, TenantBackupVaultProps
from tenantkit.constructs.database import parameter_group_family
from tenantkit.constructs.incident_channel import TenantIncidentChannel, TenantIncidentChannelProps
from tenantkit.constructs.network import TenantNetwork, TenantNetworkProps
from tenantkit.constructs.tenant_roles import TenantPrincipals

from .conftest import template_of

PRINCIPALS = TenantPrincipals(
    role_arn_pattern="arn:aws:iam::123456789012:role/tenantkit/t1/*",
    deployment_role_arn="arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1",
    offboarding_role_arn="arn:aws:iam::123456789012:role/tenantkit/t1/tenantkit-t1-offboarding",
)
VAULT_ARNS = ["arn:aws:backup:us-east-1:123456789012:backup-vault:tenantkit-t1", "arn:aws:backup:us-west-2:123456789012:backup-vault:tenantkit-t1-dr"]


@pytest.fixture
def key(stack):
    from aws_cdk import aws_kms as kms

    return kms.Key(stack, "Key")


@pytest.mark.parametrize(("version", "family"), [("17.9", "postgres17"), ("13.20", "postgres13")])
def test_parameter_group_family_follows_the_major_version(version, family):
    assert parameter_group_family(version) == family


def test_access_log_bucket_keeps_acls_disabled(stack):
    TenantAccessLogBucket(stack, "Logs", TenantAccessLogBucketProps(bucket_name="t1-logs-1-us-east-1", principals=PRINCIPALS))
    (bucket,) = template_of(stack).find_resources("AWS::S3::Bucket").values()
    assert "AccessControl" not in bucket["Properties"]
    assert bucket["Properties"]["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def test_network_needs_two_availability_zones(stack, key):
    with pytest.raises(ValueError, match="az_count must be at least 2"):
        TenantNetwork(stack, "N", TenantNetworkProps(key=key, flow_log_group_name="/t1/flow", role_path="/tenantkit/t1/", az_count=1))


def test_network_uses_the_given_availability_zones(stack, key):
    TenantNetwork(
        stack, "N", TenantNetworkProps(key=key, flow_log_group_name="/t1/flow", role_path="/tenantkit/t1/", availability_zones=["us-east-1c", "us-east-1d"])
    )
    zones = sorted(s["Properties"]["AvailabilityZone"] for s in template_of(stack).find_resources("AWS::EC2::Subnet").values())
    assert zones == ["us-east-1c", "us-east-1d"]


def _channel_props(**overrides: object) -> TenantIncidentChannelProps:
    props: dict[str, object] = {
        "topic_name": "t1-incidents", "key_alias": "alias/tenantkit/t1/incidents",
        "deployment_role_arn": "arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1",
        "security_email": "sec@t1.example", "vault_arns": [VAULT_ARNS[0]],
        "alarm_arn_pattern": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:tenantkit-t1.*",
        "rule_arn_pattern": "arn:aws:events:us-east-1:123456789012:rule/tenantkit-t1.*",
    } | overrides  # fmt: skip
    return TenantIncidentChannelProps(**props)  # type: ignore[arg-type]


def test_vault_notifications_do_not_widen_the_key_policy(stack, key):
    channel = TenantIncidentChannel(stack, "I", _channel_props())
    TenantBackupVault(stack, "V", TenantBackupVaultProps(vault_name="t1", key=key, principals=PRINCIPALS, copy_targets=VAULT_ARNS, incident_topic=channel.topic))
    data_key = stack.resolve(key.key_id)["Ref"]  # the vault's (data) key, not the topic's own
    kms_key = template_of(stack).find_resources("AWS::KMS::Key")[data_key]
    backup_grants = [
        s for s in kms_key["Properties"]["KeyPolicy"]["Statement"] if s.get("Principal", {}).get("Service") == "backup.amazonaws.com"
    ]
    assert backup_grants == []


def test_incident_channel_rejects_a_non_address(stack, key):
    with pytest.raises(ValueError, match="not an e-mail address"):
        TenantIncidentChannel(stack, "I", _channel_props(topic_name="t", security_email="nobody"))


def test_backup_reports_every_problem_together(stack, key):
    vault = TenantBackupVault(stack, "V", TenantBackupVaultProps(vault_name="t1", key=key, principals=PRINCIPALS, copy_targets=VAULT_ARNS)).vault
    with pytest.raises(ValueError, match="resource_arns must name") as raised:
        TenantBackup(
            stack,
            "B",
            TenantBackupProps(
                plan_name="p", vault=vault, copy_vault_arn="t1-dr", resource_arns=[], role_path="/tenantkit/t1/",
                tiers=BackupTiers(
                    hourly=Duration.days(1), daily=Duration.days(1), copies=Duration.days(1),
                    continuous=Duration.days(36),
                ),
            ),
        )
    assert "resource_arns must name" in str(raised.value) and "copy_vault_arn must be an ARN" in str(raised.value)
    assert "the continuous tier keeps 1 to 35 days" in str(raised.value)


def test_bucket_reports_every_replication_problem_together(stack, key):
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sns as sns

    from tenantkit.constructs.bucket import ReplicaTarget, TenantBucket, TenantBucketProps

    with pytest.raises(ValueError, match="replica.bucket_arn must be an S3 bucket ARN") as raised:
        TenantBucket(
            stack,
            "B",
            TenantBucketProps(
                bucket_name="t1-data",
                key=key,
                access_logs=s3.Bucket(stack, "Logs"),
                incident_topic=sns.Topic(stack, "T"),
                noncurrent_versions_kept=Duration.days(1),
                key_alias_arn="arn:aws:kms:us-east-1:123456789012:alias/tenantkit/t1",
                principals=PRINCIPALS,
                role_path="/tenantkit/t1/",
                replica=ReplicaTarget(
                    bucket_arn="t1-dr", key_alias_arn="arn:aws:kms:us-west-2:1:key/abc",
                    key_arn_pattern="arn:aws:kms:us-west-2:1:key/*", key_alias="alias/tenantkit/t1", rule_id="r",
                ),
            ),
        )
    assert "replica.bucket_arn must be an S3 bucket ARN" in str(raised.value)
    assert "replica.key_alias_arn must be a KMS alias ARN" in str(raised.value)
