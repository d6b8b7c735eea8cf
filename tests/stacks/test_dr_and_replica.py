"""The DR stack (key, bucket, vault) and the replica stack (isolated VPC, read replica)."""

from __future__ import annotations

import pytest

DR_KEY = "DrKeyF4EB5F85"
DR_BUCKET = "DrBucket9AC30D6C"
REPLICA = "ReplicaDatabaseInstanceDD68A168"


@pytest.fixture(scope="module")
def dr(examples):
    return examples.template("tenant-maple-ca-dr")


@pytest.fixture(scope="module")
def replica_db(examples):
    return examples.raw("tenant-maple-ca-replica")["Resources"][REPLICA]


def test_dr_key_is_rotated_retained_and_aliased_like_the_primary(dr):
    from aws_cdk.assertions import Match

    dr.has_resource(
        "AWS::KMS::Key",
        {
            "Properties": Match.object_like({"EnableKeyRotation": True}),
            "DeletionPolicy": "RetainExceptOnCreate",
            "UpdateReplacePolicy": "Retain",
        },
    )
    dr.has_resource_properties(
        "AWS::KMS::Alias", {"AliasName": "alias/tenantkit/maple-ca", "TargetKeyId": {"Fn::GetAtt": [DR_KEY, "Arn"]}}
    )


def test_dr_bucket_is_the_named_replication_destination(examples):
    bucket = examples.raw("tenant-maple-ca-dr")["Resources"][DR_BUCKET]
    props = bucket["Properties"]
    assert props["BucketName"] == "maple-ca-dr-111122223333-ca-west-1"
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}  # required by replication
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Fn::GetAtt": [DR_KEY, "Arn"]}
    assert bucket["DeletionPolicy"] == "RetainExceptOnCreate"


def test_dr_vault_is_the_named_copy_destination_under_the_dr_key(dr):
    dr.has_resource(
        "AWS::Backup::BackupVault",
        {
            "Properties": {
                "BackupVaultName": "tenantkit-maple-ca-dr",
                "EncryptionKeyArn": {"Fn::GetAtt": [DR_KEY, "Arn"]},
                "BackupVaultTags": {"tenantkit:residency": "ca", "tenantkit:tenant": "maple-ca"},
                "Notifications": {
                    "BackupVaultEvents": [
                        "BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "S3_BACKUP_OBJECT_FAILED", "RESTORE_JOB_STARTED", "RESTORE_JOB_COMPLETED",
                    ],
                    "SNSTopicArn": {"Ref": "IncidentsTopic1CF18B78"},
                },
            },
            "DeletionPolicy": "RetainExceptOnCreate",
            "UpdateReplacePolicy": "Retain",
        },
    )


def test_replica_reads_from_the_primary_by_deterministic_arn(replica_db):
    props = replica_db["Properties"]
    assert props["SourceDBInstanceIdentifier"] == "arn:aws:rds:ca-central-1:111122223333:db:tenantkit-maple-ca"
    assert props["SourceRegion"] == "ca-central-1"  # CloudFormation needs it across regions
    assert props["DBInstanceIdentifier"] == "tenantkit-maple-ca-replica"


def test_replica_runs_on_the_class_the_config_names_for_it(examples, replica_db):
    config = examples.configs["maple-ca"]
    assert config.replica.instance_class is not None  # ca-west-1 offers no db.t4g
    assert replica_db["Properties"]["DBInstanceClass"] == config.replica.instance_class
    assert replica_db["Properties"]["MultiAZ"] is config.database.multi_az


def test_replica_is_encrypted_with_the_dr_key(replica_db):
    key = replica_db["Properties"]["KmsKeyId"]
    assert key["Fn::ImportValue"].startswith("tenant-maple-ca-dr:") and DR_KEY in key["Fn::ImportValue"]


def test_replica_forces_tls(examples):
    examples.template("tenant-maple-ca-replica").has_resource_properties(
        "AWS::RDS::DBParameterGroup", {"Family": "postgres17", "Parameters": {"rds.force_ssl": "1"}}
    )


def test_replica_is_private_protected_and_retained(replica_db):
    props = replica_db["Properties"]
    assert props["PubliclyAccessible"] is False
    assert props["DeletionProtection"] is True
    assert props["EnableIAMDatabaseAuthentication"] is True
    # CloudFormation ignores deletion policies on read replicas: deletion protection keeps it.
    assert replica_db["DeletionPolicy"] == "RetainExceptOnCreate"


def test_replica_network_is_isolated_in_the_secondary_region(examples):
    replica = examples.template("tenant-maple-ca-replica")
    replica.resource_count_is("AWS::EC2::InternetGateway", 0)
    replica.resource_count_is("AWS::EC2::NatGateway", 0)
    zones = sorted(
        s["Properties"]["AvailabilityZone"] for s in replica.find_resources("AWS::EC2::Subnet").values()
    )
    assert zones == ["ca-west-1a", "ca-west-1b"]


def test_the_replicas_backup_acknowledgment_claims_only_the_tiers_copied_to_its_region(examples):
    """The acknowledgment is evidence a reviewer reads: it names the tiers the primary's plan
    really copies into the DR vault (the config's copy_hourly), nothing more."""
    for tenant_id, config in examples.configs.items():
        replica = examples.app.node.find_child(f"tenant-{tenant_id}-replica").node.find_child("ReplicaDatabase")
        reasons = [
            reason
            for entry in replica.node.find_child("Instance").node.metadata
            if entry.type == "aws:cdk:acknowledged-rules"
            for rule, reason in entry.data.items()
            if rule.endswith("RDSInBackupPlan")
        ]
        expected = "hourly and daily" if config.backup.copy_hourly else "daily"
        assert reasons and all(f"copied into this region's DR vault: {expected}." in reason for reason in reasons)
