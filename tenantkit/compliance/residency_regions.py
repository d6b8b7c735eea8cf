"""Every region a tenant's assembly deploys to or names (ARNs, endpoints, AZs) is in its zone."""

from __future__ import annotations

import re

from tenantkit.compliance.assembly import TenantAssembly, render, strings_in
from tenantkit.compliance.result import RuleResult

RULE = "regions-inside-residency-zone"

# A region may follow a hyphen (`acme-dr-123-eu-west-1`, a bucket name); not a letter or digit.
REGION = re.compile(
    r"(?<![a-z0-9])((?:us|ca|eu|ap|sa|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-"
    r"(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d+)(?![0-9])"
)


def regions_inside_residency_zone(assembly: TenantAssembly) -> RuleResult:
    findings = []
    for stack in assembly.stacks:
        if stack.region not in assembly.zone:
            findings.append(f"{stack.name}: deployed to {stack.region}, outside the zone")
        named: set[str] = set()
        for text in strings_in(stack.template.get("Resources", {})):
            named.update(REGION.findall(text))
        for output in stack.template.get("Outputs", {}).values():
            named.update(REGION.findall(render(output.get("Value"))))
        for region in sorted(named - assembly.zone):
            findings.append(f"{stack.name}: names region {region}, outside the zone")
    return RuleResult.of(RULE, findings)
