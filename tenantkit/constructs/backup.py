from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge

HOURLY = events.Schedule.cron(minute="0", hour="*", day="*", month="*", year="*")
SERVICE_ROLE_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
)


@dataclass(frozen=True, kw_only=True)
class TenantBackupProps:
    plan_name: str
    vault: backup.IBackupVault
    copy_vault_arn: str
    """The DR vault in the secondary region, by its deterministic ARN."""
    retention: Duration
    copy_retention: Duration
    resource_arns: Sequence[str]
    """The protected resources, named explicitly (no tag-based selection to drift)."""


class TenantBackup(Construct):
    """Hourly backups of the tenant's database and bucket into the tenant vault, each copied to the
    DR vault inside the residency zone."""

    def __init__(self, scope: Construct, id: str, props: TenantBackupProps) -> None:
        super().__init__(scope, id)
        problems = []
        if not props.resource_arns:
            problems.append("resource_arns must name the resources to back up")
        if not props.copy_vault_arn.startswith("arn:"):
            problems.append("copy_vault_arn must be an ARN")
        if problems:
            raise ValueError("; ".join(problems))

        self.plan = backup.BackupPlan(self, "Plan", backup_plan_name=props.plan_name)
        self.plan.add_rule(
            backup.BackupPlanRule(
                rule_name="Hourly",
                backup_vault=props.vault,
                schedule_expression=HOURLY,
                start_window=Duration.hours(1),
                completion_window=Duration.hours(2),
                delete_after=props.retention,
                copy_actions=[
                    backup.BackupPlanCopyActionProps(
                        destination_backup_vault=backup.BackupVault.from_backup_vault_arn(
                            self, "CopyVault", props.copy_vault_arn
                        ),
                        delete_after=props.copy_retention,
                    )
                ],
            )
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("backup.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(name) for name in SERVICE_ROLE_POLICIES
            ],
        )
        for name in SERVICE_ROLE_POLICIES:
            acknowledge(
                self.role,
                f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{name}]",
                "AWS Backup's own service-role policy, maintained by AWS as the service adds "
                "resource types; the selection below limits what the plan touches.",
            )
        self.selection = self.plan.add_selection(
            "Selection",
            backup_selection_name="tenant-data",
            role=self.role,
            resources=[backup.BackupResource.from_arn(arn) for arn in props.resource_arns],
        )
