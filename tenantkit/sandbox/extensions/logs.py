"""AWS::Logs::LogGroup `KmsKeyId`, which moto's CloudFormation drops.

moto 5.2.5 defect: its CloudFormation log group passes the template's properties to
`create_log_group`, which reads the key as `kmsKeyId` (the API's spelling); the template's
`KmsKeyId` is ignored, so every log group comes out unencrypted. The key is handed over under
the name moto reads.
"""

from __future__ import annotations

from typing import Any

from moto.logs.models import LogGroup

from tenantkit.sandbox.extensions._base import around_create


def _api_key_name(properties: dict[str, Any]) -> None:
    if "KmsKeyId" in properties:
        properties["kmsKeyId"] = properties["KmsKeyId"]


def patch() -> None:
    around_create(LogGroup, before=_api_key_name)
