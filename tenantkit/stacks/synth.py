"""Synthesize tenants into a cloud assembly and check each one: the service behind `tenantkit synth`.

Each tenant gets its own CDK App and cloud assembly directory (`<outdir>/<tenant-id>/`), so
`cdk deploy --app cdk.out/<tenant-id> 'tenant-<id>-*'` deploys one tenant. Measured on this
2-core machine with 100 generated tenants (synth and checks, cfn-lint off): one App for all took
21.7 s and 0.70 GiB, one App per tenant 23.6 s and 0.66 GiB. One App per tenant is chosen anyway:
- a tenant whose props are invalid, or whose synth fails, cannot stop the others, and every
  finding belongs to exactly one tenant;
- each tenant's templates exist as soon as it is synthesized, so cfn-lint (two to three times
  the CPU of the synth) runs in worker processes alongside; with one App, linting could only
  start after the whole fleet is synthesized.
Whole `tenantkit synth --all` on 100 tenants: about 47 s and 1 GiB peak (bench/synth_many.py),
bound by CPU: about 29 CPU-seconds of synthesis (this process and jsii's Node) and 59 of
cfn-lint (with tenantkit.compliance.cfn_lint_speedups; 1.7 times that as cfn-lint ships).

Every tenant is checked three ways: cdk-nag (AwsSolutions, NIST 800-53 rev 5, HIPAA Security,
PCI DSS 3.2.1) and our tenant-isolation rules (`tenantkit.compliance`), both run by CDK during
synth as validation plugins (tenantkit.stacks.nag), and cfn-lint on every template, in worker
processes while the main process goes on synthesizing.

No typer or rich here: the CLI renders the results.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from tenantkit.config.models import TenantConfig
from tenantkit.naming import stack_names

ProgressCallback = Callable[[str], None]
"""on_progress(tenant_id), called after each tenant is synthesized."""


@dataclass(frozen=True)
class TenantSynthResult:
    tenant_id: str
    stacks: tuple[str, ...] = ()
    """The stack names, in deployment order."""
    resources: int = 0
    """How many CloudFormation resources the tenant's templates declare."""
    findings: tuple[str, ...] = ()
    """Compliance findings: unacknowledged cdk-nag findings, broken tenant-isolation rules and
    cfn-lint matches."""
    error: str | None = None
    """Why the tenant could not be synthesized at all (invalid props, a CDK error)."""
    assembly_dir: Path | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.findings

    # The names the issue uses for the same facts.
    @property
    def stack_names(self) -> tuple[str, ...]:
        return self.stacks

    @property
    def resource_count(self) -> int:
        return self.resources

    @property
    def compliance_findings(self) -> tuple[str, ...]:
        return self.findings


@dataclass
class _Synthesized:
    tenant_id: str
    stack_names: tuple[str, ...]
    resource_count: int
    findings: list[str] = field(default_factory=list)
    error: str | None = None
    assembly_dir: Path | None = None
    lint: Future[list[str]] | None = None


def synth_tenants(
    configs: Sequence[TenantConfig],
    outdir: Path,
    on_progress: ProgressCallback | None = None,
    *,
    lint: bool = True,
    lint_workers: int = 2,
    context: dict | None = None,
) -> list[TenantSynthResult]:
    """Synthesize and check every tenant into `outdir/<tenant-id>/`; one result per tenant, in
    input order. A failing tenant is reported in its result and never stops the others."""
    from tenantkit.jsii_node import ensure_jsii_node

    ensure_jsii_node()
    outdir.mkdir(parents=True, exist_ok=True)
    all_ids = frozenset(config.tenant_id for config in configs)
    pool, synthesis_done = (
        _start_linters(configs, lint_workers) if lint and configs else (None, None)
    )
    finished = False
    try:
        synthesized = []
        for config in configs:
            item = _synth_one(config, outdir / config.tenant_id, all_ids, context or {})
            if pool is not None and item.assembly_dir is not None and item.error is None:
                item.lint = pool.submit(lint_assembly, item.assembly_dir, item.stack_names)
            synthesized.append(item)
            if on_progress is not None:
                on_progress(config.tenant_id)
        if synthesis_done is not None:
            synthesis_done.set()  # every linter may work now
        results = [_result(item) for item in synthesized]
        finished = True
        return results
    finally:
        if synthesis_done is not None:
            synthesis_done.set()
        if pool is not None:
            # Interrupted (Ctrl-C): drop the lint jobs not yet started rather than wait for them.
            pool.shutdown(wait=True, cancel_futures=not finished)


def _start_linters(
    configs: Sequence[TenantConfig], workers: int
) -> tuple[ProcessPoolExecutor, Any]:
    """A pool of `workers` cfn-lint processes, all warmed up at once, but only one of them
    linting while this process synthesizes; the others join when `synthesis_done` is set.

    Synthesis keeps one core busy on its own (this process and the jsii Node process take turns),
    so on a 2-core machine a second linter during synthesis only makes four processes take turns
    on two cores, and every one of them slower. Measured with bench/synth_many.py (100 tenants,
    one run each, before the last two cfn-lint speed-ups): all linters at once, 118 CPU-seconds
    and 61.0 s; one linter until synthesis is over, 108 CPU-seconds and 55.9 s.
    """
    # spawn: the workers must not inherit the jsii kernel's pipes to its Node process.
    context = get_context("spawn")
    synthesis_done = context.Event()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_linter,
        initargs=(
            tuple(sorted({region for config in configs for region in config.regions})),
            synthesis_done,  # an Event reaches a worker only this way, as it starts
        ),
    )
    pool.submit(_no_op)  # every submit starts a worker: start them all now, to warm up
    for _ in range(workers - 1):
        pool.submit(_wait_for_synthesis)
    return pool, synthesis_done


_synthesis_done: Any = None
"""In a linter process: the Event set when synthesis is over."""


def _start_linter(regions: tuple[str, ...], synthesis_done: Any) -> None:
    """Load cfn-lint in each worker while the first tenant is still being synthesized."""
    global _synthesis_done
    _synthesis_done = synthesis_done
    from tenantkit.compliance.cfn_lint import warm_up

    warm_up(regions)


def _wait_for_synthesis() -> None:
    _synthesis_done.wait()


def _no_op() -> None:
    return None


def _result(item: _Synthesized) -> TenantSynthResult:
    findings = list(item.findings)
    if item.lint is not None:
        try:
            findings.extend(item.lint.result())
        except Exception as error:  # a crashed linter must not hide the tenant's other results
            findings.append(f"cfn-lint could not run: {error}")
    return TenantSynthResult(
        tenant_id=item.tenant_id,
        stacks=item.stack_names,
        resources=item.resource_count,
        findings=tuple(findings),
        error=item.error,
        assembly_dir=item.assembly_dir,
    )


def _synth_one(
    config: TenantConfig, assembly_dir: Path, all_ids: frozenset[str], context: dict
) -> _Synthesized:
    from aws_cdk import App

    from tenantkit.compliance import load_tenant_assembly
    from tenantkit.stacks.app_context import tenant_app_context
    from tenantkit.stacks.nag import add_compliance_checks
    from tenantkit.stacks.tenant import add_tenant

    names = stack_names(config.tenant_id)
    item = _Synthesized(tenant_id=config.tenant_id, stack_names=(), resource_count=0)
    if assembly_dir.exists():
        shutil.rmtree(assembly_dir)
    try:
        app = App(
            outdir=str(assembly_dir),
            context={**tenant_app_context([config], context), **context},
            analytics_reporting=False,
            builtin_cloud_formation_validation=False,
        )
        add_tenant(app, config)
        # Isolation rules run inside the synth; cfn-lint runs in the worker pool instead.
        add_compliance_checks(app, [config], lint=False, other_tenant_ids=all_ids)
        try:
            app.synth()
        except RuntimeError as error:
            report = _validation_report_path(str(error))
            if report is None:
                raise
            item.findings.extend(nag_findings(report))
    except Exception as error:  # noqa: BLE001 - any failure belongs to this tenant only
        item.error = f"{type(error).__name__}: {_first_line(str(error))}"
        return item

    item.stack_names = names
    item.assembly_dir = assembly_dir
    item.findings.extend(cdk_annotations(assembly_dir, names))
    assembly = load_tenant_assembly(assembly_dir, names, tenant_id=config.tenant_id, zone=config.policy.zone)
    item.resource_count = sum(len(stack.resources) for stack in assembly.stacks)
    return item


_ANNOTATIONS = {"aws:cdk:warning": "CDK warning", "aws:cdk:error": "CDK error"}


def cdk_annotations(assembly_dir: Path, names: Sequence[str]) -> list[str]:
    """`CDK warning at /construct/path: message` for every warning or error annotation CDK left
    on the named stacks (what `cdk synth` prints as warnings): a template a security lead reads
    must come with nothing CDK itself warns about."""
    manifest = json.loads((assembly_dir / "manifest.json").read_text())
    findings = []
    for name in names:
        artifact = manifest["artifacts"].get(name, {})
        metadata = dict(artifact.get("metadata") or {})
        if artifact.get("additionalMetadataFile"):
            extra = json.loads((assembly_dir / artifact["additionalMetadataFile"]).read_text())
            for path, entries in extra.items():
                metadata[path] = [*metadata.get(path, []), *entries]
        for path, entries in metadata.items():
            for entry in entries:
                if entry.get("type") in _ANNOTATIONS:
                    findings.append(f"{_ANNOTATIONS[entry['type']]} at {path}: {_first_line(str(entry.get('data', '')))}")
    return findings


_REPORT = re.compile(r"ValidationFailed:.*found in: (\S+validation-report\.json)", re.S)


def _validation_report_path(message: str) -> Path | None:
    match = _REPORT.search(message)
    return Path(match.group(1)) if match else None


def nag_findings(report_path: Path) -> list[str]:
    """`rule at construct/path: description` for every unacknowledged violation in a CDK
    validation report (cdk-nag packs and CDK's own template checks)."""
    report = json.loads(report_path.read_text())
    findings = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                where = f" at {construct['constructPath']}" if construct.get("constructPath") else ""
                findings.append(
                    f"{violation['ruleName']}{where}: {_first_line(violation.get('description', ''))}"
                )
    return findings


def lint_assembly(assembly_dir: Path, names: Sequence[str]) -> list[str]:
    """cfn-lint every named template of an assembly (run in a worker process)."""
    from tenantkit.compliance.cfn_lint import lint_assembly_stacks

    return lint_assembly_stacks(assembly_dir, names)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
