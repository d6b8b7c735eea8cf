"""The names each stack's template declares for the tenant's named resources, resolved for the
account and region the stack deploys to."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tenantkit.compliance.assembly import stack_artifacts
from tenantkit.lifecycle.inventory.model import Declared


def declared_resources(assembly_dir: Path, stack_names: Sequence[str], account: str) -> list[Declared]:
    """The named, data-holding and protective resources each stack declares, names resolved for
    `account` and the stack's region."""
    found = []
    for artifact in stack_artifacts(assembly_dir, stack_names):
        template = artifact.template()
        names: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        protects = []
        for resource in template.get("Resources", {}).values():
            props = resource.get("Properties", {})
            if resource["Type"] == "AWS::WAFv2::WebACLAssociation":
                arn = _literal(props.get("ResourceArn"), account, artifact.region)
                if arn is not None:
                    protects.append(arn)
            key = _NAME_PROPERTY.get(resource["Type"])
            if key is None:
                continue
            value = props.get("BackupPlan", {}).get(key) if resource["Type"] == "AWS::Backup::BackupPlan" else props.get(key)
            name = _literal(value, account, artifact.region)
            if name is not None:
                names.setdefault(resource["Type"], []).append((name, props))
        found.append(Declared(artifact.name, artifact.region, names, tuple(protects)))
    return found


_NAME_PROPERTY = {
    "AWS::KMS::Alias": "AliasName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::Backup::BackupVault": "BackupVaultName",
    "AWS::Backup::BackupPlan": "BackupPlanName",
    "AWS::WAFv2::WebACL": "Name",
    "AWS::WAFv2::IPSet": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::SQS::Queue": "QueueName",
}


def _literal(value: Any, account: str, region: str) -> str | None:
    """A template value as the string it becomes once deployed, when it is built from literals,
    the account and the region only; None otherwise."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value.get("Ref") == "AWS::AccountId":
        return account
    if isinstance(value, dict) and value.get("Ref") == "AWS::Region":
        return region
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        rendered = [_literal(part, account, region) for part in parts]
        return None if any(part is None for part in rendered) else separator.join(rendered)
    return None
