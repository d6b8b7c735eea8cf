"""Our checks as a CDK validation plugin, so that every synth runs them: `cdk synth` through
app.py as much as `tenantkit synth`.

`TenantIsolationChecks` runs the tenant-isolation rules of `tenantkit.compliance` over each
tenant's synthesized templates and, optionally, cfn-lint over every template (the synth service
runs cfn-lint itself, in worker processes, and turns it off here).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
)

from tenantkit.compliance import BaselineTemplate, StackTemplate, TenantAssembly, check_baseline, check_tenant
from tenantkit.config.models import TenantConfig
from tenantkit.naming import stack_names

_WHERE = re.compile(r"^(?P<stack>[^/\s:]+)(?:/(?P<logical_id>[A-Za-z0-9]+))?: ")


class _OurPlugin:
    """What CDK asks of each of our validation plugins besides its `name` and `validate`."""

    @property
    def rule_ids(self) -> list[str] | None:
        return None

    @property
    def version(self) -> str | None:
        return "1.0.0"


def _templates(context: IPolicyValidationContext) -> dict[str, Path]:
    """Artifact id -> template file of every stack being validated."""
    return {Path(path).name.removesuffix(".template.json"): Path(path) for path in context.template_paths}


@jsii.implements(IPolicyValidationPlugin)
class TenantIsolationChecks(_OurPlugin):
    """Fail the synth on any broken tenant-isolation rule (and, with `lint`, any cfn-lint match)."""

    def __init__(
        self,
        configs: Sequence[TenantConfig],
        *,
        lint: bool = True,
        other_tenant_ids: frozenset[str] = frozenset(),
    ) -> None:
        self._configs = list(configs)
        self._all_ids = frozenset(config.tenant_id for config in configs) | other_tenant_ids
        self._lint = lint

    @property
    def name(self) -> str:
        return "TenantIsolation"

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        templates = _templates(context)
        violations: list[PolicyViolation] = []
        for config in self._configs:
            names = stack_names(config.tenant_id)
            if not all(name in templates for name in names):
                continue  # this tenant's stacks are not in the assembly being validated
            regions = (config.secondary_region, config.primary_region, config.secondary_region)
            assembly = TenantAssembly(
                tenant_id=config.tenant_id,
                zone=config.policy.zone,
                stacks=tuple(
                    StackTemplate(name, region, _read(templates[name])) for name, region in zip(names, regions, strict=True)
                ),
                other_tenant_ids=self._all_ids,
                generation=config.generation,
            )
            for result in check_tenant(assembly):
                violations.extend(_violation(result.rule, finding, templates) for finding in result.findings)
            if self._lint:
                from tenantkit.compliance.cfn_lint import lint_template

                for name, region in zip(names, regions, strict=True):
                    for finding in lint_template(templates[name].read_text(), region):
                        violations.append(_violation("cfn-lint", f"{name}: {finding}", templates))
        return PolicyValidationPluginReport(success=not violations, violations=violations)


@jsii.implements(IPolicyValidationPlugin)
class BaselineChecks(_OurPlugin):
    """Fail the synth on any broken baseline rule or deploy-time constraint (and, with `lint`, any
    cfn-lint match) in the baseline stacks (`tenantkit.stacks.baseline`) of the assembly."""

    def __init__(self, expected: Mapping[str, tuple[str, tuple[str, ...], tuple[str, ...]]], *, lint: bool = True) -> None:
        """`expected`: artifact id -> (region, the tenants' buckets there, their break-glass role
        ARNs), from the tenant files."""
        self._expected = dict(expected)
        self._lint = lint

    @property
    def name(self) -> str:
        return "Baseline"

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        templates = _templates(context)
        violations: list[PolicyViolation] = []
        for artifact_id, (region, buckets, readers) in self._expected.items():
            if artifact_id not in templates:
                continue
            baseline = BaselineTemplate(StackTemplate(artifact_id, region, _read(templates[artifact_id])), buckets, readers)
            for result in check_baseline(baseline):
                violations.extend(_violation(result.rule, finding, templates) for finding in result.findings)
            if self._lint:
                from tenantkit.compliance.cfn_lint import lint_template

                for finding in lint_template(templates[artifact_id].read_text(), region):
                    violations.append(_violation("cfn-lint", f"{artifact_id}: {finding}", templates))
        return PolicyValidationPluginReport(success=not violations, violations=violations)


def _read(path: Path) -> dict:
    import json

    return json.loads(path.read_text())


def _violation(rule: str, finding: str, templates: dict[str, Path]) -> PolicyViolation:
    match = _WHERE.match(finding)
    stack = match.group("stack") if match else None
    logical_id = match.group("logical_id") if match else None
    resource = PolicyViolatingResource(
        locations=[],
        template_path=str(templates[stack]) if stack in templates else None,
        resource_logical_id=logical_id,
    )
    return PolicyViolation(rule_name=rule, description=finding, violating_resources=[resource], severity="error")
