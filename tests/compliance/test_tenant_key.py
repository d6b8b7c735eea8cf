from __future__ import annotations

from tenantkit.compliance import Compliance, encryption_uses_tenant_key

from .conftest import good_replica, make_assembly


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
