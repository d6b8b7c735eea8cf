"""The JSON Schemas of a tenant file and of fleet.yaml, for editors (yaml-language-server) and
reviewers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tenantkit.aws import atomic_write
from tenantkit.config.models import TenantConfig

SCHEMA_FILE_NAME = "tenant.schema.json"
FLEET_SCHEMA_FILE_NAME = "fleet.schema.json"


def _json_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        **{key: value for key, value in schema.items() if key != "title"},
    }


def tenant_json_schema() -> dict[str, Any]:
    return _json_schema(TenantConfig, "tenantkit tenant file")


def fleet_json_schema() -> dict[str, Any]:
    from tenantkit.config.fleet_models import FleetSettings

    return _json_schema(FleetSettings, "tenantkit fleet settings (fleet.yaml)")


def schema_text() -> str:
    return json.dumps(tenant_json_schema(), indent=2, sort_keys=False) + "\n"


def fleet_schema_text() -> str:
    return json.dumps(fleet_json_schema(), indent=2, sort_keys=False) + "\n"


def _write(target: Path, text: str) -> Path:
    atomic_write(target, text)
    return target


def write_schema(directory: Path) -> Path:
    """Write the schema to `<directory>/tenant.schema.json` (atomically) and return its path."""
    return _write(directory / SCHEMA_FILE_NAME, schema_text())


def write_fleet_schema(root: Path) -> Path:
    """Write the fleet.yaml schema to `<root>/fleet.schema.json` (atomically); return its path."""
    return _write(root / FLEET_SCHEMA_FILE_NAME, fleet_schema_text())
