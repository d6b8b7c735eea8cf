"""Check the synth toolchain after raising a pin: run this before committing a new upper bound.

    # 1. raise the bound in pyproject.toml (e.g. "cfn-lint~=1.59.0"), then
    .venv/bin/pip install -e '.[test]'
    # 2. check it
    .venv/bin/python bench/upgrade_check.py [--tenants 12] [--skip-suite]

Steps, each printed with its verdict; exit 1 if any fails:
1. the installed versions of the pinned toolchain (aws-cdk-lib, cdk-nag, cfn-lint, jsii, moto,
   constructs, Node);
2. the fingerprint of the cfn-lint code each speed-up relies on, checked and current;
3. the cfn-lint equivalence bench (bench/cfn_lint_speedups.py --unchecked): the speed-ups forced
   on, even where a fingerprint changed, must find exactly what cfn-lint as shipped finds;
4. the test suite (`python -m pytest -q -n 2`).
When a fingerprint changed and steps 3 and 4 pass, read the upstream diff of the functions named,
and if the speed-up still holds, put the new fingerprint in `SPEEDUPS`
(tenantkit/compliance/cfn_lint_speedups.py); otherwise delete the speed-up.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _step(title: str, command: list[str]) -> bool:
    print(f"== {title}: {' '.join(command)}", flush=True)
    passed = subprocess.run(command, cwd=REPO, check=False).returncode == 0
    print(f"== {title}: {'ok' if passed else 'FAILED'}", flush=True)
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=12)
    parser.add_argument("--skip-suite", action="store_true")
    args = parser.parse_args()
    python = sys.executable
    versions = (
        "from tenantkit.synth.cache import toolchain_versions\n"
        "for name, version in toolchain_versions().items(): print(f'{name:>12} {version}')\n"
        "from importlib.metadata import version; print(f\"{'moto':>12} {version('moto')}\")"
    )
    results = [
        _step("toolchain", [python, "-c", versions]),
        _step("speed-up fingerprints", [python, "-m", "tenantkit.compliance.cfn_lint_speedups"]),
        _step(
            "cfn-lint equivalence",
            [python, "bench/cfn_lint_speedups.py", "--unchecked", "--tenants", str(args.tenants)],
        ),
    ]
    if not args.skip_suite:
        results.append(_step("test suite", [python, "-m", "pytest", "-q", "-n", "2"]))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
