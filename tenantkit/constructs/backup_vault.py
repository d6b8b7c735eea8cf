from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from aws_cdk import RemovalPolicy
from aws_cdk import aws_backup as backup
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from tenantkit.constructs.tenant_roles import TenantPrincipals, deny_everyone, not_offboarding

# Backup reports a failed job as BACKUP_JOB_COMPLETED with state FAILED (the *_FAILED backup
# events are deprecated); COPY_JOB_FAILED is still emitted. The incident channel's subscription
# filters out the jobs that completed.
# Every restore out of the vault is data leaving it: a started restore is always told, a completed
# one only when it did not succeed (the same filter). The weekly restore test is among them.
NOTIFIED_EVENTS = (
    "BACKUP_JOB_COMPLETED",
    "COPY_JOB_FAILED",
    "S3_BACKUP_OBJECT_FAILED",
    "RESTORE_JOB_STARTED",
    "RESTORE_JOB_COMPLETED",
)


@dataclass(frozen=True, kw_only=True)
class TenantBackupVaultProps:
    vault_name: str
    key: kms.IKey
    principals: TenantPrincipals
    copy_targets: Sequence[str]
    """The vault ARNs a copy out of this vault may go to (the tenant's vaults in its residency
    zone); a copy anywhere else is refused."""
    incident_topic: sns.ITopic | None = None


# What destroys or moves recovery points, or unlocks the vault: the offboarding role's alone.
DESTROY_ACTIONS = (
    "backup:DeleteRecoveryPoint",
    "backup:UpdateRecoveryPointLifecycle",
    "backup:PutBackupVaultAccessPolicy",
    "backup:DeleteBackupVaultAccessPolicy",
    "backup:DeleteBackupVault",
    "backup:DeleteBackupVaultNotifications",
)


class TenantBackupVault(Construct):
    """A backup vault encrypted with the tenant key, retained, reporting failed jobs and every
    restore to the tenant's incident channel; its access policy lets only the offboarding role
    delete recovery points or the vault, and copies go only to the tenant's vaults in its zone."""

    def __init__(self, scope: Construct, id: str, props: TenantBackupVaultProps) -> None:
        super().__init__(scope, id)
        self.vault = backup.BackupVault(
            self,
            "Vault",
            backup_vault_name=props.vault_name,
            encryption_key=props.key,
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        # backup:CopyTargets is the destination vault of StartCopyJob (and of a plan's copy
        # action, which AWS Backup starts as the plan's role): ForAnyValue so a copy to any vault
        # not listed is refused. Source: AWS Backup Developer Guide, "Condition keys for AWS Backup".
        self.vault.add_to_access_policy(
            deny_everyone("OnlyOffboardingDestroys", DESTROY_ACTIONS, ["*"], not_offboarding(props.principals))
        )
        self.vault.add_to_access_policy(
            deny_everyone(
                "CopiesStayInTheZone",
                ["backup:StartCopyJob", "backup:CopyIntoBackupVault"],
                ["*"],
                {"ForAnyValue:ArnNotLike": {"backup:CopyTargets": list(props.copy_targets)}, **not_offboarding(props.principals)},
            )
        )
        if props.incident_topic is not None:
            # Set on the L1: the L2's notification_topic would also grant backup.amazonaws.com the
            # tenant key and the topic without a source-account condition. The incident channel
            # grants both, scoped to this account.
            vault = cast(backup.CfnBackupVault, self.vault.node.default_child)
            vault.notifications = backup.CfnBackupVault.NotificationObjectTypeProperty(
                backup_vault_events=list(NOTIFIED_EVENTS),
                sns_topic_arn=props.incident_topic.topic_arn,
            )


