"""The service behind `tenantkit deploy --local`: tenants synthesized (from the cache when nothing
changed), then deployed into the running sandbox."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tenantkit.lifecycle.deploy_local import DeployResult
from tenantkit.lifecycle.fleet import DeployCallback, deploy_synthesized


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
) -> list[DeployResult]:
    from tenantkit.config import validate_paths
    from tenantkit.sandbox import sandbox_status
    from tenantkit.sandbox.process import SandboxState
    from tenantkit.synth import SynthCache, synth_directory

    status = sandbox_status(state_dir)
    if status.state is not SandboxState.RUNNING or status.endpoint is None or status.port is None:
        raise LocalDeployError(f"the sandbox is {status.state.value}: `tenantkit sandbox up` first")
    synthesized = synth_directory(directory, tenant_ids, outdir, cache=SynthCache())
    accounts = {tenant.tenant_id: tenant.account for tenant in validate_paths([directory]).configs}
    return deploy_synthesized(
        synthesized,
        accounts,
        endpoint=status.endpoint,
        port=status.port,
        concurrency=concurrency,
        on_progress=on_progress,
    )
