"""`tenantkit deploy --local`: synthesize the named tenants (cache-aware), then deploy each into the
running sandbox, several tenants at a time and each tenant's stacks in order. One tenant's failure
never stops the others.

Each tenant deploys in its own account: a tenant with an `account` acts through credentials for
that account (moto maps an assumed role's credentials to the role's account); one without, in the
sandbox's default account.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tenantkit.lifecycle.deploy_local import DeployResult, StackOutcome, StackResult, deploy_assembly

SANDBOX_ACCOUNT = "123456789012"
"""moto's default account: where a tenant without an `account` is deployed."""
DEPLOYER_ROLE = "tenantkit-sandbox-deployer"

DeployCallback = Callable[[str, DeployResult | None], None]
"""on_progress(tenant_id, None) when a tenant starts, (tenant_id, result) when it ends."""


class EndpointSession:
    """A boto3 session for one region whose clients all talk to `endpoint` (None: AWS itself).

    Sessions made by one `sandbox_sessions` / `region_sessions` call share one boto3 session, so
    botocore loads each service model once (a new boto3 session per region re-parsed the models:
    0.25 s per client). Client creation is locked: boto3 sessions are not thread-safe."""

    def __init__(self, session: Any, endpoint: str | None, region: str | None = None, lock: threading.Lock | None = None) -> None:
        self._session = session
        self._endpoint = endpoint
        self._region = region or session.region_name
        self._lock = lock or threading.Lock()

    @property
    def region_name(self) -> str:
        return self._region

    def credentials(self) -> Any:
        return self._session.get_credentials()

    def client(self, service: str, **kwargs: Any) -> Any:
        options = {"region_name": self._region, **kwargs}
        if self._endpoint is not None:
            options["endpoint_url"] = self._endpoint
        with self._lock:
            return self._session.client(service, **options)


def region_sessions(session: Any, endpoint: str | None = None) -> Callable[[str], EndpointSession]:
    """region -> a session of `session` (one boto3 session) in that region."""
    lock = threading.Lock()
    return lambda region: EndpointSession(session, endpoint, region, lock)


def sandbox_sessions(endpoint: str, account: str | None) -> Callable[[str], EndpointSession]:
    """region -> a session acting in `account` (the sandbox's default account when None)."""
    import boto3

    dummy = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    if account is not None and account != SANDBOX_ACCOUNT:
        sts = EndpointSession(boto3.Session(region_name="us-east-1", **dummy), endpoint).client("sts")
        credentials = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{DEPLOYER_ROLE}", RoleSessionName="tenantkit"
        )["Credentials"]
        dummy = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
    return region_sessions(boto3.Session(region_name="us-east-1", **dummy), endpoint)


def deploy_synthesized(
    synthesized: Sequence[Any],
    accounts: dict[str, str | None],
    *,
    endpoint: str,
    port: int,
    concurrency: int,
    on_progress: DeployCallback | None = None,
) -> list[DeployResult]:
    """Deploy every synthesized tenant (a `TenantSynthResult`) into the sandbox; results in input
    order. A tenant whose synth failed or has findings is reported, not deployed."""

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
