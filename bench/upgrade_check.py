"""Check the synth toolchain after raising a pin: run this before committing a new upper bound.

    # 1. raise the bound in pyproject.toml (e.g. "cfn-lint~=1.59.0"), lock and install it
    .venv/bin/python bench/lock.py --upgrade-package cfn-lint
    .venv/bin/uv pip install --compile-bytecode --python .venv/bin/python --require-hashes -r requirements/test.lock
    .venv/bin/uv pip install --python .venv/bin/python --no-deps -e .
    # 2. check it
    .venv/bin/python bench/upgrade_check.py [--tenants 12] [--skip-suite] [--newer] [--lock-only]

Steps, each printed with its verdict; exit 1 if any fails:
1. the lock files (requirements/*.lock, written by bench/lock.py) against pyproject.toml: every
   dependency of the environment is locked at a version pyproject.toml allows, every locked
   package has hashes, and this environment has the versions requirements/test.lock pins;
2. the installed versions of the pinned toolchain (aws-cdk-lib, cdk-nag, cfn-lint, jsii, moto,
   constructs, Node);
3. the fingerprint of the cfn-lint code each speed-up relies on, checked and current;
4. the cfn-lint equivalence bench (bench/cfn_lint_speedups.py --unchecked): the speed-ups forced
   on, even where a fingerprint changed, must find exactly what cfn-lint as shipped finds;
5. the test suite (`python -m pytest -q -n 2`).
Steps 1-5 need no network. `--newer` (uv and the package index) adds a report, not a verdict: which
locked packages have newer releases that pyproject.toml allows (`bench/lock.py --upgrade-package
NAME` takes one) and which of our direct dependencies pyproject.toml's upper bounds hold back.
`--lock-only` runs step 1 (and `--newer`) alone.
When a fingerprint changed and steps 3 and 4 pass, read the upstream diff of the functions named,
and if the speed-up still holds, put the new fingerprint in `SPEEDUPS`
(tenantkit/compliance/cfn_lint_speedups.py); otherwise delete the speed-up.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lock import LOCKS, TOOL_LOCKS, Pin, compile_lock, direct_requirements, normalize, read_lock, tool_requirements
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parents[1]


def _step(title: str, command: list[str]) -> bool:
    print(f"== {title}: {' '.join(command)}", flush=True)
    passed = subprocess.run(command, cwd=REPO, check=False).returncode == 0
    print(f"== {title}: {'ok' if passed else 'FAILED'}", flush=True)
    return passed


def _applies(pin: Pin) -> bool:
    return pin.marker is None or Marker(pin.marker).evaluate()


def lock_problems(extra: str, lock: Path, *, installed: bool, tool: bool = False) -> list[str]:
    """Why `lock` is not the environment pyproject.toml describes for `extra` (empty when it is);
    with `tool`, the one requirements/<extra>.in describes. With `installed`, also each locked
    package this interpreter has at another version."""
    shown = lock.relative_to(REPO) if lock.is_relative_to(REPO) else lock
    if not lock.exists():
        return [f"{shown}: missing: python bench/lock.py"]
    pins = read_lock(lock)
    by_name: dict[str, list[Pin]] = {}
    for pin in pins:
        by_name.setdefault(pin.name, []).append(pin)
    problems = [f"{pin.name}=={pin.version}: no hashes" for pin in pins if pin.hashes == 0]
    source = f"requirements/{extra}.in" if tool else "pyproject.toml"
    for text in tool_requirements(extra) if tool else direct_requirements(extra):
        requirement = Requirement(text)
        locked = by_name.get(normalize(requirement.name), [])
        if not locked:
            problems.append(f"{requirement.name}: required by {source}, not locked")
        for pin in locked:
            if not requirement.specifier.contains(pin.version, prereleases=True):
                problems.append(f"{pin.name}=={pin.version}: {source} requires {requirement.name}{requirement.specifier}")
    if installed:
        for pin in filter(_applies, pins):
            try:
                found = version(pin.name)
            except PackageNotFoundError:
                found = "not installed"
            if found != pin.version:
                problems.append(f"{pin.name}: locked {pin.version}, installed {found}")
    return [f"{shown}: {problem}" for problem in problems]


def _lock_step() -> bool:
    print("== lock files: requirements/*.lock against pyproject.toml, requirements/*.in and this environment", flush=True)
    problems = [p for extra, lock in LOCKS.items() for p in lock_problems(extra, lock, installed=extra == "test")]
    problems += [p for tool, lock in TOOL_LOCKS.items() for p in lock_problems(tool, lock, installed=False, tool=True)]
    for problem in problems:
        print(f"   {problem}")
    print(f"== lock files: {'FAILED' if problems else 'ok'}", flush=True)
    return not problems


def _versions(pins: list[Pin]) -> dict[str, str]:
    return {pin.name: pin.version for pin in pins if _applies(pin)}


def _newer_report() -> None:
    """Newer releases: those pyproject.toml allows (a lock refresh would take them) and those its
    upper bounds hold back. Resolved by uv against the package index; nothing is written."""
    print("== newer releases (uv, package index): a report, not a verdict", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        for extra, lock in LOCKS.items():
            upgraded = Path(scratch) / f"{extra}.lock"
            if compile_lock(extra, upgraded, upgrade=True) != 0:
                print(f"   {extra}: could not resolve (offline?)")
                continue
            old, new = _versions(read_lock(lock)), _versions(read_lock(upgraded))
            allowed = [f"{n} {old[n]} -> {new[n]}" for n in sorted(old.keys() & new.keys()) if old[n] != new[n]]
            print(f"   {lock.relative_to(REPO)}, allowed by pyproject.toml: {', '.join(allowed) or 'none newer'}")
        held = _held_back(Path(scratch))
        if held is not None:
            print(f"   held back by pyproject.toml's upper bounds: {', '.join(held) or 'none'}")


def _held_back(scratch: Path) -> list[str] | None:
    """Direct dependencies whose newest release lies above pyproject.toml's upper bound: the test
    environment resolved again with only the lower bounds."""
    loose = []
    for text in direct_requirements("test"):
        requirement = Requirement(text)
        lower = [spec for spec in requirement.specifier if spec.operator in (">=", ">", "!=")]
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        loose.append(f"{requirement.name}{extras}{SpecifierSet(','.join(map(str, lower)))}")
    source, output = scratch / "loose.in", scratch / "loose.lock"
    source.write_text("\n".join(loose) + "\n")
    from lock import PYTHON_VERSION, uv_command

    command = [*uv_command(), "pip", "compile", str(source), "--universal", "--python-version", PYTHON_VERSION,
               "--no-config", "--quiet", "--output-file", str(output)]  # fmt: skip
    if subprocess.run(command, cwd=REPO, check=False).returncode != 0:
        print("   held back: could not resolve (offline?)")
        return None
    locked, newest = _versions(read_lock(LOCKS["test"])), _versions(read_lock(output))
    direct = {normalize(Requirement(text).name) for text in direct_requirements("test")}
    return [f"{n} {locked[n]} (newest {newest[n]})" for n in sorted(direct) if n in locked and n in newest and locked[n] != newest[n]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=12)
    parser.add_argument("--skip-suite", action="store_true")
    parser.add_argument("--newer", action="store_true", help="also report newer releases (needs the package index)")
    parser.add_argument("--lock-only", action="store_true", help="only the lock files (and --newer)")
    args = parser.parse_args()
    lock_ok = _lock_step()
    if args.newer:
        _newer_report()
    if args.lock_only:
        return 0 if lock_ok else 1
    python = sys.executable
    versions = (
        "from tenantkit.synth.cache import toolchain_versions\n"
        "for name, version in toolchain_versions().items(): print(f'{name:>12} {version}')\n"
        "from importlib.metadata import version; print(f\"{'moto':>12} {version('moto')}\")"
    )
    results = [
        lock_ok,
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
