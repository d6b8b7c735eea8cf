"""The services behind `tenantkit deploy --local` and `tenantkit inventory`: tenants synthesized
(from the cache when nothing changed), then deployed into the running sandbox, or inventoried
there or in AWS."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tenantkit.lifecycle.backup_now import BackupRun
from tenantkit.lifecycle.deploy_local import DeployResult, Prepared, StackOutcome
from tenantkit.lifecycle.fleet import (
    SANDBOX_ACCOUNT,
    DeployCallback,
    deploy_synthesized,
    remembering_sessions,
    sandbox_sessions,
)
from tenantkit.lifecycle.inventory import Inventory


class LocalDeployError(Exception):
    """The local deploy cannot start; the message says why, in one line."""


@remembering_sessions()  # each account's role assumed once for the lock, the check and the deploy
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
    from tenantkit.synth import SynthCache, synth_fleet

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
        cache = SynthCache()
        accounts = {tenant.tenant_id: tenant.account for tenant in report.configs}
        # The deployed templates' digests first: a tenant deployed as it would be synthesized costs
        # a share of one DescribeStacks per account and region, and a fleet of them no synth,
        # cache restore or baseline stack.
        unchanged = _unchanged(report, tenant_ids, cache, accounts, endpoint=status.endpoint, concurrency=concurrency, whole_fleet=whole_fleet, root=root)
        for result in unchanged.values():
            _progress(on_progress, result)
        order = list(dict.fromkeys(tenant_ids)) or [tenant.tenant_id for tenant in report.configs]
        if order and all(tenant_id in unchanged for tenant_id in order):
            return [unchanged[tenant_id] for tenant_id in order]
        # the baseline stacks come from the synth cache too: an unchanged fleet synthesizes none
        run = synth_fleet(directory, tenant_ids, outdir, cache=cache, whole_fleet=whole_fleet, root=root)
        prepared: Prepared = set()  # each account and region prepared by its first stack, baseline or tenant
        _deploy_baselines(run.baseline, endpoint=status.endpoint, port=status.port, prepared=prepared)
        deployed = deploy_synthesized(
            [item for item in run.tenants if item.tenant_id not in unchanged],
            accounts,
            endpoint=status.endpoint,
            port=status.port,
            concurrency=concurrency,
            on_progress=on_progress,
            prepared=prepared,
        )
        results = {result.tenant_id: result for result in deployed} | unchanged
        return [results[item.tenant_id] for item in run.tenants]


def _unchanged(
    report: Any, tenant_ids: Sequence[str], cache: Any, accounts: dict[str, str | None], *, endpoint: str, concurrency: int,
    whole_fleet: bool, root: Path | None,
) -> dict[str, DeployResult]:
    """The chosen tenants whose synth is cached and whose stacks are deployed with exactly its
    templates, with their (UNCHANGED) results; none while a tenant file is in error (the synth
    reports it)."""
    from tenantkit.lifecycle.fleet import unchanged_tenants
    from tenantkit.synth import cached_templates

    if not report.ok:
        return {}
    templates = cached_templates(report.configs, tenant_ids, cache, whole_fleet=whole_fleet, root=root)
    return unchanged_tenants(templates, accounts, endpoint=endpoint, concurrency=concurrency)


def _progress(on_progress: DeployCallback | None, result: DeployResult) -> None:
    if on_progress is not None:
        on_progress(result.tenant_id, None)
        on_progress(result.tenant_id, result)


def _deploy_baselines(assembly: Any, *, endpoint: str, port: int, prepared: Prepared | None = None) -> None:
    """The audit trails of the chosen tenants' accounts and regions (a synthesized
    `BaselineAssembly`), deployed into the sandbox before any tenant; LocalDeployError (no tenant
    deployed) when their synth failed, has findings, or one fails to deploy: no tenant goes where
    its audit trail is not."""
    from tenantkit.lifecycle.baseline_local import deploy_baselines

    if assembly.error is not None:
        raise LocalDeployError(f"baseline stacks: cannot synthesize: {assembly.error}")
    if assembly.findings:
        raise LocalDeployError(f"baseline stacks: {len(assembly.findings)} compliance findings, the first: {assembly.findings[0]} (`tenantkit synth` lists them)")
    result = deploy_baselines(
        assembly.assembly_dir, assembly.artifacts, endpoint=endpoint, port=port, default_account=SANDBOX_ACCOUNT, prepared=prepared
    )
    for stack in result.stacks:
        if stack.outcome is StackOutcome.FAILED:
            raise LocalDeployError(f"baseline stack {stack.stack} in {stack.region}: {'; '.join(stack.reasons) or 'failed'}")


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


def repair_local(results: Sequence[DeployResult], directory: Path, state_dir: Path) -> list[DeployResult]:
    """`deploy --local --repair` after the deploy: each deployed stack's drift detected, then
    reverted to its template by a drift-reverting change set (`repair_stacks`); the resources
    written back are added to the stack's changes as `Revert`."""
    from dataclasses import replace

    from tenantkit.lifecycle.deploy_local import ResourceChange
    from tenantkit.lifecycle.inventory.drift import repair_stacks

    status = running_sandbox(state_dir)
    repaired = []
    for result in results:
        if not result.ok:
            repaired.append(result)
            continue
        config = _tenant_config(directory, result.tenant_id)
        repairs = {r.stack: r for r in repair_stacks({s.stack: s.region for s in result.stacks}, sandbox_sessions(status.endpoint, config.account))}
        stacks = []
        for stack in result.stacks:
            repair = repairs[stack.stack]
            kinds = {d.logical_id: d.resource_type for d in repair.drift.resources}
            reverted = tuple(ResourceChange(logical_id, kinds.get(logical_id, ""), "Revert") for logical_id in repair.reverted)
            stacks.append(replace(stack, changes=stack.changes + reverted))
        repaired.append(replace(result, stacks=stacks))
    return repaired


def preview_local(directory: Path, tenant_ids: Sequence[str], outdir: Path, state_dir: Path) -> list[DeployResult]:
    """`diff --local`: what a deploy into the sandbox would change, per stack and resource, with
    nothing deployed (outcome CREATED/UPDATED/UNCHANGED as the deploy would report it)."""
    import json

    from tenantkit.compliance.assembly import stack_artifacts
    from tenantkit.config import require_tenants, validate_paths
    from tenantkit.lifecycle.deploy_local import StackOutcome, StackResult, deployed_template, resource_changes
    from tenantkit.synth import SynthCache, synth_directory

    report = validate_paths([directory])
    if not tenant_ids:
        require_tenants(report, directory)
    status = running_sandbox(state_dir)
    configs = {config.tenant_id: config for config in report.configs}
    previews = []
    for synthesized in synth_directory(directory, tenant_ids, outdir, cache=SynthCache()):
        if synthesized.assembly_dir is None:
            raise LocalDeployError(f"{synthesized.tenant_id}: cannot synthesize: {synthesized.error}")
        sessions = sandbox_sessions(status.endpoint, configs[synthesized.tenant_id].account)
        preview = DeployResult(synthesized.tenant_id)
        for artifact in stack_artifacts(Path(synthesized.assembly_dir), synthesized.stacks):
            before = deployed_template(sessions(artifact.region).client("cloudformation"), artifact.name)
            changes = resource_changes(before, json.loads(artifact.template_text()))
            outcome = StackOutcome.CREATED if before is None else StackOutcome.UPDATED if changes else StackOutcome.UNCHANGED
            preview.stacks.append(StackResult(artifact.name, artifact.region, outcome, changes=changes))
        previews.append(preview)
    return previews


def reencrypt_tenants(inventories: Sequence[Inventory], directory: Path, state_dir: Path, *, local: bool) -> list[Any]:
    """`inventory --reencrypt`: the objects each inventory found under a foreign key, re-encrypted
    in place under the tenant key (in the sandbox, or in AWS with the default credentials)."""
    import boto3

    from tenantkit.lifecycle.inventory.objects import reencrypt

    done: list[Any] = []
    for inventory in inventories:
        if local:
            config = _tenant_config(directory, inventory.tenant_id)
            session_for = sandbox_sessions(running_sandbox(state_dir).endpoint, config.account)
        else:
            def session_for(region: str) -> Any:
                return boto3.Session(region_name=region)
        done.extend(reencrypt(inventory, session_for))
    return done
