"""The tenant's web ACL, the same in both regions: the primary serves, the secondary is where a
failover runs, and it must not run unprotected."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ssm as ssm

from tenantkit.config.models import TenantConfig, arn_region
from tenantkit.constructs.firewall import REPUTATION_RULE_GROUPS, TenantFirewall, TenantFirewallProps
from tenantkit.naming import TenantNames


def add_firewall(stack: Stack, *, config: TenantConfig, names: TenantNames, key: kms.IKey, region: str) -> TenantFirewall:
    """The web ACL `Firewall` of `region` (the stack's), associated with the `access.protect`
    resources of that region, its ARN published as an output and as the SSM parameter the
    application reads."""
    access = config.access
    protect = [arn for arn in access.protect if arn_region(arn) == region]
    firewall = TenantFirewall(
        stack,
        "Firewall",
        TenantFirewallProps(
            name=names.web_acl,
            allowed_countries=access.allowed_countries,
            ipv4_cidrs=access.ipv4_cidrs,
            ipv6_cidrs=access.ipv6_cidrs,
            allow_roaming=access.allow_roaming,
            rate_limit=access.rate_limit,
            counted_groups=frozenset(
                group
                for group, setting in zip(
                    REPUTATION_RULE_GROUPS,
                    (access.managed_rules.ip_reputation, access.managed_rules.anonymous_ip),
                    strict=True,
                )
                if setting.action == "count"
            ),
            ip_set_name_of={v: names.ip_set(v) for v in ("ipv4", "ipv6")},
            log_group_name=names.waf_log_group,
            key=key,
            protect=tuple(protect),
        ),
    )
    ssm.StringParameter(
        stack,
        "WebAclArnParameter",
        parameter_name=names.web_acl_arn_parameter,
        string_value=firewall.web_acl_arn,
        description="The tenant's web ACL in this region, for resources not listed in access.protect",
    )
    CfnOutput(stack, "WebAclArn", value=firewall.web_acl_arn)
    return firewall
