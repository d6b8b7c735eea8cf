"""The signed data-destruction report: what offboarding destroyed, proven to the customer.

What it proves: that the holder of the security team's Ed25519 private key signed this exact
account of an offboarding run: the tenant and its two regions, who ran it and when, the retrieval
deadline and any reason for forcing it early, every resource destroyed (ARN, region, time, and what
it held: object versions, recovery points, snapshots), the KMS keys scheduled for deletion and
when (scheduled, not destroyed: `offboard confirm-keys` signs an addendum,
`<report>.keys-confirmed.json`, once they are gone), the application resources left for the
application to remove, whether the final check found anything of the tenant left, its scope (the
account, regions and vaults searched, the kinds of resource checked, what was out of reach) and
what became of the tenant's audit records (archived, with bucket, prefix, count and expiry, or
destroyed). A report of a sandbox run says so on every rendering.

Canonical form: the `.json` file is `canonical_json(report)`: the report's fields plus
`"schema": "tenantkit.destruction-report/2"` (a /1 report, written before reports stated their
scope, has no `scope` or `audit_records` and keeps verifying), keys sorted, separators `,` and `:` with no spaces,
UTF-8 (not \\u-escaped), no trailing newline, no NaN or floats (only strings, integers, booleans,
null, lists and objects). The same report always gives the same bytes.

Signature: over the exact bytes of the `.json` file, detached in `<report>.json.sig`:
`{"algorithm": "Ed25519", "public_key_fingerprint": "sha256:<hex>", "signature": "<base64>"}`,
where the fingerprint is the SHA-256 of the public key in DER SubjectPublicKeyInfo form. Ed25519
for a PEM key; `ECDSA_SHA_256` or `RSASSA_PSS_SHA_256` for an AWS KMS key (`tenantkit.evidence`,
which signs and verifies all evidence).

How a customer verifies, given the security team's public key (`tenantkit-reports.pub.pem`):
`tenantkit report verify REPORT.json --public-key tenantkit-reports.pub.pem`, or without tenantkit
(OpenSSL 3, tested):

    jq -r .signature REPORT.json.sig | base64 -d > REPORT.sig.bin
    openssl pkeyutl -verify -pubin -inkey tenantkit-reports.pub.pem -rawin -in REPORT.json -sigfile REPORT.sig.bin
    openssl pkey -pubin -in tenantkit-reports.pub.pem -outform DER | sha256sum   # the fingerprint

The Markdown and HTML renderings are for people; only the JSON is signed.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import MISSING, asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tenantkit import evidence

SCHEMA = "tenantkit.destruction-report/2"
SCHEMA_V1 = "tenantkit.destruction-report/1"
"""A /1 report (written before reports stated their scope) still verifies: it has neither `scope`
nor `audit_records`, and its canonical form is its fields plus this schema string."""
ADDENDUM_SCHEMA = "tenantkit.key-deletion-confirmation/1"
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
class SearchScope:
    """What "verified" covers: where offboarding looked, for what, and what it could not reach."""

    account: str
    regions: tuple[str, ...]  # searched for every kind below
    vaults: tuple[str, ...]  # "<region>/<vault>", searched for recovery points
    kinds: tuple[str, ...]  # kinds of resource checked, in destruction order
    tag_search_regions: tuple[str, ...]  # asked for anything tagged with the tenant (Resource Groups Tagging API)
    out_of_reach: tuple[str, ...]  # what was not searched, in words
    jobs: tuple[str, ...] = ()  # the tenant's backup, copy and restore jobs running at the start: each stopped or awaited
    shared_assets: tuple[str, ...] = ()  # CDK asset objects the tenant's stacks publish that another tenant's publish too: kept


@dataclass(frozen=True)
class AuditArchive:
    """Where the tenant's access and audit logs were kept, and until when."""

    bucket: str
    region: str
    prefix: str
    objects: int
    expires_on: str  # ISO date: the archive's objects expire then
    sources: tuple[str, ...]  # log groups and buckets exported


@dataclass(frozen=True)
class AuditRecords:
    kept: bool  # the tenant's contract keeps its access and audit logs after its data
    keep_days: int | None
    archives: tuple[AuditArchive, ...]  # when kept: written before the tenant's copies were destroyed
    shared_trail: str  # where records of a shared trail remain (not deletable per tenant)


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
    scope: SearchScope | None = None  # None only in a /1 report
    audit_records: AuditRecords | None = None  # None only in a /1 report

    @property
    def schema(self) -> str:
        return SCHEMA_V1 if self.scope is None and self.audit_records is None else SCHEMA

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types: tuples become lists. A /1 report has no `scope` or `audit_records`."""
        data = json.loads(json.dumps(asdict(self)))
        if self.schema == SCHEMA_V1:
            del data["scope"], data["audit_records"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DestructionReport:
        """The inverse of `as_dict` (a `schema` field, if present, must be /2 or /1); ReportError
        names the first field that is missing or unknown."""
        data = dict(data)
        versioned = "scope" in data or "audit_records" in data
        schema = data.pop("schema", SCHEMA if versioned else SCHEMA_V1)
        if schema not in (SCHEMA, SCHEMA_V1):
            raise ReportError(f"schema {schema!r} is not {SCHEMA!r} (or {SCHEMA_V1!r})")
        fields_ = _fields(cls, data)
        for name in ("scope", "audit_records"):
            if schema == SCHEMA and name not in data:
                raise ReportError(f"DestructionReport: missing field {name!r}")
            if schema == SCHEMA_V1 and name in data:
                raise ReportError(f"DestructionReport: unknown field {name!r} in a {SCHEMA_V1} report")
        if schema == SCHEMA:
            search = _fields(SearchScope, fields_["scope"])
            fields_["scope"] = SearchScope(**{k: tuple(v) if isinstance(v, list) else v for k, v in search.items()})  # type: ignore[arg-type]  # fields checked by _fields; JSON lists become the tuples the dataclass holds
            audit = _fields(AuditRecords, fields_["audit_records"])
            audit["archives"] = tuple(
                AuditArchive(**{**_fields(AuditArchive, a), "sources": tuple(a.get("sources", ()))}) for a in audit["archives"]
            )
            fields_["audit_records"] = AuditRecords(**audit)
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


SignatureInfo = evidence.Signature
"""The detached signature (`.json.sig`) of a report (tenantkit.evidence)."""


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
    report: Any  # a DestructionReport, KeyDeletionConfirmation or DrillReport; only when ok


def canonical_json(report: DestructionReport | KeyDeletionConfirmation) -> bytes:
    """The signed bytes: deterministic for a report, whatever order its dicts were built in."""
    data = {**report.as_dict(), "schema": report.schema}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


@dataclass(frozen=True)
class KeyGone:
    key_arn: str
    region: str
    deletion_date: str  # as the report scheduled it
    answer: str  # what DescribeKey answered: "NotFoundException"


@dataclass(frozen=True)
class KeyDeletionConfirmation:
    """The signed addendum `offboard confirm-keys` writes next to a report once the keys' deletion
    date has passed: each key the report scheduled is gone (DescribeKey answers NotFoundException)."""

    tenant_id: str
    account: str
    report: str  # the report's file name
    report_sha256: str  # of the report's signed .json bytes
    confirmed_at: str
    operator: str
    keys: tuple[KeyGone, ...]
    tool_version: str
    sandbox: bool

    schema = ADDENDUM_SCHEMA

    def as_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KeyDeletionConfirmation:
        data = dict(data)
        if (schema := data.pop("schema", None)) != ADDENDUM_SCHEMA:
            raise ReportError(f"schema {schema!r} is not {ADDENDUM_SCHEMA!r}")
        fields_ = _fields(cls, data)
        fields_["keys"] = tuple(_build(KeyGone, k) for k in fields_["keys"])
        return cls(**fields_)


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
        return evidence.signing.read_file(path, what)
    except evidence.EvidenceKeyError as error:
        raise ReportError(str(error)) from None


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The security team's Ed25519 private key from an unencrypted PEM file."""
    try:
        return evidence.load_private_key(path)
    except evidence.EvidenceKeyError as error:
        raise ReportError(str(error)) from None


def load_signer(spec: str | Path, kms_client_for: Any = None) -> evidence.Signer:
    """The signer `--signing-key` names: a PEM file or `kms:<key ARN>` (tenantkit.evidence)."""
    try:
        return evidence.load_signer(spec, kms_client_for)
    except evidence.EvidenceKeyError as error:
        raise ReportError(str(error)) from None


def load_public_key(path: Path) -> Any:
    """A PEM public key: Ed25519 (`report keygen`) or the public half of a KMS key."""
    try:
        return evidence.load_public_key(path)
    except evidence.EvidenceKeyError as error:
        raise ReportError(str(error)) from None


def fingerprint(key: Any) -> str:
    """`sha256:<hex>` of the DER SubjectPublicKeyInfo (what `openssl pkey -outform DER` gives)."""
    return evidence.fingerprint(key)


def kms_client_for(*, local: bool, state_dir: Path) -> Any:
    """region -> a KMS client: of the running sandbox (`local`), else of the AWS credentials. The
    key's account is the one its ARN names (in the sandbox, assumed as tenantkit deploys)."""

    def client(region: str, account: str | None = None) -> Any:
        if local:
            from tenantkit.lifecycle.fleet import sandbox_sessions
            from tenantkit.lifecycle.local import LocalDeployError, running_sandbox

            try:
                status = running_sandbox(state_dir)
            except LocalDeployError as error:
                raise ReportError(str(error)) from None
            return sandbox_sessions(status.endpoint, account)(region).client("kms")
        import boto3

        return boto3.Session(region_name=region).client("kms")

    return client


def export_kms_public_key(kms: Any, key_arn: str, directory: Path, name: str) -> Path:
    """`<name>.pub.pem`: the public half of a KMS signing key, for offline `report verify`;
    never overwrites a file."""
    if not _SAFE_NAME.fullmatch(name):
        raise ReportError(f"{name!r}: use letters, digits, '.', '-' and '_' for a key name")
    try:
        signer = evidence.KmsSigner(kms, key_arn)
    except evidence.EvidenceKeyError as error:
        raise ReportError(str(error)) from None
    public = directory / f"{name}.pub.pem"
    if public.exists():
        raise ReportError(f"{public}: already exists; not overwritten")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _publish(directory, {public: signer.public_key_pem()}, modes={})
    except OSError as error:
        raise ReportError(f"{directory}: cannot write the public key: {error.strerror or error}") from None
    return public


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


@dataclass(frozen=True)
class S3Location:
    """`--reports s3://bucket/prefix`: a bucket with S3 Object Lock enabled."""

    bucket: str
    prefix: str  # "" or ending with "/"

    def key(self, relative: str) -> str:
        return f"{self.prefix}{relative}"

    def uri(self, relative: str) -> str:
        return f"s3://{self.bucket}/{self.key(relative)}"


def reports_location(text: str) -> Path | S3Location:
    """`--reports`: a directory, or `s3://bucket[/prefix]`."""
    if not text.startswith("s3://"):
        return Path(text)
    bucket, _, prefix = text.removeprefix("s3://").partition("/")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
        raise ReportError(f"--reports {text}: {bucket!r} is not an S3 bucket name")
    prefix = prefix.strip("/")
    return S3Location(bucket, f"{prefix}/" if prefix else "")


def _stem(report: DestructionReport) -> str:
    if not _SAFE_NAME.fullmatch(report.tenant_id):
        raise ReportError(f"{report.tenant_id!r}: not a tenant id that can name a directory")
    try:
        completed = datetime.fromisoformat(report.completed_at)
    except ValueError:
        completed = None
    if completed is None or completed.tzinfo is None:
        raise ReportError(f"completed_at {report.completed_at!r} is not an ISO 8601 time with a time zone")
    return f"{report.tenant_id}/destruction-{completed.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _signer(signing_key: Ed25519PrivateKey | evidence.Signer) -> evidence.Signer:
    # Duck-typed: anything with `algorithm` signs as itself (mypy cannot rule a key subclass out).
    if hasattr(signing_key, "algorithm"):
        return cast(evidence.Signer, signing_key)
    return evidence.PemSigner(signing_key, "signing key")


def _signed_report(report: DestructionReport, signing_key: Ed25519PrivateKey | evidence.Signer) -> dict[str, bytes]:
    """extension -> bytes of the four files, renderings first and the signature last."""
    body = canonical_json(report)
    signature = evidence.sign(body, _signer(signing_key))
    return {
        "md": render_markdown(report, signature=signature).encode(),
        "html": render_html(report, signature=signature).encode(),
        "json": body,
        "json.sig": signature.as_json(),
    }


def write_report(
    report: DestructionReport, reports_root: Path, signing_key: Ed25519PrivateKey | evidence.Signer
) -> ReportFiles:
    """Sign the report (an Ed25519 key, or any evidence signer: a KMS key) and write `reports_root/<tenant>/destruction-<completed_at>.{json,json.sig,md,html}`,
    all or none, never replacing an existing report. The file name comes from the report's
    completion time, so the same report cannot be written twice."""
    stem = _stem(report)
    files = ReportFiles(*(reports_root / f"{stem}.{ext}" for ext in ("json", "json.sig", "md", "html")))
    signed = _signed_report(report, signing_key)
    _write_local(files.json.parent, {reports_root / f"{stem}.{ext}": data for ext, data in signed.items()})
    return files


def _write_local(directory: Path, contents: dict[Path, bytes]) -> None:
    for path in contents:
        if path.exists():
            raise ReportError(f"{path}: a report already exists; not overwritten")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _publish(directory, contents, modes={})
    except OSError as error:
        raise ReportError(f"{directory}: cannot write the report: {error.strerror or error}") from None


def upload_report(
    report: DestructionReport, s3: Any, location: S3Location, signing_key: Ed25519PrivateKey | evidence.Signer
) -> str:
    """Sign the report and upload its four files under `location` (`<prefix><tenant>/destruction-
    <completed_at>.*`); return the URI of its `.json`. See `upload_locked`."""
    stem = _stem(report)
    signed = _signed_report(report, signing_key)
    upload_locked(s3, location, {f"{stem}.{ext}": data for ext, data in signed.items()})
    return location.uri(f"{stem}.json")


def upload_locked(s3: Any, location: S3Location, contents: dict[str, bytes]) -> None:
    """Upload evidence to a bucket with S3 Object Lock enabled (refused otherwise: a report there
    cannot be deleted or replaced while its retention lasts, by the bucket's default retention),
    each object with its Content-MD5 and `If-None-Match: *`, so S3 checks its bytes and never
    overwrites a key. An object already there with the same bytes (a rerun after an interrupted
    upload) is kept as it is; one with other bytes is refused."""
    import base64
    import hashlib

    from botocore.exceptions import ClientError

    from tenantkit.aws import Failure, classify, error_code

    where = f"s3://{location.bucket}"
    try:
        lock = s3.get_object_lock_configuration(Bucket=location.bucket)["ObjectLockConfiguration"]
    except ClientError as error:
        if error_code(error) == "ObjectLockConfigurationNotFoundError":
            lock = {}
        else:
            raise ReportError(f"{where}: cannot read its Object Lock configuration: {error_code(error)}") from None
    if lock.get("ObjectLockEnabled") != "Enabled":
        raise ReportError(f"{where}: S3 Object Lock is not enabled on this bucket; reports go only to a bucket whose objects cannot be deleted")
    pending = {}
    for name, data in contents.items():
        md5 = hashlib.md5(data, usedforsecurity=False)
        try:
            existing = s3.head_object(Bucket=location.bucket, Key=location.key(name))
        except ClientError as error:
            if classify(error) is not Failure.ABSENT:
                raise ReportError(f"{location.uri(name)}: cannot check it: {error_code(error)}") from None
            pending[name] = (data, base64.b64encode(md5.digest()).decode())
            continue
        if existing.get("ETag", "").strip('"') != md5.hexdigest():
            raise ReportError(f"{location.uri(name)}: already exists with other contents; not overwritten")
    for name, (data, content_md5) in pending.items():
        try:
            s3.put_object(Bucket=location.bucket, Key=location.key(name), Body=data, ContentMD5=content_md5, IfNoneMatch="*")
        except ClientError as error:
            raise ReportError(f"{location.uri(name)}: not uploaded: {error_code(error)}") from None


def addendum_contents(
    confirmation: KeyDeletionConfirmation, signing_key: Ed25519PrivateKey | evidence.Signer
) -> dict[str, bytes]:
    """The signed key-deletion addendum: `.keys-confirmed.json` (canonical), its `.json.sig`, `.md`."""
    body = canonical_json(confirmation)
    signature = evidence.sign(body, _signer(signing_key))
    lines = [
        f"# Key deletion confirmed: `{confirmation.tenant_id}`",
        "",
        f"Addendum to `{confirmation.report}` (SHA-256 `{confirmation.report_sha256}`), checked at {confirmation.confirmed_at} by {_markdown_cell(confirmation.operator)}.",
        *(["", "> **SANDBOX RUN.** This addendum describes the local tenantkit sandbox, not AWS."] if confirmation.sandbox else []),
        "",
        "| Key ARN | Region | Deletion date | DescribeKey answered |",
        "|---|---|---|---|",
        *(f"| `{k.key_arn}` | {k.region} | {k.deletion_date} | {k.answer} |" for k in confirmation.keys),
        "",
        "Every key is deleted: nothing encrypted under it can be read again.",
        "",
        f"Signed: {signature.algorithm}, public key `{signature.fingerprint}`; check with `tenantkit report verify FILE.json --public-key PUBLIC.pem`.",
        "",
    ]
    return {"json": body, "json.sig": signature.as_json(), "md": "\n".join(lines).encode()}


def write_addendum(report_json: str, confirmation: KeyDeletionConfirmation, signing_key: Any, s3: Any = None) -> str:
    """Write the addendum next to the report (a local path or an `s3://` URI); return its `.json`."""
    contents = addendum_contents(confirmation, signing_key)
    stem = report_json.removesuffix(".json") + ".keys-confirmed"
    if report_json.startswith("s3://"):
        location = reports_location(stem.rsplit("/", 1)[0])
        assert isinstance(location, S3Location)
        name = stem.rsplit("/", 1)[1]
        upload_locked(s3, location, {f"{name}.{ext}": data for ext, data in contents.items()})
        return f"{stem}.json"
    directory = Path(stem).parent
    _write_local(directory, {Path(f"{stem}.{ext}"): data for ext, data in contents.items()})
    return f"{stem}.json"


def read_report(path: Path) -> DestructionReport | KeyDeletionConfirmation:
    """A report's JSON (or a key-deletion addendum's, by its schema), parsed (not verified)."""
    data = _read(path, "report")
    try:
        parsed = json.loads(data, parse_constant=_no_constants)
        if isinstance(parsed, dict) and parsed.get("schema") == ADDENDUM_SCHEMA:
            return KeyDeletionConfirmation.from_dict(parsed)
        return DestructionReport.from_dict(parsed)
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
        detached = evidence.Signature.from_json(signed)
    except ValueError as error:
        return VerifyResult(False, f"invalid signature file {signature_path}: {error}", mine, None)
    verdict = evidence.verify(body, detached, key)
    if not verdict.ok:
        return VerifyResult(False, verdict.reason, mine, None)
    if b'"schema":"tenantkit.drill-report/' in body:  # a drill report: signed the same way
        from tenantkit.lifecycle.restore.drill import DrillError, read_drill_report
        from tenantkit.lifecycle.restore.drill import canonical_json as drill_json

        try:
            drill = read_drill_report(body)
        except DrillError as error:
            return VerifyResult(False, f"{report_path}: {error}", mine, None)
        if drill_json(drill) != body:
            return VerifyResult(False, f"{report_path}: signed, but not in canonical form", mine, None)
        return VerifyResult(True, "valid", mine, drill)
    try:
        report = read_report(report_path)
    except ReportError as error:
        return VerifyResult(False, str(error), mine, None)
    if canonical_json(report) != body:
        return VerifyResult(False, f"{report_path}: signed, but not in canonical form", mine, None)
    return VerifyResult(True, "valid", mine, report)
