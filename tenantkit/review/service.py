"""The service behind `tenantkit review`: a tenant's templates (synthesized from its tenant file,
from the synth cache when unchanged, or an existing cloud assembly taken as it is) -> the review
model. No typer or rich here."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tenantkit import __version__
from tenantkit.evidence import EvidenceKeyError, Signer
from tenantkit.review.approval import (
    Approval,
    ApprovalRecord,
    ApprovalState,
    TrustedKey,
    approval_state,
    approval_summary,
    read_record,
    record_approval,
    trusted_keys,
)
from tenantkit.review.diff import compare, first_change
from tenantkit.review.grants import ID as GRANTS_ID
from tenantkit.review.grants import build_grants
from tenantkit.review.model import FORMAT, content_hash, content_of, flags_of
from tenantkit.review.sections import SECTIONS
from tenantkit.review.source import ReviewRequestError, load_tenant_templates

CFN_LINT_PREFIX = "cfn-lint "


def review_assembly(
    assembly_dir: Path,
    tenant_id: str | None = None,
    *,
    other_tenant_ids: frozenset[str] = frozenset(),
    lint_findings: tuple[str, ...] | None = None,
    source: dict[str, Any] | None = None,
    promised_rpo: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The review of one tenant's stacks in a cloud assembly, judged from the templates alone
    (compared with `promised_rpo`, the tenant file's promise, when given)."""
    templates = replace(
        load_tenant_templates(assembly_dir, tenant_id),
        other_tenant_ids=other_tenant_ids,
        lint_findings=lint_findings,
        promised_rpo=promised_rpo,
    )
    sections = [module.build(templates).as_dict() for module in SECTIONS]
    sections.append(build_grants(None).as_dict())  # looked up on request only: `with_grants`
    model: dict[str, Any] = {
        "format": FORMAT,
        "tenant_id": templates.tenant_id,
        "residency": templates.residency,
        "zone_name": templates.zone_name,
        "zone": sorted(templates.zone),
        "stacks": [{"name": stack.name, "region": stack.region} for stack in templates.stacks],
        "sections": sections,
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "tenantkit_version": __version__,
        "source": source or {"kind": "assembly", "assembly": str(assembly_dir)},
    }
    model["flagged"] = len(flags_of(model))
    model["content_hash"] = content_hash(model)
    return model


def review_tenant(directory: Path, tenant_id: str, cdk_out: Path, *, use_cache: bool = True, root: Path | None = None) -> dict[str, Any]:
    """Synthesize the tenant of `directory` (from the synth cache when nothing changed) into
    `cdk_out/<tenant>/` and review its templates (with the extensions of `root`'s fleet.yaml)."""
    from tenantkit.config import validate_paths
    from tenantkit.config.promises import rpo_promises
    from tenantkit.synth import SynthCache, SynthRequestError, synth_directory

    try:
        (result,) = synth_directory(directory, [tenant_id], cdk_out, cache=SynthCache() if use_cache else None, root=root)
    except SynthRequestError as error:
        raise ReviewRequestError(str(error)) from None
    if result.error is not None or result.assembly_dir is None:
        raise ReviewRequestError(f"{tenant_id}: cannot synthesize: {result.error}")
    configs = validate_paths([directory]).configs
    fleet = frozenset(config.tenant_id for config in configs)
    _synth_baseline(configs, tenant_id, Path(result.assembly_dir).parent, use_cache=use_cache, root=root)
    return review_assembly(
        Path(result.assembly_dir),
        tenant_id,
        other_tenant_ids=fleet,
        lint_findings=tuple(f for f in result.findings if f.startswith(CFN_LINT_PREFIX)),
        promised_rpo=next((rpo_promises(c) for c in configs if c.tenant_id == tenant_id), None),
        source={"kind": "synthesized", "config": str(directory / f"{tenant_id}.yaml"), "assembly": str(result.assembly_dir)},
    )


def _synth_baseline(configs: Any, tenant_id: str, outdir: Path, *, use_cache: bool, root: Path | None = None) -> None:
    """The baseline stacks (the audit trail of each of the tenant's regions, covering every tenant
    of the fleet there, and the operator channel's key-deletion-window alert of `root`'s
    fleet.yaml) beside the tenant's assembly, where the audit section reads them (from the synth
    cache when none of their tenant files changed)."""
    from tenantkit.config import load_fleet
    from tenantkit.synth import SynthCache
    from tenantkit.synth.baseline import synth_baselines

    chosen = [config for config in configs if config.tenant_id == tenant_id]
    if chosen:
        channel = load_fleet(root if root is not None else Path(".")).operator_channel
        synth_baselines(list(configs), chosen, outdir, cache=SynthCache() if use_cache else None, operator_channel=channel)


def review_at_ref(directory: Path, tenant_id: str, ref: str, *, use_cache: bool = True) -> dict[str, Any]:
    """The review of the tenant file as it was at git `ref`, synthesized by the current toolkit
    code in a temporary directory."""
    try:
        text = subprocess.run(
            ["git", "-C", str(directory), "show", f"{ref}:./{tenant_id}.yaml"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout
    except FileNotFoundError:
        raise ReviewRequestError("--against: git is not installed") from None
    except subprocess.CalledProcessError as error:
        reason = (error.stderr or "").strip().splitlines()[-1:] or ["git show failed"]
        raise ReviewRequestError(f"--against {ref}: no {directory / (tenant_id + '.yaml')} at that ref ({reason[0]})") from None
    with tempfile.TemporaryDirectory(prefix="tenantkit-review-") as work:
        configs = Path(work) / "tenant_configs"
        configs.mkdir()
        (configs / f"{tenant_id}.yaml").write_text(text, encoding="utf-8")
        model = review_tenant(configs, tenant_id, Path(work) / "cdk.out", use_cache=use_cache)
    model["source"] = {"kind": "git", "ref": ref, "config": f"{ref}:{directory / (tenant_id + '.yaml')}"}
    return model


def load_review(path: Path) -> dict[str, Any]:
    """A review written earlier with `--format json`."""
    try:
        model = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReviewRequestError(f"{path}: cannot read a JSON review ({error})") from None
    if not isinstance(model, dict) or model.get("format") != FORMAT or "sections" not in model:
        raise ReviewRequestError(f"{path}: not a tenantkit JSON review (format {FORMAT})")
    return model


def previous_review(against: str, directory: Path, tenant_id: str, *, use_cache: bool = True) -> dict[str, Any]:
    """`--against`: a JSON review file when `against` names one, else a git ref."""
    path = Path(against)
    if path.suffix == ".json" or path.is_file():
        if not path.is_file():
            raise ReviewRequestError(f"--against {against}: no such file")
        return load_review(path)
    return review_at_ref(directory, tenant_id, against, use_cache=use_cache)


@dataclass(frozen=True, kw_only=True)
class ReviewRequest:
    tenant_id: str | None
    """None only with `from_dir`: the assembly's only tenant."""
    config_dir: Path
    cdk_out: Path
    approvals_dir: Path
    from_dir: Path | None = None
    """Review this cloud assembly as it is, without synthesizing."""
    against: str | None = None
    """A git ref, or an earlier JSON review."""
    use_cache: bool = True
    root: Path = Path(".")
    """The project root: its fleet.yaml names the keys approvals are signed with."""
    grants: bool = False
    """Look the tenant's break-glass grants up (CloudTrail, or the sandbox with `local`); off: the
    review reads templates only and its grants section says it did not look."""
    local: bool = False
    state_dir: Path = Path(".tenantkit")
    """The sandbox's state directory, for `grants` with `local`."""


GRANTS_LOOKBACK = timedelta(days=90)
"""How far back `--grants` looks: the 90 days CloudTrail's event history keeps."""


def with_grants(model: dict[str, Any], log: Any) -> None:
    """Set the break-glass grants section of `model` (`log` None: not looked up) and count its
    flags in the verdict; the content hash leaves it out (`model.RUNTIME_SECTIONS`)."""
    model["sections"] = [s for s in model["sections"] if s["id"] != GRANTS_ID] + [build_grants(log).as_dict()]
    model["flagged"] = len(flags_of(model))


def tenant_grants(config: Any, env: Any, *, now: datetime | None = None) -> Any:
    """The tenant's break-glass sessions of the last `GRANTS_LOOKBACK` (`access.AccessLog`)."""
    from tenantkit.lifecycle.access import break_glass_log

    return break_glass_log(config, env, since=(now or datetime.now(UTC)) - GRANTS_LOOKBACK)


def _lookup_grants(request: ReviewRequest, tenant_id: str) -> Any:
    from tenantkit.lifecycle.access import AccessRefused, environment, tenant

    try:
        config = tenant(request.config_dir, tenant_id)
        env = environment(config, local=request.local, state_dir=request.state_dir)
    except AccessRefused as error:
        raise ReviewRequestError(f"--grants: {error}") from None
    return tenant_grants(config, env)


def fleet_trusted_keys(root: Path) -> list[TrustedKey]:
    """The approval keys fleet.yaml trusts (`approvals.public_keys`); ConfigError for a fleet.yaml
    in error, EvidenceKeyError for a key file that cannot be read."""
    from tenantkit.config import load_fleet

    return trusted_keys(root, load_fleet(root).approvals.public_keys)


def run_review(request: ReviewRequest) -> dict[str, Any]:
    """The review of the tenant's current templates, with its approval state (a change since
    the last valid approval shown section by section, and flagged) and, with `against`, the
    changes since that review."""
    model = _current_review(request)
    record = read_record(request.approvals_dir, model["tenant_id"])
    with_approval(model, record, fleet_trusted_keys(request.root), show_changes=request.against is None)
    return model


def with_approval(model: dict[str, Any], record: ApprovalRecord | None, keys: list[TrustedKey], *, show_changes: bool = True) -> None:
    """Add the approval state to `model`; when it changed since a valid approval, what changed
    (`approval.first_change`, and `changes` unless `show_changes` is off: `--against` shows its
    own) and one flag in each changed section, until it is approved again."""
    model["approval"] = approval_summary(record, keys, model)
    if model["approval"]["status"] != ApprovalState.CHANGED.value:
        return
    assert record is not None and record.approval is not None and record.review is not None
    approved = record.approval
    before = record.review | {"source": {"kind": "approval", "approved_by": approved.approved_by, "approved_at": approved.approved_at}}
    changes = compare(before, model)
    model["approval"]["first_change"] = first_change(changes, record.review, content_of(model))
    model["approval"]["changed_sections"] = [section["id"] for section in changes["sections"]]
    if show_changes:
        model["changes"] = changes
    counts = {section["id"]: len(section["changes"]) for section in changes["sections"]}
    sections = [s for s in model["sections"] if s["id"] in counts] or model["sections"][:1]
    for section in sections:
        count = counts.get(section["id"])
        what = f"{count} change(s) in this section" if count else f"{model['approval']['first_change']} changed"
        section["flags"].append({
            "section": section["id"], "stack": model["tenant_id"], "logical_id": "approval",
            "message": f"changed since the approval by {approved.approved_by} on {approved.approved_at}: {what}; "
                       f"not approved until `tenantkit review approve {model['tenant_id']}` again",
        })
    model["flagged"] = len(flags_of(model))


def _current_review(request: ReviewRequest) -> dict[str, Any]:
    """The review of the current templates, with `changes` for `against`; no approval state."""
    fleet = frozenset(path.stem for path in request.config_dir.glob("*.yaml")) if request.config_dir.is_dir() else frozenset()
    before = None
    if request.against is not None and request.tenant_id is not None:
        # First: the synth cache keeps one entry per tenant, and `list` compares the current one.
        before = previous_review(request.against, request.config_dir, request.tenant_id, use_cache=request.use_cache)
    if request.from_dir is not None:
        model = review_assembly(request.from_dir, request.tenant_id, other_tenant_ids=fleet)
    elif request.tenant_id is None:
        raise ReviewRequestError("name the tenant to review, or pass --from DIR")
    else:
        model = review_tenant(request.config_dir, request.tenant_id, request.cdk_out, use_cache=request.use_cache, root=request.root)
    if request.grants:
        with_grants(model, _lookup_grants(request, model["tenant_id"]))
    if request.against is not None:
        if before is None:
            before = previous_review(request.against, request.config_dir, model["tenant_id"], use_cache=request.use_cache)
        if before.get("tenant_id") != model["tenant_id"]:
            raise ReviewRequestError(f"--against {request.against}: a review of {before.get('tenant_id')}, not {model['tenant_id']}")
        model["changes"] = compare(before, model)
    return model


def approve(request: ReviewRequest, approved_by: str, signer: Signer) -> tuple[dict[str, Any], Approval]:
    """Review the tenant's current templates and record their approval by `approved_by`, signed
    by `signer`, whose public half fleet.yaml must trust (else the approval would count as none)."""
    if not approved_by.strip():
        raise ReviewRequestError("--by: name who approves")
    keys = fleet_trusted_keys(request.root)
    if signer.fingerprint not in {key.fingerprint for key in keys}:
        raise EvidenceKeyError(
            f"{signer.description}: its public key ({signer.fingerprint}) is not in {request.root / 'fleet.yaml'}'s "
            "approvals.public_keys, so the approval would count as none: add the public key file there first"
        )
    model = _current_review(request)
    approval = record_approval(request.approvals_dir, model, approved_by.strip(), signer)
    with_approval(model, read_record(request.approvals_dir, model["tenant_id"]), keys)
    return model, approval


def verify_approval(approvals_dir: Path, tenant_id: str, root: Path) -> tuple[ApprovalRecord | None, Any]:
    """The tenant's approval record and whether it counts (`approval.validity`), offline."""
    from tenantkit.review.approval import validity

    record = read_record(approvals_dir, tenant_id)
    return record, validity(record, fleet_trusted_keys(root))


def approval_states(
    config_dir: Path, approvals_dir: Path, tenant_ids: list[str], root: Path = Path("."), cdk_out: Path = Path("cdk.out")
) -> dict[str, str]:
    """Each tenant's approval state for `tenantkit list`, without synthesizing: a tenant with a
    valid approval on record is compared through its synth-cache entry (what `tenantkit review`
    synthesized last) and the baseline stacks `tenantkit review` synthesized beside it in
    `cdk_out` (the audit trails it judged); with no current entry the state is unknown until it
    is reviewed again."""
    from tenantkit.config import ConfigError
    from tenantkit.config.promises import rpo_promises
    from tenantkit.synth.baseline import BASELINE_ASSEMBLY

    states = {}
    records = {tenant_id: read_record(approvals_dir, tenant_id) for tenant_id in tenant_ids}
    if not any(records.values()):
        return dict.fromkeys(tenant_ids, ApprovalState.NEVER.value)
    try:
        keys = fleet_trusted_keys(root)
    except (ConfigError, EvidenceKeyError):
        keys = []  # `validate` reports fleet.yaml; without a trusted key no approval counts
    from tenantkit.config import validate_paths
    from tenantkit.synth import SynthCache

    configs = {config.tenant_id: config for config in validate_paths([config_dir]).configs}
    cache = SynthCache()
    fleet = frozenset(configs)
    for tenant_id, record in records.items():
        state = approval_state(record, keys, None)
        if state is not ApprovalState.CHANGED or tenant_id not in configs:
            states[tenant_id] = state.value
            continue
        assert record is not None and record.approval is not None
        approval = record.approval
        key = cache.key(configs[tenant_id], fleet_ids=frozenset({tenant_id}), context={}, lint=True)
        with tempfile.TemporaryDirectory(prefix="tenantkit-list-") as work:
            hit = cache.restore(tenant_id, key, Path(work) / tenant_id)
            if hit is None:
                states[tenant_id] = f"approved {approval.approved_at[:10]}; current templates not reviewed: run tenantkit review {tenant_id}"
                continue
            if (cdk_out / BASELINE_ASSEMBLY).is_dir():
                shutil.copytree(cdk_out / BASELINE_ASSEMBLY, Path(work) / BASELINE_ASSEMBLY)
            model = review_assembly(
                Path(work) / tenant_id, tenant_id, other_tenant_ids=fleet,
                lint_findings=tuple(f for f in hit.findings if f.startswith(CFN_LINT_PREFIX)),
                promised_rpo=rpo_promises(configs[tenant_id]),
            )
        states[tenant_id] = approval_state(record, keys, model["content_hash"]).value
    return states
