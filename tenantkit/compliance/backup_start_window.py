"""Backup rules that set a start window give it at least 60 minutes.

Constraint: `StartWindowMinutes` "is optional. If this value is included, it must be at least 60
minutes to avoid errors" (AWS Backup API Reference, BackupRule / BackupRuleInput); the same holds
for restore testing's `StartWindowHours` (at least 1). A shorter window is accepted by
CloudFormation's schema and fails when AWS Backup creates or runs the plan.

cfn-lint misses it: its schema for AWS::Backup::BackupPlan (1.58) types StartWindowMinutes as a
number with no minimum.
"""

from __future__ import annotations

from tenantkit.compliance.assembly import TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import findings_for, of_type

RULE = "backup-start-window"
MIN_START_WINDOW_MINUTES = 60


def _rule_problems(resource: dict) -> list[str]:
    problems = []
    for rule in resource.get("Properties", {}).get("BackupPlan", {}).get("BackupPlanRule", []):
        window = rule.get("StartWindowMinutes")
        if window is None:
            continue
        if not isinstance(window, int | float) or window < MIN_START_WINDOW_MINUTES:
            problems.append(
                f"rule {rule.get('RuleName', '?')}: StartWindowMinutes {render(window)} is under "
                f"{MIN_START_WINDOW_MINUTES}"
            )
    return problems


def _plan_problems(resource: dict) -> list[str]:
    hours = resource.get("Properties", {}).get("StartWindowHours")
    if hours is not None and (not isinstance(hours, int) or hours < 1):
        return [f"StartWindowHours {render(hours)} is under 1"]
    return []


def backup_start_windows_are_an_hour_or_more(assembly: TenantAssembly) -> RuleResult:
    plans = of_type(assembly, "AWS::Backup::BackupPlan")
    tests = of_type(assembly, "AWS::Backup::RestoreTestingPlan")
    findings = findings_for(plans, lambda _s, _i, resource: _rule_problems(resource))
    findings += findings_for(tests, lambda _s, _i, resource: _plan_problems(resource))
    return RuleResult.of(RULE, findings, applicable=bool(plans or tests))
