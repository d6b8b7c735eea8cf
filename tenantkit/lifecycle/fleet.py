"""`tenantkit deploy --local`: synthesize the named tenants (cache-aware), then deploy each into the
running sandbox, several tenants at a time and each tenant's stacks in order. One tenant's failure
never stops the others.

Each tenant deploys in its own account: a tenant with an `account` acts through credentials for
that account (moto maps an assumed role's credentials to the role's account); one without, in the
sandbox's default account.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tenantkit.lifecycle.deploy_local import (
    DeployResult,
    Prepared,
    StackOutcome,
    StackResult,
    deploy_assembly,
    deployed_unchanged,
    stacks_in,
)

SANDBOX_ACCOUNT = "123456789012"
"""moto's default account: where a tenant without an `account` is deployed."""
DEPLOYER_ROLE = "tenantkit-sandbox-deployer"

DeployCallback = Callable[[str, DeployResult | None], None]
"""on_progress(tenant_id, None) when a tenant starts, (tenant_id, result) when it ends."""


class EndpointSession:
    """A boto3 session for one region whose clients all talk to `endpoint` (None: AWS itself).

    Sessions made by one `sandbox_sessions` / `region_sessions` call share one boto3 session, so
    botocore loads each service model once (a new boto3 session per region re-parsed the models:
    0.25 s per client), and one client per service, region and endpoint (`clients`). Client
    creation is locked: boto3 sessions are not thread-safe; botocore clients are. `credentials`
    (boto3's `aws_access_key_id`, ...) are given to every client: sessions acting in different
    accounts can then share one boto3 session."""

    def __init__(
        self,
        session: Any,
        endpoint: str | None,
        region: str | None = None,
        lock: threading.Lock | None = None,
        *,
        credentials: dict[str, str] | None = None,
        clients: dict[tuple[str, str, str | None], Any] | None = None,
    ) -> None:
        self._session = session
        self._endpoint = endpoint
        self._region = region or session.region_name
        self._lock = lock or threading.Lock()
        self._credentials = credentials
        self._clients = clients if clients is not None else {}

    @property
    def region_name(self) -> str:
        return self._region

    def credentials(self) -> Any:
        if self._credentials is None:
            return self._session.get_credentials()
        from botocore.credentials import Credentials

        given = self._credentials
        return Credentials(given["aws_access_key_id"], given["aws_secret_access_key"], given.get("aws_session_token"))

    def client(self, service: str, **kwargs: Any) -> Any:
        options = {"region_name": self._region, **(self._credentials or {}), **kwargs}
        if self._endpoint is not None:
            options["endpoint_url"] = self._endpoint
        with self._lock:
            if kwargs:  # a client configured for one caller is not shared
                return self._session.client(service, **options)
            key = (service, self._region, self._endpoint)
            if key not in self._clients:
                self._clients[key] = self._session.client(service, **options)
            return self._clients[key]


def region_sessions(
    session: Any, endpoint: str | None = None, *, credentials: dict[str, str] | None = None, lock: threading.Lock | None = None
) -> Callable[[str], EndpointSession]:
    """region -> a session of `session` (one boto3 session) in that region; the sessions share
    their clients."""
    lock = lock or threading.Lock()
    clients: dict[tuple[str, str, str | None], Any] = {}
    return lambda region: EndpointSession(session, endpoint, region, lock, credentials=credentials, clients=clients)


_SHARED_LOCK = threading.Lock()
_SANDBOX_DUMMY = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@functools.cache
def _sandbox_session() -> Any:
    """The one boto3 session behind every sandbox session of the process (its credentials are
    given per client): botocore reads its endpoint data and each service model once, not once
    per tenant (a boto3 session per tenant made that most of an unchanged deploy's time)."""
    import boto3

    return boto3.Session(region_name="us-east-1", **_SANDBOX_DUMMY)


@functools.lru_cache(maxsize=16)
def _default_account_sessions(endpoint: str) -> Callable[[str], EndpointSession]:
    """The sandbox's default account: one family of sessions, and of clients, per endpoint for the
    process (its dummy credentials never change)."""
    return region_sessions(_sandbox_session(), endpoint, credentials=_SANDBOX_DUMMY, lock=_SHARED_LOCK)


_REMEMBERED_LOCK = threading.Lock()
_remembered: dict[tuple[str, str], Callable[[str], EndpointSession]] | None = None


@contextlib.contextmanager
def remembering_sessions() -> Iterator[None]:
    """Within the block (a decorated call), `sandbox_sessions` assumes each account's deployer
    role once: a deploy takes each tenant's lock, reads its state, checks its stacks and deploys
    them, and each asked anew. Never across blocks: credentials of a sandbox reset since would
    silently act in the default account."""
    global _remembered
    with _REMEMBERED_LOCK:
        outermost = _remembered is None
        if outermost:
            _remembered = {}
    try:
        yield
    finally:
        if outermost:
            with _REMEMBERED_LOCK:
                _remembered = None


def sandbox_sessions(endpoint: str, account: str | None) -> Callable[[str], EndpointSession]:
    """region -> a session acting in `account` (the sandbox's default account when None). Each
    call for another account assumes its deployer role anew (once per `remembering_sessions`
    block)."""
    if account is None or account == SANDBOX_ACCOUNT:
        return _default_account_sessions(endpoint)
    remembered = _remembered
    if remembered is not None and (endpoint, account) in remembered:
        return remembered[(endpoint, account)]
    sts = _default_account_sessions(endpoint)("us-east-1").client("sts")
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{DEPLOYER_ROLE}", RoleSessionName="tenantkit")["Credentials"]
    assumed = {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }
    sessions = region_sessions(_sandbox_session(), endpoint, credentials=assumed, lock=_SHARED_LOCK)
    if remembered is not None:
        with _REMEMBERED_LOCK:
            sessions = remembered.setdefault((endpoint, account), sessions)
    return sessions


def deploy_synthesized(
    synthesized: Sequence[Any],
    accounts: dict[str, str | None],
    *,
    endpoint: str,
    port: int,
    concurrency: int,
    on_progress: DeployCallback | None = None,
    prepared: Prepared | None = None,
) -> list[DeployResult]:
    """Deploy every synthesized tenant (a `TenantSynthResult`) into the sandbox; results in input
    order. A tenant whose synth failed or has findings is reported, not deployed. Each environment
    is prepared once for all of them (`prepared`: the run's, with what it prepared before)."""
    prepared = set() if prepared is None else prepared

    def one(item: Any) -> DeployResult:
        if on_progress is not None:
            on_progress(item.tenant_id, None)
        if not item.ok or item.assembly_dir is None:
            why = item.error or f"{len(item.findings)} compliance finding(s): run `tenantkit synth`"
            result = DeployResult(item.tenant_id, [StackResult("(synth)", "-", StackOutcome.FAILED, (why,))])
        else:
            try:
                account = accounts[item.tenant_id]
                result = deploy_assembly(
                    item.tenant_id,
                    Path(item.assembly_dir),
                    item.stacks,
                    account=account or SANDBOX_ACCOUNT,
                    session_for=sandbox_sessions(endpoint, account),
                    template_url_host=f"localhost:{port}",
                    prepared=prepared,
                )
            except Exception as error:  # noqa: BLE001 - one tenant's failure must not stop the others
                result = DeployResult(
                    item.tenant_id, [StackResult("(deploy)", "-", StackOutcome.FAILED, (f"{type(error).__name__}: {error}",))]
                )
        if on_progress is not None:
            on_progress(item.tenant_id, result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(one, synthesized))


def unchanged_tenants(
    templates: Mapping[str, Sequence[tuple[str, str, str]]],
    accounts: dict[str, str | None],
    *,
    endpoint: str,
    concurrency: int,
) -> dict[str, DeployResult]:
    """The tenants of `templates` (tenant id -> (stack, region, sha256 of the template it would
    deploy) per stack, `synth.cached_templates`) whose every stack is deployed in the sandbox with
    exactly that template, each with its result (all UNCHANGED); checked before anything is
    synthesized, restored or published, by listing the stacks of each account and region once
    (several at a time). A tenant whose stacks cannot be listed is left to the deploy, which
    reports why."""
    where = {(accounts[tenant_id], region) for tenant_id, stacks in templates.items() for _, region, _ in stacks}
    sessions = {account: _sessions_or_none(endpoint, account) for account in {account for account, _ in where}}

    def listed(place: tuple[str | None, str]) -> dict[str, dict[str, Any]] | None:
        account, region = place
        session_for = sessions[account]
        try:
            return stacks_in(session_for(region).client("cloudformation")) if session_for is not None else None
        except Exception:  # noqa: BLE001 - the deploy that follows meets the same fault and reports it
            return None

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        stacks = dict(zip(where, pool.map(listed, where), strict=True))
    found = {}
    for tenant_id, expected in templates.items():
        listed_here: dict[str, dict[str, dict[str, Any]]] = {}
        for _, region, _ in expected:
            in_region = stacks[(accounts[tenant_id], region)]
            if in_region is None:
                break
            listed_here[region] = in_region
        else:
            result = deployed_unchanged(tenant_id, expected, listed_here.__getitem__)
            if result is not None:
                found[tenant_id] = result
    return found


def _sessions_or_none(endpoint: str, account: str | None) -> Callable[[str], EndpointSession] | None:
    try:
        return sandbox_sessions(endpoint, account)
    except Exception:  # noqa: BLE001 - as above: the deploy reports it
        return None
