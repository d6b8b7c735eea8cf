"""`--changed-since REF --exact`: the tenants whose templates, synthesized at REF with REF's own
code and now with the current code, differ. A comment in a tenant file changes no template."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tenantkit.fleet import select_tenants
from tenantkit.fleet.exact import differing_tenants
from tests.conftest import REPO_ROOT


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True, capture_output=True, text=True,
    ).stdout


def write_templates(root: Path, tenant_id: str, templates: dict[str, str]) -> None:
    (root / tenant_id).mkdir(parents=True)
    for name, text in templates.items():
        (root / tenant_id / name).write_text(text)


def test_differing_tenants_compares_every_template_and_counts_a_missing_side_as_changed(tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    same = {"tenant-a-dr.template.json": "{}", "tenant-a-primary.template.json": '{"x": 1}'}
    write_templates(before, "a", same)
    write_templates(after, "a", same)
    write_templates(before, "b", same)
    write_templates(after, "b", {**same, "tenant-a-primary.template.json": '{"x": 2}'})
    write_templates(before, "c", same)
    write_templates(after, "c", {**same, "tenant-c-replica.template.json": "{}"})
    write_templates(after, "new", same)
    write_templates(before, "gone-now", same)
    assert differing_tenants(before, after, ["a", "b", "c", "new", "gone-now"]) == ["b", "c", "new", "gone-now"]


@pytest.mark.slow
def test_exact_selects_only_the_tenant_whose_templates_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four synths (two tenants, at REF in a git worktree of REF run through PYTHONPATH, and now):
    minutes on a loaded machine."""
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "--quiet", "--no-hardlinks", str(REPO_ROOT), str(repo))
    for path in (repo / "tenant_configs").glob("*.yaml"):
        if path.stem not in ("maple-ca", "rhein-de"):
            path.unlink()
    git(repo, "commit", "--quiet", "-am", "two tenants")
    with (repo / "tenant_configs" / "maple-ca.yaml").open("a") as handle:
        handle.write("# a comment changes no template\n")
    rhein = repo / "tenant_configs" / "rhein-de.yaml"
    rhein.write_text(rhein.read_text().replace('"203.0.113.128/26"', '"198.51.100.0/24"'))
    git(repo, "commit", "--quiet", "-am", "edit both")
    monkeypatch.chdir(repo)

    by_files = select_tenants(Path("tenant_configs"), [], all_tenants=True, changed_since="HEAD~1", root=Path("."))
    assert by_files is not None and by_files.tenant_ids == ("maple-ca", "rhein-de")
    exact = select_tenants(Path("tenant_configs"), [], all_tenants=True, changed_since="HEAD~1", exact=True, root=Path("."))
    assert exact is not None and exact.tenant_ids == ("rhein-de",)
    assert "(HEAD detached" not in git(repo, "worktree", "list"), "the worktree of REF is removed"
    assert len(git(repo, "worktree", "list").splitlines()) == 1
