"""Where each residency keeps a tenant's data: the one table every region choice comes from.

A residency names a jurisdiction, not a region. The primary region serves the tenant; the secondary
region holds the disaster-recovery copies (replica database, replicated bucket, backup copies).
Every copy of a tenant's data, wherever it is, stays inside the residency's zone.

Germany has a single AWS region (eu-central-1, Frankfurt), so a German tenant's DR copy lives in
another EU member state's region (eu-west-1, Ireland, by default): the data stays under the GDPR
in the EU, not in Germany. London (eu-west-2) and Zurich (eu-central-2) are not in the EU and are
not in the zone. The AWS European Sovereign Cloud is a separate partition and is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Residency(str, Enum):
    """The jurisdictions a customer can choose for its data."""

    US = "us"
    CA = "ca"
    DE = "de"


@dataclass(frozen=True, kw_only=True)
class ResidencyPolicy:
    residency: Residency
    jurisdiction: str
    primary_region: str
    default_secondary_region: str
    zone_name: str
    zone: frozenset[str]

    def allows(self, region: str) -> bool:
        """True when a copy of the tenant's data may live in `region`."""
        return region in self.zone


US_REGIONS = frozenset({"us-east-1", "us-east-2", "us-west-1", "us-west-2"})
CANADIAN_REGIONS = frozenset({"ca-central-1", "ca-west-1"})
EU_REGIONS = frozenset(
    {
        "eu-central-1",  # Frankfurt, Germany
        "eu-west-1",  # Ireland
        "eu-west-3",  # Paris, France
        "eu-north-1",  # Stockholm, Sweden
        "eu-south-1",  # Milan, Italy
        "eu-south-2",  # Aragon, Spain
    }
)

POLICIES: dict[Residency, ResidencyPolicy] = {
    Residency.US: ResidencyPolicy(
        residency=Residency.US,
        jurisdiction="United States",
        primary_region="us-east-1",
        default_secondary_region="us-west-2",
        zone_name="US regions",
        zone=US_REGIONS,
    ),
    Residency.CA: ResidencyPolicy(
        residency=Residency.CA,
        jurisdiction="Canada",
        primary_region="ca-central-1",
        default_secondary_region="ca-west-1",
        zone_name="Canadian regions",
        zone=CANADIAN_REGIONS,
    ),
    Residency.DE: ResidencyPolicy(
        residency=Residency.DE,
        jurisdiction="Germany (DR copy elsewhere in the EU)",
        primary_region="eu-central-1",
        default_secondary_region="eu-west-1",
        zone_name="EU regions",
        zone=EU_REGIONS,
    ),
}

ALL_REGIONS = frozenset().union(*(p.zone for p in POLICIES.values()))

REGION_CITIES: dict[str, str] = {
    "us-east-1": "Northern Virginia, United States",
    "us-east-2": "Ohio, United States",
    "us-west-1": "Northern California, United States",
    "us-west-2": "Oregon, United States",
    "ca-central-1": "Montréal, Canada",
    "ca-west-1": "Calgary, Canada",
    "eu-central-1": "Frankfurt, Germany",
    "eu-west-1": "Dublin, Ireland",
    "eu-west-3": "Paris, France",
    "eu-north-1": "Stockholm, Sweden",
    "eu-south-1": "Milan, Italy",
    "eu-south-2": "Aragon, Spain",
}
"""Where each region of a zone is, for people choosing one (`tenantkit residency`)."""


def policy_for(residency: Residency | str) -> ResidencyPolicy:
    """The residency policy of a tenant; raises ValueError for an unknown residency."""
    return POLICIES[Residency(residency)]


def secondary_region(residency: Residency | str, override: str | None = None) -> str:
    """The tenant's DR region: the override when given and allowed, else the residency default."""
    policy = policy_for(residency)
    if override is None:
        return policy.default_secondary_region
    check_secondary_region(policy, override)
    return override


def check_secondary_region(policy: ResidencyPolicy, region: str) -> None:
    """Raise ValueError unless `region` may hold the DR copy of a tenant under `policy`."""
    if region == policy.primary_region:
        raise ValueError(
            f"{region} is the primary region; the replica must be in a different region"
        )
    if not policy.allows(region):
        allowed = ", ".join(sorted(policy.zone - {policy.primary_region}))
        raise ValueError(
            f"{region} is outside the {policy.zone_name} that residency "
            f"'{policy.residency.value}' allows; choose one of: {allowed}"
        )
