"""AWS::KMS::Key `Tags` and `KeyPolicy` as CloudFormation writes them.

moto 5.2.5 defects:
- its CloudFormation key model hands the template's tags to the KMS tagger, which expects the
  API's TagKey/TagValue shape: `KeyError: 'TagKey'`, and the stack fails (seen as "Fn::GetAtt
  references undefined resource" on the key). The tags are reshaped before moto's own model
  creates the key.
- it stores the template's `KeyPolicy` object as the key's policy, where the KMS API keeps a JSON
  string: every later DescribeKey (or any call that checks the policy) fails with a 500
  (`json.loads` of a dict). The policy is serialized before moto creates the key.
"""

from __future__ import annotations

import json
from typing import Any

from moto.kms.models import Key

from tenantkit.sandbox.extensions._base import around_create


def _api_shapes(properties: dict[str, Any]) -> None:
    tags = properties.get("Tags")
    if tags and "Key" in tags[0]:
        properties["Tags"] = [{"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in tags]
    if isinstance(properties.get("KeyPolicy"), dict):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])


def patch() -> None:
    around_create(Key, before=_api_shapes)
