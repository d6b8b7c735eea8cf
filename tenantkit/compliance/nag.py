"""The checks every tenant app runs at synth (CDK Validations plugins): the four cdk-nag packs and
our tenant-isolation rules (with cfn-lint unless the caller lints elsewhere)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks

from tenantkit.config.models import TenantConfig

PACKS = (AwsSolutionsChecks, NIST80053R5Checks, HIPAASecurityChecks, PCIDSS321Checks)


def add_compliance_checks(
    app: App,
    configs: Sequence[TenantConfig] = (),
    *,
    lint: bool = True,
    other_tenant_ids: frozenset[str] = frozenset(),
) -> None:
    """Fail the synth of `app` on any cdk-nag finding not acknowledged next to its construct, and
    on any broken isolation rule (or cfn-lint match) in the templates of `configs`.
    `other_tenant_ids` adds tenants of the fleet that are not in this app (one app per tenant)."""
    from tenantkit.compliance.validation import TenantIsolationChecks

    Validations.of(app).add_plugins(*(pack(app) for pack in PACKS))
    if configs:
        Validations.of(app).add_plugins(
            TenantIsolationChecks(configs, lint=lint, other_tenant_ids=other_tenant_ids)
        )
