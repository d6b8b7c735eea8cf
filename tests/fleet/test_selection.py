"""Fleet selection: shards partition the fleet stably, and a git diff selects what it can affect."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.fleet import (
    SelectionError,
    Shard,
    ShardError,
    change_impact,
    in_shard,
    parse_shard,
    select_tenants,
    tenant_ids_in,
)
from tests.conftest import EXAMPLE_CONFIGS

runner = CliRunner()
GENERATED = [f"gen-{index:04d}" for index in range(200)]


def fleet() -> list[str]:
    return tenant_ids_in(EXAMPLE_CONFIGS) + GENERATED


def test_three_shards_partition_the_examples_and_200_generated_tenants_exactly() -> None:
    tenants = fleet()
    shards = [in_shard(tenants, Shard(index, 3)) for index in (1, 2, 3)]
    assert sorted(tenant for shard in shards for tenant in shard) == sorted(tenants)
    assert sum(len(shard) for shard in shards) == len(tenants) == 204
    assert all(len(shard) > 40 for shard in shards), [len(shard) for shard in shards]


def test_adding_a_tenant_moves_only_that_tenant() -> None:
    before = {index: set(in_shard(fleet(), Shard(index, 3))) for index in (1, 2, 3)}
    after = {index: set(in_shard([*fleet(), "newcomer-us"], Shard(index, 3))) for index in (1, 2, 3)}
    moved = {tenant for index in (1, 2, 3) for tenant in after[index] ^ before[index]}
    assert moved == {"newcomer-us"}


def test_a_shard_keeps_the_given_order() -> None:
    tenants = fleet()
    chosen = in_shard(tenants, Shard(2, 3))
    assert chosen == [tenant for tenant in tenants if tenant in set(chosen)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1/3", Shard(1, 3)), ("3/3", Shard(3, 3)), ("1/1", Shard(1, 1)), (" 2/10 ", Shard(2, 10))],
)
def test_parse_shard(text: str, expected: Shard) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0/3", "--shard: '0/3': K must be between 1 and 3"),
        ("4/3", "--shard: '4/3': K must be between 1 and 3"),
        ("1/0", "--shard: '1/0': N must be at least 1"),
        ("2", "--shard: '2' is not K/N"),
        ("a/b", "--shard: 'a/b' is not K/N"),
        ("-1/3", "--shard: '-1/3' is not K/N"),
    ],
)
def test_bad_shards_are_refused(text: str, message: str) -> None:
    with pytest.raises(ShardError) as raised:
        parse_shard(text)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("paths", "everyone", "tenants"),
    [
        (["tenant_configs/maple-ca.yaml"], False, {"maple-ca"}),
        (["tenant_configs/maple-ca.yaml", "tenant_configs/rhein-de.yaml", "README.md"], False, {"maple-ca", "rhein-de"}),
        (["README.md", "docs/x.md", "tests/cli/test_x.py", "bench/fleet.py", "tenant_configs/tenant.schema.json"], False, set()),
        (["tenant_configs/nested/maple-ca.yaml"], False, set()),
        (["tenantkit/constructs/bucket.py"], True, set()),
        (["tenantkit/config/templates/tenant.yaml.j2"], True, set()),
        (["app.py"], True, set()),
        (["cdk.json"], True, set()),
        (["fleet.yaml"], True, set()),
        (["pyproject.toml"], True, set()),
        (["requirements/runtime.lock"], True, set()),
        (["requirements/README.md"], False, set()),
        (["tenantkit"], False, set()),
        (["docs/tenantkit/x.py"], False, set()),
    ],
)
def test_change_impact(paths: list[str], everyone: bool, tenants: set[str]) -> None:
    impact = change_impact(paths, "tenant_configs")
    assert (impact.everyone_because is not None) == everyone
    assert impact.tenant_ids == tenants


def test_everyone_selects_every_tenant_in_order() -> None:
    impact = change_impact(["tenant_configs/maple-ca.yaml", "app.py"], "tenant_configs")
    assert impact.everyone_because == "app.py"
    assert impact.select(["b", "a"]) == ["b", "a"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True, capture_output=True, text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the example tenants and a toolkit file, committed."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_CONFIGS, repo / "tenant_configs")
    (repo / "tenantkit").mkdir()
    (repo / "tenantkit" / "naming.py").write_text("PREFIX = 'tenant'\n")
    (repo / "README.md").write_text("readme\n")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "start")
    return repo


def commit_edit(repo: Path, relative: str, text: str) -> None:
    with (repo / relative).open("a", encoding="utf-8") as handle:
        handle.write(text)
    git(repo, "commit", "--quiet", "-am", f"edit {relative}")


def test_changed_since_after_committing_an_edit_to_one_tenant_selects_that_tenant_only(repo: Path) -> None:
    commit_edit(repo, "tenant_configs/rhein-de.yaml", "# a comment\n")
    selection = select_tenants(repo / "tenant_configs", [], all_tenants=False, changed_since="HEAD~1", root=repo)
    assert selection is not None and selection.tenant_ids == ("rhein-de",)


def test_changed_since_after_an_edit_under_tenantkit_selects_every_tenant(repo: Path) -> None:
    commit_edit(repo, "tenantkit/naming.py", "SUFFIX = 'x'\n")
    selection = select_tenants(repo / "tenant_configs", [], all_tenants=False, changed_since="HEAD~1", root=repo)
    assert selection is not None and selection.tenant_ids == tuple(tenant_ids_in(EXAMPLE_CONFIGS))


def test_changed_since_after_a_readme_edit_selects_none(repo: Path) -> None:
    commit_edit(repo, "README.md", "more\n")
    selection = select_tenants(repo / "tenant_configs", [], all_tenants=True, changed_since="HEAD~1", root=repo)
    assert selection is not None and selection.tenant_ids == ()


def test_changed_since_and_shard_narrow_together(repo: Path) -> None:
    commit_edit(repo, "tenantkit/naming.py", "SUFFIX = 'x'\n")
    examples = tenant_ids_in(EXAMPLE_CONFIGS)
    for index in (1, 2, 3):
        selection = select_tenants(
            repo / "tenant_configs", [], all_tenants=True, shard=Shard(index, 3), changed_since="HEAD~1", root=repo
        )
        assert selection is not None and list(selection.tenant_ids) == in_shard(examples, Shard(index, 3))


def test_an_unknown_ref_is_one_line(repo: Path) -> None:
    with pytest.raises(SelectionError) as raised:
        select_tenants(repo / "tenant_configs", [], all_tenants=True, changed_since="no-such-ref", root=repo)
    assert str(raised.value).startswith("git rev-parse")
    assert "\n" not in str(raised.value)


def test_exact_needs_changed_since() -> None:
    with pytest.raises(SelectionError, match="--exact compares templates at the --changed-since ref"):
        select_tenants(EXAMPLE_CONFIGS, [], all_tenants=True, exact=True)


@pytest.mark.parametrize("command", ["synth", "deploy", "check"])
@pytest.mark.parametrize(
    ("shard", "message"),
    [("0/3", "error: --shard: '0/3': K must be between 1 and 3"), ("x/3", "error: --shard: 'x/3' is not K/N")],
)
def test_a_bad_shard_is_one_line_and_exit_1(tmp_path: Path, command: str, shard: str, message: str) -> None:
    result = runner.invoke(app, [command, "--shard", shard, "--dir", str(EXAMPLE_CONFIGS), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["synth", "deploy", "check"])
def test_a_shard_of_no_tenant_does_nothing_and_says_so(tmp_path: Path, command: str) -> None:
    examples = tenant_ids_in(EXAMPLE_CONFIGS)
    empty = next(index for index in range(1, 5) if not in_shard(examples, Shard(index, 4 + len(examples))))
    shard = f"{empty}/{4 + len(examples)}"
    result = runner.invoke(app, [command, "--shard", shard, "--dir", str(EXAMPLE_CONFIGS), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"no tenant selected ({len(examples)} tenant(s), shard {shard}): nothing to do"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["synth", "deploy", "check"])
def test_a_shard_of_an_empty_directory_is_an_error(tmp_path: Path, command: str) -> None:
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, [command, "--shard", "1/3", "--dir", str(tmp_path / "empty"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == f"error: {tmp_path / 'empty'}: no tenant files (*.yaml) in this directory; is --dir right?"


@pytest.mark.slow
def test_a_shard_is_checked_against_every_tenant_not_only_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rhein-de's security contact is at maple-ca's domain: its templates name maple-ca. A shard
    holding rhein-de without maple-ca still finds it, as `synth --all` would (one synth)."""
    configs = tmp_path / "tenant_configs"
    configs.mkdir()
    shutil.copy(EXAMPLE_CONFIGS / "maple-ca.yaml", configs)
    rhein = (EXAMPLE_CONFIGS / "rhein-de.yaml").read_text()
    (configs / "rhein-de.yaml").write_text(rhein.replace("sicherheit@rhein.example", "security@maple-ca.example"))
    count = next(n for n in range(2, 20) if in_shard(["maple-ca", "rhein-de"], Shard(1, n)) == ["rhein-de"])
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["synth", "--shard", f"1/{count}", "--no-cache", "--json"])
    assert result.exit_code == 1, result.output
    assert "names tenant 'maple-ca'" in result.output
    assert not (tmp_path / "cdk.out" / "maple-ca").exists()


def test_check_of_a_shard_reports_only_its_tenants(tmp_path: Path) -> None:
    """Invalid tenant files stop check after validation (no synth, no sandbox): the JUnit report of
    a shard holds that shard's tenants and no other."""
    configs = tmp_path / "tenant_configs"
    configs.mkdir()
    names = [f"broken-{index}" for index in range(6)]
    for name in names:
        (configs / f"{name}.yaml").write_text(f"tenant_id: {name}\n")
    for index in (1, 2):
        junit = tmp_path / f"junit-{index}.xml"
        result = runner.invoke(app, ["check", "--shard", f"{index}/2", "--dir", str(configs), "--junit", str(junit), "--out", str(tmp_path / "out")])
        expected = in_shard(names, Shard(index, 2))
        if not expected:
            assert result.exit_code == 0 and "no tenant selected" in result.output
            continue
        assert result.exit_code == 1, result.output
        reported = sorted(set(re.findall(r'name="(broken-\d)"', junit.read_text())))
        assert reported == sorted(expected)
