"""The context every tenant app starts with: CDK feature flags and seeded availability zones.

Every feature flag aws-cdk-lib knows is set explicitly (`feature_flags.json`, mirrored in
`cdk.json` for the CDK CLI), so that no template changes behind our back when aws-cdk-lib is
upgraded and the CDK CLI has no unconfigured flag to warn about. The values are aws-cdk-lib's
recommended ones except where `FLAG_DEVIATIONS` gives the reason. A test compares the file with
aws-cdk-lib's own `recommended-feature-flags.json` and with `cdk.json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from tenantkit.config.models import TenantConfig
from tenantkit.stacks.availability_zones import seeded_az_context

FLAG_DEVIATIONS: Mapping[str, tuple[Any, str]] = {
    "@aws-cdk/core:annotationsInValidationReport": (
        False,
        "tenantkit synth already reports every CDK warning and error annotation as a finding, "
        "read from the cloud assembly (tenantkit.compliance.assembly); with this flag each would "
        "be reported a second time through the validation report, as the flag's own "
        "documentation warns.",
    ),
    "@aws-cdk/core:defaultCrossStackReferences": (
        "strong",
        "The replica stack reads the DR key from the dr stack (same region). Strong references "
        "(CloudFormation export/import) keep the dr stack, which holds the key the replica is "
        "encrypted with, from being deleted while the replica stack still uses it; weak ones "
        "would let it go.",
    ),
}


@cache
def feature_flags() -> Mapping[str, Any]:
    """Every CDK feature flag and the value tenantkit synthesizes with."""
    text = resources.files("tenantkit.stacks").joinpath("feature_flags.json").read_text("utf-8")
    return json.loads(text)


def tenant_app_context(configs: Iterable[TenantConfig], existing: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Feature flags plus real AZ names for every (account, region) the tenants deploy to."""
    existing = existing or {}
    pairs = [(c.account, region) for c in configs if c.account for region in c.regions]
    flags = {k: v for k, v in feature_flags().items() if k not in existing}
    return {**flags, **seeded_az_context(pairs, existing)}
