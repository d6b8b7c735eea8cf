"""The mutation bench: small, realistic edits to a safety property, each of which the fast test
suite must catch.

    .venv/bin/python bench/mutations.py                 # every mutant of every area
    .venv/bin/python bench/mutations.py --area rules    # one area (a module of bench/mutants/)
    .venv/bin/python bench/mutations.py -k key-policy   # mutants whose area/name contains this
    .venv/bin/python bench/mutations.py --list          # what would run, and whether it applies

Each mutant (`bench/mutants/<area>.py`, `MUTANTS`) names a file, an exact text found there exactly
once, its replacement, and the fast tests expected to fail once it is applied. The bench copies
the working tree (tracked and untracked files, as they are now: uncommitted changes included) into
a temporary directory and edits only that copy, so an interrupted run leaves the real tree as it
was. First a sanity pass: every mutant's tests must pass on the unmutated copy, else the mutant is
invalid (reported, not scored). Then, one mutant at a time: apply the edit, run its tests with
this project's venv python (`pytest -p no:cacheprovider -x -q -n 0`), restore the file. A mutant
is caught when pytest fails (a failing test, or a collection/import error the edit caused).

Prints each mutant as caught (with the first test that failed) / survived / not applicable /
invalid / error (pytest could not run its tests: counted as not caught) with its duration, the
score (caught / applicable and valid), and the load average (timings are inflated by other work on
the machine). A mutant whose tests run past --timeout counts as caught. Exits 1 when the score is
below 90 %.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MUTANTS_DIR = REPO_ROOT / "bench" / "mutants"
PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
PYTEST_ARGS = ("-p", "no:cacheprovider", "-x", "-q", "-n", "0")
THRESHOLD = 0.90

sys.path.insert(0, str(REPO_ROOT))
from bench.mutants import Mutant  # noqa: E402  (the repository root must be importable first)


@dataclass(frozen=True)
class Entry:
    area: str
    mutant: Mutant

    @property
    def label(self) -> str:
        return f"{self.area}/{self.mutant.name}"


@dataclass(frozen=True)
class Outcome:
    entry: Entry
    status: str
    """caught, survived, not applicable, invalid, or error (pytest could not run the tests)."""
    seconds: float = 0.0
    detail: str = ""


def areas() -> list[str]:
    return sorted(path.stem for path in MUTANTS_DIR.glob("*.py") if not path.stem.startswith("_"))


def load(selected_areas: Sequence[str] | None, substring: str | None) -> list[Entry]:
    """Every mutant of the selected areas (all when none), whose area/name contains `substring`."""
    known = areas()
    unknown = sorted(set(selected_areas or ()) - set(known))
    if unknown:
        raise SystemExit(f"mutations: no area {', '.join(unknown)} (areas: {', '.join(known)})")
    entries = []
    for area in selected_areas or known:
        module = importlib.import_module(f"bench.mutants.{area}")
        mutants = getattr(module, "MUTANTS", None)
        if not isinstance(mutants, list | tuple):
            raise SystemExit(f"mutations: bench/mutants/{area}.py defines no MUTANTS list")
        entries += [Entry(area, mutant) for mutant in mutants]
    labels = [entry.label for entry in entries]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise SystemExit(f"mutations: mutant names used twice: {', '.join(repeated)}")
    return [entry for entry in entries if substring is None or substring in entry.label]


def applicability(entry: Entry, root: Path) -> str | None:
    """Why the mutant cannot be applied to the tree at `root`, or None when it can."""
    path = root / entry.mutant.file
    if not path.is_file():
        return f"{entry.mutant.file} does not exist"
    count = path.read_text(encoding="utf-8").count(entry.mutant.old)
    if count != 1:
        return f"its text occurs {count} times in {entry.mutant.file}, not once"
    if not entry.mutant.tests:
        return "it names no tests"
    return None


def copy_working_tree(target: Path) -> None:
    """Tracked and untracked (not ignored) files of the working tree, as they are now."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination, follow_symlinks=False)


def run_tests(root: Path, tests: Iterable[str], *, stop_first: bool = True, timeout: float) -> tuple[int | None, str]:
    """pytest's exit code (None on timeout) and its last lines, run in the copy at `root`."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    args = [a for a in PYTEST_ARGS if stop_first or a != "-x"]
    try:
        done = subprocess.run(
            [str(PYTHON), "-m", "pytest", *args, *tests],
            cwd=root, env=env, capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s"
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    failed = [line.split(" - ")[0] for line in lines if line.startswith(("FAILED ", "ERROR "))]
    return done.returncode, " | ".join(failed[:1] or lines[-3:])


def check_copy_is_imported(root: Path) -> None:
    """The copy's tenantkit, not the editable install's, is what the tests import."""
    found = subprocess.run(
        [str(PYTHON), "-c", "import tenantkit; print(tenantkit.__file__)"],
        cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True, check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(root.resolve()):
        raise SystemExit(f"mutations: the tests would import {found}, not the temporary copy")


def sanity(entries: list[Entry], root: Path, timeout: float) -> dict[str, str]:
    """label -> why, for each mutant whose tests do not pass on the unmutated tree."""
    everything = sorted({test for entry in entries for test in entry.mutant.tests})
    if not everything:
        return {}
    code, _ = run_tests(root, everything, stop_first=False, timeout=timeout)
    if code == 0:
        return {}
    invalid = {}
    by_tests: dict[tuple[str, ...], list[Entry]] = {}
    for entry in entries:
        by_tests.setdefault(tuple(entry.mutant.tests), []).append(entry)
    for tests, group in by_tests.items():
        code, tail = run_tests(root, tests, timeout=timeout)
        if code != 0:
            for entry in group:
                invalid[entry.label] = f"its tests do not pass on the unmutated tree (pytest exit {code}: {tail})"
    return invalid


def mutate_and_run(entry: Entry, root: Path, timeout: float) -> Outcome:
    path = root / entry.mutant.file
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(entry.mutant.old, entry.mutant.new, 1), encoding="utf-8")
    started = time.monotonic()
    try:
        code, tail = run_tests(root, entry.mutant.tests, timeout=timeout)
    finally:
        path.write_text(original, encoding="utf-8")
    seconds = time.monotonic() - started
    if code is None:
        return Outcome(entry, "caught", seconds, tail)  # a mutant that hangs the tests is found out
    if code in (1, 2):  # failed tests; or an interrupted session (the edit broke an import)
        return Outcome(entry, "caught", seconds, f"by {tail}")
    if code == 0:
        return Outcome(entry, "survived", seconds, entry.mutant.why)
    return Outcome(entry, "error", seconds, f"pytest exit {code}: {tail}")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def report(outcomes: list[Outcome]) -> float | None:
    width = max((len(o.entry.label) for o in outcomes), default=0)
    for outcome in outcomes:
        seconds = f"{outcome.seconds:6.1f} s" if outcome.seconds else " " * 8
        detail = f"  {outcome.detail}" if outcome.detail else ""
        print(f"{outcome.entry.label:<{width}}  {outcome.status:<14} {seconds}{detail}", flush=True)
    scored = [o for o in outcomes if o.status in ("caught", "survived", "error")]
    caught = sum(o.status == "caught" for o in scored)
    counts = {status: sum(o.status == status for o in outcomes) for status in ("not applicable", "invalid")}
    extra = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    if not scored:
        print(f"score: no applicable mutant{f' ({extra})' if extra else ''}")
        return None
    score = caught / len(scored)
    print(f"score: {caught}/{len(scored)} caught = {score:.0%}{f' ({extra}, not scored)' if extra else ''}")
    return score


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--area", action="append", help="a module of bench/mutants (repeatable)")
    parser.add_argument("-k", dest="substring", help="only mutants whose area/name contains this")
    parser.add_argument("--list", action="store_true", help="list the mutants and whether they apply; run nothing")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per pytest run (default 900)")
    options = parser.parse_args(argv)
    entries = load(options.area, options.substring)
    if not entries:
        print("mutations: no mutant selected")
        return 1

    if options.list:
        for entry in entries:
            problem = applicability(entry, REPO_ROOT)
            print(f"{entry.label}  [{entry.mutant.file}]  {'not applicable: ' + problem if problem else 'applies'}")
            print(f"    {entry.mutant.why}")
            print(f"    tests: {' '.join(entry.mutant.tests)}")
        return 0

    print(f"load average at start: {load_average()}", flush=True)
    started = time.monotonic()
    outcomes: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="tenantkit-mutations-") as temporary:
        root = Path(temporary)
        copy_working_tree(root)
        check_copy_is_imported(root)
        runnable = []
        for entry in entries:
            problem = applicability(entry, root)
            if problem:
                outcomes[entry.label] = Outcome(entry, "not applicable", detail=problem)
            else:
                runnable.append(entry)
        invalid = sanity(runnable, root, options.timeout)
        for entry in runnable:
            if entry.label in invalid:
                outcomes[entry.label] = Outcome(entry, "invalid", detail=invalid[entry.label])
            else:
                outcomes[entry.label] = mutate_and_run(entry, root, options.timeout)
                print(f"  {entry.label}: {outcomes[entry.label].status}", file=sys.stderr, flush=True)
    score = report([outcomes[entry.label] for entry in entries])
    print(f"{len(entries)} mutants in {time.monotonic() - started:.0f} s; load average at end: {load_average()}")
    return 0 if score is not None and score >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
