"""`validate`, `list`, `new`, `schema` through Typer's CliRunner, asserting exit code and output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.config.schema import schema_text
from tests.conftest import EXAMPLE_CONFIGS

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_validate_examples_passes() -> None:
    result = invoke("validate", str(EXAMPLE_CONFIGS))
    assert result.exit_code == 0, result.output
    assert "4 tenant files valid" in result.output


def test_validate_prints_one_line_per_problem_and_exits_1(write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    path = write_tenant(dict(tenant_data, residency="uk"))
    write_tenant("- not a mapping\n", name="list.yaml")
    result = invoke("validate", str(path.parent))
    assert result.exit_code == 1, result.output
    assert f"{path}:3: residency: Input should be 'us', 'ca' or 'de'" in result.output
    assert f"{path.parent / 'list.yaml'}:1: (file): a tenant file is a mapping of fields, not a list" in result.output
    assert "Traceback" not in result.output
    assert "2 problem(s) in 2 file(s); 0 valid" in result.output


def test_validate_json(write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    path = write_tenant(dict(tenant_data, display_name=""))
    result = runner.invoke(app, ["validate", "--json", str(path.parent)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["files"] == 1
    assert data["issues"] == [
        {"file": str(path), "line": 2, "path": "display_name", "message": "String should have at least 1 character"}
    ]


def test_validate_missing_path_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = invoke("validate", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope'}: (file): no such file or directory" in result.output


def test_list_shows_regions_and_status() -> None:
    result = invoke("list", "--dir", str(EXAMPLE_CONFIGS), "--as-of", "2026-11-29")
    assert result.exit_code == 0, result.output
    assert "retrieval window until 2026-12-30" in result.output
    for text in ("northwind-us", "us-east-1", "us-west-2", "eu-central-1", "eu-west-1", "ca (CGP)"):
        assert text in result.output


def test_list_json_statuses() -> None:
    result = invoke("list", "--dir", str(EXAMPLE_CONFIGS), "--as-of", "2027-06-01", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["tenant_id"]: row for row in json.loads(result.stdout)["tenants"]}
    assert rows["maple-ca"]["status"] == "ready-for-destruction"
    assert rows["maple-ca"]["retrieval_deadline"] == "2026-12-30"
    assert rows["northwind-us"]["status"] == "active"
    assert rows["rhein-de"]["secondary_region"] == "eu-west-1"


def test_list_rejects_a_bad_date() -> None:
    result = invoke("list", "--dir", str(EXAMPLE_CONFIGS), "--as-of", "tomorrow")
    assert result.exit_code == 2
    assert "--as-of: 'tomorrow' is not a date like 2027-01-31" in result.output


NEW_ARGS = ["--residency", "ca", "--cidr", "198.51.100.0/24", "--country", "CA", "--security-email", "sec@new.example"]


def test_new_writes_a_commented_valid_file(tmp_path: Path) -> None:
    result = invoke("new", "new-tenant", *NEW_ARGS, "--display-name", 'Say "hi": Inc', "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    written = tmp_path / "new-tenant.yaml"
    text = written.read_text()
    assert text.startswith("# yaml-language-server: $schema=tenant.schema.json\n")
    assert "# ca: primary ca-central-1, DR copy in ca-west-1" in text
    validated = invoke("validate", str(written))
    assert validated.exit_code == 0, validated.output
    listed = json.loads(invoke("list", "--dir", str(tmp_path), "--json").stdout)["tenants"]
    assert listed[0]["display_name"] == 'Say "hi": Inc'


def test_new_writes_a_file_others_can_read(tmp_path: Path) -> None:
    assert invoke("new", "new-tenant", *NEW_ARGS, "--dir", str(tmp_path)).exit_code == 0
    assert (tmp_path / "new-tenant.yaml").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("spelled", ["CA", "Ca", " ca "])
def test_new_takes_the_residency_in_any_case(tmp_path: Path, spelled: str) -> None:
    args = [*NEW_ARGS[:1], spelled, *NEW_ARGS[2:]]
    result = invoke("new", "new-tenant", *args, "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "\nresidency: ca\n" in (tmp_path / "new-tenant.yaml").read_text()


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    assert invoke("new", "new-tenant", *NEW_ARGS, "--dir", str(tmp_path)).exit_code == 0
    before = (tmp_path / "new-tenant.yaml").read_bytes()
    result = invoke("new", "new-tenant", *NEW_ARGS, "--residency", "us", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "tenant already exists" in result.output
    assert (tmp_path / "new-tenant.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bad--id", *NEW_ARGS], "tenant_id: must not contain '--'"),
        (["ok-id", *NEW_ARGS, "--residency", "uk"], "residency: Input should be 'us', 'ca' or 'de'"),
        (["ok-id", *NEW_ARGS, "--cidr", "10.0.0.1/8"], "access.allowed_cidrs.1: '10.0.0.1/8' has host bits set"),
        (["ok-id", *NEW_ARGS, "--country", "ca"], "country codes are upper case"),
        (["ok-id", *NEW_ARGS, "--security-email", "nope"], "contacts.security_email"),
        (["ok-id", *NEW_ARGS, "--account", "12"], "account: '12' is not a 12-digit AWS account id"),
        (["ok-id", *NEW_ARGS, "--residency", "us", "--controlled-goods"], "set residency to 'ca'"),
    ],
)
def test_new_rejects_bad_values_and_writes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    result = invoke("new", *args, "--dir", str(tmp_path))
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_schema_writes_and_checks(tmp_path: Path) -> None:
    assert invoke("schema", "--dir", str(tmp_path), "--root", str(tmp_path), "--check").exit_code == 1
    result = invoke("schema", "--dir", str(tmp_path), "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    schema = json.loads((tmp_path / "tenant.schema.json").read_text())
    assert schema["additionalProperties"] is False
    assert {"tenant_id", "residency", "access", "contacts"} <= set(schema["required"])
    assert invoke("schema", "--dir", str(tmp_path), "--root", str(tmp_path), "--check").exit_code == 0


def test_committed_schema_is_up_to_date() -> None:
    committed = (EXAMPLE_CONFIGS / "tenant.schema.json").read_text()
    assert committed == schema_text(), "run `tenantkit schema` and commit tenant_configs/tenant.schema.json"


def test_every_example_points_editors_at_the_schema() -> None:
    for path in EXAMPLE_CONFIGS.glob("*.yaml"):
        assert path.read_text().startswith("# yaml-language-server: $schema=tenant.schema.json\n"), path


VARIED = Path(__file__).resolve().parents[1] / "fixtures" / "varied_tenants"


def test_validate_and_list_say_which_replica_class_was_chosen_as_a_note_not_an_error() -> None:
    from tenantkit.config import validate_paths

    report = validate_paths([VARIED])
    (lumen,) = [c for c in report.configs if c.tenant_id == "lumen-ca"]
    validated = runner.invoke(app, ["validate", str(VARIED)])
    assert validated.exit_code == 0, validated.output
    (note,) = [line for line in validated.output.splitlines() if line.startswith("note: ")]
    assert f"replica.instance_class: defaults to {lumen.replica_instance_class}: {lumen.database.instance_class} is not offered" in note
    listed = runner.invoke(app, ["list", "--dir", str(VARIED), "--json"])
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.stdout)
    assert [n["path"] for n in data["notes"]] == ["replica.instance_class"]
    rows = {row["tenant_id"]: row for row in data["tenants"]}
    assert rows["lumen-ca"]["replica_instance_class"] == lumen.replica_instance_class


def test_list_json_states_each_stores_rpo_in_the_secondary_region_as_built() -> None:
    from tenantkit.config import validate_paths

    configs = {c.tenant_id: c for c in validate_paths([VARIED]).configs}
    rows = {row["tenant_id"]: row for row in json.loads(invoke("list", "--dir", str(VARIED), "--json").stdout)["tenants"]}
    for tenant_id, config in configs.items():
        expected = "1 hour" if config.backup.copy_hourly else "1 day"
        rpo = rows[tenant_id]["secondary_region_rpo"]
        assert {store: value["from backups"] for store, value in rpo.items()} == {"database": expected, "files": expected}
        hourly_copies = [c for c in rows[tenant_id]["copies"] if c["copy"].startswith("copies of the hourly")]
        assert len(hourly_copies) == (2 if config.backup.copy_hourly else 0)
    assert {c.backup.copy_hourly for c in configs.values()} == {True, False}  # both branches seen
