"""fleet.yaml's rollout keys: pipeline, canary, waves, require_approval (strict, with lines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.config import ConfigError, load_fleet, validate_fleet
from tests.conftest import EXAMPLE_CONFIGS
from tests.rollout.fleet import CONNECTION, FLEET


def problems(root: Path, text: str) -> list[str]:
    (root / "fleet.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_fleet(root)
    return [str(issue).split(": ", 1)[1] for issue in raised.value.issues]


def test_the_rollout_keys_are_read(tmp_path: Path) -> None:
    (tmp_path / "fleet.yaml").write_text(FLEET + "require_approval: true\nwaves:\n  - {name: early, tenants: [rhein-de]}\n")
    settings = load_fleet(tmp_path)
    assert settings.pipeline is not None
    assert settings.pipeline.account == "999988887777"
    assert settings.pipeline.source.repository == "example/tenantkit-fleet"
    assert settings.pipeline.source.connection_arn == CONNECTION
    assert settings.pipeline.max_parallel == 5
    assert settings.canary == ["northwind-us", "maple-ca"]
    assert [(w.name, w.tenants) for w in settings.waves] == [("early", ["rhein-de"])]
    assert settings.require_approval is True


def test_defaults_without_the_keys(tmp_path: Path) -> None:
    settings = load_fleet(tmp_path)
    assert settings.pipeline is None and settings.canary == [] and settings.waves == []
    assert settings.require_approval is False


INVALID = [
    pytest.param(FLEET.replace('"999988887777"', "999988887777"), "pipeline.account", "quoted", id="unquoted-account"),
    pytest.param(FLEET.replace("  account:", "  regions: {de: eu-west-2}\n  account:"), "pipeline.regions", "outside the EU regions", id="region-outside-zone"),
    pytest.param(FLEET.replace(CONNECTION, "arn:aws:iam::999988887777:role/x"), "pipeline.source.connection_arn", "is not a connection ARN", id="not-a-connection"),
    pytest.param(FLEET.replace("example/tenantkit-fleet", "tenantkit-fleet"), "pipeline.source.repository", "pattern", id="repository-without-owner"),
    pytest.param(FLEET.replace("  account:", "  max_parallel: 0\n  account:"), "pipeline.max_parallel", "greater than or equal to 1", id="max-parallel-zero"),
    pytest.param(FLEET.replace("  account:", "  tooling_region: us-east-1\n  account:"), "pipeline.tooling_region", "", id="unknown-key"),
    pytest.param(FLEET + "waves:\n  - {name: canary, tenants: [rhein-de]}\n", "waves.0.name", "'canary' is the wave", id="wave-named-canary"),
    pytest.param(FLEET + "waves:\n  - {name: de, tenants: [rhein-de]}\n", "waves.0.name", "residency", id="wave-named-residency"),
    pytest.param(FLEET + "waves:\n  - {name: early, tenants: [maple-ca]}\n", "(file)", "'maple-ca' is in canary and in wave 'early'", id="tenant-twice"),
    pytest.param(FLEET + "waves:\n  - {name: a1, tenants: [rhein-de]}\n  - {name: a1, tenants: [polar-cg]}\n", "(file)", "wave name 'a1' is used twice", id="wave-name-twice"),
    pytest.param(FLEET + "require_approval: yes\n", "require_approval", "true or false", id="approval-not-bool"),
]


@pytest.mark.parametrize(("text", "field", "message"), INVALID)
def test_invalid_rollout_keys(tmp_path: Path, text: str, field: str, message: str) -> None:
    found = problems(tmp_path, text)
    assert any(line.startswith(field) and message in line for line in found), found


def test_validate_names_a_canary_tenant_that_does_not_exist(tmp_path: Path) -> None:
    (tmp_path / "fleet.yaml").write_text(FLEET.replace("maple-ca]", "maple-ca, nobody-here]"), encoding="utf-8")
    report = validate_fleet([EXAMPLE_CONFIGS], tmp_path)
    assert [str(issue) for issue in report.issues] == [
        f"{tmp_path / 'fleet.yaml'}:7: canary.2: no tenant 'nobody-here' among the valid tenant files"
    ]


def test_the_schema_is_strict_for_the_rollout_sections() -> None:
    from tenantkit.config.schema import fleet_json_schema

    definitions = fleet_json_schema()["$defs"]
    for name in ("Pipeline", "PipelineSource", "Wave"):
        assert definitions[name]["additionalProperties"] is False, name
    assert definitions["PipelineSource"]["properties"]["connection_arn"]["pattern"].startswith("^arn:aws")
