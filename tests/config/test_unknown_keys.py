"""An unknown key is an error in every section of a tenant file, named by its field path (in the
model and in the line `tenantkit validate` prints) — not only a difference in the schema snapshot."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from tenantkit.config import validate_paths
from tenantkit.config.models import TenantConfig
from tests.conftest import MINIMAL_TENANT

SECTIONS = ("contacts", "access", "database", "backup", "availability", "replica", "subscription", "offboarding", "compliance")


def test_the_table_names_every_section_of_the_tenant_file() -> None:
    sections = {
        name
        for name, field in TenantConfig.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
    }
    assert sections == set(SECTIONS)


def _with_extra(section: str | None, key: str = "surprise") -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL_TENANT)
    (data if section is None else data.setdefault(section, {}))[key] = True
    return data


@pytest.mark.parametrize("section", [None, *SECTIONS], ids=["(top level)", *SECTIONS])
def test_an_unknown_key_is_rejected_at_its_path(section: str | None) -> None:
    with pytest.raises(ValidationError) as raised:
        TenantConfig.model_validate(_with_extra(section))
    found = [(".".join(map(str, e["loc"])), e["type"]) for e in raised.value.errors()]
    path = "surprise" if section is None else f"{section}.surprise"
    assert found == [(path, "extra_forbidden")]


@pytest.mark.parametrize("section", SECTIONS)
def test_validate_names_the_unknown_key_and_what_is_allowed(
    section: str, write_tenant: Callable[..., Path]
) -> None:
    path = write_tenant(_with_extra(section, key="extra_setting"))
    (issue,) = validate_paths([path.parent]).issues
    allowed = ", ".join(TenantConfig.model_fields[section].annotation.model_fields)
    assert issue.path == f"{section}.extra_setting"
    assert issue.message == f"unknown field; allowed here: {allowed}"


def test_tags_are_free_keys_not_a_section() -> None:
    data = copy.deepcopy(MINIMAL_TENANT)
    data["tags"] = {"surprise": "yes"}
    assert TenantConfig.model_validate(data).tags == {"surprise": "yes"}
