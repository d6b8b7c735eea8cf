from __future__ import annotations

import pytest

from tenantkit.constructs.firewall import ROAMING_HEADER, TenantFirewall, TenantFirewallProps

from .conftest import template_of


def _props(key, **overrides):
    values = {
        "name": "tenantkit-t1",
        "allowed_countries": ["US"],
        "ipv4_cidrs": ["192.0.2.0/24"],
        "ipv6_cidrs": [],
        "allow_roaming": False,
        "ip_set_name_of": {"ipv4": "t1-ipv4", "ipv6": "t1-ipv6"},
        "log_group_name": "aws-waf-logs-t1",
        "key": key,
        "rate_limit": 2000,
    }

    values.update(overrides)
    return TenantFirewallProps(**values)


@pytest.fixture
def key(stack):
    from aws_cdk import aws_kms as kms

    return kms.Key(stack, "Key")


def test_only_non_empty_ip_sets_are_created(stack, key):
    firewall = TenantFirewall(stack, "F", _props(key))
    template_of(stack).resource_count_is("AWS::WAFv2::IPSet", 1)
    assert list(firewall.ip_sets) == ["ipv4"]


def test_roaming_rule_inserts_the_roaming_header(stack, key):
    TenantFirewall(stack, "F", _props(key, allow_roaming=True))
    (acl,) = template_of(stack).find_resources("AWS::WAFv2::WebACL").values()
    roaming = acl["Properties"]["Rules"][-1]
    assert roaming["Name"] == "AllowRoamingFromAllowedCountries"
    assert roaming["Action"]["Allow"]["CustomRequestHandling"]["InsertHeaders"] == [
        {"Name": ROAMING_HEADER, "Value": "true"}
    ]


def test_logging_redacts_credentials(stack, key):
    TenantFirewall(stack, "F", _props(key))
    template_of(stack).has_resource_properties(
        "AWS::WAFv2::LoggingConfiguration",
        {"RedactedFields": [{"SingleHeader": {"Name": "authorization"}}, {"SingleHeader": {"Name": "cookie"}}]},
    )


def test_every_problem_in_the_props_is_reported_together(stack, key):
    with pytest.raises(ValueError, match="allowed_countries must not be empty") as raised:
        TenantFirewall(
            stack,
            "F",
            _props(
                key,
                allowed_countries=[],
                ipv4_cidrs=[],
                log_group_name="waf",
                rate_limit=9,
                counted_groups=frozenset({"AWSManagedRulesCommonRuleSet"}),
            ),
        )
    message = str(raised.value)
    assert "allowed_countries must not be empty" in message
    assert "at least one allowed network is required" in message
    assert "aws-waf-logs-" in message
    assert "rate_limit 9 is below AWS's minimum of 10" in message
    assert "only the reputation groups can be counted, not AWSManagedRulesCommonRuleSet" in message


def test_a_counted_reputation_group_only_counts(stack, key):
    TenantFirewall(stack, "F", _props(key, counted_groups=frozenset({"AWSManagedRulesAnonymousIpList"})))
    (acl,) = template_of(stack).find_resources("AWS::WAFv2::WebACL").values()
    overrides = {rule["Name"]: rule.get("OverrideAction") for rule in acl["Properties"]["Rules"]}
    assert overrides["AWSManagedRulesAnonymousIpList"] == {"Count": {}}
    assert overrides["AWSManagedRulesAmazonIpReputationList"] == {"None": {}}
