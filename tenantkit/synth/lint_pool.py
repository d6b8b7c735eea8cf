"""cfn-lint in worker processes, alongside synthesis, with its failures contained.

A worker pool that breaks (`BrokenProcessPool`: a worker killed, out of memory, a crash in
cfn-lint's C dependencies) or a job that fails costs speed, never findings: the tenant is linted
again in this process with cfn-lint as shipped (no speed-ups), and the run says so once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from tenantkit.compliance.cfn_lint import LintOutcome, lint_assembly_stacks

MAX_LINT_WORKERS = 8
"""Each worker holds cfn-lint's schemas (about 0.25 GiB); more rarely pays on a CI runner."""

LINT_JOB: Callable[..., LintOutcome] = lint_assembly_stacks
"""What a worker runs for one tenant (a module attribute, looked up at submit time)."""

WarningCallback = Callable[[str], None]


def lint_workers() -> int:
    """One linter per CPU this process may use, at most MAX_LINT_WORKERS."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        cpus = counter()
    elif hasattr(os, "sched_getaffinity"):
        cpus = len(os.sched_getaffinity(0))
    else:
        cpus = os.cpu_count()
    return max(1, min(cpus or 1, MAX_LINT_WORKERS))


@dataclass
class LintJob:
    assembly_dir: Path
    stack_names: tuple[str, ...]
    future: Future[LintOutcome] | None
    """None when the pool was already broken at submit time."""


class LintPool:
    """`workers` cfn-lint processes, all warmed up at once, but only one of them linting while
    this process synthesizes; the others join when `synthesis_done()` is called.

    Synthesis keeps one core busy on its own (this process and the jsii Node process take turns),
    so on a 2-core machine a second linter during synthesis only makes four processes take turns
    on two cores, and every one of them slower. Measured with bench/synth_many.py (100 tenants,
    one run each): all linters at once, 118 CPU-seconds and 61.0 s; one linter until synthesis is
    over, 108 CPU-seconds and 55.9 s.
    """

    def __init__(self, regions: Sequence[str], workers: int, on_warning: WarningCallback) -> None:
        # spawn: the workers must not inherit the jsii kernel's pipes to its Node process.
        context = get_context("spawn")
        self._synthesis_done = context.Event()
        self._on_warning = on_warning
        self._warned: set[str] = set()
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_start_linter,
            # an Event reaches a worker only this way, as it starts
            initargs=(tuple(sorted(set(regions))), self._synthesis_done),
        )
        self._pool.submit(_no_op)  # every submit starts a worker: start them all now, to warm up
        for _ in range(workers - 1):
            self._pool.submit(_wait_for_synthesis)

    def submit(self, assembly_dir: Path, stack_names: Sequence[str]) -> LintJob:
        try:
            future = self._pool.submit(LINT_JOB, assembly_dir, tuple(stack_names))
        except RuntimeError:  # BrokenProcessPool is one; a shut-down pool another
            future = None
        return LintJob(assembly_dir, tuple(stack_names), future)

    def findings(self, job: LintJob) -> list[str]:
        """The job's findings; on any failure of the pool or the job, the findings of cfn-lint
        as shipped, run here."""
        try:
            if job.future is None:
                raise RuntimeError("the linter pool was not usable")
            outcome = job.future.result()
        except Exception as error:  # noqa: BLE001 - contained: the tenant is linted here instead
            self._warn(
                f"cfn-lint worker failed ({type(error).__name__}: {error or 'no message'}); "
                "linting in this process with cfn-lint as shipped"
            )
            outcome = lint_assembly_stacks(job.assembly_dir, job.stack_names, stock=True)
        for warning in outcome.warnings:
            self._warn(warning)
        return list(outcome.findings)

    def synthesis_done(self) -> None:
        self._synthesis_done.set()  # every linter may work now

    def shutdown(self, *, cancel: bool) -> None:
        self._synthesis_done.set()
        # Interrupted (Ctrl-C): drop the lint jobs not yet started rather than wait for them.
        self._pool.shutdown(wait=True, cancel_futures=cancel)

    def _warn(self, message: str) -> None:
        first_line = message.splitlines()[0] if message else message
        if first_line not in self._warned:
            self._warned.add(first_line)
            self._on_warning(first_line)


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
