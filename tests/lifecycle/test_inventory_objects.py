"""Data is not configuration: a sample of recent objects checked against their bucket's declared
encryption, objects under a foreign key listed by key, and re-encrypted in place by --reencrypt."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from tenantkit.lifecycle.inventory import Inventory
from tenantkit.lifecycle.inventory.checks import TenantKeys
from tenantkit.lifecycle.inventory.objects import object_sample, reencrypt

REGION, BUCKET = "us-east-1", "t1-data"
KMS_BUCKET = {"BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}}
S3_MANAGED_BUCKET = {"BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}


@pytest.fixture
def aws():
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        kms = boto3.client("kms", region_name=REGION)
        yield s3, kms.create_key()["KeyMetadata"]["Arn"], kms.create_key()["KeyMetadata"]["Arn"]


def _sample(props, tenant, **kwargs):
    return object_sample(boto3.Session(region_name=REGION), REGION, BUCKET, props, TenantKeys(frozenset({tenant})), tenant, **kwargs)


def test_objects_under_the_tenant_key_are_as_declared(aws):
    s3, tenant, _ = aws
    s3.put_object(Bucket=BUCKET, Key="a", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=tenant)
    item = _sample(KMS_BUCKET, tenant)
    assert not item.flagged and item.details["sampled"] == 1


def test_an_object_under_a_foreign_key_is_listed_by_key_with_both_keys(aws):
    s3, tenant, foreign = aws
    s3.put_object(Bucket=BUCKET, Key="ok", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=tenant)
    s3.put_object(Bucket=BUCKET, Key="export.csv", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=foreign)
    item = _sample(KMS_BUCKET, tenant)
    assert item.details["foreign"] == ["export.csv"]
    assert item.problems == (f"object export.csv: declared aws:kms under the tenant key {tenant}, actual aws:kms under {foreign}",)


def test_an_object_under_s3_managed_keys_in_a_kms_bucket_is_foreign(aws):
    s3, tenant, _ = aws
    s3.put_object(Bucket=BUCKET, Key="plain", Body=b"x", ServerSideEncryption="AES256")
    item = _sample(KMS_BUCKET, tenant)
    assert item.details["foreign"] == ["plain"] and item.problems[0].endswith("actual AES256")


def test_an_s3_managed_bucket_accepts_s3_managed_objects(aws):
    s3, tenant, _ = aws
    s3.put_object(Bucket=BUCKET, Key="log", Body=b"x", ServerSideEncryption="AES256")
    item = _sample(S3_MANAGED_BUCKET, tenant)
    assert not item.flagged and item.details["foreign"] == []


def test_only_the_most_recent_objects_are_sampled(aws):
    s3, tenant, _ = aws
    for index in range(3):
        s3.put_object(Bucket=BUCKET, Key=f"o{index}", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=tenant)
    item = _sample(KMS_BUCKET, tenant, sample=2)
    assert (item.details["sampled"], item.details["of"]) == (2, 3)


def test_reencrypt_puts_each_foreign_object_under_the_tenant_key_in_place(aws):
    s3, tenant, foreign = aws
    s3.put_object(Bucket=BUCKET, Key="export.csv", Body=b"id,name\n", ServerSideEncryption="aws:kms", SSEKMSKeyId=foreign, Metadata={"owner": "ops"})
    inventory = Inventory("t1", [_sample(KMS_BUCKET, tenant)])
    (done,) = reencrypt(inventory, lambda region: boto3.Session(region_name=region))
    assert (done.bucket, done.key, done.under) == (BUCKET, "export.csv", tenant)
    head = s3.head_object(Bucket=BUCKET, Key="export.csv")
    assert head["SSEKMSKeyId"] == tenant and head["Metadata"] == {"owner": "ops"}
    assert s3.get_object(Bucket=BUCKET, Key="export.csv")["Body"].read() == b"id,name\n"
    assert not _sample(KMS_BUCKET, tenant).flagged
