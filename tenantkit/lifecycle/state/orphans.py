"""Tenants deployed without a tenant file: found by their exact stack names and by the tenant
tag, never by a name prefix, in every region a residency zone holds; and each tenant's recorded
state. One survey for the sandbox and for AWS: only the sessions differ (`survey`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tenantkit.aws import Failure, classify, pages
from tenantkit.naming import TAG_TENANT, bootstrap_lookup_role_arn, stack_names, tenant_of_stack

SessionsFor = Callable[[str | None], Callable[[str], Any]]
"""account (None: the default one, the sandbox's or the credentials') -> region -> a session acting in it."""


@dataclass(frozen=True)
class Orphan:
    tenant_id: str
    account: str
    region: str
    evidence: str
    """What was found: `stack tenant-x-primary`, or the ARN of a resource tagged with the tenant."""

    def describe(self) -> str:
        return f"{self.tenant_id}: deployed ({self.evidence} in {self.account} {self.region}) but no tenant file"


@dataclass(frozen=True)
class Unchecked:
    """An account, a region of one, or a tenant's state that could not be read: nothing is known."""

    where: str
    error: str

    def describe(self) -> str:
        return f"could not check {self.where}: {self.error}"


@dataclass(frozen=True)
class Survey:
    orphans: list[Orphan]
    states: dict[str, Any]
    """tenant id -> its TenantState, for each tenant whose state could be read."""
    unchecked: list[Unchecked] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.orphans and not self.unchecked

    def state_phrases(self, tenant_ids: Iterable[str]) -> dict[str, str]:
        """tenant id -> its state phrase, `could not check` when it could not be read."""
        return {tenant_id: self.states[tenant_id].describe() if tenant_id in self.states else "could not check" for tenant_id in tenant_ids}


def find_orphans(
    session_for: Callable[[str], Any], account: str, regions: Iterable[str], known: set[str], *, unchecked: list[Unchecked] | None = None
) -> list[Orphan]:
    """One Orphan per tenant id (its first evidence) of `account` not in `known`: a stack whose
    name is exactly one of that tenant's (`naming.stack_names`), or anything carrying its tag
    (keys pending deletion aside: what offboarding leaves by design). With `unchecked`, a region
    that cannot be read is added to it instead of raising."""
    from botocore.exceptions import BotoCoreError, ClientError

    by_stack: dict[str, Orphan] = {}
    by_tag: dict[str, Orphan] = {}
    for region in sorted(set(regions)):
        try:
            stacks = _stack_orphans(session_for(region), account, region, known)
            tagged = _tagged_orphans(session_for(region), account, region, known)
        except (BotoCoreError, ClientError) as error:
            if unchecked is None:
                raise
            unchecked.append(Unchecked(f"{account} {region}", str(error)))
            continue
        for orphan in stacks:  # stacks first: the clearest evidence
            by_stack.setdefault(orphan.tenant_id, orphan)
        for orphan in tagged:
            by_tag.setdefault(orphan.tenant_id, orphan)
    found = {**by_tag, **by_stack}
    return sorted(found.values(), key=lambda orphan: orphan.tenant_id)


def _stack_orphans(session: Any, account: str, region: str, known: set[str]) -> list[Orphan]:
    cloudformation = session.client("cloudformation")
    statuses = cloudformation.meta.service_model.operation_model("ListStacks").input_shape.members["StackStatusFilter"].member.enum
    live = [status for status in statuses if status != "DELETE_COMPLETE"]
    found = []
    for stack in pages(cloudformation, "list_stacks", "StackSummaries", StackStatusFilter=live):
        tenant = tenant_of_stack(stack["StackName"])
        if tenant is not None and stack["StackName"] in stack_names(tenant) and tenant not in known:
            found.append(Orphan(tenant, account, region, f"stack {stack['StackName']}"))
    return found


def _tagged_orphans(session: Any, account: str, region: str, known: set[str]) -> list[Orphan]:
    found = []
    tagging = session.client("resourcegroupstaggingapi")
    for mapping in pages(tagging, "get_resources", "ResourceTagMappingList", TagFilters=[{"Key": TAG_TENANT}]):
        tenant = next((tag["Value"] for tag in mapping.get("Tags", []) if tag["Key"] == TAG_TENANT), None)
        if tenant is None or tenant in known or _pending_key(session, mapping["ResourceARN"]):
            continue
        found.append(Orphan(tenant, account, region, mapping["ResourceARN"]))
    return found


def _pending_key(session: Any, arn: str) -> bool:
    if ":kms:" not in arn:
        return False
    try:
        return session.client("kms").describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] in ("PendingDeletion", "PendingReplicaDeletion")
    except Exception as error:
        if classify(error) is Failure.ABSENT:
            return True  # gone meanwhile: nothing deployed
        raise


def survey(sessions_for: SessionsFor, default_account: str, configs: list[Any], state_dir: Path, environment: Callable[[str], str]) -> Survey:
    """The orphans of the default account and of every account a tenant file names, in every
    region of every residency zone, and the recorded state of each tenant of `configs` (read in its
    account, `environment(account)` naming its local copy). An account, region or state that
    cannot be read is one Unchecked, never taken for "no orphan" or "active"."""
    from botocore.exceptions import BotoCoreError, ClientError

    from tenantkit.config import Residency, policy_for
    from tenantkit.lifecycle.state.model import StateError
    from tenantkit.lifecycle.state.service import names_of, store_in

    regions = {region for residency in Residency for region in policy_for(residency).zone}
    known = {config.tenant_id for config in configs}
    orphans: list[Orphan] = []
    unchecked: list[Unchecked] = []
    sessions: dict[str, Callable[[str], Any]] = {}
    for account in sorted({default_account, *(config.account for config in configs if config.account)}):
        try:
            sessions[account] = sessions_for(None if account == default_account else account)
        except (BotoCoreError, ClientError) as error:
            unchecked.append(Unchecked(f"account {account}", str(error)))
            continue
        orphans.extend(find_orphans(sessions[account], account, regions, known, unchecked=unchecked))
    states = {}
    for config in configs:
        account = config.account or default_account
        if account not in sessions:
            continue  # the account's line says why
        try:
            states[config.tenant_id] = store_in(environment(account), sessions[account], state_dir).read(names_of(config, account))
        except StateError as error:
            unchecked.append(Unchecked(f"the state of {config.tenant_id}", str(error)))
    return Survey(orphans, states, unchecked)


def sandbox_survey(endpoint: str, configs: list[Any], state_dir: Path) -> Survey:
    """In the sandbox: each account as `deploy --local` acts in it (its deployer role)."""
    from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, sandbox_sessions

    return survey(lambda account: sandbox_sessions(endpoint, account), SANDBOX_ACCOUNT, configs, state_dir, lambda _account: "sandbox")


def aws_survey(session: Any, configs: list[Any], state_dir: Path) -> Survey:
    """Against AWS with `session`'s credentials (boto3's default chain): their own account
    directly, another account a tenant file names through its CDK bootstrap lookup role
    (read-only; `cdk bootstrap --trust <this account>`), as the state guard reads states."""
    from botocore.exceptions import BotoCoreError, ClientError

    from tenantkit.lifecycle.fleet import region_sessions
    from tenantkit.lifecycle.state.service import _assumed

    own = region_sessions(session)
    primary = {config.account: config.primary_region for config in configs if config.account}
    try:
        default_account = own(session.region_name or "us-east-1").client("sts").get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as error:
        return Survey([], {}, [Unchecked("AWS (the credentials' own account)", str(error))])

    def sessions_for(account: str | None) -> Callable[[str], Any]:
        if account is None:
            return own
        # an IAM role acts in every region: the lookup role of one of its tenants' primary regions
        return region_sessions(_assumed(session, bootstrap_lookup_role_arn(account, primary[account])))

    return survey(sessions_for, default_account, configs, state_dir, lambda account: f"aws:{account}")
