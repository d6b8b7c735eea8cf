"""The lock files agree with pyproject.toml, and bench/upgrade_check.py's lock check catches each
way they can disagree (a lock weakened in one way at a time)."""

from __future__ import annotations

import importlib
import re
import sys

import pytest

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "bench"))
upgrade_check = importlib.import_module("upgrade_check")
lock = importlib.import_module("lock")

TEST_LOCK = REPO_ROOT / "requirements" / "test.lock"


@pytest.mark.parametrize("extra", sorted(lock.LOCKS))
def test_the_committed_locks_satisfy_pyproject(extra):
    assert upgrade_check.lock_problems(extra, lock.LOCKS[extra], installed=False) == []


@pytest.mark.parametrize("tool", sorted(lock.TOOL_LOCKS))
def test_each_tool_lock_holds_its_pin_with_hashes(tool):
    (requirement,) = lock.tool_requirements(tool)
    assert upgrade_check.lock_problems(tool, lock.TOOL_LOCKS[tool], installed=False, tool=True) == []
    name, pinned = requirement.split("==")
    assert [(pin.version, pin.hashes > 0) for pin in lock.read_lock(lock.TOOL_LOCKS[tool]) if pin.name == name] == [(pinned, True)]


def test_a_tool_lock_at_another_version_than_its_pin_is_reported(tmp_path):
    (requirement,) = lock.tool_requirements("checkov")
    text = lock.TOOL_LOCKS["checkov"].read_text()
    path = tmp_path / "checkov.lock"
    path.write_text(text.replace(requirement + " ", "checkov==3.3.29 "))
    assert upgrade_check.lock_problems("checkov", path, installed=False, tool=True) == [
        f"{path}: checkov==3.3.29: requirements/checkov.in requires {requirement}"
    ]


def test_every_locked_package_is_pinned_with_hashes():
    pins = lock.read_lock(TEST_LOCK)
    assert {"boto3", "moto", "aws-cdk-lib", "mypy"} <= {pin.name for pin in pins}
    assert all(pin.hashes >= 1 for pin in pins)


def test_the_locks_name_no_local_path():
    for path in [*lock.LOCKS.values(), *lock.TOOL_LOCKS.values()]:
        assert not re.search(r"file:|/opt/|/work/|/tmp/|--find-links|--index-url", path.read_text()), path


def _weakened(tmp_path, old: str, new: str):
    text = TEST_LOCK.read_text()
    assert old in text
    path = tmp_path / "test.lock"
    path.write_text(text.replace(old, new, 1))
    return path


def _pinned(name: str) -> str:
    (pin,) = [p for p in lock.read_lock(TEST_LOCK) if p.name == name and p.marker is None]
    return f"\n{name}=={pin.version} "


def test_a_version_pyproject_does_not_allow_is_reported(tmp_path):
    path = _weakened(tmp_path, _pinned("boto3"), "\nboto3==2.0.0 ")
    problems = upgrade_check.lock_problems("test", path, installed=False)
    assert [p for p in problems if "boto3==2.0.0: pyproject.toml requires boto3" in p], problems


def test_a_dependency_missing_from_the_lock_is_reported(tmp_path):
    path = _weakened(tmp_path, _pinned("jinja2"), "\nnot-jinja2==3.1.6 ")
    problems = upgrade_check.lock_problems("test", path, installed=False)
    assert any(p.endswith("jinja2: required by pyproject.toml, not locked") for p in problems), problems


def test_a_package_without_hashes_is_reported(tmp_path):
    text = TEST_LOCK.read_text()
    typer = re.search(r"\ntyper==\S+ \\\n(    --hash=\S+( \\)?\n)+", text)
    assert typer is not None
    version = typer.group(0).split("==")[1].split()[0]
    path = tmp_path / "test.lock"
    path.write_text(text.replace(typer.group(0), f"\ntyper=={version}\n"))
    problems = upgrade_check.lock_problems("test", path, installed=False)
    assert problems == [f"{path}: typer=={version}: no hashes"]


def test_an_environment_other_than_the_lock_is_reported(tmp_path):
    path = _weakened(tmp_path, _pinned("pytest"), "\npytest==8.3.0 ")
    problems = upgrade_check.lock_problems("test", path, installed=True)
    assert [p for p in problems if re.search(r"pytest: locked 8\.3\.0, installed \S+$", p)], problems


def test_the_locks_are_made_with_the_uv_the_readme_installs():
    assert lock.tool_requirements("uv") == [f"uv=={lock.UV_VERSION}"]
