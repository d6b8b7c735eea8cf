"""Real availability-zone names for the regions tenants use, so a synth with a known account never
falls back to CDK's `dummy1a` placeholders (which neither AWS nor moto accept).

`a` and `b` exist in every account in these regions. A real lookup (`cdk context`) in
cdk.context.json wins over this table: it is only used where the context has no entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tenantkit.config.residency import ALL_REGIONS

KNOWN_AZS: Mapping[str, tuple[str, ...]] = {region: (f"{region}a", f"{region}b") for region in sorted(ALL_REGIONS)}


def az_context_key(account: str, region: str) -> str:
    """The context key CDK reads a stack's availability zones from."""
    return f"availability-zones:account={account}:region={region}"


def seeded_az_context(
    accounts_and_regions: Iterable[tuple[str, str]], existing: Mapping[str, object] | None = None
) -> dict[str, list[str]]:
    """Context entries for every (account, region) pair the existing context does not cover."""
    existing = existing or {}
    seeded: dict[str, list[str]] = {}
    for account, region in accounts_and_regions:
        key = az_context_key(account, region)
        if key not in existing:
            seeded[key] = list(KNOWN_AZS[region])
    return seeded
