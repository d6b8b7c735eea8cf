from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

# Key administration without use: an administrator can manage the key but not decrypt with it.
ADMIN_ACTIONS = (
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
)
USE_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
    "kms:CreateGrant",
    "kms:ListGrants",
)
# Services whose data-holding resources use the key through the account's principals.
VIA_SERVICES = ("rds", "s3", "backup", "secretsmanager", "sns")


@dataclass(frozen=True, kw_only=True)
class TenantKeyProps:
    alias: str
    """`alias/tenantkit/<id>`: the same alias in both regions, so other stacks find the key."""
    tenant_log_group_arns: Sequence[str]
    """CloudWatch Logs may use the key only for these log groups (ARN patterns)."""
    description: str


class TenantKey(Construct):
    """The tenant's own KMS key: rotated, retained, usable only by this account through the
    services that hold the tenant's data, by CloudWatch Logs for the tenant's log groups, and by
    the services that publish to its incident topic."""

    def __init__(self, scope: Construct, id: str, props: TenantKeyProps) -> None:
        super().__init__(scope, id)
        problems = []
        if not props.alias.startswith("alias/"):
            problems.append(f"alias must start with 'alias/': {props.alias}")
        if not props.tenant_log_group_arns:
            problems.append("tenant_log_group_arns must name at least one log group")
        if problems:
            raise ValueError("; ".join(problems))

        stack = Stack.of(self)
        account = iam.AccountRootPrincipal()
        policy = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    sid="AccountAdministratorsManageButDoNotUse",
                    principals=[account],
                    actions=list(ADMIN_ACTIONS),
                    resources=["*"],
                ),
                iam.PolicyStatement(
                    sid="UseOnlyThroughTenantDataServices",
                    principals=[account],
                    actions=list(USE_ACTIONS),
                    resources=["*"],
                    conditions={
                        "StringEquals": {
                            "kms:ViaService": [
                                f"{service}.{stack.region}.amazonaws.com" for service in VIA_SERVICES
                            ],
                            "kms:CallerAccount": stack.account,
                        }
                    },
                ),
                iam.PolicyStatement(
                    sid="CloudWatchLogsForTenantLogGroupsOnly",
                    principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                    actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    resources=["*"],
                    conditions={
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": list(props.tenant_log_group_arns)
                        }
                    },
                ),
                iam.PolicyStatement(
                    sid="AlarmsAndBackupNotificationsToIncidentTopic",
                    principals=[
                        iam.ServicePrincipal("cloudwatch.amazonaws.com"),
                        iam.ServicePrincipal("backup.amazonaws.com"),
                    ],
                    actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                    resources=["*"],
                    conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
                ),
            ]
        )
        self.key = kms.Key(
            self,
            "Key",
            description=props.description,
            enable_key_rotation=True,
            policy=policy,
            removal_policy=RemovalPolicy.RETAIN,
            pending_window=None,
        )
        self.alias = kms.Alias(self, "Alias", alias_name=props.alias, target_key=self.key)
