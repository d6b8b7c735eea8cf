"""`tenantkit report keygen | verify | show`: exit codes and lines, on real files in tmp_path (the
service is local and fast: nothing to patch at the boundary)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.lifecycle import report as rep
from tests.conftest import REPO_ROOT
from tests.lifecycle.report_samples import FAILED, sample_report

runner = CliRunner()


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    result = runner.invoke(app, ["report", "keygen", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    return tmp_path / "keys" / "tenantkit-reports.key.pem", tmp_path / "keys" / "tenantkit-reports.pub.pem"


def _write(tmp_path: Path, keys: tuple[Path, Path], **changes) -> rep.ReportFiles:
    return rep.write_report(sample_report(**changes), tmp_path / "reports", rep.load_signing_key(keys[0]))


def test_keygen_prints_both_paths_the_fingerprint_and_a_reminder(tmp_path: Path):
    result = runner.invoke(app, ["report", "keygen", "--out", str(tmp_path), "--name", "security"])
    assert result.exit_code == 0, result.output
    fingerprint = rep.fingerprint(rep.load_public_key(tmp_path / "security.pub.pem"))
    assert f"private key: {tmp_path / 'security.key.pem'} (mode 0600)" in result.output
    assert f"public key:  {tmp_path / 'security.pub.pem'}" in result.output
    assert f"fingerprint: {fingerprint}" in result.output
    assert "out of git" in result.output


def test_keygen_refuses_to_overwrite_in_one_line(tmp_path: Path, keys):
    result = runner.invoke(app, ["report", "keygen", "--out", str(keys[0].parent)])
    assert (result.exit_code, result.output) == (1, f"error: {keys[0]}: already exists; not overwritten\n")


def test_verify_a_valid_report(tmp_path: Path, keys):
    files = _write(tmp_path, keys)
    result = runner.invoke(app, ["report", "verify", str(files.json), "--public-key", str(keys[1])])
    assert result.exit_code == 0, result.output
    fingerprint = rep.fingerprint(rep.load_public_key(keys[1]))
    assert result.output == f"valid: signed by {fingerprint}, tenant maple-ca, 10 resources destroyed, verification ok\n"


def test_verify_an_authentic_report_of_a_failed_verification_says_so(tmp_path: Path, keys):
    files = _write(tmp_path, keys, verification=FAILED, sandbox=True)
    result = runner.invoke(app, ["report", "verify", str(files.json), "--public-key", str(keys[1])])
    assert result.exit_code == 0, result.output
    assert "tenant maple-ca (sandbox run), 10 resources destroyed, verification FAILED: 1 item(s) remain" in result.output
    assert "remaining: bucket maple-ca-logs-111122223333-ca-central-1 (2 objects)" in result.output


def test_verify_a_tampered_report_exits_1(tmp_path: Path, keys):
    files = _write(tmp_path, keys)
    files.json.write_bytes(files.json.read_bytes().replace(b'"ok":true', b'"ok":True'))
    result = runner.invoke(app, ["report", "verify", str(files.json), "--public-key", str(keys[1])])
    assert result.exit_code == 1
    assert result.output.startswith("invalid: TAMPERED: invalid signature"), result.output
    assert "Traceback" not in result.output


def test_verify_with_another_key_exits_1(tmp_path: Path, keys):
    files = _write(tmp_path, keys)
    _, other = rep.generate_keypair(tmp_path / "other")
    result = runner.invoke(app, ["report", "verify", str(files.json), "--public-key", str(other)])
    assert result.exit_code == 1
    assert result.output.startswith("invalid: not signed by this key: signed by sha256:"), result.output


def test_verify_with_an_explicit_signature_path(tmp_path: Path, keys):
    files = _write(tmp_path, keys)
    moved = files.signature.rename(tmp_path / "elsewhere.sig")
    assert runner.invoke(app, ["report", "verify", str(files.json), "--public-key", str(keys[1])]).exit_code == 2
    result = runner.invoke(app, ["report", "verify", str(files.json), "--public-key", str(keys[1]), "--signature", str(moved)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("missing", ["report", "public key", "signature"])
def test_verify_a_missing_file_is_one_line_and_exit_2(tmp_path: Path, keys, missing):
    files = _write(tmp_path, keys)
    report, public = (tmp_path / "nope.json", keys[1]) if missing == "report" else (files.json, tmp_path / "nope.pem")
    if missing == "signature":
        report, public = files.json, keys[1]
        files.signature.unlink()
    result = runner.invoke(app, ["report", "verify", str(report), "--public-key", str(public)])
    absent = {"report": report, "public key": public, "signature": files.signature}[missing]
    assert (result.exit_code, result.output) == (2, f"error: {absent}: no such file ({missing})\n")


def test_show_summarizes_a_report(tmp_path: Path, keys):
    files = _write(tmp_path, keys)
    result = runner.invoke(app, ["report", "show", str(files.json)])
    assert result.exit_code == 0, result.output
    for expected in ("Maple Health | Canada (maple-ca)", "forced: customer asked in writing <script>", "recovery points: 48",
                     "object versions: 2,403", "alias/tenantkit/maple-ca-dr", "verification ok", "signature not checked"):
        assert expected in result.output, expected


def test_show_something_that_is_not_a_report_is_one_line(tmp_path: Path):
    (tmp_path / "x.json").write_text("[1, 2]")
    result = runner.invoke(app, ["report", "show", str(tmp_path / "x.json")])
    assert (result.exit_code, result.output.count("\n")) == (2, 1)
    assert result.output.startswith(f"error: {tmp_path / 'x.json'}: not a destruction report")


def test_report_help_imports_neither_cryptography_nor_jinja2():
    probe = (
        "import sys; sys.argv = ['tenantkit', 'report', '--help']\n"
        "from tenantkit.cli.main import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print('HEAVY:' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('cryptography', 'jinja2'))), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, check=False)
    assert "HEAVY:\n" in result.stderr, result.stderr


def test_keygen_exports_a_kms_keys_public_half_and_a_report_signed_by_kms_verifies_with_it(tmp_path, monkeypatch, moto_with_extensions):
    import boto3

    from tenantkit.lifecycle import report as rep
    from tests.lifecycle.report_samples import sample_report

    kms = boto3.client("kms", region_name="ca-central-1")
    arn = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]["Arn"]
    monkeypatch.setattr(rep, "kms_client_for", lambda **_: lambda region, account=None: kms)  # the sandbox's KMS, in-process
    exported = CliRunner().invoke(app, ["report", "keygen", "--kms", arn, "--local", "--out", str(tmp_path), "--name", "team"])
    assert exported.exit_code == 0, exported.output
    assert "private key: in AWS KMS" in exported.output and (tmp_path / "team.pub.pem").exists()
    assert not (tmp_path / "team.key.pem").exists()
    files = rep.write_report(sample_report(), tmp_path / "reports", rep.load_signer(f"kms:{arn}", lambda region: kms))
    verified = CliRunner().invoke(app, ["report", "verify", str(files.json), "--public-key", str(tmp_path / "team.pub.pem")])
    assert verified.exit_code == 0, verified.output
    again = CliRunner().invoke(app, ["report", "keygen", "--kms", arn, "--local", "--out", str(tmp_path), "--name", "team"])
    assert again.exit_code == 1 and again.output.count("\n") == 1 and "already exists" in again.output


def test_keygen_refuses_a_kms_key_not_named_by_its_arn(tmp_path):
    result = CliRunner().invoke(app, ["report", "keygen", "--kms", "alias/reports", "--out", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "name the KMS key by its ARN" in result.output
