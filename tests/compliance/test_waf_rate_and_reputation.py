"""The rate rule and both reputation groups, ahead of the allow-list, in every tenant web ACL."""

from __future__ import annotations

from typing import Any

import pytest

from tenantkit.compliance import RULES, Compliance
from tenantkit.compliance.waf_rate_and_reputation import web_acls_limit_rate_and_filter_reputation

from .conftest import make_assembly

REPUTATION = "AWSManagedRulesAmazonIpReputationList"
ANONYMOUS = "AWSManagedRulesAnonymousIpList"


def _group(name: str, priority: int, override: str = "None") -> dict[str, Any]:
    return {
        "Name": name,
        "Priority": priority,
        "OverrideAction": {override: {}},
        "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}},
    }


def _rules() -> list[dict[str, Any]]:
    return [
        {"Name": "BlockOutsideAllowedCountries", "Priority": 0, "Action": {"Block": {}},
         "Statement": {"NotStatement": {"Statement": {"GeoMatchStatement": {"CountryCodes": ["US"]}}}}},
        _group(REPUTATION, 1),
        _group(ANONYMOUS, 2),
        {"Name": "RateLimitPerClientIp", "Priority": 3, "Action": {"Block": {}},
         "Statement": {"RateBasedStatement": {"AggregateKeyType": "IP", "Limit": 2000}}},
        {"Name": "AllowListedNetworks", "Priority": 4, "Action": {"Allow": {}},
         "Statement": {"IPSetReferenceStatement": {"Arn": "arn:aws:wafv2:us-east-1:1:regional/ipset/x/1"}}},
        {"Name": "AllowRoamingFromAllowedCountries", "Priority": 5, "Action": {"Allow": {}},
         "Statement": {"GeoMatchStatement": {"CountryCodes": ["US"]}}},
    ]


def _check(rules: list[dict[str, Any]]):
    template = {
        "Resources": {
            "Acl": {"Type": "AWS::WAFv2::WebACL", "Properties": {"DefaultAction": {"Block": {}}, "Rules": rules}}
        }
    }
    return web_acls_limit_rate_and_filter_reputation(make_assembly(template))


def _without(name: str) -> list[dict[str, Any]]:
    return [r for r in _rules() if r["Name"] != name]


def _moved_after_allow(name: str) -> list[dict[str, Any]]:
    rules = _rules()
    next(r for r in rules if r["Name"] == name)["Priority"] = 9
    return rules


def test_rate_rule_and_both_groups_ahead_of_the_allow_list_comply():
    assert _check(_rules()).status is Compliance.COMPLIANT


def test_a_group_set_to_count_still_complies():
    rules = _rules()
    rules[2] = _group(ANONYMOUS, 2, override="Count")
    assert _check(rules).status is Compliance.COMPLIANT


def test_a_template_without_a_web_acl_is_not_applicable():
    result = web_acls_limit_rate_and_filter_reputation(make_assembly({"Resources": {}}))
    assert result.status is Compliance.NOT_APPLICABLE


def test_the_rule_runs_with_the_tenant_rules():
    assert web_acls_limit_rate_and_filter_reputation in RULES


@pytest.mark.parametrize(
    ("rules", "finding"),
    [
        pytest.param(_without("RateLimitPerClientIp"), "no rule applies a rate limit per client IP", id="no rate rule"),
        pytest.param(_without(REPUTATION), f"no rule applies {REPUTATION}", id="no reputation group"),
        pytest.param(_without(ANONYMOUS), f"no rule applies {ANONYMOUS}", id="no anonymous group"),
        pytest.param(
            _moved_after_allow("RateLimitPerClientIp"),
            "a rate limit per client IP runs after an Allow rule (priority 4)",
            id="rate rule after allow",
        ),
        pytest.param(
            _moved_after_allow(REPUTATION), f"{REPUTATION} runs after an Allow rule (priority 4)", id="reputation after allow"
        ),
        pytest.param(
            _moved_after_allow(ANONYMOUS), f"{ANONYMOUS} runs after an Allow rule (priority 4)", id="anonymous after allow"
        ),
    ],
)
def test_a_missing_or_late_filter_is_non_compliant(rules, finding):
    result = _check(rules)
    assert result.status is Compliance.NON_COMPLIANT
    assert result.findings == (f"tenant-acme-primary/Acl: {finding}",)


def test_a_rate_rule_keyed_on_something_else_than_the_client_ip_does_not_count():
    rules = _rules()
    rules[3]["Statement"]["RateBasedStatement"]["AggregateKeyType"] = "CONSTANT"
    assert _check(rules).findings == ("tenant-acme-primary/Acl: no rule applies a rate limit per client IP",)


def test_a_rate_rule_that_only_counts_does_not_count():
    rules = _rules()
    rules[3]["Action"] = {"Count": {}}
    assert _check(rules).findings == ("tenant-acme-primary/Acl: no rule applies a rate limit per client IP",)


def test_a_group_of_another_vendor_does_not_count():
    rules = _rules()
    rules[1]["Statement"]["ManagedRuleGroupStatement"]["VendorName"] = "SomeVendor"
    assert _check(rules).findings == (f"tenant-acme-primary/Acl: no rule applies {REPUTATION}",)
