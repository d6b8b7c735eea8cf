"""The baseline stacks (audit trails) deployed into the sandbox before the tenants of their
accounts and regions, as `tenantkit deploy --local` does."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from tenantkit.compliance.assembly import stack_artifacts
from tenantkit.lifecycle.deploy_local import (
    DeployResult,
    Prepared,
    StackFailed,
    StackOutcome,
    StackResult,
    _deploy_stack,
)
from tenantkit.naming import BASELINE_STACK

BASELINE_RESULT = "(baseline)"
"""The `tenant_id` of the baseline stacks' DeployResult."""


def deploy_baselines(
    assembly_dir: Path, artifacts: tuple[tuple[str, str | None], ...], *, endpoint: str, port: int, default_account: str,
    prepared: Prepared | None = None,
) -> DeployResult:
    """Deploy each (artifact id, account) of the baseline assembly as stack `BASELINE_STACK` of
    its account and region, in order; stops at the first failure (the rest NOT_ATTEMPTED).
    `prepared`: the run's environments prepared so far (`deploy_local.Prepared`)."""
    from tenantkit.lifecycle.fleet import sandbox_sessions

    started = time.monotonic()
    result = DeployResult(BASELINE_RESULT)
    failed = False
    for (_, account), artifact in zip(artifacts, stack_artifacts(assembly_dir, [a for a, _ in artifacts]), strict=True):
        artifact = dataclasses.replace(artifact, name=BASELINE_STACK)
        if failed:
            result.stacks.append(StackResult(artifact.name, artifact.region, StackOutcome.NOT_ATTEMPTED))
            continue
        session = sandbox_sessions(endpoint, account)(artifact.region)
        try:
            outcome, changes = _deploy_stack(
                artifact, session, account=account or default_account, host=f"localhost:{port}", prepared=prepared
            )
        except StackFailed as failure:
            failed = True
            result.stacks.append(StackResult(artifact.name, artifact.region, StackOutcome.FAILED, tuple(failure.reasons)))
            continue
        except Exception as error:  # noqa: BLE001 - whatever the endpoint did, it is this stack's failure
            failed = True
            result.stacks.append(StackResult(artifact.name, artifact.region, StackOutcome.FAILED, (f"{type(error).__name__}: {error}",)))
            continue
        result.stacks.append(StackResult(artifact.name, artifact.region, outcome, changes=changes))
    result.seconds = time.monotonic() - started
    return result
