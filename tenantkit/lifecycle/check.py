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
from collections.abc import Callable, Iterator
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
def throwaway_sandbox() -> Iterator[tuple[str, int]]:
    """moto's server with tenantkit's extensions, in a thread of this process, on a free port;
    stopped (and everything in it gone) on exit. Yields (endpoint, port)."""
    from moto.server import ThreadedMotoServer

    from tenantkit.sandbox.extensions import install

    install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request in the CI log
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        server.stop()


def run_check(
    directory: Path, outdir: Path, *, concurrency: int = 4, on_step: Callable[[StepResult], None] | None = None
) -> list[StepResult]:
    from tenantkit.config import validate_paths
    from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, deploy_synthesized, sandbox_sessions
    from tenantkit.lifecycle.inventory import assembly_inventory
    from tenantkit.synth import SynthCache, synth_tenants

    results: list[StepResult] = []

    def record(result: StepResult) -> None:
        results.append(result)
        if on_step is not None:
            on_step(result)

    started = time.monotonic()
    report = validate_paths([directory])
    seconds = time.monotonic() - started
    for issue in report.issues:
        record(StepResult(Path(issue.file).stem, "validate", False, seconds, str(issue)))
    for tenant in report.tenants:
        record(StepResult(tenant.config.tenant_id, "validate", True, seconds))
    configs = report.configs
    if not configs:
        return results

    started = time.monotonic()
    synthesized = synth_tenants(configs, outdir, cache=SynthCache())
    per_tenant = (time.monotonic() - started) / len(configs)
    deployable = []
    for item in synthesized:
        record(StepResult(item.tenant_id, "synth", item.error is None, per_tenant, item.error or ""))
        if item.error is not None:
            continue
        record(StepResult(item.tenant_id, "compliance", not item.findings, 0.0, "\n".join(item.findings)))
        deployable.append(item)

    by_id = {config.tenant_id: config for config in configs}
    with throwaway_sandbox() as (endpoint, port):
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
                record(StepResult(result.tenant_id, "inventory", False, 0.0, "not deployed", skipped=True))
                continue
            config = by_id[result.tenant_id]
            item = next(i for i in deployable if i.tenant_id == result.tenant_id)
            started = time.monotonic()
            inventory = assembly_inventory(
                config.tenant_id,
                Path(item.assembly_dir),
                item.stacks,
                account=config.account or SANDBOX_ACCOUNT,
                session_for=sandbox_sessions(endpoint, config.account),
            )
            problems = [f"{i.region} {i.kind} {i.name}: {'; '.join(i.findings)}" for i in inventory.flagged]
            record(StepResult(config.tenant_id, "inventory", inventory.ok, time.monotonic() - started, "\n".join(problems)))
    return results


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
                failure = ElementTree.SubElement(case, "failure", message=result.message.splitlines()[0] if result.message else "failed")
                failure.text = result.message
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
