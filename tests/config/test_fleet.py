"""fleet.yaml: loaded like a tenant file (YAML 1.2, lines, strict keys), optional, all defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.config import ConfigError, FleetSettings, load_fleet, validate_fleet
from tenantkit.config.schema import fleet_schema_text
from tests.conftest import REPO_ROOT


def write_fleet(root: Path, text: str) -> Path:
    path = root / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_fleet(root)
    return [str(issue) for issue in raised.value.issues]


def test_no_file_means_every_default(tmp_path: Path) -> None:
    settings = load_fleet(tmp_path)
    assert settings == FleetSettings()
    assert settings.quotas.enforce is False and settings.quotas.raised == {}


@pytest.mark.parametrize("text", ["", "\n", "# nothing set yet\n  # indented comment\n"])
def test_a_file_of_comments_only_means_every_default(tmp_path: Path, text: str) -> None:
    write_fleet(tmp_path, text)
    assert load_fleet(tmp_path) == FleetSettings()


def test_settings_are_read(tmp_path: Path) -> None:
    write_fleet(
        tmp_path,
        "quotas:\n"
        "  enforce: true\n"
        "  raised:\n"
        "    deploying-account/us-east-1: {ip_sets: 300, web_acls: 150}\n"
        '    "123456789012/ca-central-1": {manual_db_snapshots: 500}\n',
    )
    quotas = load_fleet(tmp_path).quotas
    assert quotas.enforce is True
    assert quotas.raised_limit("deploying-account/us-east-1", "ip_sets") == 300
    assert quotas.raised_limit("deploying-account/us-east-1", "web_acls") == 150
    assert quotas.raised_limit("deploying-account/us-east-1", "manual_db_snapshots") is None
    assert quotas.raised_limit("123456789012/ca-central-1", "manual_db_snapshots") == 500
    assert quotas.raised_limit("123456789012/us-east-1", "manual_db_snapshots") is None


INVALID = [
    pytest.param(
        'quotas:\n  enforce: "yes"\n', ["2: quotas.enforce: must be true or false (unquoted)"], id="quoted-bool"
    ),
    pytest.param(
        "quotas:\n  enforce: yes\n", ["2: quotas.enforce: must be true or false (unquoted)"], id="yaml-1.1-bool"
    ),
    pytest.param(
        "quotas:\n  enforc: true\n",
        ["2: quotas.enforc: unknown field; did you mean 'enforce'? allowed here: enforce, raised"],
        id="typo",
    ),
    pytest.param(
        "drills: []\n",
        ["1: drills: must be a mapping of fields"],
        id="drills-is-a-section",
    ),
    pytest.param(
        "rehearsals: {}\n",
        ["1: rehearsals: unknown field; allowed here: quotas, ci, pipeline, canary, waves, require_approval, offboarding, drills"],
        id="no-section-reserved",
    ),
    pytest.param(
        "quotas:\n  raised:\n    acme/us-east-1: {ip_sets: 200}\n",
        ["3: quotas.raised.acme/us-east-1: 'acme/us-east-1' is not <account>/<region>: write a 12-digit"],
        id="scope-account",
    ),
    pytest.param(
        "quotas:\n  raised:\n    deploying-account/mars-east-1: {ip_sets: 200}\n",
        ["3: quotas.raised.deploying-account/mars-east-1: 'mars-east-1' is not an AWS region name"],
        id="scope-region",
    ),
    pytest.param(
        "quotas:\n  raised:\n    deploying-account/us-east-1:\n      ip_sets: 100\n",
        ["4: quotas.raised.deploying-account/us-east-1.ip_sets: 100 is not above AWS's default of 100"],
        id="not-raised",
    ),
    pytest.param(
        'quotas:\n  raised:\n    deploying-account/us-east-1:\n      ip_sets: "200"\n',
        ["4: quotas.raised.deploying-account/us-east-1.ip_sets: must be a whole number (unquoted)"],
        id="quoted-number",
    ),
    pytest.param(
        "quotas:\n  raised:\n    deploying-account/us-east-1:\n      cloudtrail_trails: 10\n",
        [
            "4: quotas.raised.deploying-account/us-east-1.cloudtrail_trails: unknown field; "
            "allowed here: web_acls, ip_sets, manual_db_snapshots"
        ],
        id="not-adjustable",
    ),
    pytest.param(
        "quotas:\n  raised:\n    deploying-account/us-east-1: {}\n",
        ["3: quotas.raised.deploying-account/us-east-1: name at least one raised quota"],
        id="empty-entry",
    ),
    pytest.param(
        "extensions:\n  - callable: extensions.queue.add_queue\n",
        ["2: extensions.0.callable: 'extensions.queue.add_queue' is not 'module:function'"],
        id="extension-without-function",
    ),
    pytest.param(
        "extensions:\n  - callable: extensions.queue:add_queue\n    stack: replica\n",
        ["3: extensions.0.stack: "],  # pydantic names the two choices
        id="extension-stack",
    ),
    pytest.param("quotas:\n  raised: []\n", ["2: quotas.raised: must be a mapping of fields"], id="raised-list"),
    pytest.param(
        "quotas: &q\n  enforce: true\nother: *q\n", ["(file): anchors and aliases (& and *) are not allowed"], id="alias"
    ),
    pytest.param("quotas: !custom {}\n", ["1: (file): YAML tag !custom is not allowed"], id="tag"),
    pytest.param("- quotas\n", ["1: (file): fleet.yaml is a mapping of sections such as 'quotas:'"], id="list"),
    pytest.param(
        "quotas:\n  enforce: true\n  enforce: false\n",
        ["3: (file): quotas.enforce: duplicate key (first set on line 2)"],
        id="duplicate",
    ),
]


@pytest.mark.parametrize(("text", "expected"), INVALID)
def test_invalid_settings_are_reported_with_file_line_and_field(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    path = write_fleet(tmp_path, text)
    found = problems(tmp_path)
    assert len(found) == len(expected), found
    for line, prefix in zip(found, expected, strict=True):
        assert line.startswith(f"{path}:"), line
        assert prefix in line, line


def test_every_problem_of_the_file_is_reported_together(tmp_path: Path) -> None:
    write_fleet(
        tmp_path,
        'quotas:\n  enforce: "no"\n  raised:\n    deploying-account/us-east-1: {ip_sets: 50, web_acl: 200}\n',
    )
    found = problems(tmp_path)
    assert [line.split(": ", 2)[1] for line in found] == [
        "quotas.enforce",
        "quotas.raised.deploying-account/us-east-1.ip_sets",
        "quotas.raised.deploying-account/us-east-1.web_acl",
    ]


def test_validate_reports_fleet_problems_with_the_tenants(tmp_path: Path, write_tenant) -> None:
    tenant = write_tenant({"tenant_id": "bad"})
    path = write_fleet(tmp_path, "quotas:\n  enforce: 1\n")
    report = validate_fleet([tenant.parent], tmp_path)
    assert not report.ok
    assert f"{path}:2: quotas.enforce: must be true or false (unquoted)" in [str(i) for i in report.issues]
    assert any(issue.file == str(tenant) for issue in report.issues)


def test_the_documented_example_is_valid() -> None:
    settings = load_fleet(REPO_ROOT / "docs" / "examples")
    assert settings.quotas.enforce is True
    assert settings.quotas.raised_limit("deploying-account/us-east-1", "ip_sets") == 400


def test_committed_fleet_schema_is_up_to_date() -> None:
    committed = (REPO_ROOT / "fleet.schema.json").read_text()
    assert committed == fleet_schema_text(), "run `tenantkit schema` and commit fleet.schema.json"


def test_offboarding_job_wait_is_read_and_defaults_to_a_copy_window(tmp_path: Path) -> None:
    assert FleetSettings().offboarding.job_wait_minutes == 240
    write_fleet(tmp_path, "offboarding:\n  job_wait_minutes: 0\n")
    assert load_fleet(tmp_path).offboarding.job_wait_minutes == 0


@pytest.mark.parametrize("value", ["-1", "10081", '"60"'])
def test_offboarding_job_wait_out_of_range_names_the_line_and_field(tmp_path: Path, value: str) -> None:
    path = write_fleet(tmp_path, f"offboarding:\n  job_wait_minutes: {value}\n")
    (found,) = problems(tmp_path)
    assert found.startswith(f"{path}:2: offboarding.job_wait_minutes: "), found
