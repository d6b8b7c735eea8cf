"""The example tenants plus generated ones, and a fleet.yaml for them: shared by the rollout tests."""

from __future__ import annotations

from pathlib import Path

from tenantkit.config.scaffold import NewTenant, render_tenant_yaml
from tests.conftest import EXAMPLE_CONFIGS

RESIDENCIES = ("us", "ca", "de")
COUNTRIES = {"us": ["US"], "ca": ["CA"], "de": ["DE"]}
CONNECTION = "arn:aws:codestar-connections:us-east-1:999988887777:connection/12345678-1234-1234-1234-123456789012"
FLEET = f"""\
pipeline:
  account: "999988887777"
  source:
    repository: example/tenantkit-fleet
    branch: main
    connection_arn: {CONNECTION}
canary: [northwind-us, maple-ca]
"""


def write_fleet(root: Path, generated: int, fleet: str = FLEET) -> Path:
    """The four example tenants and `generated` more (residencies in turn) under root/tenant_configs,
    and fleet.yaml at root; returns the tenant directory."""
    directory = root / "tenant_configs"
    directory.mkdir(parents=True)
    for example in EXAMPLE_CONFIGS.glob("*.yaml"):
        (directory / example.name).write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    for index in range(generated):
        residency = RESIDENCIES[index % 3]
        request = NewTenant(
            tenant_id=f"gen-{index:03d}",
            residency=residency,
            cidrs=[f"10.{index // 256}.{index % 256}.0/24"],
            countries=COUNTRIES[residency],
            security_email=f"security@gen{index}.example",
            account=f"{100000000000 + index}" if index % 2 else None,
        )
        (directory / f"{request.tenant_id}.yaml").write_text(render_tenant_yaml(request), encoding="utf-8")
    (root / "fleet.yaml").write_text(fleet, encoding="utf-8")
    return directory
