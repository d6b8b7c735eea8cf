"""AWS quotas the whole fleet shares: what each tenant uses per account and region, summed.

Every tenant file is valid on its own, yet fifty of them in one account and region exhaust WAF's
IP sets. This module counts, per account and region (tenants without `account` share "the
deploying account"), what the tenants' stacks create there, and compares the sum with the quota:
AWS's default, or the raised value recorded in fleet.yaml (`quotas.raised`). One row of `QUOTAS`
per quota; each row cites its limit and says what its count assumes.

The WAF logging resource policy is not a fleet quota today. Log delivery used to append every WAF
log group of an account and region to one account-level CloudWatch Logs resource policy, limited
to 5,120 characters: about 95 characters per tenant log group on a 354-character statement, so
some 50 tenants per account and region. The CloudWatch Logs User Guide now says new subscriptions
get a policy on the log group itself (up to 51,200 bytes; tenantkit's is about 450 characters),
and terraform-provider-aws PR #47111 reports AWS Support confirming the change (March 2026). What
remains shared is the account-level policy count (10 per region), which tenantkit does not use.

Pure functions over loaded `TenantConfig`s and the fleet settings: no AWS call, no file access.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from tenantkit.config.fleet_models import FleetSettings
    from tenantkit.config.models import TenantConfig

DEPLOYING_ACCOUNT = "deploying-account"
"""How fleet.yaml names the account of tenants whose file sets no `account`: whichever account
the deploying credentials belong to."""

WAF_WEB_ACLS = 100
WAF_IP_SETS = 100
CLOUDTRAIL_TRAILS = 5
MANUAL_DB_SNAPSHOTS = 100
LOGS_RESOURCE_POLICIES = 10


class Scope(NamedTuple):
    """One account and region: the unit AWS counts regional quotas in (a tuple: hashed once per
    tenant and region, it must be cheap)."""

    account: str | None
    """12-digit id, or None for the deploying account."""
    region: str

    @property
    def key(self) -> str:
        """The scope as fleet.yaml writes it under `quotas.raised`."""
        return f"{self.account or DEPLOYING_ACCOUNT}/{self.region}"

    @property
    def label(self) -> str:
        who = f"account {self.account}" if self.account else "the deploying account"
        return f"{who}, {self.region}"


@dataclass(frozen=True, kw_only=True)
class Quota:
    """One AWS quota and how a tenant uses it."""

    key: str
    """The quota's name in fleet.yaml (`quotas.raised.<scope>.<key>` when adjustable)."""
    title: str
    default: int
    adjustable: bool
    source: str
    """Where the default limit is documented."""
    per_tenant: Callable[[TenantConfig, str], int]
    """What one tenant uses of the quota in one of its regions."""
    assumption: str = ""
    """What the count takes for granted that no AWS document establishes; empty when nothing."""


@dataclass(frozen=True)
class QuotaFinding:
    """A quota the fleet would exceed in one account and region."""

    quota: Quota
    scope: Scope
    count: int
    limit: int
    raised: bool
    """True when `limit` is the raised value recorded in fleet.yaml, not AWS's default."""
    tenants: tuple[str, ...]

    @property
    def message(self) -> str:
        quota = self.quota
        if self.raised:
            basis = "raised quota recorded in fleet.yaml"
        elif quota.adjustable:
            basis = (
                "AWS default; once raised through Service Quotas, record it in fleet.yaml as "
                f"quotas.raised.{self.scope.key}.{quota.key}"
            )
        else:
            basis = "AWS limit, not adjustable"
        text = (
            f"{quota.title}: {self.count:,} in {self.scope.label}, over the limit of "
            f"{self.limit:,} ({basis}); tenants: {', '.join(self.tenants)}"
        )
        if quota.assumption:
            text += f"; assumes {quota.assumption}"
        return text


# --- what one tenant creates per region (read from the stacks and constructs) -----------------


def _web_acls(config: TenantConfig, region: str) -> int:
    # stacks/firewall.add_firewall: one web ACL in the primary stack, one in the DR stack.
    return 1


def _ip_sets(config: TenantConfig, region: str) -> int:
    # constructs/firewall.TenantFirewall: one IP set per IP version the allow-list holds.
    return int(bool(config.access.ipv4_cidrs)) + int(bool(config.access.ipv6_cidrs))


def _trails(config: TenantConfig, region: str) -> int:
    # No stack creates an AWS::CloudTrail::Trail: the incident rules rely on the account's (or
    # the organization's) own trail. Counted so that a stack that adds one is one line to change.
    return 0


def _manual_db_snapshots(config: TenantConfig, region: str) -> int:
    # constructs/backup.TenantBackup: the Hourly and Daily rules keep snapshots of the primary
    # database in the primary region; the Daily rule's copies, and the Hourly rule's unless
    # `backup.copy_hourly` is off, are kept in the secondary region. The Continuous rule uses RDS
    # automated backups, which the quota exempts.
    backup = config.backup
    if region == config.primary_region:
        return backup.hourly_snapshots + backup.retention_days
    return backup.hourly_snapshots * backup.copy_hourly + backup.copy_retention_days


def _logs_resource_policies(config: TenantConfig, region: str) -> int:
    # No stack declares an AWS::Logs::ResourcePolicy. WAF's log delivery writes the policy its
    # log group needs, and for subscriptions created now it writes it on the log group itself
    # (CloudWatch Logs User Guide, "Logs sent to CloudWatch Logs": log-group-level policies of
    # up to 51,200 bytes), which does not count toward the account-level ten.
    return 0


QUOTAS: tuple[Quota, ...] = (
    Quota(
        key="web_acls",
        title="WAF web ACLs",
        default=WAF_WEB_ACLS,
        adjustable=True,
        source="https://docs.aws.amazon.com/waf/latest/developerguide/limits.html",
        per_tenant=_web_acls,
    ),
    Quota(
        key="ip_sets",
        title="WAF IP sets",
        default=WAF_IP_SETS,
        adjustable=True,
        source="https://docs.aws.amazon.com/waf/latest/developerguide/limits.html",
        per_tenant=_ip_sets,
    ),
    Quota(
        key="cloudtrail_trails",
        title="CloudTrail trails",
        default=CLOUDTRAIL_TRAILS,
        adjustable=False,
        source="https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html",
        per_tenant=_trails,
    ),
    Quota(
        key="manual_db_snapshots",
        title="RDS manual DB snapshots",
        default=MANUAL_DB_SNAPSHOTS,
        adjustable=True,
        source="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html",
        per_tenant=_manual_db_snapshots,
        assumption=(
            "AWS Backup's snapshots count toward it (RDS lists them as snapshot type 'awsbackup', "
            "apart from 'manual'; no AWS document says whether the quota counts them), and that "
            "the Hourly rule keeps a snapshot every hour beside the Continuous rule"
        ),
    ),
    Quota(
        key="logs_resource_policies",
        title="CloudWatch Logs account-level resource policies",
        default=LOGS_RESOURCE_POLICIES,
        adjustable=False,
        source="https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html",
        per_tenant=_logs_resource_policies,
    ),
)


def quota_findings(
    tenants: Iterable[TenantConfig], fleet: FleetSettings, quotas: Sequence[Quota] = QUOTAS
) -> list[QuotaFinding]:
    """Every quota of `quotas` the tenants together would exceed, per account and region: one
    pass over the tenants, one sum per quota and scope."""
    usage: dict[tuple[str, Scope], int] = defaultdict(int)
    users: dict[tuple[str, Scope], list[str]] = defaultdict(list)
    for config in tenants:
        for region in dict.fromkeys(config.regions):
            scope = Scope(config.account, region)
            for quota in quotas:
                used = quota.per_tenant(config, region)
                if used:
                    usage[quota.key, scope] += used
                    users[quota.key, scope].append(config.tenant_id)
    findings = []
    by_key = {quota.key: quota for quota in quotas}
    for (key, scope), count in usage.items():
        quota = by_key[key]
        raised = fleet.quotas.raised_limit(scope.key, key) if quota.adjustable else None
        limit = raised if raised is not None else quota.default
        if count > limit:
            findings.append(
                QuotaFinding(quota, scope, count, limit, raised is not None, tuple(sorted(users[key, scope])))
            )
    order = {quota.key: index for index, quota in enumerate(quotas)}
    return sorted(findings, key=lambda f: (order[f.quota.key], f.scope.account or "", f.scope.region))
