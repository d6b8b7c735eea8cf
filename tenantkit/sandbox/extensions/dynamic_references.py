"""`{{resolve:secretsmanager:...}}` and `{{resolve:ssm:...}}` in template values.

moto 5.2.5 defect: `moto.cloudformation.parsing.clean_json` leaves dynamic references as literal
text, so a DB instance's MasterUserPassword is `{{resolve:secretsmanager:...}}`. Every value
moto's template engine produces passes through `clean_json` (it calls itself by its module
name), so wrapping it resolves references wherever they appear, after Fn::Join and friends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing
from moto.ssm.models import ssm_backends

from tenantkit.sandbox.extensions import secretsmanager
from tenantkit.sandbox.extensions._base import wrap

REFERENCE = re.compile(r"\{\{resolve:((?:secretsmanager|ssm):[^}]+)\}\}")


def resolve_references(text: str, account_id: str, region_name: str) -> str:
    """`text` with each dynamic reference replaced by the value it names."""

    def value(match: re.Match[str]) -> str:
        reference = match.group(1)
        if reference.startswith("secretsmanager:"):
            return secretsmanager.resolve(account_id, region_name, reference)
        _, name, *version = reference.split(":")
        label = f"{name}:{version[0]}" if version else name
        parameter = ssm_backends[account_id][region_name].get_parameter(label)
        if parameter is None:
            raise ValueError(f"{{{{resolve:{reference}}}}}: no such SSM parameter")
        return parameter.value

    return REFERENCE.sub(value, text)


def _clean_json(original: Callable[..., Any]) -> Callable[..., Any]:
    def clean(resource_json: Any, resources_map: Any) -> Any:
        cleaned = original(resource_json, resources_map)
        if isinstance(cleaned, str) and "{{resolve:" in cleaned:
            return resolve_references(cleaned, resources_map["AWS::AccountId"], resources_map["AWS::Region"])
        return cleaned

    return clean


def patch() -> None:
    wrap(parsing, "clean_json", _clean_json)
