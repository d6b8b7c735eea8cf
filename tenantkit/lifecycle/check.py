"""`tenantkit check`: the one command for CI pipelines. Every tenant file validated, every tenant
synthesized and checked (cdk-nag, our rules, cfn-lint), deployed into a throwaway sandbox started
in this process on 127.0.0.1, and inventoried there; the sandbox is gone when the check ends.

Results are steps (tenant x validate | synth | compliance | deploy | inventory), rendered as a
table or as JUnit XML, one test case per tenant and step.
"""

from __future__ import annotations

import logging
import socket
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STEPS = ("validate", "synth", "compliance", "deploy", "inventory")


@dataclass(frozen=True)
class StepResult:
    tenant_id: str
    step: str
    ok: bool
    seconds: float = 0.0
    message: str = ""
    skipped: bool = False


@contextmanager
def server_log(log_file: Path) -> Iterator[None]:
    """While open, what the in-process server says goes to `log_file` (started afresh), never to
    the console the check's table is printed on: werkzeug's "Error on request" tracebacks (moto
    answers 500 to an action it lacks, a client retries, the check still passes) and the log
    records of moto and its Flask apps. The loggers are restored on exit."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, mode="w", encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    saved = []
    for name, level in (("werkzeug", logging.WARNING), ("moto", logging.NOTSET)):  # no line per request
        logger = logging.getLogger(name)
        saved.append((logger, logger.handlers[:], logger.propagate, logger.level))
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, handlers, propagate, level in saved:
            logger.handlers[:] = handlers
            logger.propagate = propagate
            logger.setLevel(level)
        handler.close()


@contextmanager
def throwaway_sandbox(log_file: Path) -> Iterator[tuple[str, int]]:
    """moto's server with tenantkit's extensions, in a thread of this process, on a free port;
    stopped (and everything in it gone) on exit; what it logs goes to `log_file`. Yields
    (endpoint, port)."""
    from moto.server import ThreadedMotoServer

    from tenantkit.sandbox.extensions import install

    install()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with server_log(log_file):
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}", port
        finally:
            server.stop()


def run_check(
    directory: Path,
    outdir: Path,
    *,
    sandbox_log: Path,
    concurrency: int = 4,
    on_step: Callable[[StepResult], None] | None = None,
    tenant_ids: Sequence[str] = (),
) -> list[StepResult]:
    """Every step for every tenant of `directory` (or of `tenant_ids` when given: a tenant file
    outside the selection is neither reported nor checked): exactly one result per tenant and
    step, each timed for that tenant alone; after a failed step the tenant's later steps are
    skipped results. NoTenantsError when the directory holds no tenant file."""
    from tenantkit.config import require_tenants, validate_paths
    from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, deploy_synthesized, sandbox_sessions
    from tenantkit.lifecycle.inventory import assembly_inventory
    from tenantkit.synth import SynthCache, synth_tenants

    results: list[StepResult] = []

    def record(result: StepResult) -> None:
        results.append(result)
        if on_step is not None:
            on_step(result)

    def skip_after(tenant_id: str, failed: str) -> None:
        for step in STEPS[STEPS.index(failed) + 1 :]:
            record(StepResult(tenant_id, step, False, 0.0, f"{failed} failed", skipped=True))

    report = validate_paths([directory])
    require_tenants(report, directory)
    chosen = set(tenant_ids)
    problems: dict[str, list[str]] = {}
    for issue in report.issues:
        if chosen and Path(issue.file).stem not in chosen:
            continue
        problems.setdefault(Path(issue.file).stem, []).append(str(issue))
    for tenant_id, lines in problems.items():
        files = {issue.file for issue in report.issues if Path(issue.file).stem == tenant_id}
        record(StepResult(tenant_id, "validate", False, sum(report.seconds.get(f, 0.0) for f in files), "\n".join(lines)))
        skip_after(tenant_id, "validate")
    valid = [
        tenant
        for tenant in report.tenants
        if tenant.config.tenant_id not in problems  # a stray .yml beside it
        and (not chosen or tenant.config.tenant_id in chosen)
    ]
    for tenant in valid:
        record(StepResult(tenant.config.tenant_id, "validate", True, report.seconds.get(str(tenant.source), 0.0)))
    configs = [tenant.config for tenant in valid]
    if not configs:
        return results

    done_at: dict[str, float] = {}
    started = time.monotonic()
    synthesized = synth_tenants(
        configs,
        outdir,
        lambda tenant_id: done_at.setdefault(tenant_id, time.monotonic()),
        cache=SynthCache(),
        fleet_ids=frozenset(config.tenant_id for config in report.configs),  # a shard: against all
    )
    synth_seconds = _one_after_another(started, done_at)
    deployable = []
    for item in synthesized:
        record(StepResult(item.tenant_id, "synth", item.error is None, synth_seconds.get(item.tenant_id, 0.0), item.error or ""))
        if item.error is not None:
            skip_after(item.tenant_id, "synth")
            continue
        # cdk-nag and our rules run inside the synth, cfn-lint alongside it: their time is synth's
        record(StepResult(item.tenant_id, "compliance", not item.findings, 0.0, "\n".join(item.findings)))
        deployable.append(item)

    from tenantkit.lifecycle.baseline_local import BASELINE_RESULT, deploy_baselines
    from tenantkit.synth.baseline import synth_baselines

    # the audit trails of the deployable tenants' regions (each built from every tenant there),
    # checked as a tenant is, with cases of their own: synth, compliance, deploy
    baseline = None
    if deployable:
        started = time.monotonic()
        deployable_ids = {item.tenant_id for item in deployable}
        baseline = synth_baselines(report.configs, [c for c in configs if c.tenant_id in deployable_ids], outdir, cache=SynthCache())
        record(StepResult(BASELINE_RESULT, "synth", baseline.error is None, time.monotonic() - started, baseline.error or ""))
        if baseline.error is None:
            record(StepResult(BASELINE_RESULT, "compliance", baseline.ok, 0.0, "\n".join(baseline.findings)))

    by_id = {config.tenant_id: config for config in configs}
    with throwaway_sandbox(sandbox_log) as (endpoint, port):
        # the audit trails first, as `deploy` does (inventory checks them); none with findings
        if baseline is not None:
            reasons = [f"the baseline stacks (audit trails) are not deployable: see {BASELINE_RESULT}"]
            if baseline.ok:
                trails = deploy_baselines(baseline.assembly_dir, baseline.artifacts, endpoint=endpoint, port=port, default_account=SANDBOX_ACCOUNT)
                reasons = [f"{s.stack} ({s.region}): {reason}" for s in trails.stacks for reason in s.reasons]
                record(StepResult(BASELINE_RESULT, "deploy", trails.ok, trails.seconds, "\n".join(reasons)))
        if baseline is not None and not (baseline.ok and trails.ok):
            for item in deployable:
                record(StepResult(item.tenant_id, "deploy", False, 0.0, "\n".join(reasons) or "baseline stack failed"))
                skip_after(item.tenant_id, "deploy")
            deployable = []
        deployed = deploy_synthesized(
            deployable,
            {tenant_id: config.account for tenant_id, config in by_id.items()},
            endpoint=endpoint,
            port=port,
            concurrency=concurrency,
        )
        for result in deployed:
            reasons = [f"{s.stack}: {reason}" for s in result.stacks for reason in s.reasons]
            record(StepResult(result.tenant_id, "deploy", result.ok, result.seconds, "\n".join(reasons)))
            if not result.ok:
                skip_after(result.tenant_id, "deploy")
                continue
            config = by_id[result.tenant_id]
            item = next(i for i in deployable if i.tenant_id == result.tenant_id)
            started = time.monotonic()
            assert item.assembly_dir is not None, "deployed, so synthesized"
            inventory = assembly_inventory(
                config.tenant_id,
                Path(item.assembly_dir),
                item.stacks,
                account=config.account or SANDBOX_ACCOUNT,
                session_for=sandbox_sessions(endpoint, config.account),
                generation=config.generation,
            )
            flagged = [f"{i.region} {i.kind} {i.name}: {'; '.join(i.findings)}" for i in inventory.flagged]
            record(StepResult(config.tenant_id, "inventory", inventory.ok, time.monotonic() - started, "\n".join(flagged)))
    return results


def _one_after_another(started: float, done_at: dict[str, float]) -> dict[str, float]:
    """Each tenant's share of work done one tenant after another: from the previous tenant's end
    (the first: from `started`) to its own."""
    seconds, previous = {}, started
    for tenant_id, finished in sorted(done_at.items(), key=lambda item: item[1]):
        seconds[tenant_id], previous = finished - previous, finished
    return seconds


def junit_xml(results: list[StepResult]) -> str:
    """JUnit XML: a test suite per step, a test case per tenant (the form CI systems show)."""
    root = ElementTree.Element("testsuites", name="tenantkit check")
    for step in STEPS:
        cases = [r for r in results if r.step == step]
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=step,
            tests=str(len(cases)),
            failures=str(sum(1 for r in cases if not r.ok and not r.skipped)),
            skipped=str(sum(1 for r in cases if r.skipped)),
        )
        for result in cases:
            case = ElementTree.SubElement(
                suite, "testcase", classname=f"tenantkit.{step}", name=result.tenant_id, time=f"{result.seconds:.3f}"
            )
            if result.skipped:
                ElementTree.SubElement(case, "skipped", message=result.message)
            elif not result.ok:
                lines = result.message.splitlines() or ["failed"]
                summary = lines[0] if len(lines) == 1 else f"{lines[0]} (and {len(lines) - 1} more)"
                failure = ElementTree.SubElement(case, "failure", message=summary)
                failure.text = result.message
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
