"""Time `tenantkit deploy --all --local` of generated tenants into the sandbox, as whole processes.

    .venv/bin/python bench/deploy_local.py              # 20 tenants
    .venv/bin/python bench/deploy_local.py --tenants 100  # issue 23's unchanged target
    .venv/bin/python bench/deploy_local.py --tenants 100 --skip-serial   # the same without --concurrency 1

In a temporary project directory: the tenants are synthesized first (`tenantkit synth --all`, not
timed: every deploy below then restores them from the synth cache), a sandbox is started there,
and the fleet is deployed with `--concurrency 1` into an empty sandbox, then (after `tenantkit
sandbox reset`) with `--concurrency 4`, then again with nothing changed. Prints the three wall
times and the ratio of the first two; exits 1 if any run fails.

The unchanged run is issue 23's target: 100 unchanged tenants in <= 10 s (each stack's template
digest, tagged on the stack, is compared with the synth cache's record before anything else: one
DescribeStacks per account and region, no synth, cache restore or baseline stack); smaller runs print
the time without a verdict. tenantkit is byte-compiled once before anything is
timed (bench/validate_many.py's `compile_once`): the steady state of a machine that writes bytecode.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_many import _resources, write_tenants
from validate_many import compile_once

CLI = str(Path(sys.executable).parent / "tenantkit")


def run(project: Path, *arguments: str) -> tuple[float, int, str]:
    started = time.perf_counter()
    process = subprocess.run([CLI, *arguments], cwd=project, capture_output=True, text=True)
    return time.perf_counter() - started, process.returncode, process.stdout + process.stderr


def _failures(output: str) -> str:
    """What a failed deploy said: its error lines and the tenants its JSON reports not ok (the
    whole output of 100 tenants is too long to print, and its tail is only the last changes)."""
    import json

    lines = [line for line in output.splitlines() if line.lstrip().lower().startswith(("error", "warning"))]
    try:
        document = json.loads(output[output.index('{"'):]) if '{"' in output else {}
    except ValueError:
        document = {}
    failed = [json.dumps(t)[:600] for t in document.get("tenants", []) if isinstance(t, dict) and not t.get("ok", True)]
    return "\n".join([*lines[:40], *failed[:10]]) or output[-3000:]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--skip-serial", action="store_true", help="skip the --concurrency 1 run (minutes at 100 tenants)")
    args = parser.parse_args()
    compile_once()
    with tempfile.TemporaryDirectory(prefix="tenantkit-deploy-bench-") as temporary:
        project = Path(temporary)
        tenants = project / "tenants"
        tenants.mkdir()
        write_tenants(tenants, args.tenants)
        common = ("--dir", str(tenants), "--out", str(project / "cdk.out"))
        seconds, code, output = run(project, "synth", "--all", *common, "--json")
        print(f"synth of {args.tenants} tenants (not timed below): {seconds:.1f} s, exit {code}")
        if code != 0:
            print(output[-3000:])
            return 1
        resources = _resources(output)
        seconds, code, output = run(project, "sandbox", "up")
        if code != 0:
            print(output)
            return 1
        try:
            results = {}
            runs = [("concurrency 1", 1, False), ("concurrency 4", 4, True), ("unchanged, concurrency 4", 4, False)]
            if args.skip_serial:
                runs = [("concurrency 4", 4, False), runs[2]]
            for label, concurrency, reset in runs:
                if reset:
                    run(project, "sandbox", "reset")
                seconds, code, output = run(project, "deploy", "--all", "--local", "--concurrency", str(concurrency), *common, "--json")
                results[label] = seconds
                print(f"deploy --all --local, {label}: {seconds:.1f} s, exit {code}")
                if code != 0:
                    print(_failures(output))
                    return 1
        finally:
            run(project, "sandbox", "down")
        if resources and "concurrency 1" in results:
            # Issue 18's budget: a stack change may make a deploy at most 1.2x slower per resource.
            per = 1000 * results["concurrency 1"] / resources
            print(f"{resources} resources: concurrency 1 takes {per:.2f} ms per resource")
            print(f"{args.tenants} tenants: concurrency 4 / concurrency 1 = {results['concurrency 4'] / results['concurrency 1']:.2f}")
        unchanged = results["unchanged, concurrency 4"]
        if args.tenants < 100:  # the command's fixed start-up would dominate a scaled-down target
            print(f"{args.tenants} unchanged tenants: {unchanged:.1f} s (the 10 s target is for 100 tenants)")
            return 0
        target = 0.1 * args.tenants
        verdict = "ok" if unchanged <= target else "OVER TARGET"
        print(f"{args.tenants} unchanged tenants: {unchanged:.1f} s (target <= {target:.0f} s: 10 s per 100) {verdict}")
        return 0 if unchanged <= target else 1


if __name__ == "__main__":
    sys.exit(main())
