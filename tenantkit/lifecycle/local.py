"""The services behind `tenantkit deploy --local` and `tenantkit inventory`: tenants synthesized
(from the cache when nothing changed), then deployed into the running sandbox, or inventoried
there or in AWS."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tenantkit.lifecycle.backup_now import BackupRun
from tenantkit.lifecycle.deploy_local import DeployResult
from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, DeployCallback, deploy_synthesized, sandbox_sessions
from tenantkit.lifecycle.inventory import Inventory


class LocalDeployError(Exception):
    """The local deploy cannot start; the message says why, in one line."""


def deploy_local(
    directory: Path,
    tenant_ids: Sequence[str],
    outdir: Path,
    state_dir: Path,
    *,
    concurrency: int,
    on_progress: DeployCallback | None = None,
    whole_fleet: bool = False,
    break_reason: str | None = None,
    tooling: Any = None,
    root: Path | None = None,
) -> list[DeployResult]:
    """`whole_fleet`: synthesize the tenants checked against every tenant of the directory (a
    shard), not only each other. Each tenant is locked for the deploy and refused (StateError,
    nothing deployed) when offboarding or later; LockHeld when another operation has one."""
    from tenantkit.config import require_tenants, validate_paths
    from tenantkit.sandbox import sandbox_status
    from tenantkit.sandbox.process import SandboxState
    from tenantkit.synth import SynthCache, synth_directory

    report = validate_paths([directory])
    if not tenant_ids:
        require_tenants(report, directory)  # before the sandbox: a wrong --dir is the first thing to say
    status = sandbox_status(state_dir)
    if status.state is not SandboxState.RUNNING or status.endpoint is None or status.port is None:
        raise LocalDeployError(f"the sandbox is {status.state.value}: `tenantkit sandbox up` first")
    from tenantkit.lifecycle.state.service import guarded, sandbox_guard

    guard = sandbox_guard("deploy", endpoint=status.endpoint, state_dir=state_dir, tooling=tooling, break_reason=break_reason)
    chosen = [tenant for tenant in report.configs if not tenant_ids or tenant.tenant_id in tenant_ids]
    with guarded(guard, chosen):
        synthesized = synth_directory(directory, tenant_ids, outdir, cache=SynthCache(), whole_fleet=whole_fleet, root=root)
        accounts = {tenant.tenant_id: tenant.account for tenant in report.configs}
        return deploy_synthesized(
            synthesized,
            accounts,
            endpoint=status.endpoint,
            port=status.port,
            concurrency=concurrency,
            on_progress=on_progress,
        )


def inventory_tenants(
    directory: Path, tenant_ids: Sequence[str], outdir: Path, state_dir: Path, *, local: bool, root: Path | None = None
) -> list[Inventory]:
    """The inventory of each named tenant (every tenant when none is named): in the sandbox
    (`local`), or in AWS with the default credentials. Their templates come from the synth cache
    (synthesized when stale)."""
    import boto3

    from tenantkit.config import require_tenants, validate_paths
    from tenantkit.lifecycle.inventory import assembly_inventory
    from tenantkit.sandbox import sandbox_status
    from tenantkit.sandbox.process import SandboxState
    from tenantkit.synth import SynthCache, synth_directory

    report = validate_paths([directory])
    if not tenant_ids:
        require_tenants(report, directory)
    configs = {config.tenant_id: config for config in report.configs}
    endpoint = None
    if local:
        status = sandbox_status(state_dir)
        if status.state is not SandboxState.RUNNING or status.endpoint is None:
            raise LocalDeployError(f"the sandbox is {status.state.value}: `tenantkit sandbox up` first")
        endpoint = status.endpoint
    inventories = []
    for synthesized in synth_directory(directory, tenant_ids, outdir, cache=SynthCache(), root=root):
        config = configs[synthesized.tenant_id]
        if synthesized.assembly_dir is None:
            raise LocalDeployError(f"{config.tenant_id}: cannot synthesize: {synthesized.error}")
        if endpoint is not None:
            session_for = sandbox_sessions(endpoint, config.account)
            account = config.account or SANDBOX_ACCOUNT
        else:
            def session_for(region: str) -> Any:
                return boto3.Session(region_name=region)

            account = config.account or session_for(config.primary_region).client("sts").get_caller_identity()["Account"]
        inventories.append(
            assembly_inventory(
                config.tenant_id, Path(synthesized.assembly_dir), synthesized.stacks, account=account, session_for=session_for,
                generation=config.generation,
            )
        )
    return inventories


def sandbox_cdk_environment(directory: Path, tenant_id: str, state_dir: Path, cdk_cli_root: Path) -> dict[str, str]:
    """The environment in which the AWS CDK CLI, run by hand, deploys `tenant_id` into the running
    sandbox: its endpoint (as `localhost`: moto reads TemplateURLs only on such a host),
    credentials acting in the tenant's account, the wheel's Node, and `TENANTKIT_CDK`, the pinned
    CLI (no name starting with `CDK`: the CDK CLI reads those as options, `CDK` itself as `--`). Both of
    the tenant's environments are prepared as `cdk bootstrap` would (assets bucket, version
    parameter), so no bootstrap is needed."""
    from tenantkit.lifecycle.cdk_cli import find_cdk_cli
    from tenantkit.lifecycle.deploy_local import prepare_environment

    config = _tenant_config(directory, tenant_id)
    status = running_sandbox(state_dir)
    account = config.account or SANDBOX_ACCOUNT
    sessions = sandbox_sessions(status.endpoint, config.account)
    for region in config.regions:
        prepare_environment(sessions(region), account=account, region=region)
    credentials = sessions(config.primary_region).credentials()
    cli = find_cdk_cli(cdk_cli_root, echo=lambda line: None)
    node = cli.argv[0]
    return {
        "AWS_ENDPOINT_URL": f"http://localhost:{status.port}",
        "AWS_ACCESS_KEY_ID": credentials.access_key,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_key,
        "AWS_SESSION_TOKEN": credentials.token or "",
        "AWS_REGION": config.primary_region,
        "JSII_NODE": node,
        "TENANTKIT_CDK": " ".join(cli.argv),
        "PATH": f"{Path(node).parent}:$PATH",
    }


def backup_now_local(directory: Path, tenant_id: str, state_dir: Path) -> BackupRun:
    """One hourly backup run of `tenant_id` in the running sandbox, in the tenant's account:
    recovery points in its primary vault, copies in its DR vault (`backup_now`)."""
    from tenantkit.lifecycle.backup_now import backup_now

    config = _tenant_config(directory, tenant_id)
    status = running_sandbox(state_dir)
    return backup_now(
        config.tenant_id,
        account=config.account or SANDBOX_ACCOUNT,
        primary_region=config.primary_region,
        secondary_region=config.secondary_region,
        session_for=sandbox_sessions(status.endpoint or "", config.account),
    )


def _tenant_config(directory: Path, tenant_id: str) -> Any:
    """The tenant's config; ConfigError for its invalid file, LocalDeployError when none."""
    from tenantkit.config import UnknownTenantError, find_tenant

    try:
        return find_tenant(directory, tenant_id).config
    except UnknownTenantError as error:
        raise LocalDeployError(str(error)) from None


def running_sandbox(state_dir: Path) -> Any:
    """The sandbox's status, when it runs; LocalDeployError otherwise."""
    from tenantkit.sandbox import sandbox_status
    from tenantkit.sandbox.process import SandboxState

    status = sandbox_status(state_dir)
    if status.state is not SandboxState.RUNNING or status.port is None or status.endpoint is None:
        raise LocalDeployError(f"the sandbox is {status.state.value}: `tenantkit sandbox up` first")
    return status
