"""The baseline stacks (one audit trail per account and region) of the selected tenants'
environments, synthesized into one cloud assembly beside the tenants' (`<outdir>/_baseline/`).
Each trail is still built from every tenant of its environment (`add_baselines(only_for=...)`)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tenantkit.config.models import TenantConfig

BASELINE_ASSEMBLY = "_baseline"
"""The assembly's directory under the synth output (no tenant id starts with `_`)."""


@dataclass(frozen=True)
class BaselineAssembly:
    assembly_dir: Path
    artifacts: tuple[tuple[str, str | None], ...]
    """(artifact id, account or None for the deploying one), one per account and region, in
    deployment order; each deploys as stack `naming.BASELINE_STACK` of its environment."""


def synth_baselines(fleet: Sequence[TenantConfig], chosen: Sequence[TenantConfig], outdir: Path) -> BaselineAssembly:
    """Synthesize the baseline stacks of `chosen`'s accounts and regions, each covering every
    tenant of `fleet` there, into `outdir/_baseline/`."""
    from aws_cdk import App

    from tenantkit.jsii_node import ensure_jsii_node
    from tenantkit.stacks.baseline import add_baselines

    ensure_jsii_node()
    assembly_dir = outdir / BASELINE_ASSEMBLY
    if assembly_dir.exists():
        shutil.rmtree(assembly_dir)
    app = App(outdir=str(assembly_dir.resolve()), analytics_reporting=False)
    stacks = add_baselines(app, fleet, only_for=chosen)
    app.synth()
    return BaselineAssembly(assembly_dir, tuple((stack.artifact_id, account) for (account, _), stack in stacks.items()))
