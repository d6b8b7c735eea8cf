"""Benchmark: the fleet commands on generated tenants, as whole processes, in one temporary project.

- `tenantkit validate` of 1,000 tenants with the fleet checks (fleet.yaml and the shared quotas):
  target <= 1.0 s;
- peak RSS of `validate` and of `list` for 100 and for 1,000 tenants: memory should stay flat as
  the fleet grows (the ratio is printed);
- `tenantkit fleet status` of 1,000 tenants from its cache (.tenantkit/fleet-status.json):
  target < 3 s; the run that computes the cache is timed too;
- with --synth-shard only (heavy: CDK synth, cdk-nag and cfn-lint of every tenant of the shard):
  `tenantkit synth --shard 1/10 --no-cache` of --synth-tenants generated tenants (default 100), and
  the projection for the fleet of --tenants (per tenant cold, times the fleet: on this machine, and
  split over a CI matrix of 10 runners).

Wall-clock times of a whole process on a shared machine are noisy: each timed command runs
several times and the median and best are printed, with the load average before and after.
tenantkit is byte-compiled once before anything is timed (`compile_once`, see
bench/validate_many.py), so the figures are the steady state of a machine that writes bytecode.

    python bench/fleet.py [--tenants 1000] [--small 100] [--runs 5] [--synth-shard [--synth-tenants 100]]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from validate_many import compile_once, generate  # bench/ is sys.path[0] when run as a script

from tenantkit.fleet import Shard, in_shard, tenant_ids_in


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def run_measured(command: list[str], cwd: Path) -> tuple[float, int, float]:
    """Run `command` to completion; (wall seconds, peak RSS in MiB, CPU seconds: user + system).
    Exit 0 or 1 (findings) only. CPU seconds vary less than wall time on a loaded machine."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a full pipe would block the child
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        process.returncode = code
        if code not in (0, 1):
            errors.seek(0)
            sys.exit(f"{' '.join(command[:3])} failed ({code}): {errors.read().decode(errors='replace')[-500:]}")
    return seconds, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime  # Linux reports KiB


def timed(name: str, command: list[str], cwd: Path, runs: int, target: float | None) -> bool:
    measured = [run_measured(command, cwd) for _ in range(runs)]
    timings = [wall for wall, _, _ in measured]
    median, best = statistics.median(timings), min(timings)
    cpu = statistics.median(cpu for _, _, cpu in measured)
    within = target is None or median <= target
    verdict = "" if target is None else (f"(target <= {target:.1f} s) " + ("ok" if within else "OVER TARGET"))
    print(f"{name:<48} median {median:7.3f} s  best {best:7.3f} s  CPU {cpu:6.3f} s  ({runs} runs) {verdict}")
    return within


def project(root: Path, count: int) -> Path:
    """A project directory with `count` generated tenants in tenant_configs/ and no fleet.yaml."""
    directory = root / f"fleet-{count}"
    (directory / "tenant_configs").mkdir(parents=True)
    generate(directory / "tenant_configs", count)
    return directory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100, help="the smaller fleet of the memory comparison")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--synth-shard", action="store_true", help="also synthesize shard 1/10 (heavy)")
    parser.add_argument("--synth-tenants", type=int, default=100)
    args = parser.parse_args()
    executable = shutil.which("tenantkit", path=str(Path(sys.executable).parent)) or shutil.which("tenantkit")
    if executable is None:
        sys.exit("tenantkit is not installed in this environment (pip install -e .)")
    print(f"{platform.node()}: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    compile_once()
    print(f"before: {load_average()}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="tenantkit-bench-fleet-") as temporary:
        large = project(Path(temporary), args.tenants)
        small = project(Path(temporary), args.small)
        print(f"{args.tenants} and {args.small} generated tenants under {temporary}")

        ok &= timed(f"validate ({args.tenants} tenants, fleet checks)", [executable, "validate"], large, args.runs, 1.0)

        peaks = {}
        for fleet, count in ((small, args.small), (large, args.tenants)):
            _, validate_rss, _ = run_measured([executable, "validate"], fleet)
            _, list_rss, _ = run_measured([executable, "list"], fleet)
            peaks[count] = max(validate_rss, list_rss)
            print(f"peak RSS, {count:>5} tenants: validate {validate_rss:5d} MiB, list {list_rss:5d} MiB")
        ratio = peaks[args.tenants] / peaks[args.small]
        print(f"peak RSS {args.tenants} / {args.small} tenants: {ratio:.2f}x (flat: close to 1)")

        computed, _, cpu = run_measured([executable, "fleet", "status", "--refresh"], large)
        print(f"{'fleet status --refresh (' + str(args.tenants) + ' tenants)':<48} {computed:7.3f} s  CPU {cpu:6.3f} s (computes the cache)")
        ok &= timed(f"fleet status from the cache ({args.tenants} tenants)", [executable, "fleet", "status"], large, args.runs, 3.0)

        if args.synth_shard:
            shard = project(Path(temporary) / "synth", args.synth_tenants)
            chosen = len(in_shard(tenant_ids_in(shard / "tenant_configs"), Shard(1, 10)))
            seconds, rss, cpu = run_measured([executable, "synth", "--shard", "1/10", "--no-cache", "--json"], shard)
            print(f"synth --shard 1/10 --no-cache ({chosen} of {args.synth_tenants} tenants): {seconds:.1f} s, CPU {cpu:.1f} s "
                  f"(with its cfn-lint workers), peak RSS {rss} MiB")
            per_tenant = seconds / max(1, chosen)
            print(f"projection for the fleet of {args.tenants} tenants: {per_tenant:.1f} s per tenant cold, "
                  f"{per_tenant * args.tenants / 60:.0f} min on this machine, about "
                  f"{per_tenant * args.tenants / 10 / 60:.0f} min on a CI matrix of 10 runners (shards vary in size)")
        else:
            print("synth --shard: not run (pass --synth-shard)")
    print(f"after: {load_average()}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
