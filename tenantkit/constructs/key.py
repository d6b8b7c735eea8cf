from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

# Key administration without use: an administrator can see, rotate, disable and schedule the
# deletion of the key, but neither use it nor give anyone a way to use it (no kms:CreateGrant,
# no kms:PutKeyPolicy, no alias changes: each of those is a path to a self-granted decrypt).
ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateKeyDescription",
)
# What the CDK deployment role needs to keep the key and its alias in step with the template.
# KMS's lockout safety check refuses a key policy that would not let the caller change it again.
DEPLOYER_ACTIONS = ("kms:PutKeyPolicy", "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias")
USE_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)
GRANT_ACTIONS = ("kms:CreateGrant", "kms:ListGrants")
# The services that hold the tenant's data and use the key on behalf of a tenant principal.
VIA_SERVICES = ("rds", "s3", "backup", "secretsmanager", "sns")
# The services that publish to the tenant's encrypted incident topic.
PUBLISHERS = ("backup.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com")


@dataclass(frozen=True, kw_only=True)
class TenantKeyProps:
    alias: str
    """`alias/tenantkit/<id>`: the same alias in both regions, so other stacks find the key."""
    tenant_log_group_arns: Sequence[str]
    """CloudWatch Logs may use the key only for these log groups (ARN patterns)."""
    description: str
    tenant_principal_arn_pattern: str
    """`arn:aws:iam::<account>:role/tenantkit/<id>/*`: the tenant's principals are its roles by
    IAM path (the application's roles, break-glass, offboarding), never by a tag anyone with
    iam:TagRole or sts:TagSession can set."""
    incident_topic_arn: str
    """The tenant's incident topic of this region: the one topic its publishers encrypt for."""
    deployment_role_arn: str
    """The CDK CloudFormation execution role of this environment: it creates the tenant's
    encrypted resources and is the only principal that may change the key policy or alias."""


class TenantKey(Construct):
    """The tenant's own KMS key: rotated, retained, decryptable only by the tenant's principals
    through the services that hold its data, by CloudWatch Logs for the tenant's log groups, and by
    the services that publish to its incident topic; administrators manage it but cannot use it."""

    def __init__(self, scope: Construct, id: str, props: TenantKeyProps) -> None:
        super().__init__(scope, id)
        problems = []
        if not props.alias.startswith("alias/"):
            problems.append(f"alias must start with 'alias/': {props.alias}")
        if not props.tenant_log_group_arns:
            problems.append("tenant_log_group_arns must name at least one log group")
        if ":role/" not in props.deployment_role_arn:
            problems.append("deployment_role_arn must be an IAM role ARN")
        if problems:
            raise ValueError("; ".join(problems))

        stack = Stack.of(self)
        account = iam.AccountRootPrincipal()
        via_services = [f"{service}.{stack.region}.amazonaws.com" for service in VIA_SERVICES]
        deployer = {"ArnLike": {"aws:PrincipalArn": props.deployment_role_arn}}
        tenant = {"ArnLike": {"aws:PrincipalArn": props.tenant_principal_arn_pattern}}
        policy = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    sid="AdministratorsManageButCannotUse",
                    principals=[account],
                    actions=list(ADMIN_ACTIONS),
                    resources=["*"],
                ),
                iam.PolicyStatement(
                    sid="DeploymentRoleKeepsPolicyAndAlias",
                    principals=[account],
                    actions=list(DEPLOYER_ACTIONS),
                    resources=["*"],
                    conditions=deployer,
                ),
                # The deployment role uses the key only through the data services, and only as
                # itself: CloudFormation creates the encrypted resources as it, and resolves the
                # master password's `{{resolve:secretsmanager:...}}` reference as it (Secrets
                # Manager decrypts with this key). Not narrowed further by aws:CalledVia: AWS
                # documents forward access sessions for CloudFormation's resource operations
                # (aws:ViaAWSService), not which chain a dynamic reference's read carries.
                iam.PolicyStatement(
                    sid="DeploymentRoleCreatesEncryptedResources",
                    principals=[account],
                    actions=[*USE_ACTIONS, *GRANT_ACTIONS],
                    resources=["*"],
                    conditions={**deployer, "StringEquals": {"kms:ViaService": via_services}},
                ),
                iam.PolicyStatement(
                    sid="TenantPrincipalsUseThroughDataServices",
                    principals=[account],
                    actions=list(USE_ACTIONS),
                    resources=["*"],
                    conditions={
                        **tenant,
                        "StringEquals": {"kms:ViaService": via_services, "kms:CallerAccount": stack.account},
                    },
                ),
                iam.PolicyStatement(
                    sid="DataServicesHoldGrantsForTheirResources",
                    principals=[account],
                    actions=list(GRANT_ACTIONS),
                    resources=["*"],
                    conditions={
                        **tenant,
                        "StringEquals": {"kms:ViaService": via_services},
                        "Bool": {"kms:GrantIsForAWSResource": "true"},
                    },
                ),
                iam.PolicyStatement(
                    sid="CloudWatchLogsForTenantLogGroupsOnly",
                    principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                    actions=["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
                    resources=["*"],
                    conditions={
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": list(props.tenant_log_group_arns)
                        }
                    },
                ),
                # No aws:SourceAccount here: EventBridge does not send it with its KMS requests
                # for an encrypted topic (AWS documents the condition as unsupported there); the
                # encryption context binds the use to the tenant's topic (SNS encrypts with
                # `aws:sns:topicArn`), and the topic policy scopes who may publish.
                iam.PolicyStatement(
                    sid="IncidentPublishersEncryptForTheTopic",
                    principals=[iam.ServicePrincipal(service) for service in PUBLISHERS],
                    actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                    resources=["*"],
                    conditions={"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": props.incident_topic_arn}},
                ),
            ]
        )
        self.key = kms.Key(
            self,
            "Key",
            description=props.description,
            enable_key_rotation=True,
            policy=policy,
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
            pending_window=None,
        )
        self.alias = kms.Alias(self, "Alias", alias_name=props.alias, target_key=self.key)
