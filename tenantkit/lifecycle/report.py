"""The signed data-destruction report: what offboarding destroyed, proven to the customer.

What it proves: that the holder of the security team's Ed25519 private key signed this exact
account of an offboarding run: the tenant and its two regions, who ran it and when, the retrieval
deadline and any reason for forcing it early, every resource destroyed (ARN, region, time, and what
it held: object versions, recovery points, snapshots), the KMS keys scheduled for deletion and
when, the application resources left for the application to remove, and whether the final check
found anything of the tenant left. A report of a sandbox run says so on every rendering.

Canonical form: the `.json` file is `canonical_json(report)`: the report's fields plus
`"schema": "tenantkit.destruction-report/1"`, keys sorted, separators `,` and `:` with no spaces,
UTF-8 (not \\u-escaped), no trailing newline, no NaN or floats (only strings, integers, booleans,
null, lists and objects). The same report always gives the same bytes.

Signature: Ed25519 over the exact bytes of the `.json` file, detached in `<report>.json.sig`:
`{"algorithm": "Ed25519", "public_key_fingerprint": "sha256:<hex>", "signature": "<base64>"}`,
where the fingerprint is the SHA-256 of the public key in DER SubjectPublicKeyInfo form.

How a customer verifies, given the security team's public key (`tenantkit-reports.pub.pem`):
`tenantkit report verify REPORT.json --public-key tenantkit-reports.pub.pem`, or without tenantkit
(OpenSSL 3, tested):

    jq -r .signature REPORT.json.sig | base64 -d > REPORT.sig.bin
    openssl pkeyutl -verify -pubin -inkey tenantkit-reports.pub.pem -rawin -in REPORT.json -sigfile REPORT.sig.bin
    openssl pkey -pubin -in tenantkit-reports.pub.pem -outform DER | sha256sum   # the fingerprint

The Markdown and HTML renderings are for people; only the JSON is signed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
from dataclasses import MISSING, asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SCHEMA = "tenantkit.destruction-report/1"
ALGORITHM = "Ed25519"
_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}", re.IGNORECASE)


class ReportError(Exception):
    """A report, key or signature file that cannot be read or written; the message is one line."""


@dataclass(frozen=True)
class DestroyedResource:
    kind: str  # "database", "db snapshot", "recovery point", "bucket", "web acl", "stack", ...
    name: str
    arn: str
    region: str
    destroyed_at: str  # ISO 8601 UTC, "2026-11-30T14:03:05Z"
    counts: dict[str, int] = field(default_factory=dict)  # what it held: {"object_versions": 1200}


@dataclass(frozen=True)
class KeyDeletion:
    alias: str
    key_arn: str
    region: str
    deletion_date: str  # ISO 8601 UTC: when KMS deletes the key
    pending_window_days: int


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked_at: str
    remaining: tuple[str, ...] = ()  # anything of the tenant still found; empty when ok


@dataclass(frozen=True)
class DestructionReport:
    """One offboarding run, as signed. Times are ISO 8601 UTC strings, kept exactly as given."""

    tenant_id: str
    display_name: str
    residency: str
    account: str
    primary_region: str
    secondary_region: str
    operator: str  # who ran it: the IAM caller ARN, or the local user
    started_at: str
    completed_at: str
    retrieval_deadline: str | None  # ISO date
    forced: bool
    force_reason: str | None
    resources: tuple[DestroyedResource, ...]
    keys: tuple[KeyDeletion, ...]
    left_to_application: tuple[str, ...]  # ARNs the tenant's web ACLs protected: the application's to remove
    verification: Verification
    tool_version: str
    sandbox: bool  # run against the local sandbox: every rendering says so

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types: tuples become lists."""
        return json.loads(json.dumps(asdict(self)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DestructionReport:
        """The inverse of `as_dict` (a `schema` field, if present, must be ours); ReportError
        names the first field that is missing or unknown."""
        data = dict(data)
        schema = data.pop("schema", SCHEMA)
        if schema != SCHEMA:
            raise ReportError(f"schema {schema!r} is not {SCHEMA!r}")
        fields_ = _fields(cls, data)
        fields_["resources"] = tuple(_build(DestroyedResource, r) for r in fields_["resources"])
        fields_["keys"] = tuple(_build(KeyDeletion, k) for k in fields_["keys"])
        fields_["left_to_application"] = tuple(fields_["left_to_application"])
        verification = _fields(Verification, fields_["verification"])
        verification["remaining"] = tuple(verification.get("remaining", ()))
        fields_["verification"] = Verification(**verification)
        return cls(**fields_)


def _fields(cls: type, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ReportError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
    names = {f.name for f in fields(cls)}
    required = {f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING}
    if unknown := sorted(set(data) - names):
        raise ReportError(f"{cls.__name__}: unknown field {unknown[0]!r}")
    if missing := sorted(required - set(data)):
        raise ReportError(f"{cls.__name__}: missing field {missing[0]!r}")
    return dict(data)


def _build(cls: type, data: Any) -> Any:
    return cls(**_fields(cls, data))


@dataclass(frozen=True)
class SignatureInfo:
    """The detached signature (`.json.sig`) of a report."""

    fingerprint: str
    signature: str  # base64 of the 64-byte Ed25519 signature
    algorithm: str = ALGORITHM

    def as_json(self) -> bytes:
        data = {"algorithm": self.algorithm, "public_key_fingerprint": self.fingerprint, "signature": self.signature}
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


@dataclass(frozen=True)
class ReportFiles:
    json: Path
    signature: Path
    markdown: Path
    html: Path


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    reason: str
    fingerprint: str  # of the public key given
    report: DestructionReport | None  # only when ok


def canonical_json(report: DestructionReport) -> bytes:
    """The signed bytes: deterministic for a report, whatever order its dicts were built in."""
    data = {**report.as_dict(), "schema": SCHEMA}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


# --- rendering ------------------------------------------------------------------------------


def _markdown_cell(value: object) -> str:
    """Safe inside a Markdown table cell: no column break, no line break, no raw HTML."""
    text = " ".join(str(value).split())
    for raw, escaped in (("\\", "\\\\"), ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        text = text.replace(raw, escaped)
    return text


def _render(template: str, report: DestructionReport, signature: SignatureInfo | None) -> str:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("tenantkit.lifecycle", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["cell"] = _markdown_cell
    environment.filters["counts"] = describe_counts
    return environment.get_template(template).render(r=report, totals=totals_by_kind(report), signature=signature)


def totals_by_kind(report: DestructionReport) -> dict[str, dict[str, Any]]:
    """`{kind: {"resources": n, "counts": {name: sum}}}`, kinds in the order they were destroyed."""
    totals: dict[str, dict[str, Any]] = {}
    for resource in report.resources:
        total = totals.setdefault(resource.kind, {"resources": 0, "counts": {}})
        total["resources"] += 1
        for name, count in resource.counts.items():
            total["counts"][name] = total["counts"].get(name, 0) + count
    return totals


def describe_counts(counts: dict[str, int]) -> str:
    """`object versions: 1,200, delete markers: 3`."""
    return ", ".join(f"{name.replace('_', ' ')}: {count:,}" for name, count in counts.items())


def render_markdown(report: DestructionReport, *, signature: SignatureInfo | None = None) -> str:
    return _render("destruction_report.md.j2", report, signature)


def render_html(report: DestructionReport, *, signature: SignatureInfo | None = None) -> str:
    """One self-contained, printable HTML file (inline CSS, no external assets)."""
    return _render("destruction_report.html.j2", report, signature)


# --- keys -----------------------------------------------------------------------------------


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file ({what})") from None
    except OSError as error:
        raise ReportError(f"{path}: cannot read {what}: {error.strerror or error}") from None


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The security team's Ed25519 private key from an unencrypted PEM file."""
    return _load_key(path, private=True)


def load_public_key(path: Path) -> Ed25519PublicKey:
    return _load_key(path, private=False)


def _load_key(path: Path, *, private: bool) -> Any:
    wanted, other = ("private", "public") if private else ("public", "private")
    data = _read(path, "signing key" if private else "public key")
    if f"{other.upper()} KEY-----".encode() in data:
        raise ReportError(f"{path}: is a {other} key; {'signing' if private else 'verifying'} needs the {wanted} key")
    try:
        key = serialization.load_pem_private_key(data, None) if private else serialization.load_pem_public_key(data)
    except TypeError:  # what cryptography raises for an encrypted key and no password
        raise ReportError(f"{path}: the private key is encrypted; give an unencrypted PEM (keep it safe)") from None
    except (ValueError, UnsupportedAlgorithm):
        raise ReportError(f"{path}: not a PEM {wanted} key") from None
    if not isinstance(key, Ed25519PrivateKey if private else Ed25519PublicKey):
        raise ReportError(f"{path}: not an Ed25519 key ({type(key).__name__})")
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    """`sha256:<hex>` of the DER SubjectPublicKeyInfo (what `openssl pkey -outform DER` gives)."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(der).hexdigest()


def generate_keypair(directory: Path, name: str = "tenantkit-reports") -> tuple[Path, Path]:
    """`<name>.key.pem` (PKCS8, mode 0600) and `<name>.pub.pem`; never overwrites either."""
    if not _SAFE_NAME.fullmatch(name):
        raise ReportError(f"{name!r}: use letters, digits, '.', '-' and '_' for a key name")
    private, public = directory / f"{name}.key.pem", directory / f"{name}.pub.pem"
    for path in (private, public):
        if path.exists():
            raise ReportError(f"{path}: already exists; not overwritten")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _publish(directory, {private: private_pem, public: public_pem}, modes={private: 0o600})
    except OSError as error:
        raise ReportError(f"{directory}: cannot write the key pair: {error.strerror or error}") from None
    return private, public


# --- writing and verifying -------------------------------------------------------------------


def _publish(directory: Path, contents: dict[Path, bytes], modes: dict[Path, int]) -> None:
    """Write every file to a temporary name, then link each to its final name (refusing to
    replace anything); on any failure, remove whatever this call created: all or nothing."""
    temporary: list[str] = []
    published: list[Path] = []
    try:
        for path, data in contents.items():
            handle, name = tempfile.mkstemp(dir=directory, prefix=".tmp-")
            temporary.append(name)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(name, modes.get(path, 0o644))
        for name, path in zip(temporary, contents, strict=True):
            os.link(name, path)  # unlike rename, fails if the target exists
            published.append(path)
    except OSError:
        for path in published:
            path.unlink(missing_ok=True)
        raise
    finally:
        for name in temporary:
            Path(name).unlink(missing_ok=True)


def write_report(report: DestructionReport, reports_root: Path, signing_key: Ed25519PrivateKey) -> ReportFiles:
    """Sign the report and write `reports_root/<tenant>/destruction-<completed_at>.{json,json.sig,md,html}`,
    all or none, never replacing an existing report. The file name comes from the report's
    completion time, so the same report cannot be written twice."""
    if not _SAFE_NAME.fullmatch(report.tenant_id):
        raise ReportError(f"{report.tenant_id!r}: not a tenant id that can name a directory")
    try:
        completed = datetime.fromisoformat(report.completed_at)
    except ValueError:
        completed = None
    if completed is None or completed.tzinfo is None:
        raise ReportError(f"completed_at {report.completed_at!r} is not an ISO 8601 time with a time zone")
    completed = completed.astimezone(UTC)
    directory = reports_root / report.tenant_id
    stem = f"destruction-{completed:%Y%m%dT%H%M%SZ}"
    files = ReportFiles(*(directory / f"{stem}.{ext}" for ext in ("json", "json.sig", "md", "html")))
    body = canonical_json(report)
    signature = SignatureInfo(fingerprint(signing_key.public_key()), base64.b64encode(signing_key.sign(body)).decode())
    contents = {
        files.markdown: render_markdown(report, signature=signature).encode(),
        files.html: render_html(report, signature=signature).encode(),
        files.json: body,
        files.signature: signature.as_json(),
    }
    for path in contents:
        if path.exists():
            raise ReportError(f"{path}: a report already exists; not overwritten")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _publish(directory, contents, modes={})
    except OSError as error:
        raise ReportError(f"{directory}: cannot write the report: {error.strerror or error}") from None
    return files


def read_report(path: Path) -> DestructionReport:
    """A report's JSON, parsed (not verified)."""
    data = _read(path, "report")
    try:
        return DestructionReport.from_dict(json.loads(data, parse_constant=_no_constants))
    except (ValueError, TypeError, ReportError) as error:  # JSONDecodeError and UnicodeError are ValueErrors
        raise ReportError(f"{path}: not a destruction report: {error}") from None


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def verify_report(report_path: Path, public_key_path: Path, signature_path: Path | None = None) -> VerifyResult:
    """Whether the report is exactly what the holder of this public key's private key signed."""
    body = _read(report_path, "report")
    key = load_public_key(public_key_path)
    mine = fingerprint(key)
    signature_path = signature_path or report_path.with_name(report_path.name + ".sig")
    signed = _read(signature_path, "signature")  # missing: a ReportError, exit 2 like any missing file
    try:
        detached = json.loads(signed)
        if detached["algorithm"] != ALGORITHM:
            raise ValueError(f"algorithm {detached['algorithm']!r}, expected {ALGORITHM}")
        claimed, raw = detached["public_key_fingerprint"], base64.b64decode(detached["signature"], validate=True)
    except (ValueError, KeyError, TypeError) as error:
        problem = f"no {error}" if isinstance(error, KeyError) else str(error)
        return VerifyResult(False, f"invalid signature file {signature_path}: {problem}", mine, None)
    try:
        key.verify(raw, body)
    except InvalidSignature:
        if claimed != mine:
            return VerifyResult(False, f"not signed by this key: signed by {claimed}, this key is {mine}", mine, None)
        return VerifyResult(False, "TAMPERED: invalid signature (the report or its signature changed since signing)", mine, None)
    if claimed != mine:
        return VerifyResult(False, f"TAMPERED: the signature file names key {claimed}, but {mine} signed", mine, None)
    try:
        report = read_report(report_path)
    except ReportError as error:
        return VerifyResult(False, str(error), mine, None)
    if canonical_json(report) != body:
        return VerifyResult(False, f"{report_path}: signed, but not in canonical form", mine, None)
    return VerifyResult(True, "valid", mine, report)
