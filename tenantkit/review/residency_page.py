"""`tenantkit residency`: the one page a sales engineer needs to choose a residency and promise
only what is true. Generated from the residency table the stacks use
(`tenantkit.config.residency`), the copy promises (`tenantkit.config.promises`) and the tenant
file `tenantkit new` would write, so that it cannot drift from what is built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tenantkit.config.loader import load_text
from tenantkit.config.models import Compliance, TenantConfig
from tenantkit.config.promises import copy_promises, secondary_region_rpo
from tenantkit.config.residency import POLICIES, REGION_CITIES, Residency, ResidencyPolicy
from tenantkit.config.scaffold import NewTenant, render_tenant_yaml

EXAMPLE_ID = "example"


def residency_page(residency: str | None = None) -> dict[str, Any]:
    """Every residency option (or the one named), as data for the page templates."""
    chosen = [Residency(residency)] if residency else list(Residency)
    return {"options": [_option(POLICIES[one]) for one in chosen]}


def _where(region: str) -> str:
    return f"{region} ({REGION_CITIES.get(region, 'location not recorded')})"


def new_tenant(residency: Residency, *, controlled_goods: bool = False) -> TenantConfig:
    """The tenant `tenantkit new --residency <residency>` would create, defaults and all."""
    request = NewTenant(
        tenant_id=EXAMPLE_ID, residency=residency.value, cidrs=["192.0.2.0/24"], countries=["US"],
        security_email="security@example.com", controlled_goods=controlled_goods,
    )
    config, issues = load_text(render_tenant_yaml(request), Path(f"{EXAMPLE_ID}.yaml"))
    if config is None:
        raise ValueError("; ".join(str(issue) for issue in issues))
    return config


def _option(policy: ResidencyPolicy) -> dict[str, Any]:
    config = new_tenant(policy.residency)
    others = sorted(policy.zone - {policy.primary_region, policy.default_secondary_region})
    copies = [
        {"store": p.store, "copy": p.copy, "where": _where(p.region), "rpo": p.rpo, "kept": p.kept}
        for p in copy_promises(config)
    ]
    return {
        "residency": policy.residency.value,
        "jurisdiction": policy.jurisdiction,
        "zone_name": policy.zone_name,
        "zone": [_where(region) for region in sorted(policy.zone)],
        "primary": _where(policy.primary_region),
        "secondary": _where(policy.default_secondary_region),
        "other_secondaries": [_where(region) for region in others],
        "copies": copies,
        "secondary_rpo": secondary_region_rpo(config),
        "controlled_goods": _controlled_goods(policy),
        "caveats": _caveats(policy, config),
    }


def _controlled_goods(policy: ResidencyPolicy) -> str:
    rule = Compliance.model_fields["controlled_goods"].description
    try:
        new_tenant(policy.residency, controlled_goods=True)
    except ValueError:
        return f"Not available with this residency. {rule}"
    return (
        f"Available. {rule} Every copy listed here is already in {policy.zone_name} "
        f"({', '.join(sorted(policy.zone))}); the tenant is marked (CGP) in `tenantkit list`."
    )


def _countries(regions: frozenset[str] | list[str]) -> set[str]:
    return {REGION_CITIES.get(region, region).rsplit(", ", 1)[-1] for region in regions}


def _caveats(policy: ResidencyPolicy, config: TenantConfig) -> list[str]:
    caveats = []
    (country,) = _countries([policy.primary_region])
    if [region for region in policy.zone if _countries([region]) == {country}] == [policy.primary_region]:
        caveats.append(
            f"AWS has one region in {country}: the secondary copies (replica database, replicated files, "
            f"backup copies) live elsewhere in the {policy.zone_name}, by default "
            f"{_where(policy.default_secondary_region)}. Promise \"{policy.zone_name}\", not \"{country} only\"."
        )
    if config.replica_instance_class != config.database.instance_class:
        caveats.append(
            f"{policy.default_secondary_region} does not offer {config.database.instance_class}: the read replica runs "
            f"on {config.replica_instance_class} (plan failover capacity with that class)."
        )
    caveats.append(
        "Multi-AZ is the default: snapshots are then taken from the standby and the hourly backups never pause "
        "the database. A Single-AZ database pauses I/O briefly at every snapshot (24 times a day); tenantkit "
        "refuses it unless the tenant file records that the customer accepts this, with a reason "
        "(availability.accept_io_pause_on_backups), and the security review flags such a tenant."
    )
    caveats.append(
        "Recovery points (RPO) are what the services promise, not a guarantee of this product; the read "
        "replica is asynchronous."
    )
    caveats.append(
        f"The secondary region can be any other region of the {policy.zone_name}; regions outside it are refused "
        "when the tenant file is validated."
    )
    return caveats
