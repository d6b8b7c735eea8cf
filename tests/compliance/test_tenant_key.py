from __future__ import annotations

import pytest

from tenantkit.compliance import Compliance, encryption_uses_tenant_key

from .conftest import TAGS, good_primary, good_replica, make_assembly


def test_resources_encrypted_with_the_tenant_key_comply(assembly):
    assert encryption_uses_tenant_key(assembly).status is Compliance.COMPLIANT


def test_access_log_bucket_may_use_sse_s3(assembly):
    # S3 log delivery cannot write to SSE-KMS buckets; the good assembly has such a bucket.
    assert encryption_uses_tenant_key(assembly).ok


def test_log_group_without_a_key_is_non_compliant(primary):
    del primary["Resources"]["Logs"]["Properties"]["KmsKeyId"]
    result = encryption_uses_tenant_key(make_assembly(primary))
    assert result.status is Compliance.NON_COMPLIANT
    assert result.findings == ("tenant-acme-primary/Logs: KmsKeyId is not encrypted with a customer key",)


def test_key_of_another_tenant_is_non_compliant(primary):
    primary["Resources"]["Db"]["Properties"]["PerformanceInsightsKMSKeyId"] = (
        "arn:aws:kms:us-east-1:111122223333:alias/tenantkit/globex"
    )
    (finding,) = encryption_uses_tenant_key(make_assembly(primary)).findings
    assert "Db: PerformanceInsightsKMSKeyId uses arn:aws:kms:us-east-1:111122223333:alias/tenantkit/globex" in finding


def test_tenant_key_from_another_region_is_non_compliant(primary):
    primary["Resources"]["Vault"]["Properties"]["EncryptionKeyArn"] = (
        "arn:aws:kms:us-west-2:111122223333:alias/tenantkit/acme"
    )
    assert not encryption_uses_tenant_key(make_assembly(primary)).ok


def test_imported_key_must_come_from_the_same_region():
    replica = good_replica()
    replica["Resources"]["Replica"]["Properties"]["KmsKeyId"] = {"Fn::ImportValue": "somebody-else:Key"}
    assert not encryption_uses_tenant_key(make_assembly(replica=replica)).ok


def test_replication_must_reencrypt_with_the_dr_key(primary):
    rule = primary["Resources"]["Data"]["Properties"]["ReplicationConfiguration"]["Rules"][0]
    del rule["Destination"]["EncryptionConfiguration"]
    (finding,) = encryption_uses_tenant_key(make_assembly(primary)).findings
    assert "replication to acme-dr-${AWS.AccountId}-us-west-2" in finding


# Each branch the rule reads: a compliant case (the tenant key, where the good assembly has none
# of the kind) and a non-compliant one, made by weakening one property.

TENANT_KEY = {"Fn::GetAtt": ["Key", "Arn"]}
OTHER_KEY = "arn:aws:kms:us-east-1:111122223333:alias/tenantkit/globex"


def _with(primary, logical_id, resource_type, **properties):
    primary["Resources"][logical_id] = {"Type": resource_type, "Properties": {"Tags": [], **properties}}
    return primary


def _findings(primary=None, **stacks):
    return encryption_uses_tenant_key(make_assembly(primary, **stacks)).findings


@pytest.mark.parametrize(
    ("resource_type", "key_property"),
    [("AWS::SNS::Topic", "KmsMasterKeyId"), ("AWS::SecretsManager::Secret", "KmsKeyId"), ("AWS::SQS::Queue", "KmsMasterKeyId")],
)
def test_a_topic_a_secret_and_a_queue_are_read(primary, resource_type, key_property):
    assert _findings(_with(primary, "Thing", resource_type, **{key_property: TENANT_KEY})) == ()
    assert _findings(_with(primary, "Thing", resource_type)) == (
        f"tenant-acme-primary/Thing: {key_property} is not encrypted with a customer key",
    )
    assert _findings(_with(primary, "Thing", resource_type, **{key_property: OTHER_KEY})) == (
        f"tenant-acme-primary/Thing: {key_property} uses {OTHER_KEY}, not the tenant key in us-east-1",
    )


def test_a_database_without_a_storage_key_is_non_compliant(primary):
    del primary["Resources"]["Db"]["Properties"]["KmsKeyId"]
    assert _findings(primary) == ("tenant-acme-primary/Db: KmsKeyId is not encrypted with a customer key",)


def test_the_managed_master_password_secret_is_read(primary):
    primary["Resources"]["Db"]["Properties"]["MasterUserSecret"] = {}
    assert _findings(primary) == (
        "tenant-acme-primary/Db: MasterUserSecret.KmsKeyId is not encrypted with a customer key",
    )


def test_performance_insights_key_is_read_only_when_enabled(primary):
    primary["Resources"]["Db"]["Properties"]["PerformanceInsightsKMSKeyId"] = OTHER_KEY
    primary["Resources"]["Db"]["Properties"]["EnablePerformanceInsights"] = False
    assert _findings(primary) == ()


def test_a_backup_vault_without_a_key_is_non_compliant(primary):
    del primary["Resources"]["Vault"]["Properties"]["EncryptionKeyArn"]
    assert _findings(primary) == (
        "tenant-acme-primary/Vault: EncryptionKeyArn is not encrypted with a customer key",
    )


def test_a_bucket_without_default_encryption_is_non_compliant(primary):
    del primary["Resources"]["Data"]["Properties"]["BucketEncryption"]
    assert _findings(primary) == ("tenant-acme-primary/Data: BucketEncryption is not encrypted with a customer key",)


def test_a_data_bucket_with_an_s3_managed_key_is_non_compliant(primary):
    primary["Resources"]["Data"]["Properties"]["BucketEncryption"] = (
        primary["Resources"]["AccessLogs"]["Properties"]["BucketEncryption"]
    )
    assert _findings(primary) == (
        "tenant-acme-primary/Data: BucketEncryption.SSEAlgorithm=AES256 is not encrypted with a customer key",
    )


def test_an_access_log_bucket_may_skip_only_kms_not_encryption(primary):
    del primary["Resources"]["AccessLogs"]["Properties"]["BucketEncryption"]
    assert _findings(primary) == (
        "tenant-acme-primary/AccessLogs: BucketEncryption is not encrypted with a customer key",
    )


def test_a_bucket_encrypted_with_another_tenants_key_is_non_compliant(primary):
    default = primary["Resources"]["Data"]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    default["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] = OTHER_KEY
    (finding,) = _findings(primary)
    assert finding.startswith(f"tenant-acme-primary/Data: BucketEncryption.KMSMasterKeyID uses {OTHER_KEY}")


def test_a_key_is_the_tenants_by_its_alias_whether_by_ref_or_getatt(primary):
    primary["Resources"]["Logs"]["Properties"]["KmsKeyId"] = {"Ref": "Key"}
    assert _findings(primary) == ()
    primary["Resources"]["KeyAlias"]["Properties"]["AliasName"] = "alias/tenantkit/globex"
    assert "tenant-acme-primary/Logs: KmsKeyId uses ${Key}, not the tenant key in us-east-1" in _findings(primary)


def test_a_second_key_without_the_tenant_alias_is_not_the_tenant_key(primary):
    primary["Resources"]["Stray"] = {"Type": "AWS::KMS::Key", "Properties": {"Tags": TAGS}}
    primary["Resources"]["Logs"]["Properties"]["KmsKeyId"] = {"Fn::GetAtt": ["Stray", "Arn"]}
    assert _findings(primary) == ("tenant-acme-primary/Logs: KmsKeyId uses ${Stray.Arn}, not the tenant key in us-east-1",)


def test_an_imported_key_exported_from_another_region_is_non_compliant():
    replica = good_replica()
    primary = good_primary()
    primary["Outputs"]["ExportKey"] = {"Value": TENANT_KEY, "Export": {"Name": "tenant-acme-primary:KeyArn"}}
    replica["Resources"]["Replica"]["Properties"]["KmsKeyId"] = {"Fn::ImportValue": "tenant-acme-primary:KeyArn"}
    (finding,) = _findings(primary, replica=replica)
    assert finding.startswith("tenant-acme-replica/Replica: KmsKeyId uses ${Import:tenant-acme-primary:KeyArn}")


def test_replication_to_a_bucket_the_tenant_does_not_create_is_non_compliant(primary):
    destination = primary["Resources"]["Data"]["Properties"]["ReplicationConfiguration"]["Rules"][0]["Destination"]
    destination["Bucket"] = "arn:aws:s3:::somewhere-else"
    assert _findings(primary) == (
        "tenant-acme-primary/Data: replication to somewhere-else is not re-encrypted with the tenant key "
        "of the destination's region",
    )


def test_replication_reencrypted_with_the_key_of_the_source_region_is_non_compliant(primary):
    destination = primary["Resources"]["Data"]["Properties"]["ReplicationConfiguration"]["Rules"][0]["Destination"]
    destination["EncryptionConfiguration"]["ReplicaKmsKeyID"] = "arn:aws:kms:us-east-1:111122223333:alias/tenantkit/acme"
    (finding,) = _findings(primary)
    assert finding.startswith("tenant-acme-primary/Data: replication to acme-dr-${AWS.AccountId}-us-west-2")


def test_replication_reencrypted_with_the_source_regions_key_by_reference_is_non_compliant(primary):
    destination = primary["Resources"]["Data"]["Properties"]["ReplicationConfiguration"]["Rules"][0]["Destination"]
    destination["EncryptionConfiguration"]["ReplicaKmsKeyID"] = TENANT_KEY
    (finding,) = _findings(primary)
    assert finding.startswith("tenant-acme-primary/Data: replication to acme-dr-${AWS.AccountId}-us-west-2")
