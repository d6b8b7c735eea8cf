"""The JSON Schema of a tenant file, for editors (yaml-language-server) and reviewers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tenantkit.aws import atomic_write
from tenantkit.config.models import TenantConfig

SCHEMA_FILE_NAME = "tenant.schema.json"


def tenant_json_schema() -> dict[str, Any]:
    schema = TenantConfig.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tenantkit tenant file",
        **{key: value for key, value in schema.items() if key != "title"},
    }


def schema_text() -> str:
    return json.dumps(tenant_json_schema(), indent=2, sort_keys=False) + "\n"


def write_schema(directory: Path) -> Path:
    """Write the schema to `<directory>/tenant.schema.json` (atomically) and return its path."""
    target = directory / SCHEMA_FILE_NAME
    atomic_write(target, schema_text())
    return target
