"""The baseline stacks (one audit trail per account and region) of the selected tenants'
environments, synthesized into one cloud assembly beside the tenants' (`<outdir>/_baseline/`)
and checked as a tenant's are: the four cdk-nag packs, the baseline rules and deploy-time
constraints of `tenantkit.compliance` (`BaselineChecks`), cfn-lint, and CDK's own warnings.
Each trail is still built from every tenant of its environment (`add_baselines(only_for=...)`).

Cached like a tenant (`SynthCache.baseline_key`): the key holds every tenant file of the selected
environments (a trail covers them all) and fleet.yaml's operator channel of their zones, so an unchanged fleet restores the assembly, with its
findings, without starting jsii's Node."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenantkit.compliance.assembly import MANIFEST_FILE, cdk_annotations, first_line, validation_findings
from tenantkit.config.models import TenantConfig
from tenantkit.config.residency import Residency
from tenantkit.naming import names_for
from tenantkit.synth.cache import CachedTenant, SynthCache

BASELINE_ASSEMBLY = "_baseline"
"""The assembly's directory under the synth output, and its synth cache entry (no tenant id
starts with `_`)."""
_UNKNOWN_ACCOUNT = "unknown-account"
"""How a cloud assembly writes the account of an environment-agnostic stack."""


@dataclass(frozen=True)
class BaselineAssembly:
    assembly_dir: Path
    artifacts: tuple[tuple[str, str | None], ...]
    """(artifact id, account or None for the deploying one), one per account and region, in
    deployment order; each deploys as stack `naming.BASELINE_STACK` of its environment."""
    resources: int = 0
    findings: tuple[str, ...] = ()
    """Unacknowledged cdk-nag findings, broken baseline rules, CDK warnings and cfn-lint matches."""
    cached: bool = False
    """Restored from the synth cache rather than synthesized."""
    error: str | None = None
    """Why the baseline stacks could not be synthesized at all (then `artifacts` is empty)."""

    @property
    def ok(self) -> bool:
        return self.error is None and not self.findings


def baseline_fleet(fleet: Sequence[TenantConfig], chosen: Sequence[TenantConfig]) -> list[TenantConfig]:
    """The tenants of `fleet` that share an account and region with one of `chosen`: every tenant
    whose files shape the baseline stacks of `chosen`'s environments."""
    wanted = {(config.account, region) for config in chosen for region in config.regions}
    return [config for config in fleet if any((config.account, region) in wanted for region in config.regions)]


def synth_baselines(
    fleet: Sequence[TenantConfig],
    chosen: Sequence[TenantConfig],
    outdir: Path,
    *,
    cache: SynthCache | None = None,
    lint: bool = True,
    context: dict[str, Any] | None = None,
    operator_channel: Mapping[Residency, Sequence[str]] | None = None,
) -> BaselineAssembly:
    """Synthesize and check the baseline stacks of `chosen`'s accounts and regions, each covering
    every tenant of `fleet` there, into `outdir/_baseline/`; with a `cache`, restore them from it
    when no tenant file of those environments (nor the operator channel, code, toolchain or
    context) has changed. `operator_channel` (fleet.yaml's) receives each region's alert on
    undone key deletions; without a topic in a region, that baseline has no such rule."""
    assembly_dir = outdir / BASELINE_ASSEMBLY
    members = baseline_fleet(fleet, chosen)
    channel = operator_channel or {}
    key = cache.baseline_key(members, chosen, context=context or {}, lint=lint, operator_channel=channel) if cache else None
    hit = cache.restore(BASELINE_ASSEMBLY, key, assembly_dir) if cache and key else None
    if hit is not None:
        return BaselineAssembly(assembly_dir, _artifacts(assembly_dir, hit.stacks), hit.resources, hit.findings, cached=True)
    try:
        synthesized = _synth(members, chosen, assembly_dir, lint=lint, context=context or {}, operator_channel=channel)
    except Exception as error:  # noqa: BLE001 - reported as the baseline's failure, as a tenant's is
        return BaselineAssembly(assembly_dir, (), error=f"{type(error).__name__}: {first_line(str(error))}")
    if cache is not None and key is not None:
        ids = tuple(artifact_id for artifact_id, _ in synthesized.artifacts)
        cache.store(BASELINE_ASSEMBLY, key, assembly_dir, CachedTenant(ids, synthesized.resources, synthesized.findings))
    return synthesized


def _synth(
    members: Sequence[TenantConfig], chosen: Sequence[TenantConfig], assembly_dir: Path, *, lint: bool, context: dict[str, Any],
    operator_channel: Mapping[Residency, Sequence[str]],
) -> BaselineAssembly:
    from aws_cdk import App

    from tenantkit.compliance.nag import add_compliance_checks
    from tenantkit.compliance.validation import BaselineChecks
    from tenantkit.jsii_node import ensure_jsii_node
    from tenantkit.stacks.baseline import add_baselines, baseline_environments

    ensure_jsii_node()
    if assembly_dir.exists():
        shutil.rmtree(assembly_dir)
    app = App(
        outdir=str(assembly_dir.resolve()),  # jsii's Node keeps the cwd it started in
        context={**context, "@aws-cdk/core:failSynthOnValidationErrors": False},
        analytics_reporting=False,
        builtin_cloud_formation_validation=False,
    )
    stacks = add_baselines(app, members, only_for=chosen, operator_channel=operator_channel)
    tenants_of = baseline_environments(members)
    expected = {stack.artifact_id: (region, *_expected(tenants_of[(account, region)], region)) for (account, region), stack in stacks.items()}
    add_compliance_checks(app)  # the cdk-nag packs
    from aws_cdk import Validations

    Validations.of(app).add_plugins(BaselineChecks(expected, lint=lint))
    app.synth()
    ids = tuple(stack.artifact_id for stack in stacks.values())
    findings = [*validation_findings(assembly_dir), *cdk_annotations(assembly_dir, ids)]
    resources = sum(len(json.loads((assembly_dir / f"{i}.template.json").read_text()).get("Resources", {})) for i in ids)
    return BaselineAssembly(assembly_dir, _artifacts(assembly_dir, ids), resources, tuple(map(first_line, findings)))


def _expected(tenants: Sequence[TenantConfig], region: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the tenant files expect of the trail of `region`: the data and DR buckets there, and
    the break-glass roles that may read its logs (names as the templates render them, an unknown
    account as `${AWS.AccountId}`)."""
    buckets, readers = [], set()
    for config in tenants:
        names = names_for(config.tenant_id, config.account or "${AWS.AccountId}", config.primary_region, config.secondary_region, config.generation)
        buckets += [bucket for bucket, where in ((names.data_bucket, config.primary_region), (names.dr_bucket, config.secondary_region)) if where == region]
        readers.add(names.break_glass_role_arn)
    return tuple(buckets), tuple(sorted(readers))


def _artifacts(assembly_dir: Path, ids: Sequence[str]) -> tuple[tuple[str, str | None], ...]:
    """(artifact id, account or None) of each named stack, as the assembly's manifest records its
    environment (`aws://<account>/<region>`)."""
    manifest = json.loads((assembly_dir / MANIFEST_FILE).read_text())
    found = []
    for artifact_id in ids:
        account = manifest["artifacts"][artifact_id]["environment"].removeprefix("aws://").split("/")[0]
        found.append((artifact_id, None if account == _UNKNOWN_ACCOUNT else account))
    return tuple(found)
