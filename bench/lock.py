"""Write the lock files, the exact environments CI and the README install: every package, pinned,
with the hashes of all its distributions.

    .venv/bin/pip install uv==0.13.8                      # once (the uv the locks were made with)
    .venv/bin/python bench/lock.py                        # after editing pyproject.toml's dependencies
    .venv/bin/python bench/lock.py --upgrade-package boto3    # move one package to its newest allowed
    .venv/bin/python bench/lock.py --upgrade              # move everything to its newest allowed

One lock per environment, resolved from pyproject.toml's dependencies and one extra:
requirements/test.lock (`test`) and requirements/sandbox.lock (`sandbox`); and one per tool that
lives outside them, resolved from its requirements/<tool>.in: requirements/uv.lock (the installer
the README and CI install the others with) and requirements/checkov.lock (checkov's own
virtualenv: its pins conflict with the test environment's). The locks are
universal (any OS, Python 3.11 and later; environment markers where a platform differs). Without
--upgrade*, uv keeps every version already locked that still satisfies pyproject.toml. uv reads
no pip configuration, so a local mirror or wheel directory never ends up in a lock.
Install one as the README does:
    pip install --require-hashes -r requirements/uv.lock
    uv pip install --compile-bytecode --python .venv/bin/python --require-hashes -r requirements/test.lock
    uv pip install --python .venv/bin/python --no-deps -e .
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UV_VERSION = "0.13.8"
PYTHON_VERSION = "3.11"
LOCKS = {"test": REPO / "requirements" / "test.lock", "sandbox": REPO / "requirements" / "sandbox.lock"}
"""extra -> its lock file."""
TOOL_LOCKS = {tool: REPO / "requirements" / f"{tool}.lock" for tool in ("uv", "checkov")}
"""tool -> its lock file, compiled from requirements/<tool>.in (the tool's exact pin)."""
COMMAND = "python bench/lock.py"

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(?:;\s*(?P<marker>[^\\]+?))?\s*\\?$")


@dataclass(frozen=True)
class Pin:
    name: str  # normalized (PEP 503)
    version: str
    marker: str | None
    hashes: int


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> list[Pin]:
    """The pins of a lock written by `uv pip compile --generate-hashes`."""
    pins: list[Pin] = []
    current: dict[str, str | None] | None = None
    hashes = 0
    for line in [*path.read_text().splitlines(), ""]:
        match = _PIN.match(line)
        if match or not line.startswith(" "):
            if current is not None:
                pins.append(Pin(str(current["name"]), str(current["version"]), current["marker"], hashes))
            current, hashes = (match.groupdict() if match else None), 0
            if current is not None:
                current["name"] = normalize(str(current["name"]))
        elif "--hash=" in line:
            hashes += 1
    return pins


def direct_requirements(extra: str) -> list[str]:
    """pyproject.toml's requirement strings for the base dependencies plus `extra`."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"][extra]]


def tool_requirements(tool: str) -> list[str]:
    """The requirement lines of requirements/<tool>.in (comments and blank lines left out)."""
    lines = TOOL_LOCKS[tool].with_suffix(".in").read_text().splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def uv_command() -> list[str]:
    try:
        installed = version("uv")
    except PackageNotFoundError:
        installed = None
    if installed != UV_VERSION:
        found = f"uv {installed} is installed" if installed else "uv is not installed"
        sys.exit(f"bench/lock.py: {found}; the locks are made with uv {UV_VERSION}: pip install uv=={UV_VERSION}")
    from uv import find_uv_bin

    return [find_uv_bin()]


def compile_lock(extra: str, output: Path, *, upgrade: bool = False, upgrade_packages: tuple[str, ...] = (), tool: bool = False) -> int:
    """Run `uv pip compile` for `extra` (or, with `tool`, requirements/<extra>.in) into `output`
    (kept pins are read from it when it exists)."""
    source = [str(output.with_suffix(".in"))] if tool else ["pyproject.toml", "--extra", extra]
    command = [
        *uv_command(), "pip", "compile", *source,
        "--universal", "--python-version", PYTHON_VERSION, "--generate-hashes",
        "--no-config", "--quiet", "--custom-compile-command", COMMAND, "--output-file", str(output),
    ]  # fmt: skip
    if upgrade:
        command.append("--upgrade")
    for package in upgrade_packages:
        command += ["--upgrade-package", package]
    return subprocess.run(command, cwd=REPO, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="every package to its newest allowed release")
    parser.add_argument("--upgrade-package", action="append", default=[], metavar="NAME")
    args = parser.parse_args()
    failed = 0
    locks = [(extra, path, False) for extra, path in LOCKS.items()] + [(tool, path, True) for tool, path in TOOL_LOCKS.items()]
    for extra, path, tool in locks:
        path.parent.mkdir(exist_ok=True)
        code = compile_lock(extra, path, upgrade=args.upgrade, upgrade_packages=tuple(args.upgrade_package), tool=tool)
        print(f"{path.relative_to(REPO)}: {'written' if code == 0 else 'FAILED'}")
        failed |= code
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
