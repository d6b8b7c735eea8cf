"""Cold synth against the CDK CLI: `tenantkit synth --all --no-cache` versus `cdk synth` of the
same app and tenants, side by side in one run, for each N of --tenants.

    .venv/bin/python bench/cdk_synth_ratio.py                     # N = 1, 10, 30, 100 (heavy)
    .venv/bin/python bench/cdk_synth_ratio.py --tenants 1         # proves the bench works

For each N, in a temporary project directory holding N generated tenants (bench/synth_many.py's)
and a copy of the repository's cdk.json (its feature flags are the context both runs get):
- `cdk synth --quiet` with the pinned CDK CLI (tenantkit.lifecycle.cdk_cli, installed once under
  .tenantkit/cdk-cli/ of the repository), app `<this venv's python> <repo>/app.py`, the tenants
  passed as `-c tenant_configs=<dir>`, without version reporting, path or asset metadata (as
  tenantkit's own App: otherwise every resource differs by its `aws:cdk:path`): one app holding
  every tenant, checked by cdk-nag, the isolation rules and cfn-lint in-process;
- `tenantkit synth --all --no-cache` of the same directory (one app per tenant, cfn-lint in its
  worker pool).
Printed per N: both wall times, their ratio (tenantkit / CDK CLI; issue 23's target: <= 0.4 at
N = 100), the CPU seconds of each (the process and all its descendants), the load average before
and after; then whether every tenant stack's template is byte-identical (by file name: the CDK CLI writes
`<stack>.template.json` in one directory, tenantkit one directory per tenant) and whether both
runs found the same problems (the CDK validation report and CDK's warning and error annotations
of each assembly, read by tenantkit's own `validation_findings` and `cdk_annotations`).

Steady state: tenantkit is byte-compiled once before anything is timed (bench/validate_many.py's
`compile_once`), as on a machine that writes bytecode; both runs then read the same .pyc files.
The CDK CLI run goes first at each N, so neither profits from the other's warm file cache more.
Exit 1 when a run fails, a template differs or the findings differ (never for the ratio itself:
figures on a shared machine are for reading, not gating).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_many import measure, synth_command, write_tenants
from validate_many import compile_once

from tenantkit.compliance.assembly import cdk_annotations, validation_findings
from tenantkit.lifecycle.cdk_cli import find_cdk_cli, node_environment
from tenantkit.naming import stack_names

ROOT = Path(__file__).resolve().parents[1]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def templates(outdir: Path, tenant_ids: list[str]) -> dict[str, bytes]:
    """The tenants' stack templates under `outdir`, by file name (app.py also synthesizes the
    account-and-region baseline stacks, which `tenantkit synth` leaves out)."""
    wanted = {f"{name}.template.json" for tenant_id in tenant_ids for name in stack_names(tenant_id)}
    return {path.name: path.read_bytes() for path in sorted(outdir.rglob("*.template.json")) if path.name in wanted}


def findings(assembly_dirs: list[Path], tenant_ids: list[str]) -> Counter[str]:
    """What the assemblies report: validation report violations and CDK annotations."""
    found: Counter[str] = Counter()
    for assembly_dir in assembly_dirs:
        found.update(validation_findings(assembly_dir))
        present = [name for tenant_id in tenant_ids for name in stack_names(tenant_id) if (assembly_dir / f"{name}.template.json").is_file()]
        found.update(cdk_annotations(assembly_dir, present))
    return found


def _rows(output: str) -> list[dict]:
    """The tenant rows of `tenantkit synth --json` (none when it printed no summary)."""
    try:
        return json.JSONDecoder().raw_decode(output, output.index("{"))[0]["tenants"]
    except (ValueError, KeyError):
        return []


def tenantkit_findings(output: str) -> Counter[str]:
    """The findings `tenantkit synth --json` printed (cfn-lint's among them)."""
    return Counter(finding for row in _rows(output) for finding in row["findings"])


def compare(count: int, workspace: Path, cdk: tuple[str, ...]) -> bool:
    project = workspace / f"n{count}"
    config_dir = project / "tenants"
    config_dir.mkdir(parents=True)
    tenant_ids = write_tenants(config_dir, count)
    shutil.copy(ROOT / "cdk.json", project / "cdk.json")
    cdk_out, tenantkit_out = project / "cdk.out", project / "tenantkit.out"
    cdk_command = [
        *cdk, "synth", "--quiet", "--app", f"{sys.executable} {ROOT / 'app.py'}",
        "-c", f"tenant_configs={config_dir}", "--output", str(cdk_out), "--no-notices", "--no-version-reporting",
        "--no-path-metadata", "--no-asset-metadata",  # as tenantkit's App: no aws:cdk:path, aws:asset:* in templates
    ]
    print(f"N = {count}: before: {load_average()}")
    cdk_seconds, _, cdk_code, cdk_output, cdk_cpu = measure(project, config_dir, cdk_command, node_environment())
    ours = [*synth_command(config_dir, tenantkit_out), "--no-cache"]
    our_seconds, _, our_code, our_output, our_cpu = measure(project, config_dir, ours)
    print(f"N = {count}: after: {load_average()}")
    print(f"  cdk synth (CDK CLI):          {cdk_seconds:7.1f} s  CPU {sum(cdk_cpu.values()):7.1f} s  exit {cdk_code}")
    print(f"  tenantkit synth --no-cache:   {our_seconds:7.1f} s  CPU {sum(our_cpu.values()):7.1f} s  exit {our_code}")
    target = " (target at N = 100: <= 0.4)" if count == 100 else ""
    print(f"  ratio tenantkit / CDK CLI:    {our_seconds / cdk_seconds:7.2f} wall, "
          f"{sum(our_cpu.values()) / max(sum(cdk_cpu.values()), 1e-9):.2f} CPU{target}")
    ok = True
    if cdk_code != 0:
        print("  cdk synth failed:\n" + cdk_output[-3000:])
        ok = False
    errors = [] if our_code not in (0, 1) else [f"{r['tenant_id']}: {r['error']}" for r in _rows(our_output) if r.get("error")]
    if our_code not in (0, 1) or errors:  # exit 1 with no error: findings, compared below
        print("  tenantkit synth failed:\n" + ("\n".join(errors[:5]) or our_output[-3000:]))
        return False
    theirs, mine = templates(cdk_out, tenant_ids), templates(tenantkit_out, tenant_ids)
    differing = sorted(name for name in theirs.keys() | mine.keys() if theirs.get(name) != mine.get(name))
    print(f"  templates: {len(mine)} from tenantkit, {len(theirs)} from the CDK CLI, "
          + ("byte-identical" if not differing else f"{len(differing)} differ or are missing: {', '.join(differing[:5])}"))
    ok &= not differing
    cdk_found = findings([cdk_out], tenant_ids)
    our_found = tenantkit_findings(our_output)
    same = cdk_found == our_found
    print(f"  findings: {sum(our_found.values())} from tenantkit, {sum(cdk_found.values())} from the CDK CLI, "
          + ("the same" if same else "DIFFERENT"))
    for finding in sorted((our_found - cdk_found) + (cdk_found - our_found))[:10]:
        side = "tenantkit only" if our_found[finding] > cdk_found[finding] else "CDK CLI only"
        print(f"    {side}: {finding}")
    return ok and same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", default="1,10,30,100", help="comma-separated fleet sizes N (default 1,10,30,100)")
    parser.add_argument("--keep", type=Path, help="keep the projects (tenants, both outputs) in this new directory")
    args = parser.parse_args()
    counts = [int(part) for part in args.tenants.split(",") if part.strip()]
    compile_once()
    cli = find_cdk_cli(ROOT / ".tenantkit" / "cdk-cli")
    ok = True
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True)
            workspace = args.keep
        else:
            workspace = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tenantkit-bench-ratio-")))
        for count in counts:
            ok &= compare(count, workspace, cli.argv)
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
