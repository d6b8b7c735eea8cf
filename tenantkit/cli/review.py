"""`tenantkit review` (a tenant's templates judged for a security lead, its approval, what changed)
and `tenantkit residency` (the residency options, for sales engineers).

The commands parse, call `tenantkit.review`, and write what it renders. Exit codes of `review`:
0 nothing flagged, 1 something flagged (a change since the last valid approval is one; or a tenant
file or synth problem), 2 a usage error. `review verify-approval`: 0 the approval counts (and, with
`--current`, covers the current templates), 1 it does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from tenantkit.cli import render
from tenantkit.cli.options import CONFIG_DIR_OPTION, ROOT_OPTION

FORMAT_OPTION = typer.Option("md", "--format", "-f", help="md, html or json.")
USAGE = (
    "review TENANT [--grants [--local]] | review --from DIR [TENANT] | review approve TENANT --by NAME --signing-key PEM|kms:ARN"
    " | review verify-approval TENANT [--current]"
)
ACTIONS = ("approve", "verify-approval")


def register(app: typer.Typer) -> None:
    app.command()(review)
    app.command()(residency)


def review(
    words: list[str] | None = typer.Argument(
        None, metavar="TENANT | approve TENANT | verify-approval TENANT",
        help="The tenant to review; `approve TENANT` records its signed approval; `verify-approval TENANT` checks it.",
    ),
    fmt: str = FORMAT_OPTION,
    out: Path | None = typer.Option(None, "--out", "-o", help="Directory to write <tenant>-review.<format> into (default: stdout).", file_okay=False),
    from_dir: Path | None = typer.Option(None, "--from", help="Review this cloud assembly as it is, without synthesizing."),
    against: str | None = typer.Option(None, "--against", help="A git ref (the tenant file as it was there) or an earlier JSON review."),
    by: str | None = typer.Option(None, "--by", help="With approve: who approves."),
    signing_key: str | None = typer.Option(
        None, "--signing-key", help="With approve: the approver's key, an Ed25519 PEM file or kms:<key ARN> (its public half in fleet.yaml's approvals.public_keys)."
    ),
    grants: bool = typer.Option(
        False, "--grants", help="Also list the tenant's break-glass grants (CloudTrail; the sandbox with --local); off: templates only."
    ),
    local: bool = typer.Option(False, "--local", help="With --grants: read the grants from the running sandbox."),
    current: bool = typer.Option(False, "--current", help="With verify-approval: also check the tenant's current templates are the approved ones."),
    root: Path = ROOT_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
    cdk_out: Path = typer.Option(Path("cdk.out"), "--cdk-out", help="Where the tenant is synthesized."),
    approvals_dir: Path = typer.Option(Path("approvals"), "--approvals", help="Directory of approval records.", file_okay=False),
) -> None:
    """Review a tenant's templates for a security lead: exit 0 nothing flagged, 1 flagged, 2 usage error."""
    words = words or []
    action = words[0] if words and words[0] in ACTIONS else None
    tenant_ids = words[1:] if action else words
    approving = action == "approve"
    problem = _usage_problem(fmt, tenant_ids, action=action, by=by, signing_key=signing_key, current=current, from_dir=from_dir) or (
        _grants_problem(action, grants=grants, local=local)
    )
    if problem:
        render.error(f"{problem} (usage: tenantkit {USAGE})")
        raise typer.Exit(2)
    if action == "verify-approval":
        _verify_approval(tenant_ids[0], directory, cdk_out, approvals_dir, root, current=current)
    from tenantkit.cli.sandbox import STATE_DIR
    from tenantkit.review import ReviewRequest, approve, run_review
    from tenantkit.review.render import render_review

    request = ReviewRequest(
        tenant_id=tenant_ids[0] if tenant_ids else None,
        config_dir=directory, cdk_out=cdk_out, approvals_dir=approvals_dir, from_dir=from_dir, against=against, root=root,
        grants=grants, local=local, state_dir=STATE_DIR,
    )
    with _review_errors():
        if approving:
            from tenantkit.lifecycle.report import kms_client_for, load_signer

            signer = load_signer(signing_key or "", kms_client_for(local=False, state_dir=STATE_DIR))
            model, approval = approve(request, by or "", signer)
        else:
            model = run_review(request)
        text = render_review(model, fmt)
    if approving:
        typer.echo(f"{model['tenant_id']}: approved by {approval.approved_by} ({approval.content_hash}), "
                   f"signed with {signer.description} ({signer.fingerprint}), "
                   f"recorded in {approvals_dir / (model['tenant_id'] + '.json')}", err=True)
        if model["flagged"]:
            render.warning(f"{model['tenant_id']}: approved with {model['flagged']} flagged finding(s)")
    _write(model, text, fmt, out)
    raise typer.Exit(1 if model["flagged"] else 0)


def residency(
    which: str | None = typer.Argument(None, metavar="[us|ca|de]", help="One residency (default: all)."),
    fmt: str = typer.Option("md", "--format", "-f", help="md or html."),
    out: Path | None = typer.Option(None, "--out", "-o", help="File to write (default: stdout).", dir_okay=False),
) -> None:
    """Where each residency keeps a tenant's data: regions, cities, copies, RPO, Controlled Goods."""
    from tenantkit.config.residency import Residency

    if which is not None and which not in {r.value for r in Residency}:
        render.error(f"residency: '{which}' is not one of us, ca, de")
        raise typer.Exit(2)
    if fmt not in ("md", "html"):
        render.error(f"--format: '{fmt}' is not one of md, html")
        raise typer.Exit(2)
    from tenantkit.review.render import render_residency
    from tenantkit.review.residency_page import residency_page

    text = render_residency(residency_page(which), fmt)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


def _verify_approval(tenant_id: str, directory: Path, cdk_out: Path, approvals_dir: Path, root: Path, *, current: bool) -> None:
    """One line: whether the tenant's recorded approval counts (signed by a key fleet.yaml trusts,
    untouched) and, with --current, whether it covers the current templates; exit 0 or 1."""
    from tenantkit.review.approval import ApprovalState, approval_file
    from tenantkit.review.gate import gate
    from tenantkit.review.service import verify_approval

    with _review_errors():
        record, validity = verify_approval(approvals_dir, tenant_id, root)
        if validity.state is not ApprovalState.APPROVED:
            render.error(f"{approval_file(approvals_dir, tenant_id)}: {validity.state.value}: {validity.reason}; it counts as no approval")
            raise typer.Exit(1)
        assert record is not None and record.approval is not None
        typer.echo(
            f"{tenant_id}: valid approval by {record.approval.approved_by} on {record.approval.approved_at} "
            f"of {record.approval.content_hash}, {validity.reason}; {len(record.history)} event(s) in its history"
        )
        if current:
            (decision,) = gate(directory, [tenant_id], cdk_out=cdk_out, approvals_dir=approvals_dir, root=root, required=True)
            if not decision.allowed:
                render.error(decision.line)
                raise typer.Exit(1)
            typer.echo(f"{tenant_id}: the current templates are the approved ones")
    raise typer.Exit(0)


def _usage_problem(
    fmt: str, tenant_ids: list[str], *, action: str | None, by: str | None, signing_key: str | None, current: bool, from_dir: Path | None
) -> str | None:
    approving = action == "approve"
    if fmt not in ("md", "html", "json"):
        return f"--format: '{fmt}' is not one of md, html, json"
    if len(tenant_ids) > 1:
        return "name one tenant"
    if action and not tenant_ids:
        return f"{action}: name the tenant"
    if approving and not by:
        return "approve: --by NAME is required"
    if approving and not signing_key:
        return "approve: --signing-key PEM|kms:ARN is required (an unsigned approval counts as none; `tenantkit report keygen` makes a key)"
    if by and not approving:
        return "--by goes with approve"
    if signing_key and not approving:
        return "--signing-key goes with approve"
    if current and action != "verify-approval":
        return "--current goes with verify-approval"
    if action == "verify-approval" and from_dir is not None:
        return "verify-approval: --from does not apply (--current synthesizes the tenant)"
    if not tenant_ids and from_dir is None:
        return "name the tenant to review, or pass --from DIR"
    return None


def _grants_problem(action: str | None, *, grants: bool, local: bool) -> str | None:
    if grants and action:
        return f"--grants goes with review TENANT, not {action}"
    if local and not grants:
        return "--local goes with --grants"
    return None


@contextmanager
def _review_errors() -> Iterator[None]:
    """A review that cannot be made as asked is a usage error (exit 2); bad tenant files and the
    synth service's errors are lines as everywhere (exit 1)."""
    from tenantkit.cli.errors import as_lines
    from tenantkit.review import ReviewRequestError

    try:
        with as_lines():
            yield
    except ReviewRequestError as error:
        render.error(str(error))
        raise typer.Exit(2) from None


def _write(model: dict[str, Any], text: str, fmt: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{model['tenant_id']}-review.{fmt}"
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        render.error(f"{out}: --out: cannot write the review there ({error.strerror})")
        raise typer.Exit(2) from None
    typer.echo(
        f"{model['tenant_id']}: {model['flagged'] or 'nothing'} flagged; {model['approval']['status']}; wrote {target}",
        err=True,
    )
