"""Tenants deployed without a tenant file: found by their exact stack names and by the tenant
tag, never by a name prefix, in every region a residency zone holds."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tenantkit.aws import Failure, classify, pages
from tenantkit.naming import TAG_TENANT, stack_names, tenant_of_stack


@dataclass(frozen=True)
class Orphan:
    tenant_id: str
    account: str
    region: str
    evidence: str
    """What was found: `stack tenant-x-primary`, or the ARN of a resource tagged with the tenant."""

    def describe(self) -> str:
        return f"{self.tenant_id}: deployed ({self.evidence} in {self.account} {self.region}) but no tenant file"


def find_orphans(session_for: Callable[[str], Any], account: str, regions: Iterable[str], known: set[str]) -> list[Orphan]:
    """One Orphan per tenant id (its first evidence) of `account` not in `known`: a stack whose
    name is exactly one of that tenant's (`naming.stack_names`), or anything carrying its tag
    (keys pending deletion aside: what offboarding leaves by design)."""
    found: dict[str, Orphan] = {}
    regions = sorted(set(regions))
    for region in regions:  # stacks first: the clearest evidence
        for stack in pages(session_for(region).client("cloudformation"), "describe_stacks", "Stacks"):
            tenant = tenant_of_stack(stack["StackName"])
            if tenant is not None and stack["StackName"] in stack_names(tenant) and tenant not in known:
                found.setdefault(tenant, Orphan(tenant, account, region, f"stack {stack['StackName']}"))
    for region in regions:
        session = session_for(region)
        tagging = session.client("resourcegroupstaggingapi")
        for mapping in pages(tagging, "get_resources", "ResourceTagMappingList", TagFilters=[{"Key": TAG_TENANT}]):
            tenant = next((tag["Value"] for tag in mapping.get("Tags", []) if tag["Key"] == TAG_TENANT), None)
            if tenant is None or tenant in known or tenant in found or _pending_key(session, mapping["ResourceARN"]):
                continue
            found[tenant] = Orphan(tenant, account, region, mapping["ResourceARN"])
    return sorted(found.values(), key=lambda orphan: orphan.tenant_id)


def _pending_key(session: Any, arn: str) -> bool:
    if ":kms:" not in arn:
        return False
    try:
        return session.client("kms").describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] in ("PendingDeletion", "PendingReplicaDeletion")
    except Exception as error:
        if classify(error) is Failure.ABSENT:
            return True  # gone meanwhile: nothing deployed
        raise


def sandbox_orphans_and_states(endpoint: str, configs: list[Any], state_dir: Any) -> tuple[list[Orphan], dict[str, Any]]:
    """In the sandbox: the orphans of the sandbox's account and of every account a tenant file
    names, and the recorded state of each tenant of `configs`."""
    from tenantkit.config import Residency, policy_for
    from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, sandbox_sessions
    from tenantkit.lifecycle.state.service import names_of, store_in

    regions = {region for residency in Residency for region in policy_for(residency).zone}
    known = {config.tenant_id for config in configs}
    orphans: list[Orphan] = []
    for account in sorted({SANDBOX_ACCOUNT, *(config.account for config in configs if config.account)}):
        sessions = sandbox_sessions(endpoint, None if account == SANDBOX_ACCOUNT else account)
        orphans.extend(find_orphans(sessions, account, regions, known))
    states = {
        config.tenant_id: store_in("sandbox", sandbox_sessions(endpoint, config.account), state_dir).read(names_of(config, config.account or ""))
        for config in configs
    }
    return orphans, states
