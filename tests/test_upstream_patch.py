"""The moto patch offered upstream (docs/upstream/moto-backup-jobs.patch) stays a well-formed
unified diff that touches only moto's Backup service and its tests, and still applies to the moto
tenantkit installs. git parses the patch (`git apply --numstat`, which rejects a corrupt hunk);
the `patch` binary applies it to a copy of the installed moto's files."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tenantkit.sandbox.process import MOTO_VERSION

PATCH = Path(__file__).resolve().parent.parent / "docs" / "upstream" / "moto-backup-jobs.patch"
ALLOWED = ("moto/backup/", "tests/test_backup/")


def _touched_paths(patch_text: str) -> list[str]:
    """The files a patch changes, as git parses it; ValueError if git cannot parse it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: it is what parses the patch here")
    parsed = subprocess.run(  # outside any repository: git's ownership checks have no say
        ["git", "apply", "--numstat", "-"],
        input=patch_text, capture_output=True, text=True, check=False, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    if parsed.returncode != 0:
        raise ValueError(parsed.stderr.strip())
    return [line.split("\t", 2)[2] for line in parsed.stdout.splitlines()]


def _outside_scope(paths: list[str]) -> list[str]:
    return [path for path in paths if not path.startswith(ALLOWED)]


def _sections_under(patch_text: str, prefix: str) -> str:
    """The per-file sections of a git-format patch that change files under `prefix`."""
    sections = re.split(r"(?m)^(?=diff --git )", patch_text)
    return "".join(section for section in sections if section.startswith(f"diff --git a/{prefix}"))


def test_the_patch_is_a_unified_diff_of_motos_backup_service_and_its_tests_only():
    paths = _touched_paths(PATCH.read_text())
    assert "moto/backup/models.py" in paths and "tests/test_backup/test_backup_jobs.py" in paths
    assert _outside_scope(paths) == []


def test_a_corrupt_hunk_is_rejected():
    text = PATCH.read_text()
    hunk = re.search(r"(?m)^@@ -\d+,\d+ \+\d+,(\d+) @@", text)
    assert hunk is not None
    claims_more_lines = hunk.group(0).replace(f",{hunk.group(1)} @@", f",{int(hunk.group(1)) + 40} @@")
    with pytest.raises(ValueError, match="corrupt patch"):
        _touched_paths(text.replace(hunk.group(0), claims_more_lines, 1))


def test_a_change_outside_motos_backup_service_is_reported():
    text = (
        PATCH.read_text()
        .replace("a/moto/backup/urls.py", "a/moto/rds/urls.py")
        .replace("b/moto/backup/urls.py", "b/moto/rds/urls.py")
    )
    assert _outside_scope(_touched_paths(text)) == ["moto/rds/urls.py"]


def test_the_patch_applies_cleanly_to_the_installed_motos_backup_service(tmp_path: Path):
    """The installed wheel has no tests/: only the moto/ part is applied, to a copy."""
    if shutil.which("patch") is None:
        pytest.skip("the `patch` binary is not installed")
    installed = importlib.metadata.version("moto")
    if installed != MOTO_VERSION:
        pytest.skip(f"the patch is for moto {MOTO_VERSION}; moto {installed} is installed")
    spec = importlib.util.find_spec("moto")
    assert spec is not None and spec.submodule_search_locations
    shutil.copytree(Path(next(iter(spec.submodule_search_locations))) / "backup", tmp_path / "moto" / "backup")
    moto_part = _sections_under(PATCH.read_text(), "moto/")
    for mode in (["--dry-run"], []):
        applied = subprocess.run(
            ["patch", "-p1", "--forward", "--batch", *mode, "-d", str(tmp_path)],
            input=moto_part, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "fuzz" not in applied.stdout and "offset" not in applied.stdout, applied.stdout
    for path in _touched_paths(moto_part):  # the patched modules are valid Python
        compile((tmp_path / path).read_text(), path, "exec")
