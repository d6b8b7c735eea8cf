"""`access.protect` at offboarding: the application's resources are disassociated from the
tenant's web ACLs, never deleted, and the signed report names them (in-process moto with
tenantkit's emulator extensions; the values come from the tenant config)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from tenantkit.config import TenantConfig
from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover, now
from tenantkit.lifecycle.offboarding.service import Environment, build_report, scope_for
from tenantkit.sandbox.extensions import install
from tests.lifecycle.offboarding_tenant import sessions

ACCOUNT = "123456789012"
VISIBILITY = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}


@pytest.fixture(autouse=True)
def aws():
    install()
    with mock_aws():
        yield


def test_protected_resources_are_disassociated_not_deleted_and_named_in_the_report(tenant_data, tmp_path):
    load_balancer = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/portal/0123456789abcdef"
    config = TenantConfig.model_validate({**tenant_data, "account": ACCOUNT, "access": {**tenant_data["access"], "protect": [load_balancer]}})
    env = Environment("test", ACCOUNT, sessions(), "tester")
    scope = scope_for(config, env)
    waf = boto3.client("wafv2", region_name=config.primary_region)
    acl = waf.create_web_acl(Name=scope.names.web_acl, Scope="REGIONAL", DefaultAction={"Block": {}}, VisibilityConfig=VISIBILITY)["Summary"]
    waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=load_balancer)

    plan = discover(scope)
    (target,) = plan.targets
    assert (target.kind, target.counts) == ("web acl", {"associations": 1})
    journal = Journal.open(tmp_path / "journal.json", tenant_id=config.tenant_id, environment=env.name)
    journal.data.update(started_at=now(), operator=env.operator, forced=False, force_reason=None, retrieval_deadline=None)
    destroy(scope, journal, plan)
    assert waf.list_web_acls(Scope="REGIONAL")["WebACLs"] == []
    assert waf.get_web_acl_for_resource(ResourceArn=load_balancer).get("WebACL") is None

    journal.data["verification"] = {"ok": True, "checked_at": now(), "remaining": []}
    journal.data["completed_at"] = now()
    report = build_report(config, env, journal)
    assert report.left_to_application == tuple(config.access.protect)
    assert [(r.kind, r.arn, r.counts) for r in report.resources] == [("web acl", acl["ARN"], {"associations": 1})]
