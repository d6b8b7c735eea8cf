"""`tenantkit deploy --local`: synthesize, then deploy tenants into the local sandbox."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.approvals import APPROVALS_OPTION, REASON_OPTION, UNAPPROVED_OPTION, require_approvals
from tenantkit.cli.options import (
    BREAK_LOCK_OPTION,
    CHANGED_SINCE_OPTION,
    CONFIG_DIR_OPTION,
    EXACT_OPTION,
    JSON_OPTION,
    ROOT_OPTION,
    SHARD_OPTION,
    selected_tenants,
)
from tenantkit.cli.sandbox import STATE_DIR

CDK_FROM_PATH = typer.Option(False, "--cdk-from-path", help="Run the `cdk` on PATH, not the pinned CDK CLI.")
CDK_ARGS = typer.Option(
    [], "--cdk-arg", help="An argument for the CDK CLI, e.g. --cdk-arg=--require-approval --cdk-arg=never (repeat)."
)


def register(app: typer.Typer) -> None:
    app.command()(deploy)
    app.command()(diff)
    app.command()(bootstrap)


def deploy(
    tenant_ids: Optional[list[str]] = typer.Argument(None, metavar="[TENANT]...", help="Tenant ids to deploy."),  # noqa: UP045
    all_tenants: bool = typer.Option(False, "--all", help="Deploy every tenant."),
    local: bool = typer.Option(False, "--local", help="Deploy into the local sandbox (tenantkit sandbox up)."),
    concurrency: int = typer.Option(4, "--concurrency", min=1, max=32, help="Tenants deployed at once."),
    directory: Path = CONFIG_DIR_OPTION,
    outdir: Path = typer.Option(Path("cdk.out"), "--out", "-o", help="Cloud assembly directory."),
    cdk_from_path: bool = CDK_FROM_PATH,
    cdk_args: list[str] = CDK_ARGS,
    as_json: bool = JSON_OPTION,
    shard: Optional[str] = SHARD_OPTION,  # noqa: UP045
    changed_since: Optional[str] = CHANGED_SINCE_OPTION,  # noqa: UP045
    exact: bool = EXACT_OPTION,
    repair: bool = typer.Option(
        False, "--repair", help="Then write the templates' values back over any drift (CloudFormation's REVERT_DRIFT; `cdk deploy --revert-drift` against AWS)."
    ),
    break_lock: bool = BREAK_LOCK_OPTION,
    reason: Optional[str] = REASON_OPTION,  # noqa: UP045
    root: Path = ROOT_OPTION,
    unapproved: bool = UNAPPROVED_OPTION,
    approvals_dir: Path = APPROVALS_OPTION,
) -> None:
    """Deploy tenants' stacks (dr, primary, replica), several tenants at once; exit 1 unless all
    succeed. Without --local, through the AWS CDK CLI. Each tenant is locked while it deploys; a
    tenant that is offboarding or later is refused, naming its report. With fleet.yaml's
    `require_approval`, a tenant changed since its last valid approval is refused first."""
    tenant_ids = selected_tenants(
        directory, tenant_ids, all_tenants=all_tenants, shard=shard, changed_since=changed_since, exact=exact
    )
    lock = _lock_request(break_lock, reason, root)
    require_approvals(
        directory, tenant_ids or [], cdk_out=outdir, approvals_dir=approvals_dir, root=root,
        unapproved=unapproved, reason=reason, command="deploy --local" if local else "deploy",
    )
    if not local:
        extra = [*cdk_args, "--revert-drift"] if repair else cdk_args
        _through_cdk_cli("deploy", tenant_ids or [], directory, extra, concurrency=concurrency, from_path=cdk_from_path, lock=lock)
    from tenantkit.cli.errors import as_lines
    from tenantkit.lifecycle.local import deploy_local, repair_local

    with as_lines(), render.deploy_progress(quiet=as_json) as progress:
        results = deploy_local(
            directory, tenant_ids or [], outdir, STATE_DIR, concurrency=concurrency, on_progress=progress,
            whole_fleet=shard is not None or changed_since is not None, break_reason=lock[0], tooling=lock[1], root=root,
        )
        if repair:
            results = repair_local(results, directory, STATE_DIR)
    render.deploy_summary(results, as_json=as_json)
    raise typer.Exit(0 if all(result.ok for result in results) else 1)


def diff(
    tenant_ids: list[str] = typer.Argument(..., metavar="TENANT...", help="Tenant ids."),
    local: bool = typer.Option(False, "--local", help="Against the local sandbox: what `deploy --local` would change."),
    directory: Path = CONFIG_DIR_OPTION,
    outdir: Path = typer.Option(Path("cdk.out"), "--out", "-o", help="Cloud assembly directory."),
    cdk_from_path: bool = CDK_FROM_PATH,
    cdk_args: list[str] = CDK_ARGS,
    as_json: bool = JSON_OPTION,
) -> None:
    """What a deploy would change per stack and resource: `cdk diff` against each tenant's AWS
    account, or with --local against the sandbox (nothing is deployed)."""
    if local:
        from tenantkit.cli.errors import as_lines
        from tenantkit.lifecycle.local import preview_local

        with as_lines():
            previews = preview_local(directory, tenant_ids, outdir, STATE_DIR)
        render.deploy_summary(previews, as_json=as_json, title="Would change in the sandbox")
        raise typer.Exit(0)
    _through_cdk_cli("diff", tenant_ids, directory, cdk_args, concurrency=1, from_path=cdk_from_path)


def bootstrap(
    tenant_ids: list[str] = typer.Argument(..., metavar="TENANT...", help="Tenant ids."),
    directory: Path = CONFIG_DIR_OPTION,
    cdk_from_path: bool = CDK_FROM_PATH,
    cdk_args: list[str] = CDK_ARGS,
) -> None:
    """`cdk bootstrap` of each tenant's environments (its account in both its regions)."""
    _through_cdk_cli("bootstrap", tenant_ids, directory, cdk_args, concurrency=1, from_path=cdk_from_path)


def _lock_request(break_lock: bool, reason: str | None, root: Path) -> tuple[str | None, object]:
    """(the --break-lock reason or None, fleet.yaml's tooling or None); exit 1 for --break-lock
    without a reason or a fleet.yaml in error."""
    from tenantkit.cli.errors import as_lines
    from tenantkit.cli.guard import lock_break_reason
    from tenantkit.config import load_fleet

    break_reason = lock_break_reason(break_lock, reason)
    with as_lines():
        tooling = load_fleet(root).tooling
    return break_reason, tooling


def _through_cdk_cli(
    action: str, tenant_ids: list[str], directory: Path, extra: list[str], *, concurrency: int, from_path: bool,
    lock: tuple[str | None, object] | None = None,
) -> None:
    """Run the CDK CLI's `action` for the tenants of `directory`; exit with its result."""
    from tenantkit import config
    from tenantkit.cli.errors import as_lines
    from tenantkit.lifecycle.cdk_cli import (
        CdkCliError,
        deploy_baselines_first,
        find_cdk_cli,
        require_aws_credentials,
        run_for_tenants,
    )

    report = config.validate_paths([directory])
    if not report.ok:
        render.issues(report.issues)
        raise typer.Exit(1)
    if not tenant_ids:
        with as_lines():
            config.require_tenants(report, directory)
    known = {tenant.tenant_id for tenant in report.configs}
    chosen = list(dict.fromkeys(tenant_ids)) or sorted(known)
    unknown = [tenant_id for tenant_id in chosen if tenant_id not in known]
    if unknown:
        render.error(f"{directory}: no tenant file for: {', '.join(unknown)}")
        raise typer.Exit(1)
    if directory != Path(config.DEFAULT_CONFIG_DIR):
        extra = ["-c", f"tenant_configs={directory}", *extra]
    try:
        require_aws_credentials(extra)  # before the CLI is installed or started
        cli = find_cdk_cli(STATE_DIR / "cdk-cli", from_path=from_path, echo=typer.echo)
    except CdkCliError as error:
        render.error(str(error))
        raise typer.Exit(1) from None
    with contextlib.ExitStack() as held:
        if lock is not None:
            from tenantkit.lifecycle.state.service import aws_guard, guarded

            with as_lines():
                guard = aws_guard(action, state_dir=STATE_DIR, tooling=lock[1], break_reason=lock[0])
                if guard.warning:
                    render.warning(guard.warning)
                held.enter_context(guarded(guard, [tenant for tenant in report.configs if tenant.tenant_id in chosen]))
        codes = {}
        if action == "deploy":  # the audit trails first: no tenant goes where its accesses are unrecorded
            codes = {t: code for t, code in deploy_baselines_first(cli, chosen, extra=extra, echo=typer.echo).items() if code}
        ready = [tenant_id for tenant_id in chosen if tenant_id not in codes]
        codes |= run_for_tenants(cli, action, ready, extra=extra, concurrency=concurrency, echo=typer.echo)
        codes = {tenant_id: codes[tenant_id] for tenant_id in chosen}
    render.cdk_cli_results(action, codes)
    raise typer.Exit(0 if all(code == 0 for code in codes.values()) else 1)
