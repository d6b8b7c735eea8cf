"""AWS::SecretsManager::Secret and SecretTargetAttachment in moto's Secrets Manager backend, and
the `{{resolve:secretsmanager:...}}` dynamic reference.

moto 5.2.5 defects: its CloudFormation has no Secrets Manager model (skipped, reported
CREATE_COMPLETE; a Ref to the secret resolves to None; the same for a secret's ResourcePolicy and
RotationSchedule), and it leaves dynamic references in
property values unresolved (an RDS instance gets the literal `{{resolve:...}}` text as its
password). A secret's GenerateSecretString is generated with the backend's own
get_random_password, its ReplicaRegions become moto replica secrets, and a target attachment adds
the database's engine, host, port and identifier to the secret, as AWS does.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.rds.models import rds_backends
from moto.secretsmanager.models import secretsmanager_backends

from tenantkit.sandbox.extensions._base import BackedModel

ARN_PARTS = 7  # arn:aws:secretsmanager:region:account:secret:name


def _backend(account_id: str, region_name: str) -> Any:
    return secretsmanager_backends[account_id][region_name]


def _generated(backend: Any, spec: dict[str, Any]) -> str:
    password = json.loads(
        backend.get_random_password(
            password_length=int(spec.get("PasswordLength", 32)),
            exclude_characters=spec.get("ExcludeCharacters", ""),
            exclude_numbers=bool(spec.get("ExcludeNumbers", False)),
            exclude_punctuation=bool(spec.get("ExcludePunctuation", False)),
            exclude_uppercase=bool(spec.get("ExcludeUppercase", False)),
            exclude_lowercase=bool(spec.get("ExcludeLowercase", False)),
            include_space=bool(spec.get("IncludeSpace", False)),
            require_each_included_type=bool(spec.get("RequireEachIncludedType", True)),
        )
    )["RandomPassword"]
    if "SecretStringTemplate" not in spec:
        return password
    return json.dumps({**json.loads(spec["SecretStringTemplate"]), spec["GenerateStringKey"]: password})


class Secret(BackedModel, CloudFormationModel):
    TYPE = "AWS::SecretsManager::Secret"
    ATTRIBUTES = frozenset({"Id"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> Secret:
        backend = _backend(account_id, region_name)
        value = p.get("SecretString")
        if value is None and "GenerateSecretString" in p:
            value = _generated(backend, p["GenerateSecretString"])
        created = json.loads(
            backend.create_secret(
                name=p.get("Name", resource_name),
                secret_string=value,
                secret_binary=None,
                description=p.get("Description"),
                tags=p.get("Tags", []),
                kms_key_id=p.get("KmsKeyId"),
                client_request_token=None,
                replica_regions=p.get("ReplicaRegions", []),
                force_overwrite=False,
            )
        )
        return cls(created["ARN"], {"Id": created["ARN"]})

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        secret = backend.secrets.get(self.physical_resource_id)
        for replica in getattr(secret, "replicas", []):
            _backend(account_id, replica.region).secrets.pop(replica.arn, None)
        backend.delete_secret(self.physical_resource_id, None, True)


class SecretTargetAttachment(BackedModel, CloudFormationModel):
    TYPE = "AWS::SecretsManager::SecretTargetAttachment"
    ATTRIBUTES = frozenset({"Id"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> SecretTargetAttachment:
        if p["TargetType"] != "AWS::RDS::DBInstance":
            raise NotImplementedError(f"tenantkit sandbox: secret attachment to {p['TargetType']}")
        (db,) = rds_backends[account_id][region_name].describe_db_instances(p["TargetId"])
        backend = _backend(account_id, region_name)
        current = json.loads(backend.get_secret_value(p["SecretId"], None, None)["SecretString"])
        connection = {"engine": db.engine, "host": db.address, "port": db.port, "dbInstanceIdentifier": db.db_instance_identifier}
        backend.put_secret_value(p["SecretId"], json.dumps({**current, **connection}), None, None, ["AWSCURRENT"])
        return cls(p["SecretId"], {"Id": p["SecretId"]})

    def delete(self, account_id: str, region_name: str) -> None:
        """AWS leaves the secret's value as it is when the attachment goes."""


class ResourcePolicy(BackedModel, CloudFormationModel):
    """The secret's resource policy, stored by moto's PutResourcePolicy (which moto never
    evaluates: the sandbox's refusals come from tenantkit's policy evaluator)."""

    TYPE = "AWS::SecretsManager::ResourcePolicy"
    ATTRIBUTES = frozenset({"Id"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> ResourcePolicy:
        policy = p["ResourcePolicy"]
        _backend(account_id, region_name).put_resource_policy(
            p["SecretId"], policy if isinstance(policy, str) else json.dumps(policy)
        )
        return cls(p["SecretId"], {"Id": p["SecretId"]})

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.physical_resource_id in backend.secrets:
            backend.delete_resource_policy(self.physical_resource_id)


class RotationSchedule(BackedModel, CloudFormationModel):
    """Rotation recorded, never run: the secret reports its function and schedule (DescribeSecret's
    RotationEnabled, RotationLambdaARN, RotationRules), but no rotation happens, where AWS rotates
    once on creation. moto runs a Lambda only in Docker, absent from the sandbox: the rotation
    function is tested in-process instead (tests/rotation)."""

    TYPE = "AWS::SecretsManager::RotationSchedule"
    ATTRIBUTES = frozenset({"Id"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> RotationSchedule:
        secret = _backend(account_id, region_name).secrets[p["SecretId"]]
        rules = p.get("RotationRules", {})
        days = int(rules.get("AutomaticallyAfterDays", 0))
        secret.rotation_lambda_arn = p.get("RotationLambdaARN", "")
        secret.auto_rotate_after_days = days
        secret.rotation_enabled = True
        secret.rotation_requested = True  # moto describes rotation only once this is set
        return cls(p["SecretId"], {"Id": p["SecretId"]})

    def delete(self, account_id: str, region_name: str) -> None:
        secret = _backend(account_id, region_name).secrets.get(self.physical_resource_id)
        if secret is not None:
            secret.rotation_enabled = False
            secret.rotation_requested = False
            secret.rotation_lambda_arn = ""
            secret.auto_rotate_after_days = 0


def resolve(account_id: str, region_name: str, reference: str) -> str:
    """The value of `secretsmanager:<secret-id>:SecretString:<json-key>:<stage>:<version-id>`
    (the text between `{{resolve:` and `}}`); every part after the id is optional."""
    parts = reference.split(":")[1:]
    cut = ARN_PARTS if parts[0] == "arn" else 1
    secret_id, rest = ":".join(parts[:cut]), parts[cut:] + [""] * 4
    _, json_key, stage, version_id = rest[:4]
    value = _backend(account_id, region_name).get_secret_value(secret_id, version_id or None, stage or None)
    text = value["SecretString"]
    return str(json.loads(text)[json_key]) if json_key else text
