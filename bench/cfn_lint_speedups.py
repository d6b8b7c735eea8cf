"""Benchmark: CPU of cfn-lint per tenant, as cfn-lint ships and with tenantkit's speed-ups.

Generates tenants as bench/synth_many.py does, synthesizes them once (cfn-lint off), then lints
every template with both, alternating, in one process, and prints the CPU-seconds per tenant of
each (best round) and their ratio. It also requires both to give the same findings on every
template (the speed-ups must change nothing but the time) and exits 1 if they do not.

    .venv/bin/python bench/cfn_lint_speedups.py [--tenants 12] [--rounds 3] [--unchecked]

`--unchecked` forces every speed-up on even where the fingerprint of the upstream code it relies
on changed (bench/upgrade_check.py, after a cfn-lint upgrade): the findings must still be equal.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _write_tenants(directory: Path, count: int) -> None:
    spec = importlib.util.spec_from_file_location("synth_many", HERE / "synth_many.py")
    assert spec is not None and spec.loader is not None
    synth_many = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth_many)
    synth_many.write_tenants(directory, count)


def _templates(outdir: Path) -> list[tuple[str, str, str]]:
    """(stack name, region, template text) of every stack of every assembly under `outdir`."""
    from tenantkit.compliance.assembly import all_stack_names, stack_artifacts

    return [
        (stack.name, stack.region, stack.template_text())
        for assembly in sorted(outdir.iterdir())
        for stack in stack_artifacts(assembly, all_stack_names(assembly))
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--unchecked", action="store_true", help="ignore speed-up fingerprints")
    args = parser.parse_args()

    from tenantkit.compliance import cfn_lint_speedups

    cfn_lint_speedups.CHECK_FINGERPRINTS = not args.unchecked

    from tenantkit.compliance.cfn_lint import lint_template
    from tenantkit.config import load_tenants
    from tenantkit.synth import synth_tenants

    with tempfile.TemporaryDirectory(prefix="tenantkit-bench-") as tmp:
        config_dir, outdir = Path(tmp) / "tenants", Path(tmp) / "cdk.out"
        config_dir.mkdir()
        _write_tenants(config_dir, args.tenants)
        results = synth_tenants(load_tenants([config_dir]), outdir, lint=False)
        if not all(result.ok for result in results):
            print("synthesis failed:", [r.error or r.findings[:2] for r in results if not r.ok])
            return 1
        templates = _templates(outdir)

    def lint_all(stock: bool) -> tuple[float, list[list[str]]]:
        started = time.process_time()
        findings = [lint_template(text, region, stock=stock) for _, region, text in templates]
        return (time.process_time() - started) / args.tenants, findings

    lint_all(False), lint_all(True)  # load both rule sets before timing
    from tenantkit.compliance.cfn_lint import speedup_warnings

    for warning in speedup_warnings():
        print(f"warning: {warning}")
    best = {"as shipped": float("inf"), "tenantkit": float("inf")}
    for _ in range(args.rounds):
        stock_seconds, stock_findings = lint_all(True)
        our_seconds, our_findings = lint_all(False)
        best["as shipped"] = min(best["as shipped"], stock_seconds)
        best["tenantkit"] = min(best["tenantkit"], our_seconds)
        if our_findings != stock_findings:
            for (name, _, _), ours, theirs in zip(
                templates, our_findings, stock_findings, strict=True
            ):
                if ours != theirs:
                    print(
                        f"DIFFERENT FINDINGS in {name}:\n  tenantkit: {ours}\n  stock:     {theirs}"
                    )
            return 1
    print(
        f"{args.tenants} tenants, {len(templates)} templates, same findings from both "
        f"({sum(map(len, stock_findings))} in all)"
    )
    for name, seconds in best.items():
        print(f"cfn-lint {name:>10}: {seconds:.3f} CPU-s per tenant (best of {args.rounds})")
    print(f"ratio: {best['as shipped'] / best['tenantkit']:.2f}x less CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
