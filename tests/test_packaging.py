"""A non-editable install (`pip install .`) lints with the settings it ships, from any directory.

The fresh venv (no pip of its own: this venv's pip installs into it with `--python`, sparing an
ensurepip per run) gets tenantkit built and installed from this checkout (a wheel, built offline by
the release of setuptools pyproject's [build-system] asks for, locked in requirements/test.lock:
no test reaches a package index) and borrows the already-installed dependencies from this venv through a `.pth` file: a full
dependency install (aws-cdk-lib alone is ~100 MB unpacked) took 9 minutes on the shared 2-core
build machine, and what this test guards is tenantkit's own packaging.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PROBE = """
import importlib.resources, json, tenantkit
from tenantkit.compliance.cfn_lint import ignored_checks, lint_template
subnet = {"Resources": {"Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
    "VpcId": "vpc-12345678", "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "us-east-1a"}}}}
from tenantkit.review.render import render_residency
from tenantkit.review.residency_page import residency_page
print(json.dumps({"file": tenantkit.__file__, "ignored": list(ignored_checks()),
                  "findings": lint_template(subnet, "us-east-1"),
                  "report_templates": sorted(p.name for p in importlib.resources.files("tenantkit.lifecycle").joinpath("templates").iterdir()),
                  "residency_page": render_residency(residency_page("de"), "html")}))
"""

# What is not source: git's, build leftovers, and the local caches and virtualenvs (.venv-checkov,
# often a symlink, and .mypy_cache are some 450 MB that copytree would copy on every run).
_NOT_SOURCE = (".git", ".venv", ".venv-*", "build", "dist", "*.egg-info", "__pycache__", "cdk.out",
               ".tenantkit", ".pytest_cache", ".ruff_cache", ".mypy_cache")


@pytest.mark.slow
def test_an_installed_tenantkit_reads_its_lint_settings_from_the_package(tmp_path: Path) -> None:
    target = tmp_path / "venv"
    venv.create(target)  # without pip of its own: this environment's pip installs into it (--python)
    python = target / "bin" / "python"
    (site_packages,) = target.glob("lib/python*/site-packages")
    (site_packages / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    source = tmp_path / "checkout"  # without build/ and *.egg-info leftovers that hide omissions
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    install = subprocess.run(
        # offline: no index, and the build backend is this environment's locked setuptools
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
         "--no-build-isolation", str(source)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = subprocess.run(
        [str(python), "-c", PROBE], capture_output=True, text=True, check=False, cwd=elsewhere
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    result = json.loads(probe.stdout)
    assert Path(result["file"]).is_relative_to(target), result["file"]  # not the source tree
    assert result["ignored"] == ["W3010", "W3005"]
    assert result["findings"] == []  # W3010 (hard-coded AZ) is ignored, as in a checkout
    assert result["report_templates"] == ["destruction_report.html.j2", "destruction_report.md.j2"]
    assert "eu-central-1 (Frankfurt, Germany)" in result["residency_page"]  # review templates are package data


def test_pyproject_and_the_locks_pin_the_moto_the_extensions_were_written_for():
    import tomllib

    from packaging.requirements import Requirement

    from tenantkit.sandbox.process import MOTO_VERSION

    extras = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for extra in ("sandbox", "test"):
        (moto,) = [Requirement(r) for r in extras[extra] if Requirement(r).name == "moto"]
        assert list(moto.specifier.filter(["5.2.4", MOTO_VERSION, "5.2.6", "5.3.0"])) == [MOTO_VERSION], extra
        lock = (REPO_ROOT / "requirements" / f"{extra}.lock").read_text()
        assert f"\nmoto=={MOTO_VERSION} " in lock, extra


def test_the_locked_setuptools_satisfies_the_build_system():
    """The packaging test builds offline with the test lock's setuptools: it must be a release
    [build-system] accepts."""
    import tomllib

    from packaging.requirements import Requirement

    (requires,) = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    requirement = Requirement(requires)
    locked = [line.split("==")[1].split()[0] for line in (REPO_ROOT / "requirements" / "test.lock").read_text().splitlines() if line.startswith(f"{requirement.name}==")]
    assert len(locked) == 1 and requirement.specifier.contains(locked[0]), (requires, locked)
