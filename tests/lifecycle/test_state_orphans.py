"""Orphans: tenants deployed without a file, found by exact stack names and by the tenant tag
(moto), never by a prefix; keys pending deletion (what offboarding leaves) are not deployments."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from tenantkit.lifecycle.state.orphans import find_orphans
from tenantkit.naming import TAG_TENANT

TEMPLATE = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})


@pytest.fixture
def account():
    with mock_aws():
        yield lambda region: boto3.Session(region_name=region)


def _stack(region, name, tenant=None):
    tags = [{"Key": TAG_TENANT, "Value": tenant}] if tenant else []
    boto3.client("cloudformation", region_name=region).create_stack(StackName=name, TemplateBody=TEMPLATE, Tags=tags)


def test_a_stack_of_a_tenant_without_a_file_is_an_orphan_and_a_prefix_is_not_ownership(account):
    _stack("us-east-1", "tenant-acme-primary")
    _stack("us-east-1", "tenant-acmex-dr")  # starts with acme's prefix: tenant acmex's, not acme's
    _stack("us-east-1", "tenant-acme-extra")  # not a name tenantkit gives
    orphans = find_orphans(account, "123456789012", ["us-east-1", "us-west-2"], known={"acme"})
    assert [(o.tenant_id, o.evidence) for o in orphans] == [("acmex", "stack tenant-acmex-dr")]
    assert orphans[0].describe() == "acmex: deployed (stack tenant-acmex-dr in 123456789012 us-east-1) but no tenant file"


def test_a_resource_tagged_with_an_unknown_tenant_is_an_orphan(account):
    arn = boto3.client("sns", region_name="ca-central-1").create_topic(Name="t", Tags=[{"Key": TAG_TENANT, "Value": "ghost"}])["TopicArn"]
    (orphan,) = find_orphans(account, "123456789012", ["ca-central-1"], known={"acme"})
    assert (orphan.tenant_id, orphan.evidence, orphan.region) == ("ghost", arn, "ca-central-1")
    assert find_orphans(account, "123456789012", ["ca-central-1"], known={"ghost"}) == []


def test_a_key_pending_deletion_is_not_a_deployment(account):
    kms = boto3.client("kms", region_name="us-east-1")
    key = kms.create_key(Tags=[{"TagKey": TAG_TENANT, "TagValue": "gone"}])["KeyMetadata"]["KeyId"]
    assert [o.tenant_id for o in find_orphans(account, "123456789012", ["us-east-1"], known=set())] == ["gone"]
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=30)
    assert find_orphans(account, "123456789012", ["us-east-1"], known=set()) == []
