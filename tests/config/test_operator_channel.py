"""fleet.yaml `operator_channel`: per residency zone, the operators' SNS topics, one per region,
inside the zone; `validate` names a tenant region with no topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.config import ConfigError, FleetSettings, load_fleet, validate_fleet

US_EAST = "arn:aws:sns:us-east-1:999988887777:tenantkit-operators"
US_WEST = "arn:aws:sns:us-west-2:999988887777:tenantkit-operators"


def write_fleet(root: Path, text: str) -> Path:
    path = root / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_none_by_default() -> None:
    assert FleetSettings().operator_channel == {}
    assert FleetSettings().operator_topics("us") == []


def test_topics_are_read_per_zone(tmp_path: Path) -> None:
    write_fleet(tmp_path, f"operator_channel:\n  us:\n    - {US_EAST}\n    - {US_WEST}\n")
    settings = load_fleet(tmp_path)
    assert settings.operator_topics("us") == [US_EAST, US_WEST]
    assert settings.operator_topics("de") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"operator_channel:\n  de:\n    - {US_EAST}\n", "1: operator_channel: de: " + US_EAST + " is outside the EU regions", id="outside-zone"),
        pytest.param(
            f"operator_channel:\n  us:\n    - {US_EAST}\n    - {US_EAST.replace('operators', 'other')}\n",
            "1: operator_channel: us: one topic per region", id="two-in-a-region",
        ),
        pytest.param("operator_channel:\n  us:\n    - security@example.com\n", "3: operator_channel.us.0: ", id="not-an-arn"),
        pytest.param("operator_channel:\n  us: []\n", "2: operator_channel.us: ", id="empty"),
        pytest.param(f"operator_channel:\n  eu:\n    - {US_EAST}\n", "operator_channel.eu", id="unknown-zone"),
    ],
)  # fmt: skip
def test_bad_channels_name_the_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = write_fleet(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_fleet(tmp_path)
    (found,) = [str(issue) for issue in raised.value.issues]
    assert found.startswith(f"{path}:"), found
    assert expected in found, found


def test_validate_names_a_tenant_region_without_a_topic(tmp_path: Path, write_tenant, tenant_data) -> None:
    tenant = write_tenant(tenant_data)  # acme-corp, us: us-east-1 and us-west-2
    path = write_fleet(tmp_path, f"operator_channel:\n  us:\n    - {US_EAST}\n")
    report = validate_fleet([tenant.parent], tmp_path)
    assert [str(issue) for issue in report.issues] == [
        f"{path}:2: operator_channel.us: no topic in us-west-2, where tenant 'acme-corp' has stacks"
    ]


def test_validate_passes_when_every_tenant_region_has_a_topic(tmp_path: Path, write_tenant, tenant_data) -> None:
    tenant = write_tenant(tenant_data)
    write_fleet(tmp_path, f"operator_channel:\n  us:\n    - {US_EAST}\n    - {US_WEST}\n")
    assert validate_fleet([tenant.parent], tmp_path).ok
