"""The tenant's WAF: block by default, countries first, managed rules, then the allow-list."""

from __future__ import annotations

import pytest

ACL = "FirewallWebAcl5A849C4E"


def _acl(examples, tenant):
    return examples.raw(f"tenant-{tenant}-primary")["Resources"][ACL]["Properties"]


def _rules(examples, tenant):
    return {rule["Name"]: rule for rule in _acl(examples, tenant)["Rules"]}


def test_regional_web_acl_blocks_by_default(examples):
    acl = _acl(examples, "maple-ca")
    assert (acl["Scope"], acl["DefaultAction"], acl["Name"]) == ("REGIONAL", {"Block": {}}, "tenantkit-maple-ca")


@pytest.mark.parametrize(
    ("tenant", "countries"),
    [("maple-ca", ["CA", "US"]), ("rhein-de", ["DE", "AT", "CH"]), ("polar-cg", ["CA"])],
)
def test_forged_waf_headers_then_countries_outside_the_allowed_list_are_blocked_first(examples, tenant, countries):
    forged, first = sorted(_acl(examples, tenant)["Rules"], key=lambda rule: rule["Priority"])[:2]
    assert forged["Name"] == "BlockForgedWafHeaders" and forged["Action"] == {"Block": {}}
    match = forged["Statement"]["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"HeaderOrder": {"OversizeHandling": "MATCH"}}
    assert (match["PositionalConstraint"], match["SearchString"]) == ("CONTAINS", "x-amzn-waf-")
    assert first["Name"] == "BlockOutsideAllowedCountries"
    assert first["Action"] == {"Block": {}}
    assert first["Statement"] == {
        "NotStatement": {"Statement": {"GeoMatchStatement": {"CountryCodes": countries}}}
    }


def test_managed_rule_groups_block_known_bad_inputs_then_common_exploits(examples):
    rules = sorted(_acl(examples, "maple-ca")["Rules"], key=lambda rule: rule["Priority"])
    managed = [r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in rules[2:4]]
    assert managed == ["AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesCommonRuleSet"]
    assert all(r["OverrideAction"] == {"None": {}} for r in rules[2:4])  # rule actions apply
    # Uploads over 8 KB would be blocked by the Common rule set: that one rule only counts.
    assert rules[3]["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"] == [
        {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}
    ]


@pytest.mark.parametrize("tenant", ["maple-ca", "northwind-us"])
def test_rate_limit_per_client_ip_and_reputation_groups_run_before_the_allow_list(examples, tenant):
    access = examples.configs[tenant].access
    rules = sorted(_acl(examples, tenant)["Rules"], key=lambda rule: rule["Priority"])
    names = [rule["Name"] for rule in rules]
    filters = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList", "RateLimitPerClientIp"]
    assert names[4:7] == filters and names[7] == "AllowListedNetworks"
    rate = rules[6]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"] == {
        "RateBasedStatement": {"AggregateKeyType": "IP", "Limit": access.rate_limit, "EvaluationWindowSec": 300}
    }
    settings = (access.managed_rules.ip_reputation, access.managed_rules.anonymous_ip)
    for rule, setting in zip(rules[4:6], settings, strict=True):
        assert rule["Statement"] == {
            "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": rule["Name"]}
        }
        assert rule["OverrideAction"] == ({"Count": {}} if setting.action == "count" else {"None": {}})


def test_allow_list_rule_allows_both_ip_sets(examples):
    rule = _rules(examples, "maple-ca")["AllowListedNetworks"]
    assert rule["Action"] == {"Allow": {}} and rule["Priority"] == 7
    statements = rule["Statement"]["OrStatement"]["Statements"]
    assert [s["IPSetReferenceStatement"]["Arn"]["Fn::GetAtt"][0] for s in statements] == [
        "FirewallAllowListIPV46B667CF3",
        "FirewallAllowListIPV682387F9D",
    ]


def test_ip_sets_hold_the_allowed_networks(examples, maple):
    maple.has_resource_properties(
        "AWS::WAFv2::IPSet",
        {"IPAddressVersion": "IPV4", "Addresses": ["198.51.100.0/24"], "Scope": "REGIONAL", "Name": "tenantkit-maple-ca-ipv4"},
    )
    maple.has_resource_properties(
        "AWS::WAFv2::IPSet",
        {"IPAddressVersion": "IPV6", "Addresses": ["2001:db8:200::/48"], "Scope": "REGIONAL", "Name": "tenantkit-maple-ca-ipv6"},
    )


def test_only_non_empty_ip_sets_exist(examples):
    polar = examples.template("tenant-polar-cg-primary")
    polar.resource_count_is("AWS::WAFv2::IPSet", 1)
    rule = _rules(examples, "polar-cg")["AllowListedNetworks"]
    assert "IPSetReferenceStatement" in rule["Statement"]


def test_roaming_tenant_allows_allowed_countries_marked_with_a_header(examples):
    rule = _rules(examples, "maple-ca")["AllowRoamingFromAllowedCountries"]
    assert rule["Priority"] == 8
    assert rule["Statement"] == {"GeoMatchStatement": {"CountryCodes": ["CA", "US"]}}
    assert rule["Action"]["Allow"]["CustomRequestHandling"] == {
        "InsertHeaders": [{"Name": "tenantkit-roaming", "Value": "true"}]
    }


def test_tenant_without_roaming_has_no_roaming_rule(examples):
    assert "AllowRoamingFromAllowedCountries" not in _rules(examples, "northwind-us")


def test_waf_logs_to_an_encrypted_aws_waf_logs_group(maple):
    maple.has_resource_properties(
        "AWS::Logs::LogGroup",
        {
            "LogGroupName": "aws-waf-logs-tenantkit-maple-ca",
            "KmsKeyId": {"Fn::GetAtt": ["TenantKey28C6FA36", "Arn"]},
        },
    )
    maple.has_resource_properties(
        "AWS::WAFv2::LoggingConfiguration",
        {
            "ResourceArn": {"Fn::GetAtt": [ACL, "Arn"]},
            "LogDestinationConfigs": [
                "arn:aws:logs:ca-central-1:111122223333:log-group:aws-waf-logs-tenantkit-maple-ca"
            ],
        },
    )


def test_web_acl_arn_is_published_as_output_and_parameter(maple):
    maple.has_output("WebAclArn", {"Value": {"Fn::GetAtt": [ACL, "Arn"]}})
    maple.has_resource_properties(
        "AWS::SSM::Parameter",
        {"Name": "/tenantkit/maple-ca/web-acl-arn", "Value": {"Fn::GetAtt": [ACL, "Arn"]}},
    )


def test_each_protected_resource_is_associated_in_its_region(examples):
    config = examples.configs["maple-ca"]
    for stack, region in (("tenant-maple-ca-primary", config.primary_region), ("tenant-maple-ca-dr", config.secondary_region)):
        template = examples.raw(stack)["Resources"]
        associations = [r["Properties"] for r in template.values() if r["Type"] == "AWS::WAFv2::WebACLAssociation"]
        expected = [arn for arn in config.access.protect if arn.split(":")[3] == region]
        assert expected, "maple-ca protects a resource in each region"
        assert [a["ResourceArn"] for a in associations] == expected
        (acl,) = [k for k, r in template.items() if r["Type"] == "AWS::WAFv2::WebACL"]
        assert all(a["WebACLArn"] == {"Fn::GetAtt": [acl, "Arn"]} for a in associations)


def test_the_dr_region_has_a_web_acl_with_the_same_rules(examples):
    def rules(stack):
        (acl,) = [r for r in examples.raw(stack)["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACL"]
        return [(rule["Name"], rule["Priority"]) for rule in acl["Properties"]["Rules"]]

    assert rules("tenant-maple-ca-dr") == rules("tenant-maple-ca-primary")
