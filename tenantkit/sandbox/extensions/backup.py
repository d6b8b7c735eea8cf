"""AWS::Backup::BackupVault, BackupPlan and BackupSelection, in moto's Backup backend.

moto 5.2.5 defect: its CloudFormation has no AWS Backup model (the types are skipped, reported
CREATE_COMPLETE). Vaults (with their key and tags) and plans go to moto's Backup backend, so
`describe_backup_vault` / `get_backup_plan` see them. Selections go through the selection API
that `backup_jobs` adds to moto (moto has none), so `list_backup_selections` /
`get_backup_selection` see them. moto has no vault notifications: those are kept as records on
the Backup backend (`vault_notifications`), cleared by moto's reset.
"""

from __future__ import annotations

from typing import Any

from moto.backup.models import backup_backends
from moto.core.common_models import CloudFormationModel

from tenantkit.sandbox.extensions._base import BackedModel, records
from tenantkit.sandbox.extensions.backup_jobs import create_backup_selection, selections

__all__ = ["BackupPlan", "BackupSelection", "BackupVault", "selections", "vault_notifications"]


def _backend(account_id: str, region_name: str) -> Any:
    return backup_backends[account_id][region_name]


def vault_notifications(account_id: str, region_name: str) -> dict[str, dict[str, Any]]:
    """Each vault's Notifications (SNSTopicArn, BackupVaultEvents), by vault name (moto 5.2.5
    has no put_backup_vault_notifications)."""
    return records(_backend(account_id, region_name), "vault_notifications")


class BackupVault(BackedModel, CloudFormationModel):
    TYPE = "AWS::Backup::BackupVault"
    ATTRIBUTES = frozenset({"BackupVaultName", "BackupVaultArn"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> BackupVault:
        vault = _backend(account_id, region_name).create_backup_vault(
            backup_vault_name=p["BackupVaultName"],
            backup_vault_tags=p.get("BackupVaultTags", {}),
            encryption_key_arn=p.get("EncryptionKeyArn"),
            creator_request_id=None,
        )
        if "Notifications" in p:
            vault_notifications(account_id, region_name)[vault.backup_vault_name] = p["Notifications"]
        lock = p.get("LockConfiguration")
        if lock:
            _backend(account_id, region_name).put_backup_vault_lock_configuration(
                vault.backup_vault_name, lock.get("MinRetentionDays"), lock.get("MaxRetentionDays"), lock.get("ChangeableForDays")
            )
        return cls(
            vault.backup_vault_name,
            {"BackupVaultName": vault.backup_vault_name, "BackupVaultArn": vault.backup_vault_arn},
        )

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.physical_resource_id in backend.vaults:  # refused while it holds recovery points, as in AWS
            backend.delete_backup_vault(self.physical_resource_id)
        vault_notifications(account_id, region_name).pop(self.physical_resource_id, None)


def _api_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's BackupPlan shape (BackupPlanRule, TargetBackupVault) in the API's shape
    (Rules, TargetBackupVaultName), which moto's backend takes."""
    rules = [
        {("TargetBackupVaultName" if key == "TargetBackupVault" else key): value for key, value in rule.items()}
        for rule in plan.get("BackupPlanRule", [])
    ]
    others = {key: value for key, value in plan.items() if key != "BackupPlanRule"}
    return {**others, "Rules": rules}


class BackupPlan(BackedModel, CloudFormationModel):
    TYPE = "AWS::Backup::BackupPlan"
    ATTRIBUTES = frozenset({"BackupPlanId", "BackupPlanArn", "VersionId"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> BackupPlan:
        plan = _backend(account_id, region_name).create_backup_plan(
            backup_plan=_api_plan(p["BackupPlan"]),
            backup_plan_tags=p.get("BackupPlanTags", {}),
            creator_request_id=None,
        )
        attributes = {"BackupPlanId": plan.backup_plan_id, "BackupPlanArn": plan.backup_plan_arn, "VersionId": plan.version_id}
        return cls(plan.backup_plan_id, attributes)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        backend.delete_backup_plan(self.physical_resource_id)
        backend.plans.pop(self.physical_resource_id, None)  # moto only stamps a deletion date


class BackupSelection(BackedModel, CloudFormationModel):
    """Created through the selection API `backup_jobs` adds (moto 5.2.5 has none)."""

    TYPE = "AWS::Backup::BackupSelection"
    ATTRIBUTES = frozenset({"SelectionId", "BackupPlanId"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> BackupSelection:
        record = create_backup_selection(_backend(account_id, region_name), p["BackupPlanId"], p["BackupSelection"], None)
        return cls(record["SelectionId"], {"SelectionId": record["SelectionId"], "BackupPlanId": p["BackupPlanId"]})

    def delete(self, account_id: str, region_name: str) -> None:
        selections(account_id, region_name).pop(self.physical_resource_id, None)
