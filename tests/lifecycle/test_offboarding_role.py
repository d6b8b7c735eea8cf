"""The offboarding role deleted as the last step of a verified offboarding
(`tenantkit.lifecycle.offboarding.role`), under in-process moto: its policies first, then the role,
the deletion journaled (and saved) once IAM says it is gone; a rerun changes nothing; a refusal
leaves the journal without a record, so the run stays open."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from tenantkit.lifecycle.offboarding.role import JOURNAL_KEY, VERIFIED_BY, retire_offboarding_role, role_retired
from tenantkit.lifecycle.offboarding.run import Journal
from tenantkit.naming import TenantNames

NAMES = TenantNames(tenant_id="acme", account="123456789012", primary_region="us-east-1", secondary_region="us-west-2")
NEIGHBOUR = TenantNames(**{**NAMES.__dict__, "tenant_id": "acme-x"})
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}
EMPTY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}


def _role(iam, names: TenantNames) -> None:
    iam.create_role(RoleName=names.offboarding_role, Path=names.role_path, AssumeRolePolicyDocument=json.dumps(TRUST))
    policy = iam.create_policy(PolicyName=f"{names.offboarding_role}-access", PolicyDocument=json.dumps(EMPTY))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=names.offboarding_role, PolicyArn=policy)
    iam.put_role_policy(RoleName=names.offboarding_role, PolicyName="inline", PolicyDocument=json.dumps(EMPTY))


def _journal(tmp_path) -> Journal:
    return Journal.open(tmp_path / "acme.json", tenant_id="acme", environment="sandbox")


@pytest.fixture
def iam():
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def test_the_role_and_its_policies_are_deleted_and_journaled_and_the_neighbours_kept(iam, tmp_path):
    _role(iam, NAMES)
    _role(iam, NEIGHBOUR)
    journal = _journal(tmp_path)
    record = retire_offboarding_role(iam, NAMES, journal)
    assert (record["arn"], record["existed"], record["verified_by"]) == (NAMES.offboarding_role_arn, True, VERIFIED_BY)
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_role(RoleName=NAMES.offboarding_role)
    assert iam.get_role(RoleName=NEIGHBOUR.offboarding_role)["Role"]["Arn"] == NEIGHBOUR.offboarding_role_arn
    on_disk = json.loads(journal.path.read_text())
    assert on_disk[JOURNAL_KEY] == record and role_retired(_journal(tmp_path))


def test_a_rerun_makes_no_call_and_returns_the_journaled_record(iam, tmp_path):
    _role(iam, NAMES)
    journal = _journal(tmp_path)
    first = retire_offboarding_role(iam, NAMES, journal)
    with Stubber(iam) as stubber:  # any IAM call would fail: none is queued
        assert retire_offboarding_role(iam, NAMES, _journal(tmp_path)) == first
        stubber.assert_no_pending_responses()


def test_a_role_already_gone_is_journaled_as_such(iam, tmp_path):
    record = retire_offboarding_role(iam, NAMES, _journal(tmp_path))
    assert record["existed"] is False and record["arn"] == NAMES.offboarding_role_arn


def test_a_refused_deletion_raises_and_journals_nothing(tmp_path):
    iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    journal = _journal(tmp_path)
    with Stubber(iam) as stubber:
        stubber.add_response("list_attached_role_policies", {"AttachedPolicies": []}, {"RoleName": NAMES.offboarding_role})
        stubber.add_response("list_role_policies", {"PolicyNames": []}, {"RoleName": NAMES.offboarding_role})
        stubber.add_client_error("delete_role", "AccessDenied", http_status_code=403)
        with pytest.raises(ClientError, match="AccessDenied"):
            retire_offboarding_role(iam, NAMES, journal)
    assert not role_retired(journal) and not journal.path.exists()
