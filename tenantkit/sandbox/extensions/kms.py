"""AWS::KMS::Key `Tags` as CloudFormation writes them (Key/Value).

moto 5.2.5 defect: its CloudFormation key model hands the template's tags to the KMS tagger,
which expects the API's TagKey/TagValue shape: `KeyError: 'TagKey'`, and the stack fails (seen
as "Fn::GetAtt references undefined resource" on the key). The tags are reshaped before moto's
own model creates the key.
"""

from __future__ import annotations

from typing import Any

from moto.kms.models import Key

from tenantkit.sandbox.extensions._base import around_create


def _api_tags(properties: dict[str, Any]) -> None:
    tags = properties.get("Tags")
    if tags and "Key" in tags[0]:
        properties["Tags"] = [{"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in tags]


def patch() -> None:
    around_create(Key, before=_api_tags)
