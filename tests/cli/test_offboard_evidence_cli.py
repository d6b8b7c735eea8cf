"""`tenantkit offboard execute | confirm-keys` and `report verify` on the evidence of issue 19
items 6-8, through CliRunner: bad input is one line and exit 1, before anything is touched; an
addendum verifies like a report. Nothing here reaches AWS or a sandbox (each case stops first)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.lifecycle import report as rep

runner = CliRunner()


def _tenant(write_tenant, tenant_data) -> Path:
    return write_tenant({**tenant_data, "subscription": {"ends_on": "2020-01-31"}}).parent


def _one_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_execute_refuses_a_reports_location_that_is_not_a_bucket_name(write_tenant, tenant_data, tmp_path):
    directory = _tenant(write_tenant, tenant_data)
    tenant = tenant_data["tenant_id"]
    result = runner.invoke(app, ["offboard", "execute", tenant, "--confirm", tenant, "--signing-key", str(tmp_path / "k.pem"),
                                 "--reports", "s3://Bad_Bucket/reports", "--dir", str(directory)])  # fmt: skip
    assert result.exit_code == 1
    assert "--reports s3://Bad_Bucket/reports: 'Bad_Bucket' is not an S3 bucket name" in _one_line(result)


def test_execute_refuses_a_kms_signing_key_that_is_not_a_key_arn(write_tenant, tenant_data):
    directory = _tenant(write_tenant, tenant_data)
    tenant = tenant_data["tenant_id"]
    result = runner.invoke(app, ["offboard", "execute", tenant, "--confirm", tenant, "--signing-key", "kms:not-an-arn", "--dir", str(directory)])
    assert result.exit_code == 1
    assert "kms:not-an-arn" in _one_line(result)


def test_confirm_keys_without_a_running_sandbox_is_one_line(write_tenant, tenant_data, tmp_path, monkeypatch):
    directory = _tenant(write_tenant, tenant_data)
    monkeypatch.chdir(tmp_path)  # no .tenantkit/ here: no sandbox
    result = runner.invoke(app, ["offboard", "confirm-keys", tenant_data["tenant_id"], "--signing-key", "k.pem", "--local", "--dir", str(directory)])
    assert result.exit_code == 1
    assert "sandbox" in _one_line(result)


def test_report_verify_accepts_a_signed_key_deletion_addendum_and_rejects_a_changed_one(tmp_path):
    private, public = rep.generate_keypair(tmp_path / "keys")
    report_json = tmp_path / "t1" / "destruction-20261130T141005Z.json"
    report_json.parent.mkdir()
    confirmation = rep.KeyDeletionConfirmation(
        tenant_id="t1", account="111122223333", report=report_json.name, report_sha256="0" * 64, confirmed_at="2026-12-31T09:00:00Z",
        operator="alice", keys=(rep.KeyGone("arn:aws:kms:us-east-1:111122223333:key/k1", "us-east-1", "2026-12-30T14:10:00Z", "NotFoundException"),),
        tool_version="0.1.0", sandbox=False,
    )  # fmt: skip
    addendum = Path(rep.write_addendum(str(report_json), confirmation, rep.load_signing_key(private)))
    assert addendum.name == "destruction-20261130T141005Z.keys-confirmed.json"
    result = runner.invoke(app, ["report", "verify", str(addendum), "--public-key", str(public)])
    assert result.exit_code == 0, result.output
    assert f"addendum to {report_json.name}: 1 key(s) confirmed deleted at 2026-12-31T09:00:00Z" in result.output
    addendum.write_bytes(addendum.read_bytes().replace(b"alice", b"mallory"))
    result = runner.invoke(app, ["report", "verify", str(addendum), "--public-key", str(public)])
    assert result.exit_code == 1 and result.output.startswith("invalid:"), result.output


def test_plan_reads_the_operator_channel_of_fleet_yaml_first_and_names_its_bad_field(write_tenant, tenant_data, tmp_path):
    directory = _tenant(write_tenant, tenant_data)
    root = tmp_path / "project"
    root.mkdir()
    (root / "fleet.yaml").write_text("operator_channel:\n  us:\n    - not-a-topic-arn\n")
    result = runner.invoke(app, ["offboard", "plan", tenant_data["tenant_id"], "--dir", str(directory), "--root", str(root)])
    assert result.exit_code == 1
    line = _one_line(result)
    assert "fleet.yaml" in line and "operator_channel" in line, line
