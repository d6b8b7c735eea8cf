"""Where the state and the locks of a tenant are, for each environment, and the guard every
operation passes: lock the tenants, then read each one's state and refuse a closed one.

Sandbox: the state in the sandbox, in the tenant's account (the deployer role, as `deploy --local`
acts), the shared lock in the sandbox's DynamoDB. AWS: the state in the tenant's account and primary
region (read through the CDK bootstrap's lookup role when the credentials are another account's:
a deploy from the tooling account), the shared lock in fleet.yaml's `tooling:` account and region.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenantkit.lifecycle.state.lock import SharedLocks, tenant_lock
from tenantkit.lifecycle.state.model import StateError, TenantState, require_not_failed_over, require_open
from tenantkit.lifecycle.state.store import StateStore
from tenantkit.naming import bootstrap_lookup_role_arn, names_for

SANDBOX_LOCK_REGION = "us-east-1"
"""The sandbox's lock table region when fleet.yaml names no tooling region."""


@dataclass(frozen=True)
class Guard:
    """How an operation locks and checks its tenants."""

    operation: str
    store_for: Callable[[Any], StateStore]
    """TenantConfig -> the store of the tenant's environment."""
    state_dir: Path
    shared: SharedLocks | None
    break_reason: str | None = None
    warning: str | None = None
    """Said once when the lock holds on this machine only (AWS without fleet.yaml `tooling:`)."""


def store_in(environment: str, session_for: Callable[[str], Any], state_dir: Path) -> StateStore:
    """The store of an environment whose sessions (one per region, in the tenant's account) are known."""
    return StateStore(environment, lambda region: session_for(region).client("ssm"), state_dir)


def names_of(config: Any, account: str) -> Any:
    return names_for(config.tenant_id, account, config.primary_region, config.secondary_region, config.generation)


def sandbox_guard(operation: str, *, endpoint: str, state_dir: Path, tooling: Any = None, break_reason: str | None = None) -> Guard:
    from tenantkit.lifecycle.fleet import sandbox_sessions

    def store_for(config: Any) -> StateStore:
        return store_in("sandbox", sandbox_sessions(endpoint, config.account), state_dir)

    region = tooling.region if tooling is not None else SANDBOX_LOCK_REGION
    shared = SharedLocks(sandbox_sessions(endpoint, None)(region).client("dynamodb"), "in the sandbox")
    return Guard(operation, store_for, state_dir, shared, break_reason)


def aws_guard(operation: str, *, state_dir: Path, tooling: Any, break_reason: str | None = None, session: Any = None) -> Guard:
    """Against AWS with the default credentials (`session`); StateError when fleet.yaml's tooling
    account is not the one these credentials act in."""
    import boto3

    session = session or boto3.Session()
    shared, warning = None, None
    if tooling is None:
        warning = "fleet.yaml names no `tooling:` account and region: the lock holds on this machine only"
    else:
        caller = session.client("sts", region_name=tooling.region).get_caller_identity()["Account"]
        if caller != tooling.account:
            raise StateError(f"fleet.yaml tooling.account is {tooling.account}; these credentials act in {caller}: no lock taken, nothing done")
        shared = SharedLocks(session.client("dynamodb", region_name=tooling.region), f"in tooling account {tooling.account} ({tooling.region})")

    def store_for(config: Any) -> StateStore:
        caller = session.client("sts", region_name=config.primary_region).get_caller_identity()["Account"]
        account = config.account or caller
        reader = session if account == caller else _assumed(session, bootstrap_lookup_role_arn(account, config.primary_region))
        return StateStore(f"aws:{account}", lambda region: reader.client("ssm", region_name=region), state_dir)

    return Guard(operation, store_for, state_dir, shared, break_reason, warning)


def _assumed(session: Any, role_arn: str) -> Any:
    import boto3

    credentials = session.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="tenantkit-state")["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


@contextlib.contextmanager
def guarded(
    guard: Guard, configs: Sequence[Any], *, refuse_closed: bool = True, outage: bool = False
) -> Iterator[dict[str, TenantState]]:
    """Hold every tenant's lock (LockHeld naming the holder, nothing done), then read each state:
    StateError for a tenant that is offboarding or later (`refuse_closed`), or whose file describes
    another generation than the one recorded. With `outage` (failover), a primary region that cannot
be read gives way to the state's copy in the secondary region. Yields tenant id -> state, locks
held until the end."""
    with contextlib.ExitStack() as stack:
        for config in sorted(configs, key=lambda c: c.tenant_id):
            stack.enter_context(
                tenant_lock(config.tenant_id, guard.operation, state_dir=guard.state_dir, shared=guard.shared, break_reason=guard.break_reason)
            )
        states = {}
        for config in configs:
            store = guard.store_for(config)
            state = store.read(names_of(config, config.account or ""), outage=outage)  # the state parameter's name needs no account
            if refuse_closed:
                require_open(state, guard.operation)
                require_not_failed_over(state, guard.operation)
                require_generation(state, config.generation)
            states[config.tenant_id] = state
        yield states


def require_generation(state: TenantState, file_generation: int) -> None:
    if state.recorded and state.generation != file_generation:
        raise StateError(
            f"{state.tenant_id}: its file says generation {file_generation}, its recorded state generation {state.generation}: "
            "set `generation:` in the file to the recorded one (`tenantkit reinstate` writes it)"
        )


def reinstate(config: Any, path: Path, store: StateStore, *, by: str, reason: str) -> TenantState:
    """Start the tenant's next generation: its state (offboarded or destroyed, else StateError)
    becomes active with the generation after the recorded one, which goes into its file (and
    `subscription.ends_on` out of it), so what it deploys next never takes a name the offboarded
    generation's pending keys answer to. The file first: if SSM then fails, a rerun finishes."""
    from tenantkit.config.lifecycle import set_generation
    from tenantkit.lifecycle.state.model import State, transition

    names = names_of(config, config.account or "")
    current = store.read(names)
    if current.state not in (State.OFFBOARDED, State.DESTROYED):
        raise StateError(f"{config.tenant_id} is {current.describe()}: only an offboarded tenant is reinstated")
    new = transition(current, State.ACTIVE, by=by, reason=reason)
    set_generation(path, new.generation)
    return store.write(names_of(config, config.account or ""), new)
