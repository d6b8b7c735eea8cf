"""AWS Backup restore testing plans and selections have names of letters, digits and underscores.

Constraint: `RestoreTestingPlanName` "must consist of only alphanumeric characters and underscores.
Maximum length is 50" (AWS Backup API Reference, RestoreTestingPlanForCreate and
CreateRestoreTestingSelection); the selection name follows the same pattern
(RestoreTestingSelectionForCreate). A hyphen, natural in names derived from a tenant id, makes the
create fail at deploy time.

cfn-lint misses it: its schemas for AWS::Backup::RestoreTestingPlan and RestoreTestingSelection
(1.58) give both names as plain strings, with no pattern or length.
"""

from __future__ import annotations

import re

from tenantkit.compliance.assembly import TenantAssembly
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import findings_for, of_type, text_of

RULE = "restore-testing-names"

_NAME = re.compile(r"[A-Za-z0-9_]{1,50}")
_NAMED = {
    "AWS::Backup::RestoreTestingPlan": ("RestoreTestingPlanName",),
    "AWS::Backup::RestoreTestingSelection": ("RestoreTestingPlanName", "RestoreTestingSelectionName"),
}


def _problems(resource: dict, names: tuple[str, ...]) -> list[str]:
    problems = []
    props = resource.get("Properties", {})
    for prop in names:
        if prop not in props:
            problems.append(f"{prop} is missing")
            continue
        value = props[prop]
        if isinstance(value, dict):
            continue  # a reference to the plan's name, checked on the plan itself
        name = text_of(value)
        if not _NAME.fullmatch(name):
            problems.append(f"{prop} {name!r} must be 1 to 50 letters, digits or underscores")
    return problems


def restore_testing_names_are_valid(assembly: TenantAssembly) -> RuleResult:
    findings: list[str] = []
    applicable = False
    for resource_type, names in _NAMED.items():
        located = of_type(assembly, resource_type)
        applicable = applicable or bool(located)
        findings.extend(findings_for(located, lambda _stack, _id, resource, names=names: _problems(resource, names)))
    return RuleResult.of(RULE, findings, applicable=applicable)
