"""Time `tenantkit synth --all` on generated tenants, as a whole process: seconds and peak memory.

    .venv/bin/python bench/synth_many.py            # 100 tenants (300 stacks), then 1 tenant
    .venv/bin/python bench/synth_many.py --tenants 20 --no-single

Tenants are generated as YAML files in a temporary directory (residencies rotate us/ca/de, every
third one with an account so AZ context seeding is exercised). The synth runs in a child process
(the `tenantkit synth --all` CLI when it exists, else `python -c` calling the synth service);
peak memory is the largest sum of RSS over that process and all its descendants (Python, the jsii
Node runtime, cfn-lint workers), sampled every 100 ms from /proc.

Targets (issue 3): 100 tenants in at most 60 s and 3 GiB on the 2-core build machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESIDENCIES = (("us", "US"), ("ca", "CA"), ("de", "DE"))


def write_tenants(directory: Path, count: int) -> list[str]:
    ids = []
    for n in range(count):
        residency, country = RESIDENCIES[n % 3]
        tenant_id = f"bench-{n:03d}-{residency}"
        account = f'account: "{100000000000 + n}"\n' if n % 3 == 0 else ""
        (directory / f"{tenant_id}.yaml").write_text(
            textwrap.dedent(
                f"""\
                tenant_id: {tenant_id}
                display_name: "Bench tenant {n}"
                residency: {residency}
                """
            )
            + account
            + textwrap.dedent(
                f"""\
                contacts:
                  security_email: "security@{tenant_id}.example"
                access:
                  allowed_cidrs: ["192.0.2.{n % 256}/32", "2001:db8:{n:x}::/48"]
                  allowed_countries: ["{country}"]
                  allow_roaming: {str(n % 2 == 0).lower()}
                tags:
                  cost-center: "{1000 + n}"
                """
            )
        )
        ids.append(tenant_id)
    return ids


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue
    return found


def _tree_rss_bytes(root: int) -> int:
    total, stack = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * page
        except (OSError, ValueError):
            continue
        stack.extend(_children(pid))
    return total


def synth_command(config_dir: Path, outdir: Path) -> list[str]:
    """The CLI when the lead has wired `tenantkit synth`, else the service through python -c."""
    cli = Path(sys.executable).parent / "tenantkit"
    if cli.exists():
        probe = subprocess.run([str(cli), "synth", "--help"], capture_output=True, text=True)
        if probe.returncode == 0:
            return [str(cli), "synth", "--all", "--dir", str(config_dir), "--out", str(outdir), "--json"]
    code = (
        "import sys; from pathlib import Path; "
        "from tenantkit.config import load_tenants; "
        "from tenantkit.synth import synth_tenants; "
        f"rs = synth_tenants(load_tenants([Path({str(config_dir)!r})]), Path({str(outdir)!r})); "
        "bad = [r for r in rs if not r.ok]; "
        "[print(r.tenant_id, r.error, r.compliance_findings[:3]) for r in bad]; "
        "print(len(rs), 'tenants', sum(len(r.stack_names) for r in rs), 'stacks', "
        "sum(r.resource_count for r in rs), 'resources', len(bad), 'not ok'); "
        "sys.exit(1 if bad else 0)"
    )
    return [sys.executable, "-c", code]


def measure(count: int) -> tuple[float, int, int, str]:
    with tempfile.TemporaryDirectory(prefix="tenantkit-bench-") as tmp:
        config_dir, outdir = Path(tmp) / "tenants", Path(tmp) / "cdk.out"
        config_dir.mkdir()
        write_tenants(config_dir, count)
        command = synth_command(config_dir, outdir)
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss_bytes(process.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        output = process.stdout.read() if process.stdout else ""
        return seconds, peak, process.returncode, output


def _summary(output: str) -> str:
    """The CLI's JSON summary condensed to counts (and the first problems), or the raw tail."""
    import json

    try:
        data = json.loads(output[output.index("{"):])
    except ValueError:
        return output.strip()[-2000:]
    rows = data["tenants"]
    bad = [row for row in rows if not row["ok"]]
    lines = [
        f"{len(rows)} tenants, {sum(len(r['stacks']) for r in rows)} stacks, "
        f"{sum(r['resources'] for r in rows)} resources, {len(bad)} not ok"
    ]
    for row in bad[:5]:
        lines.append(f"{row['tenant_id']}: {row['error'] or row['findings'][:3]}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--no-single", action="store_true", help="skip the single-tenant run")
    args = parser.parse_args()
    runs = [args.tenants] + ([] if args.no_single or args.tenants == 1 else [1])
    failed = False
    for count in runs:
        seconds, peak, code, output = measure(count)
        print(f"{count} tenants ({3 * count} stacks): {seconds:.1f} s, peak RSS {peak / 2**30:.2f} GiB, exit {code}")
        print(textwrap.indent(_summary(output), "    "))
        failed |= code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
