"""Every tenant web ACL limits the rate per client IP and filters flagged and anonymous addresses
before anything is allowed.

Constraint: each `AWS::WAFv2::WebACL` of the tenant has a rule whose statement is a
`RateBasedStatement` aggregating on `IP` with a block action, and rules using the managed groups
`AWSManagedRulesAmazonIpReputationList` and `AWSManagedRulesAnonymousIpList`, each of these with a
lower `Priority` than every rule whose action is `Allow`. WAF evaluates rules in ascending
priority and stops at the first terminating action (Allow or Block), so a filter placed after an
allow rule never sees what that rule let through; a group set to count (`OverrideAction: Count`)
still counts as present (the tenant file gives its reason).

Sources:
- https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-processing-order.html ("AWS WAF
  evaluates rules ... in order of their priority settings, starting with the lowest"; a matching
  Allow or Block "stops" evaluation of the web ACL).
- https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-ip-rep.html
  (the Amazon IP reputation list and the Anonymous IP list).
- https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html
  (rate-based rules: aggregation by IP, limit at least 10, evaluation window).
"""

from __future__ import annotations

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import findings_for, of_type

RULE = "waf-rate-and-reputation"
REPUTATION_GROUPS = ("AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList")


def _is_rate_limit_per_ip(rule: dict) -> bool:
    rate = rule.get("Statement", {}).get("RateBasedStatement")
    return bool(rate) and rate.get("AggregateKeyType") == "IP" and "Block" in rule.get("Action", {})


def _managed_group(rule: dict) -> str | None:
    group = rule.get("Statement", {}).get("ManagedRuleGroupStatement", {})
    return group.get("Name") if group.get("VendorName") == "AWS" else None


def _problems(_stack: StackTemplate, _logical_id: str, acl: dict) -> list[str]:
    rules = acl.get("Properties", {}).get("Rules", [])
    allows = [r.get("Priority", 0) for r in rules if "Allow" in r.get("Action", {})]
    first_allow = min(allows, default=None)
    required = {"a rate limit per client IP": [r for r in rules if _is_rate_limit_per_ip(r)]}
    for group in REPUTATION_GROUPS:
        required[group] = [r for r in rules if _managed_group(r) == group]
    problems = []
    for what, found in required.items():
        if not found:
            problems.append(f"no rule applies {what}")
        elif first_allow is not None and min(r.get("Priority", 0) for r in found) > first_allow:
            problems.append(f"{what} runs after an Allow rule (priority {first_allow})")
    return problems


def web_acls_limit_rate_and_filter_reputation(assembly: TenantAssembly) -> RuleResult:
    acls = of_type(assembly, "AWS::WAFv2::WebACL")
    return RuleResult.of(RULE, findings_for(acls, _problems), applicable=bool(acls))
