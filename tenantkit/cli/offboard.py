"""`tenantkit offboard start | status | plan | execute | confirm-keys`: the end of a subscription, the retrieval
window, and the destruction of every copy with a signed report.

`plan` is the dry run: it changes nothing. `execute` destroys only with `--confirm TENANT`, only
after the retrieval deadline (or `--force --reason`), and resumes where an interrupted run stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import typer

from tenantkit.cli import render
from tenantkit.cli.errors import as_lines
from tenantkit.cli.options import BREAK_LOCK_OPTION, CONFIG_DIR_OPTION, JSON_OPTION, ROOT_OPTION, parse_date

STATE_DIR = Path(".tenantkit")
REPORTS_DIR = Path("reports")

offboard_app = typer.Typer(
    name="offboard",
    help="End a subscription, keep its data retrievable, then destroy every copy with a signed report.",
    no_args_is_help=True,
)

LOCAL_OPTION = typer.Option(False, "--local", help="The tenant in the local sandbox (else AWS, default credentials).")
OUT_OPTION = typer.Option(
    Path("cdk.out"), "--out", "-o",
    help="Where `tenantkit synth --all` wrote every tenant's cloud assembly (<dir>/<tenant-id>/): their asset manifests say which CDK asset objects are only the tenant's (destroyed) and which are shared (kept).",
)
SIGNING_KEY_OPTION = typer.Option(
    ..., "--signing-key", metavar="PEM|kms:ARN",
    help="The key that signs: a PEM Ed25519 private key file, or kms:<ARN> of an AWS KMS asymmetric signing key.",
)


def register(app: typer.Typer) -> None:
    app.add_typer(offboard_app)


@offboard_app.command()
def start(
    tenant_id: str = typer.Argument(..., help="The tenant whose subscription ends."),
    ends_on: str = typer.Option(..., "--ends-on", help="Last day of the subscription (YYYY-MM-DD)."),
    local: bool = typer.Option(False, "--local", help="Also record the tenant's state (retrieval-window) in the sandbox."),
    aws: bool = typer.Option(False, "--aws", help="Also record the tenant's state (retrieval-window) in its AWS account (SSM)."),
    directory: Path = CONFIG_DIR_OPTION,
    root: Path = ROOT_OPTION,
) -> None:
    """Write subscription.ends_on into the tenant file (comments kept); print the retrieval deadline.
    With --local (the sandbox) or --aws (the tenant's account and primary region, with the default
    credentials), also record the tenant's state as retrieval-window, where `list` and the guarded
    commands read it; `offboard execute` records the states that follow."""
    from tenantkit.lifecycle.offboarding import service

    if local and aws:
        render.error("--local and --aws: choose one (the sandbox, or AWS)")
        raise typer.Exit(1)
    day = parse_date(ends_on, "--ends-on")
    with as_lines(), _refusals():
        config, _ = service.tenant_file(directory, tenant_id)
        if local or aws:  # the state first: a tenant already offboarding is refused before its file changes
            _record_retrieval_window(config, root, local=local)
        config = service.start(directory, tenant_id, day)
    render.offboard_started(config, today=date.today())


def _record_retrieval_window(config: Any, root: Path, *, local: bool) -> None:
    import getpass

    from tenantkit.cli.guard import operation_guard
    from tenantkit.lifecycle.state import State
    from tenantkit.lifecycle.state.service import guarded, names_of

    guard = operation_guard("offboard", local=local, root=root, break_lock=False, reason=None)
    with guarded(guard, [config], refuse_closed=False):
        guard.store_for(config).move(names_of(config, config.account or ""), State.RETRIEVAL_WINDOW, by=getpass.getuser())


@offboard_app.command()
def status(
    tenant_id: str = typer.Argument(..., help="Tenant id."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date to judge the deadline at (default today)."),
    directory: Path = CONFIG_DIR_OPTION,
) -> None:
    """The subscription's status and retrieval deadline; once due, what offboarding destroys."""
    from tenantkit.lifecycle.offboarding import service

    today = parse_date(as_of, "--as-of") if as_of else date.today()
    with as_lines(), _refusals():
        config, _ = service.tenant_file(directory, tenant_id)
    render.offboard_status(config, today=today, journal=_journal_summary(service.journal_path(STATE_DIR, tenant_id, config.generation)))


@offboard_app.command()
def plan(
    tenant_id: str = typer.Argument(..., help="Tenant id."),
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
    as_json: bool = JSON_OPTION,
    outdir: Path = OUT_OPTION,
    root: Path = ROOT_OPTION,
) -> None:
    """Dry run: find everything of the tenant's in both regions; print the ordered destruction plan."""
    from tenantkit.config import load_fleet
    from tenantkit.lifecycle.offboarding import service

    with as_lines(), _refusals():
        config, _ = service.tenant_file(directory, tenant_id)
        fleet = load_fleet(root)
        topics = fleet.operator_topics(config.residency)
        env = service.environment(config, local=local, state_dir=STATE_DIR)
        found = service.plan(
            config, env, assemblies=_assemblies(outdir), neighbours=service.neighbours_of(directory, tenant_id),
            extensions=service.extensions_of(fleet, root),
        )
        undoers = service.plan_undoers(config, env, found, operator_topics=topics)
    render.offboard_plan(config, env, found, as_json=as_json, undoers=undoers)
    raise typer.Exit(1 if found.blockers else 0)


@offboard_app.command()
def execute(
    tenant_id: str = typer.Argument(..., help="Tenant id."),
    confirm: str | None = typer.Option(None, "--confirm", help="Repeat the tenant id to confirm."),
    signing_key: str = SIGNING_KEY_OPTION,
    force: bool = typer.Option(False, "--force", help="Destroy before the retrieval deadline (needs --reason)."),
    reason: str | None = typer.Option(None, "--reason", help="Why --force: recorded in the signed report."),
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
    reports: str = typer.Option(
        str(REPORTS_DIR), "--reports", metavar="DIR|s3://BUCKET/PREFIX",
        help="Where signed reports are kept: a directory, or a bucket with S3 Object Lock enabled.",
    ),
    root: Path = ROOT_OPTION,
    break_lock: bool = BREAK_LOCK_OPTION,
    outdir: Path = OUT_OPTION,
) -> None:
    """Destroy every copy of the tenant's data in both regions, verify, and write the signed report.
    The tenant is locked meanwhile; its state becomes offboarding, then offboarded."""
    from tenantkit.cli.guard import operation_guard
    from tenantkit.config import load_fleet
    from tenantkit.lifecycle.offboarding import service
    from tenantkit.lifecycle.report import kms_client_for, reports_location
    from tenantkit.lifecycle.state.service import guarded

    with as_lines(), _refusals():
        config, _ = service.tenant_file(directory, tenant_id)
    journal = service.journal_path(STATE_DIR, tenant_id, config.generation)
    with as_lines(), _refusals(journal=journal):
        where = reports_location(reports)
        kms_for = kms_client_for(local=local, state_dir=STATE_DIR)
        service.check_may_destroy(
            config, confirm=confirm, signing_key=signing_key, force=force, reason=reason, today=date.today(), kms_client_for=kms_for
        )
        env = service.environment(config, local=local, state_dir=STATE_DIR)
        fleet = load_fleet(root)
        archive = service.archive_for(config, fleet, env)
        guard = operation_guard("offboard", local=local, root=root, break_lock=break_lock, reason=reason)
        with guarded(guard, [config], refuse_closed=False), render.offboard_progress() as on_step:
            try:
                outcome = service.execute(
                    config, env, state_dir=STATE_DIR, reports_root=where, signing_key_path=signing_key,
                    force=force, reason=reason, on_step=on_step, kms_client_for=kms_for, archive=archive,
                    job_wait_minutes=fleet.offboarding.job_wait_minutes,
                    assemblies=_assemblies(outdir), neighbours=service.neighbours_of(directory, tenant_id),
                    extensions=service.extensions_of(fleet, root),
                )
            except KeyboardInterrupt:
                render.error(f"interrupted: the journal ({journal}) keeps what is done; run the same command again to finish")
                raise typer.Exit(130) from None
    render.offboard_done(outcome)
    raise typer.Exit(0 if outcome.verification_ok else 1)


@offboard_app.command("confirm-keys")
def confirm_keys(
    tenant_id: str = typer.Argument(..., help="An offboarded tenant."),
    signing_key: str = SIGNING_KEY_OPTION,
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
) -> None:
    """After the keys' deletion date: check both keys are gone and sign an addendum next to the
    report (exit 0); before it, say how many days remain (exit 1, nothing written)."""
    from tenantkit.lifecycle.offboarding import service
    from tenantkit.lifecycle.report import kms_client_for

    with as_lines(), _refusals():
        config, _ = service.tenant_file(directory, tenant_id)
        env = service.environment(config, local=local, state_dir=STATE_DIR)
        outcome = service.confirm_keys(
            config, env, state_dir=STATE_DIR, signing_key=signing_key, kms_client_for=kms_client_for(local=local, state_dir=STATE_DIR)
        )
    render.keys_confirmed(outcome)
    raise typer.Exit(0 if outcome.confirmed else 1)


def _assemblies(outdir: Path) -> tuple[Path, ...]:
    from tenantkit.lifecycle.offboarding.assets import assemblies_under

    return assemblies_under(outdir)


@contextmanager
def _refusals(journal: Path | None = None) -> Iterator[None]:
    """OffboardingRefused / OffboardingBlocked / JournalError become one line and exit 1. Any
    other failure, once a run has written `journal`, first says that the journal keeps the
    progress (then as_lines renders the failure); before that, nothing was done to keep."""
    from tenantkit.lifecycle.offboarding.resources import OffboardingBlocked
    from tenantkit.lifecycle.offboarding.run import JournalError
    from tenantkit.lifecycle.offboarding.service import OffboardingRefused

    try:
        yield
    except (OffboardingRefused, OffboardingBlocked, JournalError) as error:
        render.error(str(error))
        raise typer.Exit(1) from None
    except (typer.Exit, KeyboardInterrupt):
        raise
    except Exception:
        if journal is not None and journal.exists():
            render.warning(f"stopped: nothing done is lost ({journal} keeps what is done); rerun to resume")
        raise


def _journal_summary(path: Path) -> dict[str, Any] | None:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    verification = data.get("verification") or {}
    return {"path": str(path), "done": len(data.get("done", {})), "planned": len(data.get("targets", {})),
            "completed_at": data.get("completed_at") if verification.get("ok") is True else None, "report": data.get("report"),
            "remaining": len(verification.get("remaining", ())) if verification.get("ok") is False else 0}

