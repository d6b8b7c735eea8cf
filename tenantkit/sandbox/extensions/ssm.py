"""AWS::SSM::Parameter `Tags` as CloudFormation writes them (a map).

moto 5.2.5 defect: its CloudFormation parameter model passes the map to put_parameter, which
iterates it as a Key/Value list (TypeError, stack fails). The map is reshaped before moto's own
model creates the parameter.
"""

from __future__ import annotations

from typing import Any

from moto.ssm.models import Parameter

from tenantkit.sandbox.extensions._base import around_create, tag_list


def _tag_list(properties: dict[str, Any]) -> None:
    if isinstance(properties.get("Tags"), dict):
        properties["Tags"] = tag_list(properties["Tags"])


def patch() -> None:
    around_create(Parameter, before=_tag_list)
