"""The approval gate (fleet.yaml `require_approval: true`): `deploy` (AWS and `--local`), `check`
and the pipeline's per-tenant step let a tenant through only when its current templates are the
ones its last valid approval covers. `--unapproved --reason TEXT` lets a refused tenant through,
the reason appended to its approval history. No typer or rich here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenantkit.review.approval import (
    COUNTS_AS_NONE,
    ApprovalRecord,
    ApprovalState,
    TrustedKey,
    approval_file,
    read_record,
    record_override,
    validity,
)
from tenantkit.review.service import fleet_trusted_keys, review_tenant, with_approval
from tenantkit.review.source import ReviewRequestError


@dataclass(frozen=True)
class Override:
    """`--unapproved --reason TEXT`: who lets unapproved tenants through, why, with which command."""

    by: str
    reason: str
    command: str


@dataclass(frozen=True)
class GateDecision:
    tenant_id: str
    allowed: bool
    line: str
    """One line: why the tenant is refused, or that it went through unapproved (and where that is recorded)."""
    overridden: bool = False


def decide(model: dict[str, Any], record: ApprovalRecord | None, keys: list[TrustedKey]) -> GateDecision:
    """Whether the reviewed templates of `model` are covered by the tenant's valid approval."""
    tenant_id = model["tenant_id"]
    with_approval(model, record, keys, show_changes=False)
    approval = model["approval"]
    if approval["status"] == ApprovalState.APPROVED.value:
        return GateDecision(tenant_id, True, f"{tenant_id}: approved by {approval['approved_by']} on {approval['approved_at']}")
    return _refused(tenant_id, approval)


def _refused(tenant_id: str, approval: dict[str, Any]) -> GateDecision:
    status = approval["status"]
    if status == ApprovalState.CHANGED.value:
        why = (f"changed since its approval by {approval['approved_by']} on {approval['approved_at']}, "
               f"first in section '{approval['first_change']}'")
    elif status == ApprovalState.NEVER.value:
        why = "never approved"
    elif status == ApprovalState.UNSIGNED.value:
        why = "its approval is unsigned (legacy) and counts as none"
    else:
        why = f"its approval is not valid ({approval['signature']}) and counts as none"
    return GateDecision(
        tenant_id, False,
        f"{tenant_id}: refused: {why}; approve it (tenantkit review approve {tenant_id} --by NAME --signing-key KEY) "
        "or pass --unapproved --reason TEXT",
    )


def gate(
    config_dir: Path,
    tenant_ids: list[str],
    *,
    cdk_out: Path,
    approvals_dir: Path,
    root: Path,
    override: Override | None = None,
    required: bool = False,
) -> list[GateDecision]:
    """The decision for each tenant of `config_dir` (all of them when `tenant_ids` is empty),
    each reviewed as `tenantkit review` does (synthesized into `cdk_out`, from the synth cache when
    unchanged); none when fleet.yaml does not `require_approval` (unless `required`). With
    `override`, a refused tenant goes through and the override is recorded in its history."""
    from tenantkit.config import load_fleet, validate_paths

    if not (required or load_fleet(root).require_approval):
        return []
    keys = fleet_trusted_keys(root)
    chosen = list(dict.fromkeys(tenant_ids)) or sorted(config.tenant_id for config in validate_paths([config_dir]).configs)
    decisions = []
    for tenant_id in chosen:
        record = read_record(approvals_dir, tenant_id)
        checked = validity(record, keys)
        if checked.state in COUNTS_AS_NONE and override is None:  # refused whatever the templates are
            decisions.append(_refused(tenant_id, {"status": checked.state.value, "signature": checked.reason}))
            continue
        try:
            model = review_tenant(config_dir, tenant_id, cdk_out, root=root)
        except ReviewRequestError as error:
            decisions.append(GateDecision(tenant_id, False, f"{tenant_id}: refused: cannot review its templates: {error}"))
            continue
        decision = decide(model, record, keys)
        if not decision.allowed and override is not None:
            record_override(
                approvals_dir, tenant_id, by=override.by, reason=override.reason, command=override.command,
                current_hash=model["content_hash"], state=model["approval"]["status"],
            )
            decision = GateDecision(
                tenant_id, True,
                f"{tenant_id}: going ahead unapproved ({model['approval']['status']}); the reason is recorded in "
                f"{approval_file(approvals_dir, tenant_id)}",
                overridden=True,
            )
        decisions.append(decision)
    return decisions
