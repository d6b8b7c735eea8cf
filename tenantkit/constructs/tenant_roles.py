from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge, finding_text
from tenantkit.naming import every_tenant_role_arn_pattern

# What offboarding does as this role (tenantkit/lifecycle/offboarding: `Scope.destroyer`): empty
# and delete the tenant's own buckets and vaults, which deny it to everyone else. Everything else
# (discovery, databases, stacks, keys) it does with the operator's credentials.
BUCKET_ACTIONS = ("s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:GetBucketTagging", "s3:DeleteBucket")
OBJECT_ACTIONS = ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload")
VAULT_ACTIONS = (
    "backup:DescribeBackupVault", "backup:ListRecoveryPointsByBackupVault", "backup:ListTags",
    "backup:DeleteBackupVault", "backup:DeleteBackupVaultAccessPolicy", "backup:DeleteBackupVaultNotifications",
)
RECOVERY_POINT_ACTIONS = ("backup:DeleteRecoveryPoint", "backup:DescribeRecoveryPoint", "backup:ListTags")
# STS refuses a role's MaxSessionDuration below one hour; `access grant` caps a session to the
# tenant file's `access.break_glass_max_minutes` when it asks for one.
MIN_ROLE_SESSION_MINUTES = 60


@dataclass(frozen=True, kw_only=True)
class TenantPrincipals:
    """Who may reach a tenant's stores, by role ARN (`aws:PrincipalArn`), never by a tag."""

    role_arn_pattern: str
    """`arn:aws:iam::<account>:role/tenantkit/<id>/*`: the tenant's roles (the application's,
    replication, backup, break-glass, offboarding), by the IAM path only CreateRole sets."""
    deployment_role_arn: str
    """The CDK cfn-exec role of the region: management of the resource, never its contents."""
    offboarding_role_arn: str
    """The only principal that may destroy the tenant's data."""


def outside_tenant(principals: TenantPrincipals) -> dict:
    """The condition of a Deny that holds for every caller but the tenant's roles and the
    deployment role. AWS services acting as themselves (S3 log delivery) carry no role ARN and are
    kept out of it by aws:PrincipalIsAWSService; they act on the resource only where its
    configuration names them."""
    return {
        "ArnNotLike": {"aws:PrincipalArn": [principals.role_arn_pattern, principals.deployment_role_arn]},
        "Bool": {"aws:PrincipalIsAWSService": "false"},
    }


def deny_everyone(sid: str, actions: Sequence[str], resources: Sequence[str], condition: dict, *, except_actions: bool = False) -> iam.PolicyStatement:
    """A resource-policy Deny of `actions` (or, `except_actions`, of every action but them) to
    every principal for which `condition` holds."""
    statement = iam.PolicyStatement(
        sid=sid, effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()], resources=list(resources), conditions=condition
    )
    if except_actions:
        statement.add_not_actions(*actions)
    else:
        statement.add_actions(*actions)
    return statement


def not_offboarding(principals: TenantPrincipals) -> dict:
    """The condition of a Deny that holds for every caller but the offboarding role."""
    return {"ArnNotEquals": {"aws:PrincipalArn": principals.offboarding_role_arn}}


@dataclass(frozen=True, kw_only=True)
class TenantRolesProps:
    role_path: str
    """`/tenantkit/<id>/`: both roles are tenant principals by this path."""
    break_glass_role_name: str
    offboarding_role_name: str
    break_glass_max_minutes: int
    bucket_arns: Sequence[str]
    """The tenant's data and DR buckets, which break-glass may read and write."""
    key_arn_patterns: Sequence[str]
    """`arn:aws:kms:<region>:<account>:key/*` of both regions, narrowed by the key alias."""
    key_alias: str
    secret_arn_patterns: Sequence[str]
    """The master secret in both regions (`...:secret:<name>-??????`)."""
    offboarded_bucket_arns: Sequence[str]
    """The tenant's four buckets (data, DR, both access-log buckets): offboarding empties them."""
    vault_arns: Sequence[str]
    recovery_point_arn_patterns: Sequence[str]


class TenantRoles(Construct):
    """The tenant's two operator roles, under its path: break-glass (MFA, time-boxed) reaches the
    tenant's files and master secret; offboarding is the only principal the resource policies'
    denies let destroy the tenant's data, and outlives its stack so that it can finish."""

    def __init__(self, scope: Construct, id: str, props: TenantRolesProps) -> None:
        super().__init__(scope, id)
        problems = []
        if not (props.role_path.startswith("/") and props.role_path.endswith("/")):
            problems.append(f"role_path must start and end with '/': {props.role_path}")
        if not 15 <= props.break_glass_max_minutes <= 720:
            problems.append("break_glass_max_minutes must be 15 to 720 (what STS allows)")
        if problems:
            raise ValueError("; ".join(problems))

        # No tenant's role (an application's, a break-glass or replication session) may become an
        # operator role: only the account's other principals with an IAM Allow, as delegated by
        # the account principal (a break-glass one with MFA).
        no_tenant_role = {"ArnNotLike": {"aws:PrincipalArn": every_tenant_role_arn_pattern(Stack.of(self).account)}}
        self.break_glass_role = iam.Role(
            self,
            "BreakGlassRole",
            role_name=props.break_glass_role_name,
            path=props.role_path,
            description="Time-boxed, recorded operator access to this tenant's data (tenantkit access grant)",
            # sts:TagSession too: `access grant` tags the session with its reason and operator,
            # which STS refuses unless the trust policy allows it.
            assumed_by=iam.AccountRootPrincipal().with_conditions(
                {"Bool": {"aws:MultiFactorAuthPresent": "true"}, **no_tenant_role}
            ).with_session_tags(),
            max_session_duration=Duration.minutes(max(props.break_glass_max_minutes, MIN_ROLE_SESSION_MINUTES)),
        )
        objects = [f"{arn}/*" for arn in props.bucket_arns]
        self.break_glass_policy = iam.ManagedPolicy(
            self,
            "BreakGlassAccess",
            roles=[self.break_glass_role],
            statements=[
                iam.PolicyStatement(actions=["s3:ListBucket", "s3:ListBucketVersions"], resources=list(props.bucket_arns)),
                iam.PolicyStatement(actions=["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], resources=objects),
                iam.PolicyStatement(
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=list(props.key_arn_patterns),
                    conditions={"ForAnyValue:StringEquals": {"kms:ResourceAliases": [props.key_alias]}},
                ),
                iam.PolicyStatement(
                    actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    resources=list(props.secret_arn_patterns),
                ),
            ],
        )
        for resource in [*objects, *props.key_arn_patterns, *props.secret_arn_patterns]:
            acknowledge(
                self.break_glass_policy,
                f"AwsSolutions-IAM5[Resource::{finding_text(self, resource)}]",
                "Break-glass reaches every object of the tenant's two buckets, its key of each region "
                "(narrowed by its alias) and its master secret (whose ARN ends in six random characters); "
                "nothing of any other tenant.",
            )

        self.offboarding_role = iam.Role(
            self,
            "OffboardingRole",
            role_name=props.offboarding_role_name,
            path=props.role_path,
            description="The only principal the tenant's resource policies let destroy its data (tenantkit offboard execute)",
            assumed_by=iam.AccountRootPrincipal().with_conditions(no_tenant_role),
        )
        # Retained: a rerun of an offboarding that already deleted the stacks still assumes it.
        self.offboarding_role.apply_removal_policy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)
        self.offboarding_policy = iam.ManagedPolicy(
            self,
            "OffboardingAccess",
            roles=[self.offboarding_role],
            statements=[
                iam.PolicyStatement(actions=list(BUCKET_ACTIONS), resources=list(props.offboarded_bucket_arns)),
                iam.PolicyStatement(actions=list(OBJECT_ACTIONS), resources=[f"{arn}/*" for arn in props.offboarded_bucket_arns]),
                iam.PolicyStatement(actions=list(VAULT_ACTIONS), resources=list(props.vault_arns)),
                iam.PolicyStatement(actions=list(RECOVERY_POINT_ACTIONS), resources=list(props.recovery_point_arn_patterns)),
                # AWS Backup deletes an RDS recovery point (a DB snapshot) with the caller's permission.
                *(
                    [iam.PolicyStatement(actions=["rds:DeleteDBSnapshot"], resources=snapshots)]
                    if (snapshots := [arn for arn in props.recovery_point_arn_patterns if arn.split(":")[2] == "rds"])
                    else []
                ),
            ],
        )
        why = (
            "Offboarding empties the tenant's buckets (every object version) and deletes its recovery "
            "points, whose ARNs carry a random id; the vault access policies and bucket policies name "
            "this role's exact ARN, and this policy names the tenant's own buckets and vaults only."
        )
        for resource in [*(f"{arn}/*" for arn in props.offboarded_bucket_arns), *props.recovery_point_arn_patterns]:
            acknowledge(self.offboarding_policy, f"AwsSolutions-IAM5[Resource::{finding_text(self, resource)}]", why)
