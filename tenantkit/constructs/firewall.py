from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from aws_cdk import ArnFormat, CfnResource, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from tenantkit.constructs.log_group import TenantLogGroup, TenantLogGroupProps

ROAMING_HEADER = "tenantkit-roaming"  # WAF sends it as x-amzn-waf-tenantkit-roaming: true
WAF_HEADER_PREFIX = "x-amzn-waf-"
"""WAF prefixes every header it inserts with this; a client sending one could forge the mark."""
MANAGED_RULE_GROUPS = (
    # Known Bad Inputs blocks Log4j (JNDI lookups) and other exploit payloads.
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesCommonRuleSet",
)
REPUTATION_RULE_GROUPS = (
    # Both run ahead of the allow-list and roaming rules, so no allowed country lets a flagged
    # address or a VPN/hosting range through. Capacity: 25 and 50 WCU
    # (https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-ip-rep.html);
    # with the rate rule (2), the Common (700) and Known Bad Inputs (200) groups and the rest, the
    # ACL needs about 1,000 WCU: under the 1,500 included in the web ACL's base price, far from the
    # 5,000 maximum (https://docs.aws.amazon.com/waf/latest/developerguide/aws-waf-capacity-units.html,
    # https://docs.aws.amazon.com/waf/latest/developerguide/limits.html).
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
)
RATE_LIMIT_RULE = "RateLimitPerClientIp"
RATE_WINDOW_SECONDS = 300
"""AWS's default evaluation window (60, 120, 300 or 600 are valid)."""
MIN_RATE_LIMIT = 10
"""AWS WAF's lowest rate limit (WAF Developer Guide, "Rate-based rule high-level settings")."""
COUNTED_MANAGED_RULES = {
    # The Common rule set blocks request bodies over 8 KB: every file upload would fail. Counted
    # (logged, visible in metrics) instead of blocked.
    "AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",),
}


@dataclass(frozen=True, kw_only=True)
class TenantFirewallProps:
    name: str
    allowed_countries: Sequence[str]
    ipv4_cidrs: Sequence[str]
    ipv6_cidrs: Sequence[str]
    allow_roaming: bool
    ip_set_name_of: dict[str, str]
    """`ipv4`/`ipv6` -> IP set name."""
    log_group_name: str
    key: kms.IKey
    rate_limit: int
    """Requests per client IP per 5 minutes; above it, that address is blocked."""
    counted_groups: frozenset[str] = frozenset()
    """Reputation groups (of `REPUTATION_RULE_GROUPS`) set to count instead of block."""
    protect: Sequence[str] = ()
    """ARNs of the application's resources in this region that the web ACL is associated with."""


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


class TenantFirewall(Construct):
    """The tenant's web ACL: blocks by default; blocks countries outside the allowed list, then
    known-bad inputs (Log4j) and common exploits, then flagged and anonymous (VPN, hosting)
    addresses and any client IP above the rate limit; allows only the allow-listed networks (and, with
    roaming, allowed countries, marked by a header); every request logged, encrypted."""

    def __init__(self, scope: Construct, id: str, props: TenantFirewallProps) -> None:
        super().__init__(scope, id)
        problems = []
        if not props.allowed_countries:
            problems.append("allowed_countries must not be empty")
        if not props.ipv4_cidrs and not props.ipv6_cidrs:
            problems.append("at least one allowed network is required")
        if not props.log_group_name.startswith("aws-waf-logs-"):
            problems.append("WAF logs only to log groups named aws-waf-logs-*")
        if props.rate_limit < MIN_RATE_LIMIT:
            problems.append(f"rate_limit {props.rate_limit} is below AWS's minimum of {MIN_RATE_LIMIT}")
        if unknown := sorted(set(props.counted_groups) - set(REPUTATION_RULE_GROUPS)):
            problems.append(f"only the reputation groups can be counted, not {', '.join(unknown)}")
        if problems:
            raise ValueError("; ".join(problems))

        self.ip_sets: dict[str, wafv2.CfnIPSet] = {}
        for version, cidrs in (("ipv4", props.ipv4_cidrs), ("ipv6", props.ipv6_cidrs)):
            if cidrs:
                self.ip_sets[version] = wafv2.CfnIPSet(
                    self,
                    f"AllowList{version.upper()}",
                    name=props.ip_set_name_of[version],
                    scope="REGIONAL",
                    ip_address_version=version.upper(),
                    addresses=list(cidrs),
                    description=f"{props.name}: allowed {version} networks",
                )
        references = [
            wafv2.CfnWebACL.StatementProperty(
                ip_set_reference_statement=wafv2.CfnWebACL.IPSetReferenceStatementProperty(
                    arn=ip_set.attr_arn
                )
            )
            for ip_set in self.ip_sets.values()
        ]
        allow_listed = (
            references[0]
            if len(references) == 1
            else wafv2.CfnWebACL.StatementProperty(
                or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=references)
            )
        )
        countries = wafv2.CfnWebACL.StatementProperty(
            geo_match_statement=wafv2.CfnWebACL.GeoMatchStatementProperty(
                country_codes=list(props.allowed_countries)
            )
        )
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name="BlockForgedWafHeaders",
                priority=0,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                # HeaderOrder is the colon-separated list of the request's header names: any
                # header named x-amzn-waf-* (the prefix of the headers WAF inserts) is refused.
                statement=wafv2.CfnWebACL.StatementProperty(
                    byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                            header_order=wafv2.CfnWebACL.HeaderOrderProperty(oversize_handling="MATCH")
                        ),
                        positional_constraint="CONTAINS",
                        search_string=WAF_HEADER_PREFIX,
                        text_transformations=[
                            wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="LOWERCASE")
                        ],
                    )
                ),
                visibility_config=_visibility("BlockForgedWafHeaders"),
            ),
            wafv2.CfnWebACL.RuleProperty(
                name="BlockOutsideAllowedCountries",
                priority=1,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=countries)
                ),
                visibility_config=_visibility("BlockOutsideAllowedCountries"),
            )
        ]
        for priority, group in enumerate(MANAGED_RULE_GROUPS, start=len(rules)):
            counted = [
                wafv2.CfnWebACL.RuleActionOverrideProperty(
                    name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                )
                for rule in COUNTED_MANAGED_RULES.get(group, ())
            ]
            rules.append(
                wafv2.CfnWebACL.RuleProperty(
                    name=group,
                    priority=priority,
                    override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                            vendor_name="AWS", name=group, rule_action_overrides=counted or None
                        )
                    ),
                    visibility_config=_visibility(group),
                )
            )
        for group in REPUTATION_RULE_GROUPS:
            action = "Count" if group in props.counted_groups else "None"
            rules.append(
                wafv2.CfnWebACL.RuleProperty(
                    name=group,
                    priority=len(rules),
                    override_action=wafv2.CfnWebACL.OverrideActionProperty(**{action.lower(): {}}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                            vendor_name="AWS", name=group
                        )
                    ),
                    visibility_config=_visibility(group),
                )
            )
        rules.append(
            wafv2.CfnWebACL.RuleProperty(
                name=RATE_LIMIT_RULE,
                priority=len(rules),
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        aggregate_key_type="IP",
                        limit=props.rate_limit,
                        evaluation_window_sec=RATE_WINDOW_SECONDS,
                    )
                ),
                visibility_config=_visibility(RATE_LIMIT_RULE),
            )
        )
        rules.append(
            wafv2.CfnWebACL.RuleProperty(
                name="AllowListedNetworks",
                priority=len(rules),
                action=wafv2.CfnWebACL.RuleActionProperty(allow={}),
                statement=allow_listed,
                visibility_config=_visibility("AllowListedNetworks"),
            )
        )
        if props.allow_roaming:
            rules.append(
                wafv2.CfnWebACL.RuleProperty(
                    name="AllowRoamingFromAllowedCountries",
                    priority=len(rules),
                    action=wafv2.CfnWebACL.RuleActionProperty(
                        allow=wafv2.CfnWebACL.AllowActionProperty(
                            custom_request_handling=wafv2.CfnWebACL.CustomRequestHandlingProperty(
                                insert_headers=[
                                    wafv2.CfnWebACL.CustomHTTPHeaderProperty(
                                        name=ROAMING_HEADER, value="true"
                                    )
                                ]
                            )
                        )
                    ),
                    statement=countries,
                    visibility_config=_visibility("AllowRoamingFromAllowedCountries"),
                )
            )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=props.name,
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(block={}),
            visibility_config=_visibility(props.name),
            rules=rules,
            description=f"{props.name}: allow-listed networks only",
        )
        self.log_group = TenantLogGroup(
            self, "Logs", TenantLogGroupProps(name=props.log_group_name, key=props.key)
        ).log_group
        log_group_arn = Stack.of(self).format_arn(
            service="logs",
            resource="log-group",
            resource_name=props.log_group_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[log_group_arn],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(
                    single_header={"Name": "authorization"}
                ),
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "cookie"}),
            ],
        )
        self.logging.add_resource_dependency(
            cast(CfnResource, self.log_group.node.default_child), "WAF must find the encrypted log group"
        )
        self.web_acl_arn = self.web_acl.attr_arn
        self.associations = [
            wafv2.CfnWebACLAssociation(
                self, f"Protects{index}", resource_arn=arn, web_acl_arn=self.web_acl.attr_arn
            )
            for index, arn in enumerate(props.protect)
        ]
        for association in self.associations:
            # The association must wait for the web ACL (not only reference it): AWS reports the
            # ACL as missing otherwise.
            association.add_resource_dependency(self.web_acl)
