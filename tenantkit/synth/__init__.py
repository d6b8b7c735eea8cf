"""The synth service: tenants -> cloud assemblies with findings (`service`), cfn-lint in worker
processes (`lint_pool`), and the per-tenant cache (`cache`). No aws_cdk import at module level:
a fully cached run never starts jsii's Node."""

from tenantkit.synth.cache import SynthCache
from tenantkit.synth.service import (
    SynthRequestError,
    SynthRun,
    TenantSynthResult,
    cached_templates,
    synth_directory,
    synth_fleet,
    synth_tenants,
)

__all__ = [
    "SynthCache",
    "SynthRequestError",
    "SynthRun",
    "TenantSynthResult",
    "cached_templates",
    "synth_directory",
    "synth_fleet",
    "synth_tenants",
]
