"""The residency table: the one place regions are chosen."""

from __future__ import annotations

import pytest

from tenantkit.config.residency import (
    ALL_REGIONS,
    POLICIES,
    Residency,
    check_secondary_region,
    policy_for,
    secondary_region,
)


@pytest.mark.parametrize(
    ("residency", "primary", "secondary"),
    [("us", "us-east-1", "us-west-2"), ("ca", "ca-central-1", "ca-west-1"), ("de", "eu-central-1", "eu-west-1")],
)
def test_table(residency: str, primary: str, secondary: str) -> None:
    policy = policy_for(residency)
    assert (policy.primary_region, policy.default_secondary_region) == (primary, secondary)
    assert policy.allows(primary) and policy.allows(secondary)
    assert secondary_region(residency) == secondary


def test_zones_do_not_overlap() -> None:
    zones = [policy.zone for policy in POLICIES.values()]
    assert sum(len(z) for z in zones) == len(ALL_REGIONS)


@pytest.mark.parametrize("region", ["eu-west-2", "eu-central-2", "us-gov-west-1", "ca-central-1"])
def test_german_data_stays_in_eu_member_states(region: str) -> None:
    assert not policy_for(Residency.DE).allows(region)


def test_canada_zone_is_only_canadian_regions() -> None:
    assert policy_for("ca").zone == {"ca-central-1", "ca-west-1"}


def test_override_inside_zone_is_used() -> None:
    assert secondary_region("de", "eu-west-3") == "eu-west-3"


@pytest.mark.parametrize(
    ("residency", "region", "message"),
    [
        ("us", "us-east-1", "is the primary region"),
        ("ca", "us-west-2", "outside the Canadian regions"),
        ("de", "eu-west-2", "outside the EU regions"),
    ],
)
def test_override_outside_zone_or_primary_is_refused(residency: str, region: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_secondary_region(policy_for(residency), region)


def test_unknown_residency_is_refused() -> None:
    with pytest.raises(ValueError, match="'uk'"):
        policy_for("uk")
