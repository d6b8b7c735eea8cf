from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_backup as backup
from constructs import Construct

from tenantkit.constructs.backup import backup_service_role

SCHEDULES = {
    "daily": "cron(0 5 * * ? *)",
    "weekly": "cron(0 5 ? * SUN *)",
    "monthly": "cron(0 5 1 * ? *)",
}
"""When each restore-testing frequency runs: early Sunday (UTC) for weekly, off the backup rules'
busy hour and away from business hours in every residency."""
RESTORE_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Restore",
)
START_WINDOW_HOURS = 8
VALIDATION_WINDOW_HOURS = 2
"""How long a restored test resource is kept for validation before AWS Backup deletes it."""
SELECTION_WINDOW_DAYS = 7
"""Recovery points considered: the latest of the last week (hourly points always exist)."""


@dataclass(frozen=True, kw_only=True)
class TenantRestoreTestingProps:
    plan_name: str
    """Letters, digits and underscores, 1 to 50 (AWS Backup's RestoreTestingPlanName)."""
    schedule: str
    """One of SCHEDULES' keys."""
    vault_arn: str
    """The tenant's primary vault: the only vault the test may restore from."""
    database_arn: str
    bucket_arn: str
    db_subnet_group_name: str
    db_security_group_ids: Sequence[str]
    role_path: str
    """The tenant's IAM path (`/tenantkit/<id>/`): every role made here lives under it."""


class TenantRestoreTesting(Construct):
    """AWS Backup restore testing: on a schedule, the latest recovery point of the tenant's
    database and bucket is restored (the database into the tenant's isolated subnets and security
    group), kept for validation, then deleted by AWS Backup; each restore is told to the incident
    channel by the vault's notifications."""

    def __init__(self, scope: Construct, id: str, props: TenantRestoreTestingProps) -> None:
        super().__init__(scope, id)
        problems = []
        if props.schedule not in SCHEDULES:
            problems.append(f"schedule must be one of {', '.join(SCHEDULES)}")
        if not props.db_security_group_ids:
            problems.append("db_security_group_ids must name the database's security group")
        if problems:
            raise ValueError("; ".join(problems))
        self.plan = backup.CfnRestoreTestingPlan(
            self,
            "Plan",
            restore_testing_plan_name=props.plan_name,
            schedule_expression=SCHEDULES[props.schedule],
            start_window_hours=START_WINDOW_HOURS,
            recovery_point_selection=backup.CfnRestoreTestingPlan.RestoreTestingRecoveryPointSelectionProperty(
                algorithm="LATEST_WITHIN_WINDOW",
                include_vaults=[props.vault_arn],
                recovery_point_types=["SNAPSHOT"],
                selection_window_days=SELECTION_WINDOW_DAYS,
            ),
        )
        self.role = backup_service_role(
            self,
            "Role",
            RESTORE_POLICIES,
            "AWS Backup's own restore policy for RDS and S3, maintained by AWS; only the restore testing "
            "selections below use this role, each naming one of the tenant's resources.",
            path=props.role_path,
        )
        # Restore the database into the tenant's own isolated subnets and database security group,
        # never into a default VPC (AWS Backup Developer Guide, "Restore testing inferred metadata").
        overrides = {
            "dbsubnetgroupname": props.db_subnet_group_name,
            "vpcsecuritygroupids": Stack.of(self).to_json_string(list(props.db_security_group_ids)),
        }
        self.database_selection, self.files_selection = (
            backup.CfnRestoreTestingSelection(
                self,
                logical_id,
                restore_testing_plan_name=self.plan.ref,
                restore_testing_selection_name=name,
                protected_resource_type=resource_type,
                protected_resource_arns=[arn],
                iam_role_arn=self.role.role_arn,
                validation_window_hours=VALIDATION_WINDOW_HOURS,
                restore_metadata_overrides=metadata,
            )
            for logical_id, name, resource_type, arn, metadata in (
                ("Database", "database", "RDS", props.database_arn, overrides),
                ("Files", "files", "S3", props.bucket_arn, None),
            )
        )
