"""WAF at offboarding, in-process moto with tenantkit's emulator extensions: the tenant's web ACL
and IP sets found beyond the first page of a region's lists (WAF answers 100 per page and boto3
has no paginator for them), and every association removed before the web ACL is deleted, for each
type of resource WAF associates and whatever created the association (not only `access.protect`)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from tenantkit.lifecycle.offboarding.resources import Scope
from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover
from tenantkit.naming import names_for
from tenantkit.sandbox.extensions import install
from tests.lifecycle.shared_session import RegionalSession

TENANT, ACCOUNT, PRIMARY, SECONDARY = "acme-corp", "123456789012", "us-east-1", "us-west-2"
NAMES = names_for(TENANT, ACCOUNT, PRIMARY, SECONDARY)
VISIBILITY = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
PAGE = 100
"""WAF's (and moto's) default page size for ListWebACLs and ListIPSets."""

RESOURCES = {
    "APPLICATION_LOAD_BALANCER": f"arn:aws:elasticloadbalancing:{PRIMARY}:{ACCOUNT}:loadbalancer/app/portal/0123456789abcdef",
    "API_GATEWAY": f"arn:aws:apigateway:{PRIMARY}::/restapis/a1b2c3d4e5/stages/prod",
    "APPSYNC": f"arn:aws:appsync:{PRIMARY}:{ACCOUNT}:apis/abcdefghijklmnopqrstuvwxyz",
    "COGNITO_USER_POOL": f"arn:aws:cognito-idp:{PRIMARY}:{ACCOUNT}:userpool/{PRIMARY}_AbCdEfGhI",
    "APP_RUNNER_SERVICE": f"arn:aws:apprunner:{PRIMARY}:{ACCOUNT}:service/portal/0123456789abcdef0123456789abcdef",
    "VERIFIED_ACCESS_INSTANCE": f"arn:aws:ec2:{PRIMARY}:{ACCOUNT}:verified-access-instance/vai-0123456789abcdef0",
}
"""One resource of each regional type WAF associates (WAF API reference, ListResourcesForWebACL)."""


@pytest.fixture(autouse=True)
def aws():
    install()
    with mock_aws():
        yield


def _scope() -> Scope:
    return Scope(NAMES, RegionalSession)


def _web_acl(waf, name: str) -> dict:
    return waf.create_web_acl(Name=name, Scope="REGIONAL", DefaultAction={"Block": {}}, VisibilityConfig=VISIBILITY)["Summary"]


def _ip_set(waf, name: str) -> dict:
    return waf.create_ip_set(Name=name, Scope="REGIONAL", IPAddressVersion="IPV4", Addresses=["192.0.2.0/24"])["Summary"]


def test_the_tenants_web_acl_and_ip_sets_are_found_past_the_first_page():
    waf = boto3.client("wafv2", region_name=PRIMARY)
    for index in range(PAGE + 1):  # other tenants' and applications', listed first
        _web_acl(waf, f"other-{index}")
        _ip_set(waf, f"other-{index}")
    acl = _web_acl(waf, NAMES.web_acl)
    ipv4 = _ip_set(waf, NAMES.ip_set("ipv4"))
    assert acl not in waf.list_web_acls(Scope="REGIONAL")["WebACLs"]  # one page would miss it

    found = {(t.kind, t.name, t.arn) for t in discover(_scope()).targets}
    assert found == {("web acl", NAMES.web_acl, acl["ARN"]), ("ip set", NAMES.ip_set("ipv4"), ipv4["ARN"])}


@pytest.mark.parametrize("resource_type", list(RESOURCES))
def test_an_association_of_each_resource_type_is_removed_before_the_web_acl_is_deleted(resource_type, tmp_path):
    """Associated by hand (as the application does through the published SSM parameter), not
    declared in `access.protect`: WAF refuses to delete a web ACL still associated."""
    waf = boto3.client("wafv2", region_name=PRIMARY)
    acl = _web_acl(waf, NAMES.web_acl)
    resource = RESOURCES[resource_type]
    waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=resource)

    plan = discover(_scope())
    assert [(t.kind, t.counts) for t in plan.targets] == [("web acl", {"associations": 1})]
    destroy(_scope(), Journal.open(tmp_path / "journal.json", tenant_id=TENANT, environment="test"), plan)
    assert waf.list_web_acls(Scope="REGIONAL")["WebACLs"] == []
    assert waf.get_web_acl_for_resource(ResourceArn=resource).get("WebACL") is None


def test_associations_of_every_type_at_once_are_counted_and_removed(tmp_path):
    waf = boto3.client("wafv2", region_name=PRIMARY)
    acl = _web_acl(waf, NAMES.web_acl)
    for resource in RESOURCES.values():
        waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=resource)

    plan = discover(_scope())
    assert [(t.kind, t.counts) for t in plan.targets] == [("web acl", {"associations": len(RESOURCES)})]
    destroy(_scope(), Journal.open(tmp_path / "journal.json", tenant_id=TENANT, environment="test"), plan)
    assert waf.list_web_acls(Scope="REGIONAL")["WebACLs"] == []
    assert [r for r in RESOURCES.values() if waf.get_web_acl_for_resource(ResourceArn=r).get("WebACL")] == []
