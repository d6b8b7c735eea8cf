"""Benchmark: `tenantkit validate` on 1,000 tenant files, and `tenantkit --help`, as whole processes.

Targets (2-core machine): validate 1,000 files <= 1.0 s, --help <= 0.3 s. Wall-clock times of a
whole process on a shared machine are noisy, so each command runs several times and the median
and best are printed; compare the figures of one run with each other, not across machines.

Steady state, as on a user's machine: tenantkit's modules are byte-compiled once (`compileall`)
before anything is timed, so a machine that sets PYTHONDONTWRITEBYTECODE (ours does) does not
recompile them in every measured process.

    python bench/validate_many.py [--tenants 1000] [--runs 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tenantkit
from tenantkit.config.scaffold import NewTenant, render_tenant_yaml

RESIDENCIES = ("us", "ca", "de")
COUNTRIES = {"us": ["US", "CA"], "ca": ["CA"], "de": ["DE", "AT", "CH"]}


def generate(directory: Path, count: int) -> None:
    for index in range(count):
        residency = RESIDENCIES[index % 3]
        request = NewTenant(
            tenant_id=f"bench-{index:05d}",
            residency=residency,
            cidrs=[f"10.{index // 256}.{index % 256}.0/24", f"2001:db8:{index:x}::/48", "192.0.2.0/24"],
            countries=COUNTRIES[residency],
            security_email=f"security@tenant{index}.example",
            account=f"{100000000000 + index}",
        )
        (directory / f"{request.tenant_id}.yaml").write_text(render_tenant_yaml(request), encoding="utf-8")


def compile_once() -> None:
    """Byte-compile tenantkit, as a first run does where bytecode is written (see the docstring)."""
    package = Path(tenantkit.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True, stdout=subprocess.DEVNULL)


def time_command(command: list[str], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        timings.append(time.perf_counter() - started)
        if result.returncode != 0:
            sys.exit(f"{' '.join(command[:2])} failed ({result.returncode}): {result.stdout[-500:]}{result.stderr[-500:]}")
    return timings


def report(name: str, timings: list[float], target: float) -> bool:
    median, best = statistics.median(timings), min(timings)
    verdict = "ok" if median <= target else "OVER TARGET"
    print(f"{name:<34} median {median:6.3f} s  best {best:6.3f} s  (target <= {target:.1f} s, {len(timings)} runs) {verdict}")
    return median <= target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    executable = shutil.which("tenantkit", path=str(Path(sys.executable).parent)) or shutil.which("tenantkit")
    if executable is None:
        sys.exit("tenantkit is not installed in this environment (pip install -e .)")
    compile_once()
    with tempfile.TemporaryDirectory(prefix="tenantkit-bench-") as temporary:
        directory = Path(temporary)
        generate(directory, args.tenants)
        print(f"{args.tenants} generated tenant files in {directory}")
        ok = report(f"tenantkit validate ({args.tenants} files)", time_command([executable, "validate", str(directory)], args.runs), 1.0)
        ok &= report("tenantkit --help", time_command([executable, "--help"], args.runs), 0.3)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
