from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration, Stack
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge

HOURLY = events.Schedule.cron(minute="30", hour="*", day="*", month="*", year="*")
"""The hourly snapshot tier: at half past, so that its window never starts with the continuous
rule's (AWS Backup merges rules whose windows overlap, keeping the longest retention)."""
CONTINUOUS = events.Schedule.cron(minute="0", hour="1", day="*", month="*", year="*")
"""The continuous rule's job only refreshes its one continuous recovery point ("The continuous
backup plan creates one continuous recovery point and updates that recovery point whenever the job
runs", AWS Backup Developer Guide, "Continuous backups and point-in-time restore"); point-in-time
restore comes from the transaction logs, not from this schedule. Once a day is enough, and keeps it
off the hourly tier's jobs (AWS Backup runs one job per resource at a time, "Quotas")."""
DAILY = events.Schedule.cron(minute="30", hour="3", day="*", month="*", year="*")
MAX_CONTINUOUS_DAYS = 35  # AWS Backup keeps continuous backups (point-in-time restore) 1 to 35 days
# Backups only: restores are an operator's deliberate act, with a role of their own.
SERVICE_ROLE_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "AWSBackupServiceRolePolicyForS3Backup",
)


def backup_service_role(scope: Construct, id: str, policy_names: Sequence[str], why: str, *, path: str) -> iam.Role:
    """A role only AWS Backup of this account may assume (the confused-deputy condition), with
    AWS's managed policies `policy_names`, each acknowledged to cdk-nag with `why`."""
    role = iam.Role(
        scope,
        id,
        path=path,
        assumed_by=iam.ServicePrincipal(
            "backup.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}
        ),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(name) for name in policy_names],
    )
    for name in policy_names:
        acknowledge(role, f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{name}]", why)
    return role


@dataclass(frozen=True, kw_only=True)
class BackupTiers:
    """How long each tier keeps its recovery points."""

    hourly: Duration
    """Hourly snapshots: short, so that snapshots per resource stay within RDS's quota."""
    daily: Duration
    """Daily snapshots: the retention promise."""
    copies: Duration
    """Copies of the daily snapshots in the DR vault."""
    copy_hourly: bool = True
    """Copy the hourly snapshots to the DR vault too (kept as long as `hourly`)."""
    continuous: Duration
    """Point-in-time restore window (1 to 35 days)."""


@dataclass(frozen=True, kw_only=True)
class TenantBackupProps:
    plan_name: str
    vault: backup.IBackupVault
    copy_vault_arn: str
    """The DR vault in the secondary region, by its deterministic ARN."""
    tiers: BackupTiers
    resource_arns: Sequence[str]
    """The protected resources, named explicitly (no tag-based selection to drift)."""
    role_path: str
    """The tenant's IAM path (`/tenantkit/<id>/`): every role made here lives under it."""


class TenantBackup(Construct):
    """The tenant's database and bucket backed up every hour: continuous backup (point-in-time
    restore) where AWS Backup supports it, hourly snapshots kept briefly (and copied to the DR vault
    unless the tenant opts out), daily snapshots kept for the retention promise and copied to the DR
    vault inside the residency zone."""

    def __init__(self, scope: Construct, id: str, props: TenantBackupProps) -> None:
        super().__init__(scope, id)
        problems = []
        if not props.resource_arns:
            problems.append("resource_arns must name the resources to back up")
        if not props.copy_vault_arn.startswith("arn:"):
            problems.append("copy_vault_arn must be an ARN")
        if not 1 <= props.tiers.continuous.to_days() <= MAX_CONTINUOUS_DAYS:
            problems.append(f"the continuous tier keeps 1 to {MAX_CONTINUOUS_DAYS} days")
        if problems:
            raise ValueError("; ".join(problems))

        tiers = props.tiers
        copy_vault = backup.BackupVault.from_backup_vault_arn(self, "CopyVault", props.copy_vault_arn)
        self.plan = backup.BackupPlan(self, "Plan", backup_plan_name=props.plan_name)
        self.plan.add_rule(
            backup.BackupPlanRule(
                rule_name="Continuous",
                backup_vault=props.vault,
                schedule_expression=CONTINUOUS,
                enable_continuous_backup=True,
                start_window=Duration.hours(1),
                completion_window=Duration.hours(2),
                delete_after=tiers.continuous,
            )
        )
        self.plan.add_rule(
            backup.BackupPlanRule(
                rule_name="Hourly",
                backup_vault=props.vault,
                schedule_expression=HOURLY,
                start_window=Duration.hours(1),
                completion_window=Duration.hours(2),
                delete_after=tiers.hourly,
                copy_actions=[
                    backup.BackupPlanCopyActionProps(destination_backup_vault=copy_vault, delete_after=tiers.hourly)
                ]
                if tiers.copy_hourly
                else None,
            )
        )
        self.plan.add_rule(
            backup.BackupPlanRule(
                rule_name="Daily",
                backup_vault=props.vault,
                schedule_expression=DAILY,
                start_window=Duration.hours(1),
                completion_window=Duration.hours(4),
                delete_after=tiers.daily,
                copy_actions=[backup.BackupPlanCopyActionProps(destination_backup_vault=copy_vault, delete_after=tiers.copies)],
            )
        )
        self.role = backup_service_role(
            self,
            "Role",
            SERVICE_ROLE_POLICIES,
            "AWS Backup's own backup (not restore) policy for RDS and S3, maintained by AWS as the "
            "services change; the selection below limits what the plan touches.",
            path=props.role_path,
        )
        self.selection = self.plan.add_selection(
            "Selection",
            backup_selection_name="tenant-data",
            role=self.role,
            resources=[backup.BackupResource.from_arn(arn) for arn in props.resource_arns],
        )
