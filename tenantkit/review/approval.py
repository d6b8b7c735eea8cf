"""Approvals: `tenantkit review approve` records who approved which reviewed content (its hash),
in `approvals/<tenant>.json`, a file meant to be committed; `review` and `list` compare the
current content's hash with it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from tenantkit import __version__

APPROVALS_DIR = Path("approvals")


class ApprovalState(str, Enum):
    APPROVED = "approved"
    CHANGED = "changed since approval"
    NEVER = "never approved"


@dataclass(frozen=True)
class Approval:
    tenant_id: str
    approved_by: str
    approved_at: str
    content_hash: str
    tenantkit_version: str
    flagged: int = 0
    """How many flags the approved review had (approving with flags is a decision on record)."""


def approval_file(approvals_dir: Path, tenant_id: str) -> Path:
    return approvals_dir / f"{tenant_id}.json"


def read_approval(approvals_dir: Path, tenant_id: str) -> Approval | None:
    """The recorded approval of the tenant; None if there is none (or it is unreadable)."""
    try:
        data = json.loads(approval_file(approvals_dir, tenant_id).read_text(encoding="utf-8"))
        return Approval(**{field: data[field] for field in Approval.__dataclass_fields__ if field in data})
    except (OSError, ValueError, TypeError):
        return None


def record_approval(approvals_dir: Path, model: dict[str, Any], approved_by: str) -> Approval:
    """Write the approval of the reviewed content of `model` by `approved_by`."""
    approval = Approval(
        tenant_id=model["tenant_id"],
        approved_by=approved_by,
        approved_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        content_hash=model["content_hash"],
        tenantkit_version=__version__,
        flagged=model["flagged"],
    )
    approvals_dir.mkdir(parents=True, exist_ok=True)
    approval_file(approvals_dir, approval.tenant_id).write_text(json.dumps(asdict(approval), indent=2) + "\n", encoding="utf-8")
    return approval


def approval_state(approval: Approval | None, content_hash: str | None) -> ApprovalState:
    if approval is None:
        return ApprovalState.NEVER
    return ApprovalState.APPROVED if approval.content_hash == content_hash else ApprovalState.CHANGED


def approval_summary(approvals_dir: Path, model: dict[str, Any]) -> dict[str, Any]:
    """The `approval` entry of a review: its state against the recorded approval."""
    approval = read_approval(approvals_dir, model["tenant_id"])
    state = approval_state(approval, model["content_hash"])
    summary: dict[str, Any] = {"status": state.value}
    if approval is not None:
        summary |= {"approved_by": approval.approved_by, "approved_at": approval.approved_at, "content_hash": approval.content_hash}
    return summary
