"""tenantkit.aws: paging, ARN parsing, atomic writes and error classification."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.stub import Stubber
from moto import mock_aws

from tenantkit.aws import Arn, Failure, atomic_write, classify, pages, parse_arn

REGION = "eu-central-1"
VISIBILITY = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}


# --- pages -----------------------------------------------------------------------------------


@mock_aws
def test_pages_follows_wafv2_next_marker_past_the_first_page() -> None:
    """boto3 has no paginator for ListWebACLs; moto, like AWS, answers 100 per page by default."""
    waf = boto3.client("wafv2", region_name=REGION)
    assert not waf.can_paginate("list_web_acls")
    names = {f"other-{i:03}" for i in range(130)}
    for name in sorted(names):
        waf.create_web_acl(Name=name, Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=VISIBILITY)
    assert len(waf.list_web_acls(Scope="REGIONAL")["WebACLs"]) < len(names)  # one page is not all
    assert {acl["Name"] for acl in pages(waf, "list_web_acls", "WebACLs", Scope="REGIONAL")} == names


@mock_aws
def test_pages_follows_next_marker_of_ip_sets_with_a_small_limit() -> None:
    waf = boto3.client("wafv2", region_name=REGION)
    names = {f"set-{i}" for i in range(7)}
    for name in names:
        waf.create_ip_set(Name=name, Scope="REGIONAL", IPAddressVersion="IPV4", Addresses=["192.0.2.0/24"])
    assert {s["Name"] for s in pages(waf, "list_ip_sets", "IPSets", Scope="REGIONAL", Limit=3)} == names


@mock_aws
def test_pages_uses_the_boto3_paginator_where_there_is_one() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="paged")
    for i in range(5):
        s3.put_object(Bucket="paged", Key=f"k{i}", Body=b"x")
    keys = [o["Key"] for o in pages(s3, "list_objects_v2", "Contents", Bucket="paged", PaginationConfig={"PageSize": 2})]
    assert keys == [f"k{i}" for i in range(5)]


def test_pages_passes_next_token_back_as_next_token() -> None:
    """A Stubber (no moto needed to see the request): the second call must carry the token."""
    backup = boto3.client("backup", region_name=REGION)
    # list_backup_vaults has a paginator; pretend it has not, to exercise the NextToken path.
    backup.can_paginate = lambda operation: False  # type: ignore[method-assign]
    with Stubber(backup) as stub:
        stub.add_response("list_backup_vaults", {"BackupVaultList": [{"BackupVaultName": "a"}], "NextToken": "t1"}, {})
        stub.add_response("list_backup_vaults", {"BackupVaultList": [{"BackupVaultName": "b"}]}, {"NextToken": "t1"})
        assert [v["BackupVaultName"] for v in pages(backup, "list_backup_vaults", "BackupVaultList")] == ["a", "b"]
        stub.assert_no_pending_responses()


def test_pages_refuses_a_repeated_marker() -> None:
    waf = boto3.client("wafv2", region_name=REGION)
    with Stubber(waf) as stub:
        stub.add_response("list_web_acls", {"WebACLs": [], "NextMarker": "m"}, {"Scope": "REGIONAL"})
        stub.add_response("list_web_acls", {"WebACLs": [], "NextMarker": "m"}, {"Scope": "REGIONAL", "NextMarker": "m"})
        with pytest.raises(RuntimeError, match="twice"):
            list(pages(waf, "list_web_acls", "WebACLs", Scope="REGIONAL"))


# --- ARNs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "service", "region", "account", "resource_type", "resource_id"),
    [
        ("arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab", "kms", "eu-central-1", "123456789012", "key", "1234abcd-12ab"),
        ("arn:aws:kms:eu-central-1:123456789012:alias/tenantkit/acme", "kms", "eu-central-1", "123456789012", "alias", "tenantkit/acme"),
        ("arn:aws:rds:us-east-1:123456789012:db:acme-db", "rds", "us-east-1", "123456789012", "db", "acme-db"),
        ("arn:aws:logs:us-east-1:123456789012:log-group:/tenantkit/acme/app:*", "logs", "us-east-1", "123456789012", "log-group", "/tenantkit/acme/app:*"),
        ("arn:aws:sns:us-east-1:123456789012:acme-incidents", "sns", "us-east-1", "123456789012", "", "acme-incidents"),
        ("arn:aws:s3:::acme-data", "s3", "", "", "bucket", "acme-data"),
        ("arn:aws:s3:::acme-data/some/key", "s3", "", "", "object", "acme-data/some/key"),
        ("arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acme-acl/0a1b", "wafv2", "us-east-1", "123456789012", "webacl", "acme-acl/0a1b"),
        ("arn:aws:wafv2:us-east-1:123456789012:regional/ipset/acme-v4/0a1b", "wafv2", "us-east-1", "123456789012", "ipset", "acme-v4/0a1b"),
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", "iam", "", "aws", "policy", "ReadOnlyAccess"),
        ("arn:aws-cn:backup:cn-north-1:123456789012:backup-vault:acme-vault", "backup", "cn-north-1", "123456789012", "backup-vault", "acme-vault"),
    ],
)
def test_parse_arn(arn: str, service: str, region: str, account: str, resource_type: str, resource_id: str) -> None:
    parsed = parse_arn(arn)
    assert (parsed.service, parsed.region, parsed.account) == (service, region, account)
    assert (parsed.resource_type, parsed.resource_id) == (resource_type, resource_id)
    assert str(parsed) == arn


def test_parse_arn_keeps_the_partition() -> None:
    assert parse_arn("arn:aws-us-gov:s3:::b") == Arn("aws-us-gov", "s3", "", "", "b")


@pytest.mark.parametrize(
    "text",
    ["", "acme-data", "arn:aws:s3", "arn:aws:kms:eu-central-1:123456789012", "arn::kms:r:123456789012:key/x",
     "arn:aws::r:123456789012:key/x", "arn:aws:kms:r:123456789012:", "urn:aws:kms:r:123456789012:key/x",
     "arn:aws:kms:r:acme:key/x"],
)
def test_parse_arn_refuses_what_is_not_an_arn(text: str) -> None:
    with pytest.raises(ValueError, match="not an ARN"):
        parse_arn(text)


# --- atomic_write ----------------------------------------------------------------------------


def test_atomic_write_replaces_the_file_with_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")
    atomic_write(target, "new ✓", mode=0o600)
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    atomic_write(target, b"\x00bytes")
    assert target.read_bytes() == b"\x00bytes"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_atomic_write_fsyncs_the_file_and_its_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spy around the real os.fsync: one call for the data, one for the directory entry."""
    synced: list[bool] = []
    real_fsync = os.fsync

    def spy(descriptor: int) -> None:
        synced.append(stat.S_ISDIR(os.fstat(descriptor).st_mode))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", spy)
    atomic_write(tmp_path / "f", "x")
    assert synced == [False, True]


def test_atomic_write_leaves_the_old_file_and_no_temporary_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")

    def broken_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_disk)
    with pytest.raises(OSError, match="No space"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_atomic_write_into_a_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "nowhere" / "f", "x")
    assert list(tmp_path.iterdir()) == []


# --- classify --------------------------------------------------------------------------------


def _error(code: str, message: str = "", status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("NoSuchBucket", Failure.ABSENT), ("NoSuchBucketPolicy", Failure.ABSENT), ("404", Failure.ABSENT),
        ("DBInstanceNotFound", Failure.ABSENT), ("DBInstanceNotFoundFault", Failure.ABSENT),
        ("DBSnapshotNotFound", Failure.ABSENT), ("ResourceNotFoundException", Failure.ABSENT),
        ("WAFNonexistentItemException", Failure.ABSENT), ("NoSuchEntity", Failure.ABSENT),
        ("ParameterNotFound", Failure.ABSENT), ("NotFoundException", Failure.ABSENT),
        ("AccessDenied", Failure.DENIED), ("AccessDeniedException", Failure.DENIED),
        ("UnauthorizedOperation", Failure.DENIED), ("AuthorizationError", Failure.DENIED), ("403", Failure.DENIED),
        ("Throttling", Failure.THROTTLED), ("ThrottlingException", Failure.THROTTLED),
        ("TooManyRequestsException", Failure.THROTTLED), ("RequestLimitExceeded", Failure.THROTTLED),
        ("SlowDown", Failure.THROTTLED),
        ("InternalFailure", Failure.OTHER), ("WAFOptimisticLockException", Failure.OTHER),
        ("ValidationError", Failure.OTHER), ("InvalidParameterValue", Failure.OTHER),
    ],
)
def test_classify_by_error_code(code: str, expected: Failure) -> None:
    assert classify(_error(code)) is expected


def test_classify_cloudformation_validation_error_is_absent_only_when_it_says_so() -> None:
    assert classify(_error("ValidationError", "Stack with id acme-primary does not exist")) is Failure.ABSENT
    assert classify(_error("ValidationError", "Template format error")) is Failure.OTHER


def test_classify_takes_the_callers_absent_codes() -> None:
    error = _error("InvalidVpcID.NotFound")
    assert classify(error) is Failure.OTHER
    assert classify(error, absent={"InvalidVpcID.NotFound"}) is Failure.ABSENT


def test_classify_http_429_without_a_known_code_is_throttled() -> None:
    assert classify(_error("", status=429)) is Failure.THROTTLED


def test_classify_anything_but_a_client_error_is_other() -> None:
    assert classify(EndpointConnectionError(endpoint_url="https://kms.example")) is Failure.OTHER
    assert classify(KeyError("NoSuchBucket")) is Failure.OTHER


@mock_aws
def test_classify_what_moto_answers_for_missing_resources() -> None:
    """The codes come from the services' models, not from our list: check a few real answers."""
    calls = [
        lambda: boto3.client("s3", region_name="us-east-1").head_bucket(Bucket="absent-bucket"),
        lambda: boto3.client("rds", region_name=REGION).describe_db_instances(DBInstanceIdentifier="absent-db"),
        lambda: boto3.client("kms", region_name=REGION).describe_key(KeyId="alias/absent"),
        lambda: boto3.client("cloudformation", region_name=REGION).describe_stacks(StackName="absent-stack"),
        lambda: boto3.client("secretsmanager", region_name=REGION).describe_secret(SecretId="absent"),
        lambda: boto3.client("backup", region_name=REGION).describe_backup_vault(BackupVaultName="absent"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as caught:
            call()
        assert classify(caught.value) is Failure.ABSENT, caught.value
