"""`tenantkit sandbox backup-now TENANT`: one hourly backup run in the sandbox, rendered as a
table; a tenant or sandbox that is not there is one line and exit 1, never a traceback."""

from __future__ import annotations

from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.lifecycle.backup_now import BackupNowError, BackupRun, CreatedRecoveryPoint, RecoveryPointCopy
from tests.conftest import EXAMPLE_CONFIGS

runner = CliRunner()
DB = "arn:aws:rds:ca-central-1:111122223333:db:tenantkit-maple-ca"
POINT = "arn:aws:rds:ca-central-1:111122223333:snapshot:awsbackup:job-1"
COPY = "arn:aws:rds:ca-west-1:111122223333:snapshot:awsbackup:copyjob-1"


def test_without_a_sandbox_it_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .tenantkit/ here: no sandbox
    result = runner.invoke(app, ["sandbox", "backup-now", "maple-ca", "--dir", str(EXAMPLE_CONFIGS)])
    assert (result.exit_code, result.output.strip()) == (1, "error: the sandbox is not running: `tenantkit sandbox up` first"), result.output


def test_an_unknown_tenant_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sandbox", "backup-now", "nobody", "--dir", str(EXAMPLE_CONFIGS)])
    assert (result.exit_code, result.output.strip()) == (1, f"error: {EXAMPLE_CONFIGS}: no tenant file for: nobody"), result.output


def test_a_tenant_not_deployed_is_one_line(monkeypatch):
    def refuse(*args):
        raise BackupNowError("maple-ca: no backup plan tenantkit-maple-ca-backups in ca-central-1: is the tenant deployed?")

    monkeypatch.setattr("tenantkit.lifecycle.local.backup_now_local", refuse)
    result = runner.invoke(app, ["sandbox", "backup-now", "maple-ca"])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == "error: maple-ca: no backup plan tenantkit-maple-ca-backups in ca-central-1: is the tenant deployed?"


def test_the_run_is_a_table_of_recovery_points_and_copies(monkeypatch):
    point = CreatedRecoveryPoint("tenantkit-maple-ca", "ca-central-1", DB, POINT, (RecoveryPointCopy("tenantkit-maple-ca-dr", "ca-west-1", COPY),))
    run = BackupRun("maple-ca", "tenantkit-maple-ca-backups", (point,))
    monkeypatch.setattr("tenantkit.lifecycle.local.backup_now_local", lambda *args: run)
    result = runner.invoke(app, ["sandbox", "backup-now", "maple-ca"])
    assert result.exit_code == 0, result.output
    assert POINT in result.output and COPY in result.output and "tenantkit-maple-ca-dr" in result.output
    assert result.output.strip().endswith("maple-ca: 1 recovery points, 1 copies")


def test_piped_into_a_narrow_console_no_arn_is_broken(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    point = CreatedRecoveryPoint("tenantkit-maple-ca", "ca-central-1", DB, POINT, (RecoveryPointCopy("tenantkit-maple-ca-dr", "ca-west-1", COPY),))
    monkeypatch.setattr("tenantkit.lifecycle.local.backup_now_local", lambda *args: BackupRun("maple-ca", "tenantkit-maple-ca-backups", (point,)))
    result = runner.invoke(app, ["sandbox", "backup-now", "maple-ca"])
    lines = result.output.splitlines()
    for arn in (DB, POINT, COPY):
        assert any(arn in line for line in lines), f"{arn} broken or cut:\n{result.output}"
