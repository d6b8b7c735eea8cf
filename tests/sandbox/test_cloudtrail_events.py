"""The sandbox's CloudTrail journal (tenantkit/sandbox/extensions/cloudtrail_events.py), in-process:
AssumeRole recorded with its session tags; the calls a sandbox principal makes recorded with the
evaluator's decision; management events served by LookupEvents, data events delivered as log
files to the trails whose selectors take them, and only there."""

from __future__ import annotations

import gzip
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tenantkit.sandbox.extensions import install

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/tenantkit/acme/breakglass"
SELECTORS = [
    {"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
    {"Name": "objects", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::acme-data/"]}]},
]
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*",
                                                                                  "arn:aws:s3:::other-data/*"]},
    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:acme-*"},
]}


@pytest.fixture
def world():
    install()
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in ("acme-data", "other-data", "audit-logs", "other-logs"):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket="acme-data", Key="file.txt", Body=b"hello")
        s3.put_object(Bucket="other-data", Key="file.txt", Body=b"hello")
        secrets = boto3.client("secretsmanager", region_name=REGION)
        secrets.create_secret(Name="acme-master", SecretString="pw")
        secrets.create_secret(Name="zeta-master", SecretString="pw")
        cloudtrail = boto3.client("cloudtrail", region_name=REGION)
        cloudtrail.create_trail(Name="audit", S3BucketName="audit-logs")
        cloudtrail.put_event_selectors(TrailName="audit", AdvancedEventSelectors=SELECTORS)
        cloudtrail.start_logging(Name="audit")
        iam = boto3.client("iam", region_name=REGION)
        iam.create_role(Path="/tenantkit/acme/", RoleName="breakglass", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}))
        iam.put_role_policy(RoleName="breakglass", PolicyName="access", PolicyDocument=json.dumps(POLICY))
        answer = boto3.client("sts", region_name=REGION).assume_role(
            RoleArn=ROLE_ARN, RoleSessionName="alice", DurationSeconds=900, Tags=[{"Key": "reason", "Value": "INC-1"}])
        credentials = answer["Credentials"]
        session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                                aws_session_token=credentials["SessionToken"], region_name=REGION)
        yield {"session": session, "key": credentials["AccessKeyId"], "s3": s3, "cloudtrail": cloudtrail}


def _records(s3, bucket: str) -> list[dict]:
    found = []
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        assert item["Key"].startswith(f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/"), item["Key"]
        found += json.loads(gzip.decompress(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()))["Records"]
    return found


def _lookup(cloudtrail, key: str, value: str) -> list[dict]:
    events = cloudtrail.lookup_events(LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}])["Events"]
    return [json.loads(event["CloudTrailEvent"]) for event in events]


def test_assume_role_is_found_by_the_role_arn_with_its_session_tags_and_key(world):
    (record,) = _lookup(world["cloudtrail"], "ResourceName", ROLE_ARN)
    assert record["eventName"] == "AssumeRole"
    assert record["requestParameters"]["tags"] == [{"key": "reason", "value": "INC-1"}]
    assert (record["requestParameters"]["roleSessionName"], record["requestParameters"]["durationSeconds"]) == ("alice", 900)
    assert record["responseElements"]["credentials"]["accessKeyId"] == world["key"]
    assert record["responseElements"]["assumedRoleUser"]["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/breakglass/alice"


def test_the_sessions_calls_are_found_by_its_key_a_refused_one_marked(world):
    secrets = world["session"].client("secretsmanager")
    assert secrets.get_secret_value(SecretId="acme-master")["SecretString"] == "pw"
    with pytest.raises(ClientError) as refused:
        secrets.get_secret_value(SecretId="zeta-master")
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    records = _lookup(world["cloudtrail"], "AccessKeyId", world["key"])
    assert [(r["eventName"], r["resources"][0]["ARN"].split(":")[-1][:11], r.get("errorCode")) for r in records] == [
        ("GetSecretValue", "zeta-master", "AccessDenied"), ("GetSecretValue", "acme-master", None)]  # newest first
    assert {r["userIdentity"]["arn"] for r in records} == {f"arn:aws:sts::{ACCOUNT}:assumed-role/breakglass/alice"}
    assert {r["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] for r in records} == {ROLE_ARN}


def test_object_reads_go_to_the_log_files_of_the_trail_that_covers_the_bucket_not_to_lookup_events(world):
    s3 = world["session"].client("s3")
    assert s3.get_object(Bucket="acme-data", Key="file.txt")["Body"].read() == b"hello"
    assert s3.get_object(Bucket="other-data", Key="file.txt")["Body"].read() == b"hello"  # no trail covers it
    data = [r for r in _records(world["s3"], "audit-logs") if r["eventCategory"] == "Data"]
    assert [(r["eventName"], r["resources"][0]["ARN"], r["userIdentity"]["accessKeyId"]) for r in data] == [
        ("GetObject", "arn:aws:s3:::acme-data/file.txt", world["key"])]
    assert [r["eventName"] for r in _lookup(world["cloudtrail"], "AccessKeyId", world["key"])] == []


def test_management_events_also_go_to_the_trail_and_a_trail_not_logging_gets_nothing(world):
    cloudtrail = world["cloudtrail"]
    cloudtrail.create_trail(Name="stopped", S3BucketName="other-logs")
    world["session"].client("secretsmanager").get_secret_value(SecretId="acme-master")
    assert "GetSecretValue" in [r["eventName"] for r in _records(world["s3"], "audit-logs")]
    assert world["s3"].list_objects_v2(Bucket="other-logs").get("KeyCount", 0) == 0


def test_lookup_events_pages_by_fifty_at_most_and_takes_one_attribute(world):
    secrets = world["session"].client("secretsmanager")
    for _ in range(3):
        secrets.get_secret_value(SecretId="acme-master")
    first = world["cloudtrail"].lookup_events(MaxResults=2)
    assert len(first["Events"]) == 2 and first["NextToken"]
    rest = world["cloudtrail"].lookup_events(MaxResults=2, NextToken=first["NextToken"])
    assert len(rest["Events"]) == 2 and "NextToken" not in rest  # 3 reads and the AssumeRole
    with pytest.raises(ClientError) as two:
        world["cloudtrail"].lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "A"},
                                                            {"AttributeKey": "Username", "AttributeValue": "B"}])
    assert two.value.response["Error"]["Code"] == "InvalidLookupAttributesException"
