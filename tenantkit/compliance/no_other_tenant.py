"""No template of a tenant names another tenant (its id in a name, ARN, tag or alias)."""

from __future__ import annotations

import re

from tenantkit.compliance.assembly import TenantAssembly, strings_in
from tenantkit.compliance.result import RuleResult

RULE = "names-no-other-tenant"


def _pattern(tenant_id: str) -> re.Pattern[str]:
    # Hyphens separate the parts of our names (`tenantkit-acme-incidents`), so an id is bounded by
    # anything but a letter or digit: `acm` never matches inside `acme`.
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(tenant_id)}(?![A-Za-z0-9])")


def _mentions(other: str, own: re.Pattern[str], own_id: str, texts: list[str]) -> bool:
    """Whether `other` appears in `texts`; when it is part of this tenant's own id (`acme` in
    `acme-eu`), the tenant's own id is masked first so its own names do not count."""
    pattern = _pattern(other)
    for text in texts:
        if other in own_id:
            text = own.sub(" ", text)
        if pattern.search(text):
            return True
    return False


def names_no_other_tenant(assembly: TenantAssembly) -> RuleResult:
    others = sorted(assembly.other_tenant_ids - {assembly.tenant_id})
    own = _pattern(assembly.tenant_id)
    findings = []
    for stack in assembly.stacks:
        for logical_id, resource in stack.resources.items():
            texts = list(strings_in(resource.get("Properties", {})))
            for other in others:
                if _mentions(other, own, assembly.tenant_id, texts):
                    findings.append(f"{stack.name}/{logical_id}: names tenant '{other}'")
        outputs = list(strings_in(stack.template.get("Outputs", {})))
        for other in others:
            if _mentions(other, own, assembly.tenant_id, outputs):
                findings.append(f"{stack.name}: an output names tenant '{other}'")
    return RuleResult.of(RULE, findings, applicable=bool(others))
