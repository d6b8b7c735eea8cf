"""S3 replication performed by the sandbox (`extensions/s3_replication.py`), through boto3 under
in-process moto. (That plain moto replicates nothing is asserted in `test_extensions.py`.)"""

from __future__ import annotations

import boto3
import pytest

REGION, DR_REGION = "us-east-1", "us-west-2"
pytestmark = pytest.mark.usefixtures("moto_with_extensions")


def _pair(prefix: str = "", delete_markers: str = "Enabled", status: str = "Enabled") -> tuple[object, object, str]:
    """A versioned source bucket replicating to a versioned replica in the DR region under the DR
    region's key (given by alias, as tenantkit's buckets do): (source client, replica client, key ARN)."""
    kms = boto3.client("kms", region_name=DR_REGION)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/dr", TargetKeyId=key)
    s3, dr = boto3.client("s3", region_name=REGION), boto3.client("s3", region_name=DR_REGION)
    s3.create_bucket(Bucket="source")
    dr.create_bucket(Bucket="replica", CreateBucketConfiguration={"LocationConstraint": DR_REGION})
    for client, bucket in ((s3, "source"), (dr, "replica")):
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    rule = {"ID": "all", "Status": status, "Priority": 1, "Filter": {"Prefix": prefix},
            "DeleteMarkerReplication": {"Status": delete_markers},
            "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
            "Destination": {"Bucket": "arn:aws:s3:::replica",
                            "EncryptionConfiguration": {"ReplicaKmsKeyID": f"arn:aws:kms:{DR_REGION}:123456789012:alias/dr"}}}  # fmt: skip
    s3.put_bucket_replication(Bucket="source", ReplicationConfiguration={"Role": "arn:aws:iam::123456789012:role/r", "Rules": [rule]})
    return s3, dr, key


def test_new_objects_and_copies_are_replicated_under_the_replica_key():
    s3, dr, key = _pair()
    s3.put_object(Bucket="source", Key="a", Body=b"first")
    s3.copy_object(Bucket="source", Key="b", CopySource={"Bucket": "source", "Key": "a"})
    assert dr.get_object(Bucket="replica", Key="a")["Body"].read() == b"first"
    assert dr.get_object(Bucket="replica", Key="b")["Body"].read() == b"first"
    assert dr.head_object(Bucket="replica", Key="a")["SSEKMSKeyId"] == key


def test_delete_markers_are_replicated_only_when_the_rule_says_so_and_version_deletes_never():
    s3, dr, _ = _pair()
    version = s3.put_object(Bucket="source", Key="a", Body=b"first")["VersionId"]
    s3.delete_object(Bucket="source", Key="a")
    assert [m["Key"] for m in dr.list_object_versions(Bucket="replica").get("DeleteMarkers", [])] == ["a"]
    s3.delete_object(Bucket="source", Key="a", VersionId=version)
    assert [v["Key"] for v in dr.list_object_versions(Bucket="replica")["Versions"]] == ["a"]


def test_without_delete_marker_replication_the_replica_keeps_the_object():
    s3, dr, _ = _pair(delete_markers="Disabled")
    s3.put_object(Bucket="source", Key="a", Body=b"first")
    s3.delete_object(Bucket="source", Key="a")
    assert dr.get_object(Bucket="replica", Key="a")["Body"].read() == b"first"


@pytest.mark.parametrize(("prefix", "status"), [("logs/", "Enabled"), ("", "Disabled")])
def test_keys_outside_the_filter_or_a_disabled_rule_are_not_replicated(prefix, status):
    s3, dr, _ = _pair(prefix=prefix, status=status)
    s3.put_object(Bucket="source", Key="data/a", Body=b"first")
    assert dr.list_objects_v2(Bucket="replica")["KeyCount"] == 0
