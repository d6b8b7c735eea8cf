"""Synthesize tenants into cloud assemblies and check each one: the service behind `tenantkit synth`.

Each tenant gets its own CDK App and cloud assembly directory (`<outdir>/<tenant-id>/`), so
`cdk deploy --app cdk.out/<tenant-id> 'tenant-<id>-*'` deploys one tenant. Measured on this
2-core machine with 100 generated tenants (synth and checks, cfn-lint off): one App for all took
21.7 s and 0.70 GiB, one App per tenant 23.6 s and 0.66 GiB. One App per tenant is chosen anyway:
- a tenant whose props are invalid, or whose synth fails, cannot stop the others, and every
  finding belongs to exactly one tenant;
- each tenant's templates exist as soon as it is synthesized, so cfn-lint (two to three times
  the CPU of the synth) runs in worker processes alongside (`lint_pool`); with one App, linting
  could only start after the whole fleet is synthesized;
- each tenant's assembly and findings can be cached on their own (`cache`).

Every tenant is checked three ways: cdk-nag (AwsSolutions, NIST 800-53 rev 5, HIPAA Security,
PCI DSS 3.2.1) and our tenant-isolation rules, both run by CDK during synth as validation plugins
(`tenantkit.compliance.nag`), whose violations are read from CDK's validation report; and cfn-lint
on every template, in worker processes while this process goes on synthesizing.

No typer or rich here: the CLI renders the results.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tenantkit.compliance.assembly import (
    cdk_annotations,
    first_line,
    load_tenant_assembly,
    validation_findings,
)
from tenantkit.config.fleet_models import Extension, extension_sources
from tenantkit.config.loader import ConfigError, require_tenants, validate_paths
from tenantkit.config.models import TenantConfig
from tenantkit.config.residency import Residency
from tenantkit.naming import stack_names
from tenantkit.synth.baseline import BaselineAssembly
from tenantkit.synth.cache import CachedTenant, SynthCache
from tenantkit.synth.lint_pool import LintJob, LintPool, WarningCallback, lint_workers

ProgressCallback = Callable[[str], object]  # what it returns is ignored
"""on_progress(tenant_id), called after each tenant is synthesized or restored from the cache."""

_log = logging.getLogger(__name__)

_FAIL_SYNTH_ON_VALIDATION_ERRORS = "@aws-cdk/core:failSynthOnValidationErrors"
"""Off: a failed validation still writes the assembly and `validation-report.json`, which we read."""


class SynthRequestError(Exception):
    """A synth request that cannot be carried out (unknown tenant, unusable output directory)."""


@dataclass(frozen=True)
class TenantSynthResult:
    tenant_id: str
    stacks: tuple[str, ...] = ()
    """The stack names, in deployment order."""
    resources: int = 0
    """How many CloudFormation resources the tenant's templates declare."""
    findings: tuple[str, ...] = ()
    """Compliance findings: unacknowledged cdk-nag findings, broken tenant-isolation rules, CDK
    warnings and cfn-lint matches."""
    error: str | None = None
    """Why the tenant could not be synthesized at all (invalid props, a CDK error)."""
    assembly_dir: Path | None = None
    cached: bool = False
    """Restored from the synth cache rather than synthesized."""

    @property
    def ok(self) -> bool:
        return self.error is None and not self.findings


@dataclass
class _Synthesized:
    tenant_id: str
    stacks: tuple[str, ...] = ()
    resources: int = 0
    findings: list[str] = field(default_factory=list)
    error: str | None = None
    assembly_dir: Path | None = None
    lint: LintJob | None = None
    cache_key: str | None = None


def synth_directory(
    directory: Path,
    tenant_ids: Sequence[str],
    outdir: Path,
    *,
    cache: SynthCache | None,
    on_progress: Callable[[int], ProgressCallback] | None = None,
    on_warning: WarningCallback | None = None,
    whole_fleet: bool = False,
    root: Path | None = None,
) -> list[TenantSynthResult]:
    """Synthesize the named tenants of `directory` (all of them if none is named) into `outdir`.
    `whole_fleet`: the isolation rules look for every tenant of the directory, as with all of
    them (a shard of the fleet), not only the named ones.
    Raises ConfigError for bad tenant files, NoTenantsError for every tenant of a directory without
    any, and SynthRequestError for a request that cannot be carried out; `on_progress(total)` returns the per-tenant progress callback.
    The extensions of `root`'s fleet.yaml (default: the current directory) are added to every tenant."""
    selection = _select(directory, tenant_ids, outdir, on_warning, root)
    return _synth_selection(selection, outdir, cache=cache, on_progress=on_progress, on_warning=on_warning, whole_fleet=whole_fleet)


@dataclass(frozen=True)
class SynthRun:
    """The tenants' results and their environments' baseline stacks (`tenantkit.synth.baseline`)."""

    tenants: list[TenantSynthResult]
    baseline: BaselineAssembly

    @property
    def ok(self) -> bool:
        return self.baseline.ok and all(result.ok for result in self.tenants)


def synth_fleet(
    directory: Path,
    tenant_ids: Sequence[str],
    outdir: Path,
    *,
    cache: SynthCache | None,
    on_progress: Callable[[int], ProgressCallback] | None = None,
    on_warning: WarningCallback | None = None,
    whole_fleet: bool = False,
    root: Path | None = None,
) -> SynthRun:
    """`synth_directory`, and the baseline stacks of the chosen tenants' accounts and regions (each
    built from every tenant of the directory there), synthesized, checked and cached likewise."""
    from tenantkit.synth.baseline import synth_baselines

    selection = _select(directory, tenant_ids, outdir, on_warning, root)
    tenants = _synth_selection(selection, outdir, cache=cache, on_progress=on_progress, on_warning=on_warning, whole_fleet=whole_fleet)
    return SynthRun(
        tenants, synth_baselines(selection.fleet, selection.chosen, outdir, cache=cache, operator_channel=selection.operator_channel)
    )


@dataclass(frozen=True)
class _Selection:
    fleet: list[TenantConfig]
    """Every valid tenant of the directory."""
    chosen: list[TenantConfig]
    extensions: Sequence[Extension]
    root: Path
    operator_channel: Mapping[Residency, Sequence[str]]
    """fleet.yaml's operator channel: the topics each zone's detections also reach."""


def _select(directory: Path, tenant_ids: Sequence[str], outdir: Path, on_warning: WarningCallback | None, root: Path | None) -> _Selection:
    from tenantkit.config.fleet import load_fleet

    report = validate_paths([directory])
    if not report.ok:
        raise ConfigError(report.issues)
    root = root if root is not None else Path(".")
    fleet = load_fleet(root)
    extensions = fleet.extensions
    if not tenant_ids:
        require_tenants(report, directory)
    known = {tenant.tenant_id: tenant for tenant in report.configs}
    unknown = [tenant_id for tenant_id in tenant_ids if tenant_id not in known]
    if unknown:
        raise SynthRequestError(f"{directory}: no tenant file for: {', '.join(unknown)}")
    chosen = [known[t] for t in dict.fromkeys(tenant_ids)] if tenant_ids else list(known.values())
    chosen_ids = {config.tenant_id for config in chosen}
    if on_warning is not None:
        for issue in report.warnings:
            if Path(issue.file).stem in chosen_ids:
                on_warning(str(issue))
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SynthRequestError(
            f"{outdir}: --out: cannot use it as the output directory ({error.strerror})"
        ) from None
    return _Selection(list(report.configs), chosen, extensions, root, fleet.operator_channel)


def _synth_selection(
    selection: _Selection,
    outdir: Path,
    *,
    cache: SynthCache | None,
    on_progress: Callable[[int], ProgressCallback] | None,
    on_warning: WarningCallback | None,
    whole_fleet: bool,
) -> list[TenantSynthResult]:
    return synth_tenants(
        selection.chosen,
        outdir,
        on_progress(len(selection.chosen)) if on_progress else None,
        cache=cache,
        on_warning=on_warning,
        fleet_ids=frozenset(config.tenant_id for config in selection.fleet) if whole_fleet else None,
        extensions=selection.extensions,
        root=selection.root,
        operator_channel=selection.operator_channel,
    )


def synth_tenants(
    configs: Sequence[TenantConfig],
    outdir: Path,
    on_progress: ProgressCallback | None = None,
    *,
    lint: bool = True,
    workers: int | None = None,
    context: dict[str, Any] | None = None,
    cache: SynthCache | None = None,
    on_warning: WarningCallback | None = None,
    fleet_ids: frozenset[str] | None = None,
    extensions: Sequence[Extension] = (),
    root: Path = Path("."),
    operator_channel: Mapping[Residency, Sequence[str]] | None = None,
) -> list[TenantSynthResult]:
    """Synthesize and check every tenant into `outdir/<tenant-id>/`; one result per tenant, in
    input order. The isolation rules look for the tenants of `fleet_ids` (default: `configs`). A failing tenant is reported in its result and never stops the others. With a
    `cache`, an unchanged tenant is restored from it; with every tenant cached, neither aws_cdk
    nor cfn-lint is imported. `extensions` (fleet.yaml's, imported from `root`) add to every tenant's stacks;
    `operator_channel` (fleet.yaml's) receives the detections of the tenants of each zone."""
    context = dict(context or {})
    warn = on_warning or _log.warning
    if lint:
        from tenantkit.compliance.cfn_lint import ignored_checks

        ignored_checks()  # LintSettingsError now, before any work, if the settings are missing
    outdir.mkdir(parents=True, exist_ok=True)
    fleet_ids = frozenset(config.tenant_id for config in configs) | (fleet_ids or frozenset())
    keys = (
        _cache_keys(configs, cache, fleet_ids=fleet_ids, context=context, lint=lint, extensions=extensions, root=root,
                    operator_channel=operator_channel)
        if cache else {}
    )  # fmt: skip
    items: list[_Synthesized | TenantSynthResult] = []
    operators = {config.tenant_id: tuple((operator_channel or {}).get(config.residency, ())) for config in configs}
    for config in configs:
        key = keys.get(config.tenant_id)
        hit = cache.restore(config.tenant_id, key, outdir / config.tenant_id) if cache and key else None
        if hit is None:
            items.append(_Synthesized(config.tenant_id, cache_key=key))
            continue
        items.append(_from_cache(config.tenant_id, hit, outdir / config.tenant_id))
        if on_progress is not None:
            on_progress(config.tenant_id)
    to_synth = [config for config, item in zip(configs, items, strict=True) if isinstance(item, _Synthesized)]
    if not to_synth:
        return [item for item in items if isinstance(item, TenantSynthResult)]

    from tenantkit.jsii_node import ensure_jsii_node

    ensure_jsii_node()
    pool = (
        LintPool(
            [region for config in to_synth for region in config.regions],
            min(workers or lint_workers(), len(to_synth)),
            warn,
        )
        if lint
        else None
    )
    finished = False
    try:
        pending = {item.tenant_id: item for item in items if isinstance(item, _Synthesized)}
        for config in to_synth:
            item = pending[config.tenant_id]
            _synth_one(
                item, config, outdir / config.tenant_id, fleet_ids, context, (extensions, root), operators[config.tenant_id]
            )
            if pool is not None and item.assembly_dir is not None and item.error is None:
                item.lint = pool.submit(item.assembly_dir, item.stacks)
            if on_progress is not None:
                on_progress(config.tenant_id)
        if pool is not None:
            pool.synthesis_done()
        results = [
            item if isinstance(item, TenantSynthResult) else _finish(item, pool, cache)
            for item in items
        ]
        finished = True
        return results
    finally:
        if pool is not None:
            pool.shutdown(cancel=not finished)


def _cache_keys(
    configs: Sequence[TenantConfig],
    cache: SynthCache,
    *,
    fleet_ids: frozenset[str],
    context: dict[str, Any],
    lint: bool,
    extensions: Sequence[Extension],
    root: Path,
    operator_channel: Mapping[Residency, Sequence[str]] | None,
) -> dict[str, str]:
    """Each tenant's synth cache key in a run synthesizing `configs` (the isolation rules looking
    for `fleet_ids` and `configs`; fleet.yaml's operator channel of each tenant's zone)."""
    fleet_ids = frozenset(config.tenant_id for config in configs) | fleet_ids
    sources = extension_sources(list(extensions), root) if extensions else []
    return {
        config.tenant_id: cache.key(
            config, fleet_ids=fleet_ids, context=context, lint=lint, extensions=sources,
            operator_topics=tuple((operator_channel or {}).get(config.residency, ())),
        )
        for config in configs
    }  # fmt: skip


def cached_templates(
    fleet: Sequence[TenantConfig],
    tenant_ids: Sequence[str],
    cache: SynthCache,
    *,
    whole_fleet: bool = False,
    root: Path | None = None,
) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """What `synth_directory` would give `tenant_ids` (every tenant of `fleet`, the directory's
    valid tenants, when none is named) from `cache`, without synthesizing, restoring or writing
    anything: tenant id -> (stack, region, sha256 of its template) per stack in deployment order,
    for each tenant whose entry is cached without findings. The others (and unknown ids) are
    left out: only a synthesis can say what they are."""
    from tenantkit.config.fleet import load_fleet

    root = root if root is not None else Path(".")
    known = {config.tenant_id: config for config in fleet}
    chosen = [known[t] for t in dict.fromkeys(tenant_ids) if t in known] if tenant_ids else list(known.values())
    settings = load_fleet(root)
    keys = _cache_keys(
        chosen,
        cache,
        fleet_ids=frozenset(known) if whole_fleet else frozenset(),
        context={},
        lint=True,
        extensions=settings.extensions,
        root=root,
        operator_channel=settings.operator_channel,
    )
    found = {tenant_id: cache.templates(tenant_id, key) for tenant_id, key in keys.items()}
    return {tenant_id: templates for tenant_id, templates in found.items() if templates}


def _from_cache(tenant_id: str, hit: CachedTenant, assembly_dir: Path) -> TenantSynthResult:
    return TenantSynthResult(
        tenant_id=tenant_id,
        stacks=hit.stacks,
        resources=hit.resources,
        findings=hit.findings,
        assembly_dir=assembly_dir,
        cached=True,
    )


def _finish(item: _Synthesized, pool: LintPool | None, cache: SynthCache | None) -> TenantSynthResult:
    findings = list(item.findings)
    if pool is not None and item.lint is not None:
        findings.extend(pool.findings(item.lint))
    result = TenantSynthResult(
        tenant_id=item.tenant_id,
        stacks=item.stacks,
        resources=item.resources,
        findings=tuple(findings),
        error=item.error,
        assembly_dir=item.assembly_dir,
    )
    if cache is not None and item.cache_key and result.error is None and result.assembly_dir:
        cache.store(
            item.tenant_id,
            item.cache_key,
            result.assembly_dir,
            CachedTenant(result.stacks, result.resources, result.findings),
        )
    return result


def _synth_one(
    item: _Synthesized,
    config: TenantConfig,
    assembly_dir: Path,
    fleet_ids: frozenset[str],
    context: dict[str, Any],
    extensions: tuple[Sequence[Extension], Path] = ((), Path(".")),
    operator_topics: Sequence[str] = (),
) -> None:
    from aws_cdk import App

    from tenantkit.compliance.nag import add_compliance_checks
    from tenantkit.stacks.app_context import tenant_app_context
    from tenantkit.stacks.extensions import load_extensions
    from tenantkit.stacks.tenant import add_tenant

    names = stack_names(config.tenant_id)
    if assembly_dir.exists():
        shutil.rmtree(assembly_dir)
    try:
        app = App(
            outdir=str(assembly_dir.resolve()),  # jsii's Node keeps the cwd it started in
            context={
                **tenant_app_context([config], context),
                **context,
                _FAIL_SYNTH_ON_VALIDATION_ERRORS: False,
            },
            analytics_reporting=False,
            builtin_cloud_formation_validation=False,
        )
        add_tenant(app, config, load_extensions(*extensions), operator_topics=operator_topics)
        # Isolation rules run inside the synth; cfn-lint runs in the worker pool instead.
        add_compliance_checks(app, [config], lint=False, other_tenant_ids=fleet_ids)
        app.synth()
    except Exception as error:  # noqa: BLE001 - any failure belongs to this tenant only
        item.error = f"{type(error).__name__}: {first_line(str(error))}"
        return
    item.stacks = names
    item.assembly_dir = assembly_dir
    item.findings.extend(validation_findings(assembly_dir))
    item.findings.extend(cdk_annotations(assembly_dir, names))
    assembly = load_tenant_assembly(
        assembly_dir, names, tenant_id=config.tenant_id, zone=config.policy.zone, generation=config.generation
    )
    item.resources = sum(len(stack.resources) for stack in assembly.stacks)
