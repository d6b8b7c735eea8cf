"""Approvals: `tenantkit review approve` records who approved which reviewed content, signed with
the security lead's key (through `tenantkit.evidence`, the signer of destruction reports), in
`approvals/<tenant>.json`, a file meant to be committed.

The file (format 2):
- `approval`: who approved, when, the content hash, and the whole approved review (its content,
  as `model.content_of` gives it), so a later review shows what changed since;
- `signature`: the detached signature (`evidence.Signature`) of the canonical JSON of `approval`;
- `history`: every approval and every override (`deploy --unapproved --reason`), appended, never
  rewritten. The history is a log, not evidence: it is not signed (an override is made without
  the security lead's key); the approval it follows is.

An approval counts only when its signature verifies with a key `fleet.yaml` trusts
(`approvals.public_keys`); an unsigned one (format 1, written before signing existed) shows as
`unsigned (legacy)`, a tampered one as not valid: both count as none.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from tenantkit import __version__
from tenantkit.aws import atomic_write
from tenantkit.evidence import EvidenceKeyError, Signature, Signer, fingerprint, load_public_key, sign, verify
from tenantkit.review.model import content_hash, content_of

APPROVALS_DIR = Path("approvals")
FORMAT = 2


class ApprovalState(str, Enum):
    APPROVED = "approved"
    CHANGED = "changed since approval"
    NEVER = "never approved"
    UNSIGNED = "unsigned (legacy)"
    INVALID = "approval not valid"


COUNTS_AS_NONE = (ApprovalState.NEVER, ApprovalState.UNSIGNED, ApprovalState.INVALID)


@dataclass(frozen=True)
class Approval:
    tenant_id: str
    approved_by: str
    approved_at: str
    content_hash: str
    tenantkit_version: str
    flagged: int = 0
    """How many flags the approved review had (approving with flags is a decision on record)."""


@dataclass(frozen=True)
class ApprovalRecord:
    """What `approvals/<tenant>.json` holds, read as it is (nothing checked yet)."""

    approval: Approval | None
    review: dict[str, Any] | None = None
    """The approved review's content (None in a legacy record)."""
    signature: Signature | None = None
    signed: bytes | None = None
    """The bytes the signature covers (the canonical JSON of the file's `approval`)."""
    history: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None
    """Why the file could not be read as an approval record (then it counts as none)."""


@dataclass(frozen=True)
class TrustedKey:
    path: str
    key: Any
    fingerprint: str


@dataclass(frozen=True)
class Validity:
    state: ApprovalState
    """APPROVED stands for a valid signature here; the content is compared separately."""
    reason: str
    signed_by: str | None = None
    """The trusted key file that verified the signature."""


def approval_file(approvals_dir: Path, tenant_id: str) -> Path:
    return approvals_dir / f"{tenant_id}.json"


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def trusted_keys(root: Path, paths: list[str]) -> list[TrustedKey]:
    """The public keys fleet.yaml's `approvals.public_keys` names, relative to `root`;
    EvidenceKeyError (one line naming the file) for one that cannot be read."""
    keys = []
    for name in paths:
        key = load_public_key(root / name)
        keys.append(TrustedKey(name, key, fingerprint(key)))
    return keys


def read_record(approvals_dir: Path, tenant_id: str) -> ApprovalRecord | None:
    """The tenant's approval record; None when there is no file."""
    path = approval_file(approvals_dir, tenant_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        return ApprovalRecord(None, problem=f"{path}: not readable as JSON ({error})")
    if not isinstance(data, dict):
        return ApprovalRecord(None, problem=f"{path}: not an approval record")
    if "approval" not in data:  # format 1: the approval's fields at the top, no signature
        return ApprovalRecord(_approval(data), history=[])
    history: list[dict[str, Any]] = [e for e in data.get("history") or [] if isinstance(e, dict)] if isinstance(data.get("history"), list) else []
    body = data["approval"]
    if not isinstance(body, dict):
        return ApprovalRecord(None, history=history, problem=f"{path}: approval: not an object")
    signature = None
    if data.get("signature") is not None:
        try:
            signature = Signature.from_json(json.dumps(data["signature"]).encode())
        except ValueError as error:
            return ApprovalRecord(_approval(body), history=history, problem=f"{path}: signature: {error}")
    review = body.get("review") if isinstance(body.get("review"), dict) else None
    return ApprovalRecord(_approval(body), review, signature, canonical(body), history)


def read_approval(approvals_dir: Path, tenant_id: str) -> Approval | None:
    """The recorded approval of the tenant, unchecked; None if there is none (or it is unreadable)."""
    record = read_record(approvals_dir, tenant_id)
    return record.approval if record is not None else None


def _approval(data: dict[str, Any]) -> Approval | None:
    try:
        return Approval(**{name: data[name] for name in Approval.__dataclass_fields__ if name in data})
    except TypeError:
        return None


def validity(record: ApprovalRecord | None, keys: list[TrustedKey]) -> Validity:
    """Whether the record is an approval that counts: signed by a trusted key, untouched since."""
    if record is None:
        return Validity(ApprovalState.NEVER, "no approval recorded")
    if record.problem is not None or record.approval is None:
        return Validity(ApprovalState.INVALID, record.problem or "the approval record lacks who approved what")
    if record.signature is None or record.signed is None:
        return Validity(ApprovalState.UNSIGNED, "the approval is not signed")
    key = next((key for key in keys if key.fingerprint == record.signature.fingerprint), None)
    if key is None:
        trusted = ", ".join(k.path for k in keys) or "none"
        return Validity(
            ApprovalState.INVALID,
            f"signed by key {record.signature.fingerprint}, which fleet.yaml's approvals.public_keys does not list (trusted: {trusted})",
        )
    verdict = verify(record.signed, record.signature, key.key)
    if not verdict.ok:
        return Validity(ApprovalState.INVALID, verdict.reason)
    if record.review is None or content_hash(record.review) != record.approval.content_hash:
        return Validity(ApprovalState.INVALID, "the signed approval's review does not match its content hash", key.path)
    return Validity(ApprovalState.APPROVED, f"signed by {record.approval.approved_by} with {key.path} ({key.fingerprint})", key.path)


def approval_state(record: ApprovalRecord | None, keys: list[TrustedKey], current_hash: str | None) -> ApprovalState:
    checked = validity(record, keys)
    if checked.state is not ApprovalState.APPROVED:
        return checked.state
    assert record is not None and record.approval is not None
    return ApprovalState.APPROVED if record.approval.content_hash == current_hash else ApprovalState.CHANGED


def record_approval(approvals_dir: Path, model: dict[str, Any], approved_by: str, signer: Signer) -> Approval:
    """Sign and write the approval of the reviewed content of `model` by `approved_by`; the
    earlier approvals and overrides stay in the history."""
    if content_hash(model) != model["content_hash"]:
        raise ValueError(f"{model['tenant_id']}: not the review as it was made (its content no longer matches its hash)")
    approval = Approval(
        tenant_id=model["tenant_id"],
        approved_by=approved_by,
        approved_at=_now(),
        content_hash=model["content_hash"],
        tenantkit_version=__version__,
        flagged=model["flagged"],
    )
    body = asdict(approval) | {"review": content_of(model)}
    signature = sign(canonical(body), signer)
    earlier = read_record(approvals_dir, approval.tenant_id)
    history = list(earlier.history) if earlier is not None else []
    if earlier is not None and earlier.signature is None and earlier.approval is not None and not history:
        history.append(_event("approved", earlier.approval.approved_at, earlier.approval.approved_by,
                              earlier.approval.content_hash, signed_by=None))
    history.append(_event("approved", approval.approved_at, approved_by, approval.content_hash, signed_by=signature.fingerprint))
    _write(approvals_dir, approval.tenant_id, {
        "format": FORMAT,
        "tenant_id": approval.tenant_id,
        "approval": body,
        "signature": json.loads(signature.as_json()),
        "history": history,
    })
    return approval


def record_override(approvals_dir: Path, tenant_id: str, *, by: str, reason: str, command: str, current_hash: str, state: str) -> dict[str, Any]:
    """Append an override (`--unapproved --reason`) to the tenant's approval history: who, when,
    what was deployed (its content hash), why, and what the approval state was."""
    record = read_record(approvals_dir, tenant_id)
    event = _event("override", _now(), by, current_hash, reason=reason, command=command, approval_state=state)
    path = approval_file(approvals_dir, tenant_id)
    if record is None or record.problem is not None:
        data: dict[str, Any] = {"format": FORMAT, "tenant_id": tenant_id, "approval": None, "signature": None, "history": []}
        if record is not None:
            data["unreadable"] = path.read_text(encoding="utf-8", errors="replace")  # kept, not lost
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
        if "approval" not in data:  # legacy: keep its approval, unsigned, and start the history
            legacy = {name: data.pop(name) for name in list(data) if name in Approval.__dataclass_fields__}
            data = {"format": FORMAT, "tenant_id": tenant_id, "approval": legacy, "signature": None, "history": []}
    data.setdefault("history", []).append(event)
    _write(approvals_dir, tenant_id, data)
    return event


def _event(event: str, at: str, by: str, content: str, **details: Any) -> dict[str, Any]:
    return {"event": event, "at": at, "by": by, "content_hash": content, **details}


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _write(approvals_dir: Path, tenant_id: str, data: dict[str, Any]) -> None:
    approvals_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(approval_file(approvals_dir, tenant_id), json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def approval_summary(record: ApprovalRecord | None, keys: list[TrustedKey], model: dict[str, Any]) -> dict[str, Any]:
    """The `approval` entry of a review: its state against the recorded approval, and why."""
    checked = validity(record, keys)
    state = approval_state(record, keys, model["content_hash"])
    summary: dict[str, Any] = {"status": state.value, "signature": checked.reason}
    if record is not None and record.approval is not None:
        approval = record.approval
        summary |= {"approved_by": approval.approved_by, "approved_at": approval.approved_at, "content_hash": approval.content_hash}
    if checked.signed_by is not None:
        summary["signed_with"] = checked.signed_by
    return summary


__all__ = [
    "COUNTS_AS_NONE",
    "Approval",
    "ApprovalRecord",
    "ApprovalState",
    "EvidenceKeyError",
    "TrustedKey",
    "Validity",
    "approval_file",
    "approval_state",
    "approval_summary",
    "read_approval",
    "read_record",
    "record_approval",
    "record_override",
    "trusted_keys",
    "validity",
]
