"""Fleet quotas: what tenants use per account and region, summed, against AWS's or raised limits."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tenantkit.config import FleetSettings, TenantConfig
from tenantkit.config.quotas import QUOTAS, Quota, quota_findings
from tests.conftest import MINIMAL_TENANT

DUAL_STACK = ["192.0.2.0/24", "2001:db8::/48"]
IPV4_ONLY = ["192.0.2.0/24"]
IPV6_ONLY = ["2001:db8::/48"]
ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"
LEAN_BACKUP = {"hourly_retention_days": 1, "retention_days": 1, "copy_retention_days": 1}
WAF = tuple(quota for quota in QUOTAS if quota.key in ("web_acls", "ip_sets"))
SNAPSHOTS = tuple(quota for quota in QUOTAS if quota.key == "manual_db_snapshots")


def tenant(index: int, *, account: str | None = None, cidrs: list[str] = DUAL_STACK, **extra: Any) -> TenantConfig:
    data = copy.deepcopy(MINIMAL_TENANT)
    data["tenant_id"] = f"tenant-{index:03d}"
    data["access"]["allowed_cidrs"] = cidrs
    data["backup"] = dict(LEAN_BACKUP)
    if account:
        data["account"] = account
    data.update(extra)
    return TenantConfig.model_validate(data)


def fleet(count: int, start: int = 0, **kwargs: Any) -> list[TenantConfig]:
    return [tenant(start + index, **kwargs) for index in range(count)]


def settings(raised: dict[str, dict[str, int]] | None = None) -> FleetSettings:
    return FleetSettings.model_validate({"quotas": {"raised": raised or {}}})


def summary(
    tenants: list[TenantConfig], fleet_settings: FleetSettings, quotas: tuple[Quota, ...]
) -> set[tuple[str, str, int, int]]:
    return {(f.quota.key, f.scope.key, f.count, f.limit) for f in quota_findings(tenants, fleet_settings, quotas)}


WAF_CASES = [
    pytest.param(fleet(1), settings(), set(), id="one-tenant"),
    pytest.param(fleet(50), settings(), set(), id="50-dual-stack-at-the-ip-set-limit"),
    pytest.param(
        fleet(51),
        settings(),
        {
            ("ip_sets", "deploying-account/us-east-1", 102, 100),
            ("ip_sets", "deploying-account/us-west-2", 102, 100),
        },
        id="51-dual-stack-over-in-both-regions",
    ),
    pytest.param(fleet(100, cidrs=IPV4_ONLY), settings(), set(), id="100-ipv4-only"),
    pytest.param(
        fleet(101, cidrs=IPV6_ONLY),
        settings(),
        {
            ("web_acls", "deploying-account/us-east-1", 101, 100),
            ("web_acls", "deploying-account/us-west-2", 101, 100),
            ("ip_sets", "deploying-account/us-east-1", 101, 100),
            ("ip_sets", "deploying-account/us-west-2", 101, 100),
        },
        id="101-web-acls",
    ),
    pytest.param(fleet(30, account=ACCOUNT_A) + fleet(30, 30, account=ACCOUNT_B), settings(), set(), id="two-accounts"),
    pytest.param(
        fleet(30, account=ACCOUNT_A) + fleet(30, 30),
        settings(),
        set(),
        id="an-account-and-the-deploying-account-are-apart",
    ),
    pytest.param(
        fleet(30) + fleet(30, 30, residency="de"),
        settings(),
        set(),
        id="two-regions-pairs",
    ),
    pytest.param(
        fleet(60),
        settings({"deploying-account/us-east-1": {"ip_sets": 120}}),
        {("ip_sets", "deploying-account/us-west-2", 120, 100)},
        id="raised-in-one-region-only",
    ),
    pytest.param(
        fleet(60),
        settings({"deploying-account/us-east-1": {"ip_sets": 119}, "deploying-account/us-west-2": {"ip_sets": 120}}),
        {("ip_sets", "deploying-account/us-east-1", 120, 119)},
        id="raised-but-still-exceeded",
    ),
    pytest.param(
        fleet(60),
        settings({f"{ACCOUNT_A}/us-east-1": {"ip_sets": 500}, f"{ACCOUNT_A}/us-west-2": {"ip_sets": 500}}),
        {
            ("ip_sets", "deploying-account/us-east-1", 120, 100),
            ("ip_sets", "deploying-account/us-west-2", 120, 100),
        },
        id="raised-for-another-account",
    ),
]


@pytest.mark.parametrize(("tenants", "fleet_settings", "expected"), WAF_CASES)
def test_waf_quotas(tenants: list[TenantConfig], fleet_settings: FleetSettings, expected: set) -> None:
    assert summary(tenants, fleet_settings, WAF) == expected


SNAPSHOT_CASES = [
    pytest.param(fleet(4), settings(), set(), id="four-lean-backups"),
    pytest.param(
        fleet(5),
        settings(),
        {("manual_db_snapshots", "deploying-account/us-east-1", 125, 100), ("manual_db_snapshots", "deploying-account/us-west-2", 125, 100)},
        id="five-lean-backups",
    ),
    pytest.param(
        fleet(2, backup={"hourly_retention_days": 1, "retention_days": 35, "copy_retention_days": 35}),
        settings(),
        {("manual_db_snapshots", "deploying-account/us-east-1", 118, 100), ("manual_db_snapshots", "deploying-account/us-west-2", 118, 100)},
        id="two-default-backups-share-the-snapshot-quota",
    ),
    pytest.param(
        fleet(2, backup={"hourly_retention_days": 1, "retention_days": 1, "copy_retention_days": 51, "copy_hourly": False}),
        settings(),
        {("manual_db_snapshots", "deploying-account/us-west-2", 102, 100)},
        id="dr-copies-count-in-the-secondary-region",
    ),
    pytest.param(
        fleet(2, backup={"hourly_retention_days": 1, "retention_days": 1, "copy_retention_days": 27}),
        settings(),
        {("manual_db_snapshots", "deploying-account/us-west-2", 102, 100)},
        id="hourly-copies-count-in-the-secondary-region",
    ),
    pytest.param(
        fleet(2, backup={"hourly_retention_days": 1, "retention_days": 35, "copy_retention_days": 35}),
        settings({"deploying-account/us-east-1": {"manual_db_snapshots": 118}, "deploying-account/us-west-2": {"manual_db_snapshots": 118}}),
        set(),
        id="raised-snapshot-quota",
    ),
]


@pytest.mark.parametrize(("tenants", "fleet_settings", "expected"), SNAPSHOT_CASES)
def test_snapshot_quota(tenants: list[TenantConfig], fleet_settings: FleetSettings, expected: set) -> None:
    assert summary(tenants, fleet_settings, SNAPSHOTS) == expected


def usage(key: str, config: TenantConfig) -> tuple[int, int]:
    quota = next(quota for quota in QUOTAS if quota.key == key)
    return quota.per_tenant(config, config.primary_region), quota.per_tenant(config, config.secondary_region)


@pytest.mark.parametrize(("cidrs", "expected"), [(DUAL_STACK, (2, 2)), (IPV4_ONLY, (1, 1)), (IPV6_ONLY, (1, 1))])
def test_a_tenant_has_one_ip_set_per_ip_version_in_each_region(cidrs: list[str], expected: tuple[int, int]) -> None:
    assert usage("ip_sets", tenant(0, cidrs=cidrs)) == expected
    assert usage("web_acls", tenant(0, cidrs=cidrs)) == (1, 1)


def test_snapshots_per_region_follow_the_backup_tiers() -> None:
    config = tenant(0, backup={"hourly_retention_days": 2, "retention_days": 14, "copy_retention_days": 21})
    assert usage("manual_db_snapshots", config) == (2 * 24 + 14, 2 * 24 + 21)  # hourly copies too
    without_hourly_copies = tenant(0, backup={"hourly_retention_days": 2, "retention_days": 14, "copy_retention_days": 21, "copy_hourly": False})
    assert usage("manual_db_snapshots", without_hourly_copies) == (2 * 24 + 14, 21)


def test_tenantkit_creates_no_trail_and_no_account_level_log_policy() -> None:
    config = tenant(0)
    assert usage("cloudtrail_trails", config) == (0, 0)
    assert usage("logs_resource_policies", config) == (0, 0)


def one_trail_each(config: TenantConfig, region: str) -> int:
    return 1


TRAILS = next(quota for quota in QUOTAS if quota.key == "cloudtrail_trails")
A_TRAIL_PER_TENANT = Quota(
    key=TRAILS.key,
    title=TRAILS.title,
    default=TRAILS.default,
    adjustable=TRAILS.adjustable,
    source=TRAILS.source,
    per_tenant=one_trail_each,
)


def test_a_quota_that_is_not_adjustable_ignores_raised_values() -> None:
    # The check is generic: were a stack to create a trail per tenant, the sixth would warn.
    tenants = fleet(6)
    assert quota_findings(fleet(5), settings(), [A_TRAIL_PER_TENANT]) == []
    [primary, secondary] = quota_findings(tenants, settings(), [A_TRAIL_PER_TENANT])
    assert (primary.count, primary.limit, primary.raised) == (6, 5, False)
    assert "CloudTrail trails: 6 in the deploying account, us-east-1, over the limit of 5 (AWS limit, not adjustable)" in primary.message
    assert secondary.scope.region == "us-west-2"


def test_the_message_names_quota_count_limit_tenants_and_where_to_record_a_raise() -> None:
    [finding, _] = quota_findings(fleet(51, account=ACCOUNT_A), settings(), WAF)
    assert finding.message == (
        f"WAF IP sets: 102 in account {ACCOUNT_A}, us-east-1, over the limit of 100 (AWS default; once "
        "raised through Service Quotas, record it in fleet.yaml as "
        f"quotas.raised.{ACCOUNT_A}/us-east-1.ip_sets); tenants: "
        + ", ".join(f"tenant-{index:03d}" for index in range(51))
    )


def test_a_raised_limit_is_named_as_such_and_an_assumption_is_stated() -> None:
    backup = {"hourly_retention_days": 1, "retention_days": 35, "copy_retention_days": 35}
    raised = settings({"deploying-account/us-east-1": {"manual_db_snapshots": 110}, "deploying-account/us-west-2": {"manual_db_snapshots": 200}})
    [finding] = quota_findings(fleet(2, backup=backup), raised, SNAPSHOTS)
    assert finding.raised
    assert "118 in the deploying account, us-east-1, over the limit of 110 (raised quota recorded in fleet.yaml)" in finding.message
    assert "; assumes AWS Backup's snapshots count toward it" in finding.message
