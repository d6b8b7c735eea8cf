"""3. Network exposure: each web ACL's rules in plain words (countries, allow-listed networks
with counts, roaming, default action), what each web ACL protects (a web ACL that protects
nothing is flagged), and every resource with a public endpoint (there should be none)."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from tenantkit.review.model import Section
from tenantkit.review.sections._words import as_list, text, where
from tenantkit.review.source import Stack, TenantTemplates

ID = "network"
TITLE = "Network exposure"

_OPEN = ("0.0.0.0/0", "::/0")
REPUTATION_GROUPS = ("AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList")
"""AWS managed rule groups that keep known-bad, VPN, proxy and hosting addresses out (AWS WAF
Developer Guide, "IP reputation rule groups"), issue 18 item 7."""


def build(templates: TenantTemplates) -> Section:
    section = Section(ID, TITLE)
    acls = section.table("Web ACLs", "Web ACL", "Region", "Default action", "Protects")
    rules = section.table("Web ACL rules, in order", "Web ACL", "Priority", "Rule", "In plain words")
    for stack, logical_id, resource in templates.of_type("AWS::WAFv2::WebACL"):
        props = resource.get("Properties", {})
        default = next(iter(props.get("DefaultAction", {})), "none")
        protects = _protected(stack, logical_id)
        allow_all = default == "Allow"
        acls.add(where(stack.name, logical_id), where(stack.name, logical_id), stack.region, default.lower(),
                 protects or "nothing", flagged=allow_all or not protects)
        if allow_all:
            section.flag(stack.name, logical_id, "default action is Allow: requests no rule blocks are let through")
        if not protects:
            section.flag(stack.name, logical_id, "protects nothing: no resource is associated with this web ACL")
        statements = json.dumps(props.get("Rules", []))
        if "RateBasedStatement" not in statements:
            section.flag(stack.name, logical_id, "no rate-based rule: one address may send requests unthrottled")
        for group in REPUTATION_GROUPS:
            if f'"{group}"' not in statements:
                section.flag(stack.name, logical_id, f"no {group} rule: VPN, hosting and known-bad addresses of an allowed country pass")
        for rule in sorted(props.get("Rules", []), key=lambda r: r.get("Priority", 0)):
            rules.add(f"{stack.name}/{logical_id}/{rule.get('Name')}", where(stack.name, logical_id),
                      rule.get("Priority"), rule.get("Name"), _rule_words(stack, rule))
        rules.add(f"{stack.name}/{logical_id}/(default)", where(stack.name, logical_id), "last", "(default action)",
                  f"{default}: every request no rule above decided", flagged=allow_all)

    networks = section.table("Allow-listed networks", "IP set", "Region", "Version", "Networks", "Addresses")
    for stack, logical_id, resource in templates.of_type("AWS::WAFv2::IPSet"):
        props = resource.get("Properties", {})
        addresses = [text(a) for a in props.get("Addresses", [])]
        networks.add(where(stack.name, logical_id), where(stack.name, logical_id), stack.region,
                     props.get("IPAddressVersion"), len(addresses), _address_count(addresses))
        for address in addresses:
            if address in _OPEN:
                section.flag(stack.name, logical_id, f"allow-lists {address}: every address")

    _addresses(templates, section)
    _database_reach(templates, section)

    exposed = section.table("Resources with a public endpoint", "Resource", "Kind", "Why it is reachable")
    for stack in templates.stacks:
        for logical_id, kind, why in _public_endpoints(stack):
            exposed.add(f"{stack.name}/{logical_id}/{why}", where(stack.name, logical_id), kind, why, flagged=True)
            section.flag(stack.name, logical_id, why)
    section.summary.extend(_summary(templates, exposed.rows))
    return section


def _addresses(templates: TenantTemplates, section: Section) -> None:
    """Every allow-listed network, one row each, with the IP sets (regions) holding it. Both
    regions serve the same tenant from one allow-list: a network in one region's set only is a
    template edited by hand, or a half-applied change."""
    table = section.table("Allow-list, network by network", "Network", "Version", "Addresses", "In the IP sets of")
    holders: dict[str, list[tuple[Stack, str]]] = {}
    sets: dict[str, list[tuple[Stack, str]]] = {}
    for stack, logical_id, resource in templates.of_type("AWS::WAFv2::IPSet"):
        props = resource.get("Properties", {})
        version = text(props.get("IPAddressVersion"))
        sets.setdefault(version, []).append((stack, logical_id))
        for address in props.get("Addresses", []):
            holders.setdefault(text(address), []).append((stack, logical_id))
    for address, found in sorted(holders.items()):
        try:
            network = ipaddress.ip_network(address, strict=False)
            version, count = f"IPv{network.version}", _address_count([address])
        except ValueError:
            version, count = "unparsable", "unparsable"
        every = sets.get(f"IPV{version[-1]}", []) if version != "unparsable" else []
        missing = [where(stack.name, lid) for stack, lid in every if (stack, lid) not in found]
        table.add(address, address, version, count, [f"{stack.region} ({where(stack.name, lid)})" for stack, lid in found],
                  flagged=bool(missing))
        if missing:
            for stack, lid in found:
                section.flag(stack.name, lid, f"allow-lists {address}, which {', '.join(missing)} does not: the regions' "
                             "allow-lists differ")


def _database_reach(templates: TenantTemplates, section: Section) -> None:
    """What reaches each database: every ingress rule of its security groups, by source. A source
    that is an address range (not another security group of the stack) is flagged: the database
    sits in isolated subnets, and only named components should reach it."""
    table = section.table("What reaches the database", "Database", "Security group", "From", "Port")
    for stack, logical_id, resource in templates.of_type("AWS::RDS::DBInstance"):
        groups = [target[1] for value in as_list(resource.get("Properties", {}).get("VPCSecurityGroups"))
                  if (target := templates.target(stack, value)) is not None]
        for group in groups:
            rules = list(as_list(stack.resources[group].get("Properties", {}).get("SecurityGroupIngress")))
            rules += [r.get("Properties", {}) for _, r in stack.of_type("AWS::EC2::SecurityGroupIngress")
                      if templates.target(stack, r.get("Properties", {}).get("GroupId")) == (stack, group)]
            if not rules:
                table.add(f"{stack.name}/{logical_id}/{group}", where(stack.name, logical_id), group, "nothing", "—")
            for rule in rules:
                source = templates.target(stack, rule.get("SourceSecurityGroupId"))
                cidr = rule.get("CidrIp") or rule.get("CidrIpv6")
                shown = (f"security group {source[1]}" + (f" ({rule['Description']})" if rule.get("Description") else "")
                         if source else text(cidr or rule.get("SourcePrefixListId") or rule.get("SourceSecurityGroupId")))
                table.add(f"{stack.name}/{logical_id}/{group}/{shown}", where(stack.name, logical_id), group, shown,
                          _ports(rule), flagged=source is None)
                if source is None:
                    section.flag(stack.name, group, f"database {logical_id} is reachable from {shown} ({_ports(rule)}), "
                                 "not only from a named security group")


def _protected(stack: Stack, acl_id: str) -> list[str]:
    found = []
    for _, resource in stack.of_type("AWS::WAFv2::WebACLAssociation"):
        props = resource.get("Properties", {})
        acl = props.get("WebACLArn")
        if isinstance(acl, dict) and (acl.get("Fn::GetAtt", [None])[0] == acl_id or acl.get("Ref") == acl_id):
            found.append(text(props.get("ResourceArn")))
    return found


def _ip_sets(stack: Stack, statement: dict[str, Any]) -> str:
    target = statement.get("Arn")
    logical_id = target.get("Fn::GetAtt", [None])[0] if isinstance(target, dict) else None
    addresses = stack.resources.get(logical_id, {}).get("Properties", {}).get("Addresses", []) if logical_id else []
    version = stack.resources.get(logical_id, {}).get("Properties", {}).get("IPAddressVersion", "") if logical_id else ""
    return f"{len(addresses)} {version} network{'s' if len(addresses) != 1 else ''}" if logical_id else text(target)


def _statement_words(stack: Stack, statement: dict[str, Any]) -> str:
    (kind, body), = statement.items() if len(statement) == 1 else (("?", statement),)
    if kind == "GeoMatchStatement":
        return "from " + ", ".join(body.get("CountryCodes", []))
    if kind == "NotStatement":
        return "not " + _statement_words(stack, body.get("Statement", {}))
    if kind == "OrStatement":
        return " or ".join(_statement_words(stack, one) for one in body.get("Statements", []))
    if kind == "AndStatement":
        return " and ".join(_statement_words(stack, one) for one in body.get("Statements", []))
    if kind == "IPSetReferenceStatement":
        return "from the allow-listed " + _ip_sets(stack, body)
    if kind == "ByteMatchStatement":
        field = next(iter(body.get("FieldToMatch", {})), "?")
        field = {"HeaderOrder": "whose header names", "UriPath": "whose path", "QueryString": "whose query"}.get(field, f"whose {field}")
        constraint = {"CONTAINS": "contain", "EXACTLY": "are exactly", "STARTS_WITH": "start with", "ENDS_WITH": "end with"}
        return f"{field} {constraint.get(body.get('PositionalConstraint', ''), body.get('PositionalConstraint'))} '{body.get('SearchString')}'"
    if kind == "ManagedRuleGroupStatement":
        overrides = [f"{o['Name']} only counted" for o in body.get("RuleActionOverrides", []) if "Count" in o.get("ActionToUse", {})]
        return f"{body.get('VendorName')} managed rule group {body.get('Name')}" + (f" ({'; '.join(overrides)})" if overrides else "")
    if kind == "RateBasedStatement":
        return f"more than {body.get('Limit')} requests per {body.get('EvaluationWindowSec', 300)} s from one address"
    return kind


def _rule_words(stack: Stack, rule: dict[str, Any]) -> str:
    statement = rule.get("Statement", {})
    if "OverrideAction" in rule:
        counted = "Count" in rule["OverrideAction"]
        return ("Only count (not block) " if counted else "Apply ") + _statement_words(stack, statement)
    action = next(iter(rule.get("Action", {})), "?")
    words = f"{action} requests {_statement_words(stack, statement)}"
    headers = rule.get("Action", {}).get(action, {}).get("CustomRequestHandling", {}).get("InsertHeaders", [])
    if headers:
        words += ", marked with header " + ", ".join(f"{h['Name']}: {h['Value']}" for h in headers)
        if action == "Allow":
            words += " (roaming: for the application's per-user policy)"
    return words


def _address_count(addresses: list[str]) -> str:
    total = 0
    for address in addresses:
        try:
            total += ipaddress.ip_network(address, strict=False).num_addresses
        except ValueError:
            return "unparsable"
    return f"{total:,}" if total < 10**12 else f"2^{total.bit_length() - 1}+"


def _public_endpoints(stack: Stack) -> list[tuple[str, str, str]]:
    found = []
    for logical_id, resource in stack.resources.items():
        props = resource.get("Properties", {})
        kind = resource.get("Type", "")
        if kind == "AWS::RDS::DBInstance" and props.get("PubliclyAccessible") is True:
            found.append((logical_id, kind, "database is publicly accessible"))
        elif kind == "AWS::EC2::SecurityGroup":
            for rule in props.get("SecurityGroupIngress", []):
                if rule.get("CidrIp") in _OPEN or rule.get("CidrIpv6") in _OPEN:
                    found.append((logical_id, kind, f"ingress from {rule.get('CidrIp') or rule.get('CidrIpv6')} ({_ports(rule)})"))
        elif kind == "AWS::EC2::SecurityGroupIngress":
            if props.get("CidrIp") in _OPEN or props.get("CidrIpv6") in _OPEN:
                found.append((logical_id, kind, f"ingress from {props.get('CidrIp') or props.get('CidrIpv6')} ({_ports(props)})"))
        elif kind == "AWS::EC2::Subnet" and props.get("MapPublicIpOnLaunch") is True:
            found.append((logical_id, kind, "subnet gives instances public IP addresses"))
        elif kind in ("AWS::EC2::InternetGateway", "AWS::EC2::EgressOnlyInternetGateway"):
            found.append((logical_id, kind, "an internet gateway"))
        elif kind == "AWS::ElasticLoadBalancingV2::LoadBalancer" and props.get("Scheme", "internet-facing") == "internet-facing":
            found.append((logical_id, kind, "internet-facing load balancer"))
        elif kind == "AWS::Lambda::Url" and props.get("AuthType") == "NONE":
            found.append((logical_id, kind, "function URL without authentication"))
        elif kind == "AWS::S3::Bucket":
            block = props.get("PublicAccessBlockConfiguration", {})
            settings = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
            if not all(block.get(setting) is True for setting in settings):
                found.append((logical_id, kind, "bucket without a full public access block"))
        elif kind in ("AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy"):
            for doc in as_list(props.get("PolicyDocument", {}).get("Statement")):
                if doc.get("Effect") == "Allow" and doc.get("Principal") in ("*", {"AWS": "*"}) and not doc.get("Condition"):
                    found.append((logical_id, kind, "policy allows anyone"))
    return found


def _ports(rule: dict[str, Any]) -> str:
    if str(rule.get("IpProtocol")) == "-1":
        return "all traffic"
    return f"{rule.get('IpProtocol')} {rule.get('FromPort')}-{rule.get('ToPort')}"


def _summary(templates: TenantTemplates, exposed: list[dict[str, Any]]) -> list[str]:
    lines = []
    countries = set()
    roaming = False
    for _, _, resource in templates.of_type("AWS::WAFv2::WebACL"):
        for rule in resource.get("Properties", {}).get("Rules", []):
            statement = rule.get("Statement", {})
            geo = statement.get("NotStatement", {}).get("Statement", {}).get("GeoMatchStatement")
            if geo and "Block" in rule.get("Action", {}):
                countries.update(geo.get("CountryCodes", []))
            if "GeoMatchStatement" in statement and "Allow" in rule.get("Action", {}):
                roaming = True
    ipv4 = ipv6 = 0
    primary = templates.stack("primary")
    for _, resource in primary.of_type("AWS::WAFv2::IPSet") if primary else ():
        count = len(resource.get("Properties", {}).get("Addresses", []))
        if resource.get("Properties", {}).get("IPAddressVersion") == "IPV6":
            ipv6 += count
        else:
            ipv4 += count
    lines.append(f"Countries allowed: {', '.join(sorted(countries)) or 'no country filter'}.")
    lines.append(f"Networks allowed: {ipv4} IPv4 and {ipv6} IPv6 networks (the same list in each region).")
    lines.append(
        "Roaming: requests from the allowed countries outside the allow-list pass, marked with a header."
        if roaming
        else "Roaming: not allowed; only the allow-listed networks pass."
    )
    lines.append(f"Public endpoints: {len(exposed) or 'none'}.")
    return lines
