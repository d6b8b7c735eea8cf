"""The signed destruction report: canonical JSON, Ed25519 signature, Markdown and HTML renderings."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tenantkit.lifecycle import report as rep
from tenantkit.lifecycle.report import DestructionReport, ReportError
from tests.lifecycle.report_samples import FAILED, sample_report


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def keypair(tmp_path: Path) -> tuple[Path, Path]:
    return rep.generate_keypair(tmp_path / "keys")


@pytest.fixture
def written(tmp_path: Path, keypair) -> rep.ReportFiles:
    return rep.write_report(sample_report(), tmp_path / "reports", rep.load_signing_key(keypair[0]))


# --- the data and its canonical form --------------------------------------------------------


def test_as_dict_and_from_dict_round_trip():
    report = sample_report(verification=FAILED)
    assert DestructionReport.from_dict(report.as_dict()) == report
    assert DestructionReport.from_dict(json.loads(rep.canonical_json(report))) == report


def test_canonical_json_is_stable_sorted_compact_and_versioned():
    body = rep.canonical_json(sample_report())
    assert body == rep.canonical_json(sample_report())
    data = json.loads(body)
    assert data["schema"] == rep.SCHEMA
    assert body == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert b" :" not in body and b", " not in body.replace(b"Health | Canada", b"") and not body.endswith(b"\n")


def test_canonical_json_does_not_depend_on_the_order_dicts_were_built_in():
    report = sample_report()
    reordered = DestructionReport.from_dict(dict(reversed(report.as_dict().items())))
    first = report.resources[6]
    flipped = dataclasses.replace(first, counts=dict(reversed(first.counts.items())))
    assert list(flipped.counts) != list(first.counts)
    assert rep.canonical_json(reordered) == rep.canonical_json(report)
    assert rep.canonical_json(dataclasses.replace(report, resources=(*report.resources[:6], flipped, *report.resources[7:]))) == rep.canonical_json(report)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("operator"), "missing field 'operator'"),
        (lambda d: d.update(extra=1), "unknown field 'extra'"),
        (lambda d: d.update(schema="tenantkit.destruction-report/99"), "is not 'tenantkit.destruction-report/2'"),
        (lambda d: d.pop("audit_records"), "missing field 'audit_records'"),
        (lambda d: d["resources"][0].pop("arn"), "DestroyedResource: missing field 'arn'"),
    ],
)
def test_from_dict_names_what_is_wrong(edit, message):
    data = sample_report().as_dict()
    edit(data)
    with pytest.raises(ReportError, match=message.replace("(", r"\(")):
        DestructionReport.from_dict(data)


# --- renderings -----------------------------------------------------------------------------


def test_html_lists_every_destroyed_resource_with_arn_region_time_and_counts():
    report = sample_report()
    html = rep.render_html(report)
    for resource in report.resources:
        counts = ", ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in resource.counts.items())
        row = f'<td class="arn">{resource.arn}</td><td>{resource.region}</td><td>{resource.destroyed_at}</td><td>{counts}</td>'
        assert row in html, resource
    assert "object versions: 1,200, delete markers: 3" in html
    assert html.count("recovery points: 24") == 2 and "recovery points: 48" in html  # per vault, total
    assert "<td>db snapshot</td><td class=\"n\">2</td>" in html  # totals per kind
    assert all(k.key_arn in html and k.deletion_date in html for k in report.keys)
    assert report.left_to_application[0] in html


def test_html_escapes_the_force_reason_and_is_self_contained_and_printable():
    html = rep.render_html(sample_report())
    assert "<script>" not in html
    assert "customer asked in writing &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; ticket #42" in html
    assert "src=" not in html and "href=" not in html and "@import" not in html and "url(" not in html
    assert "@page { size: A4" in html and "@media print" in html


def test_html_shows_a_failed_verification_prominently():
    html = rep.render_html(sample_report(verification=FAILED))
    assert '<div class="banner failed">VERIFICATION FAILED' in html
    assert "bucket maple-ca-logs-111122223333-ca-central-1 (2 objects)" in html
    assert "Verification passed" not in html
    assert "Verification passed" in rep.render_html(sample_report())


def test_a_sandbox_report_says_so():
    assert "SANDBOX RUN" in rep.render_html(sample_report(sandbox=True))
    assert "SANDBOX RUN" in rep.render_markdown(sample_report(sandbox=True))
    assert "SANDBOX RUN" not in rep.render_html(sample_report())


def test_markdown_escapes_pipes_and_markup_in_table_cells():
    markdown = rep.render_markdown(sample_report())
    assert "| Tenant | Maple Health \\| Canada (`maple-ca`) |" in markdown
    assert "| secret | maple\\|ca/db |" in markdown
    assert "&lt;script&gt;" in markdown and "<script>" not in markdown
    resource_rows = [line for line in markdown.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(resource_rows) == 10
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 8 for row in resource_rows)  # 7 columns, none split


def test_the_renderings_name_the_signing_key(written: rep.ReportFiles):
    signature = json.loads(written.signature.read_text())
    for path in (written.markdown, written.html):
        assert signature["public_key_fingerprint"] in path.read_text()


# --- keys -----------------------------------------------------------------------------------


def test_keygen_writes_a_0600_private_key_and_refuses_to_overwrite(tmp_path: Path):
    private, public = rep.generate_keypair(tmp_path, "team")
    assert (private.name, public.name) == ("team.key.pem", "team.pub.pem")
    assert private.stat().st_mode & 0o777 == 0o600
    before = private.read_bytes()
    with pytest.raises(ReportError, match="team.key.pem: already exists"):
        rep.generate_keypair(tmp_path, "team")
    assert private.read_bytes() == before
    assert rep.fingerprint(rep.load_signing_key(private).public_key()) == rep.fingerprint(rep.load_public_key(public))


def test_keygen_refuses_when_only_the_public_half_exists(tmp_path: Path):
    (tmp_path / "team.pub.pem").write_text("someone else's")
    with pytest.raises(ReportError, match="team.pub.pem: already exists"):
        rep.generate_keypair(tmp_path, "team")
    assert not (tmp_path / "team.key.pem").exists()


def _pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file"),
        ("public", "is a public key"),
        ("rsa", "not an Ed25519 key"),
        ("ec", "not an Ed25519 key"),
        (b"garbage\x00\xff", "not a PEM private key"),
        ("encrypted", "is encrypted"),
    ],
)
def test_load_signing_key_errors_are_one_line_naming_the_file(tmp_path: Path, keypair, content, reason):
    path = tmp_path / "signing.pem"
    if content == "public":
        shutil.copy(keypair[1], path)
    elif content == "rsa":
        path.write_bytes(_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    elif content == "ec":
        path.write_bytes(_pem(ec.generate_private_key(ec.SECP256R1())))
    elif content == "encrypted":
        encryption = serialization.BestAvailableEncryption(b"secret")
        path.write_bytes(Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ReportError) as raised:
        rep.load_signing_key(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and reason in message and "\n" not in message


# --- writing --------------------------------------------------------------------------------


def test_write_report_writes_four_files_under_the_tenant_and_never_overwrites(tmp_path: Path, key, written):
    directory = tmp_path / "reports" / "maple-ca"
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        f"destruction-20261130T141005Z.{ext}" for ext in ("json", "json.sig", "md", "html")
    )
    assert written.json.read_bytes() == rep.canonical_json(sample_report())
    with pytest.raises(ReportError, match="a report already exists"):
        rep.write_report(sample_report(), tmp_path / "reports", key)


@pytest.mark.parametrize("failing", [0, 1, 2, 3])
def test_a_failure_while_publishing_leaves_no_file(tmp_path: Path, key, monkeypatch, failing):
    """As a read-only or full file system would, at each of the four files in turn."""
    calls = []
    real_link = os.link

    def link(source, target):
        calls.append(target)
        if len(calls) > failing:
            raise OSError(30, "Read-only file system")
        real_link(source, target)

    monkeypatch.setattr(rep.os, "link", link)
    with pytest.raises(ReportError, match="maple-ca: cannot write the report: Read-only file system"):
        rep.write_report(sample_report(), tmp_path, key)
    assert list((tmp_path / "maple-ca").iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_directory_is_a_report_error_with_nothing_written(tmp_path: Path, key):
    (tmp_path / "maple-ca").mkdir(mode=0o555)
    with pytest.raises(ReportError, match="cannot write the report"):
        rep.write_report(sample_report(), tmp_path, key)
    assert list((tmp_path / "maple-ca").iterdir()) == []


def test_a_tenant_directory_that_is_a_file_is_a_report_error(tmp_path: Path, key):
    (tmp_path / "maple-ca").write_text("not a directory")
    with pytest.raises(ReportError, match="cannot write the report"):
        rep.write_report(sample_report(), tmp_path, key)


@pytest.mark.parametrize(("changes", "message"), [
    ({"tenant_id": "../escape"}, "not a tenant id that can name a directory"),
    ({"completed_at": "2026-11-30T14:10:05"}, "not an ISO 8601 time with a time zone"),
    ({"completed_at": "yesterday"}, "not an ISO 8601 time with a time zone"),
])
def test_write_report_refuses_a_report_it_cannot_name_safely(tmp_path: Path, key, changes, message):
    with pytest.raises(ReportError, match=message):
        rep.write_report(sample_report(**changes), tmp_path, key)
    assert list(tmp_path.iterdir()) == []


def test_the_file_name_is_the_completion_time_in_utc(tmp_path: Path, key):
    files = rep.write_report(sample_report(completed_at="2026-11-30T09:10:05-05:00"), tmp_path, key)
    assert files.json.name == "destruction-20261130T141005Z.json"


def test_signing_fails_before_anything_is_written(tmp_path: Path, key):
    class BrokenKey:
        def public_key(self):
            return key.public_key()

        def sign(self, data: bytes) -> bytes:
            raise ValueError("the HSM said no")

    with pytest.raises(ValueError, match="the HSM said no"):
        rep.write_report(sample_report(), tmp_path, BrokenKey())
    assert list(tmp_path.iterdir()) == []


# --- verifying ------------------------------------------------------------------------------


def test_the_signature_verifies(written, keypair):
    result = rep.verify_report(written.json, keypair[1])
    assert (result.ok, result.reason, result.report) == (True, "valid", sample_report())
    assert result.fingerprint == json.loads(written.signature.read_text())["public_key_fingerprint"]


def _positions(body: bytes) -> dict[str, int]:
    return {
        "first byte": 0,
        "in a resource ARN": body.index(b"maple-manual-1") + 6,
        "in the verification flag": body.index(b'"ok":true') + 5,
        "in an object count": body.index(b"1200"),
        "in the force reason": body.index(b"in writing"),
        "last byte": len(body) - 1,
    }


@pytest.mark.parametrize("where", ["first byte", "in a resource ARN", "in the verification flag", "in an object count", "in the force reason", "last byte"])
def test_every_one_byte_change_fails_verification(tmp_path: Path, written, keypair, where):
    original = written.json.read_bytes()
    position = _positions(original)[where]
    for value in range(256):
        if value == original[position]:
            continue
        written.json.write_bytes(original[:position] + bytes([value]) + original[position + 1 :])
        result = rep.verify_report(written.json, keypair[1])
        assert not result.ok and result.reason.startswith("TAMPERED: invalid signature"), (value, result)
        assert result.report is None


@pytest.mark.parametrize("insert", [b" ", b"\n", b"\t"])
def test_inserting_whitespace_fails_verification(written, keypair, insert):
    original = written.json.read_bytes()
    for position in (0, original.index(b":") + 1, len(original)):
        written.json.write_bytes(original[:position] + insert + original[position:])
        assert rep.verify_report(written.json, keypair[1]).reason.startswith("TAMPERED"), position


def test_a_changed_signature_fails_verification(written, keypair):
    detached = json.loads(written.signature.read_text())
    raw = bytearray(base64.b64decode(detached["signature"]))
    raw[10] ^= 1
    written.signature.write_text(json.dumps({**detached, "signature": base64.b64encode(raw).decode()}))
    assert rep.verify_report(written.json, keypair[1]).reason.startswith("TAMPERED: invalid signature")


def test_a_different_key_is_not_the_signer(tmp_path: Path, written):
    _, other_public = rep.generate_keypair(tmp_path / "other")
    result = rep.verify_report(written.json, other_public)
    assert not result.ok and result.reason.startswith("not signed by this key: signed by sha256:")


def test_a_signature_file_naming_another_key_is_tampering(written, keypair, tmp_path: Path):
    _, other_public = rep.generate_keypair(tmp_path / "other")
    detached = json.loads(written.signature.read_text())
    detached["public_key_fingerprint"] = rep.fingerprint(rep.load_public_key(other_public))
    written.signature.write_text(json.dumps(detached))
    assert rep.verify_report(written.json, keypair[1]).reason.startswith("TAMPERED: the signature file names key")


def test_a_signed_report_not_in_canonical_form_is_refused(tmp_path: Path, key, keypair):
    body = json.dumps(json.loads(rep.canonical_json(sample_report())), indent=1).encode()
    (tmp_path / "r.json").write_bytes(body)
    signing_key = rep.load_signing_key(keypair[0])
    signature = rep.SignatureInfo("Ed25519", rep.fingerprint(signing_key.public_key()), base64.b64encode(signing_key.sign(body)).decode())
    (tmp_path / "r.json.sig").write_bytes(signature.as_json())
    result = rep.verify_report(tmp_path / "r.json", keypair[1])
    assert (result.ok, result.reason) == (False, f"{tmp_path / 'r.json'}: signed, but not in canonical form")


def test_a_missing_signature_is_a_missing_file_not_a_verdict(written, keypair):
    written.signature.unlink()
    with pytest.raises(ReportError) as raised:
        rep.verify_report(written.json, keypair[1])
    assert str(raised.value) == f"{written.signature}: no such file (signature)"


@pytest.mark.parametrize("content", [b"not json", b'{"algorithm": "RSA", "public_key_fingerprint": "x", "signature": ""}', b"{}"])
def test_a_malformed_signature_file_fails_verification(written, keypair, content):
    written.signature.write_bytes(content)
    result = rep.verify_report(written.json, keypair[1])
    assert not result.ok and result.reason.startswith(f"invalid signature file {written.signature}")


def test_missing_inputs_raise_report_errors(tmp_path: Path, written, keypair):
    with pytest.raises(ReportError, match="nope.json: no such file"):
        rep.verify_report(tmp_path / "nope.json", keypair[1])
    with pytest.raises(ReportError, match="nope.pem: no such file"):
        rep.verify_report(written.json, tmp_path / "nope.pem")
    with pytest.raises(ReportError, match="is a private key"):
        rep.verify_report(written.json, keypair[0])


@pytest.mark.skipif(not (shutil.which("openssl") and shutil.which("jq")), reason="openssl or jq is not installed")
def test_the_openssl_commands_of_the_module_docstring_verify_a_report(tmp_path: Path, written, keypair):
    commands = [line.strip() for line in rep.__doc__.splitlines() if line.startswith(("    jq ", "    openssl "))]
    assert len(commands) == 3, commands
    shutil.copy(keypair[1], tmp_path / "tenantkit-reports.pub.pem")

    def run(report: bytes) -> list[subprocess.CompletedProcess]:
        (tmp_path / "REPORT.json").write_bytes(report)
        shutil.copy(written.signature, tmp_path / "REPORT.json.sig")
        return [subprocess.run(["bash", "-o", "pipefail", "-c", c], cwd=tmp_path, capture_output=True, check=False) for c in commands]

    decoded, verified, digest = run(written.json.read_bytes())
    assert decoded.returncode == verified.returncode == 0, verified.stderr
    assert f"sha256:{digest.stdout.split()[0].decode()}" == json.loads(written.signature.read_text())["public_key_fingerprint"]
    _, tampered, _ = run(written.json.read_bytes().replace(b'"ok":true', b'"ok":fals', 1))
    assert tampered.returncode != 0
