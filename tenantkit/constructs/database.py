from __future__ import annotations

import json
from dataclasses import dataclass
from typing import cast

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge
from tenantkit.constructs.postgres_base import (
    BACKUP_RETENTION_DAYS,
    EXPORTED_LOGS,
    MASTER_USERNAME,
    TenantPostgresBase,
    TenantPostgresBaseProps,
    key_arn_of,
    parameter_group_family,
)
from tenantkit.constructs.secret_rotation import MasterSecretRotation, MasterSecretRotationProps

__all__ = ["EXPORTED_LOGS", "TenantDatabase", "TenantDatabaseProps", "parameter_group_family"]

# RDS refuses / " @ and spaces in a master password.
PASSWORD_EXCLUDED = "/\"@ '\\`"


@dataclass(frozen=True, kw_only=True)
class MasterSecretProps:
    name: str
    replica_region: str
    """The secondary region: the secret is replicated there so that a failover can log in."""
    replica_key_alias_arn: str
    """The tenant's DR key (by alias ARN: it lives in the other region), which encrypts the
    secret's replica."""
    tenant_role_arn_pattern: str
    """Every role of the tenant (`role/tenantkit/<id>/*`), the rotation function's included."""
    break_glass_role_arn: str
    deployment_role_arn: str
    """The CloudFormation execution role of the primary region (see `master_secret_policy`)."""
    role_path: str
    rotation_days: int
    rotation_function_name: str
    rotation_log_group_name: str
    rotation_role_name: str | None = None


SECRET_DATA_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue")
SECRET_MANAGEMENT_ACTIONS = ("secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy")


def master_secret_policy(props: MasterSecretProps) -> list[iam.PolicyStatement]:
    """The secret's resource policy: denies reading, writing, deleting and re-policing the master
    secret to every principal but the tenant's roles (by IAM path, `aws:PrincipalArn`: a path is
    set only when a role is created, never by a tag), the break-glass role, and, for what a deploy
    needs, the deployment role.

    The deployment role resolves the `{{resolve:secretsmanager:...}}` reference of the instance's
    password (GetSecretValue), writes the connection fields through the target attachment
    (PutSecretValue) and applies this policy (PutResourcePolicy); it never deletes (DeleteSecret:
    the secret is retained, and offboarding deletes it as the tenant's offboarding role). It cannot
    be narrowed by `aws:CalledVia`/`aws:CalledViaFirst`: those keys are present only when a
    service acts with the caller's own credentials (forward access), and CloudFormation acts as
    the bootstrap's execution role, a service role, so the request carries no CalledVia key and a
    CalledVia condition would refuse the deploy. Its ARN (one role of the account and region) is
    the narrowest condition AWS offers here. Secrets Manager copies this policy to the replica in
    the DR region with the secret (AWS Secrets Manager User Guide, "Replicate secrets across
    Regions": secret data and metadata such as tags and resource policies)."""
    tenant = [props.tenant_role_arn_pattern, props.break_glass_role_arn]
    return [
        iam.PolicyStatement(
            sid="OnlyTheTenantAndItsDeploymentReadOrPolicyTheSecret",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=[*SECRET_DATA_ACTIONS, "secretsmanager:PutResourcePolicy"],
            resources=["*"],
            conditions={"ArnNotLike": {"aws:PrincipalArn": [*tenant, props.deployment_role_arn]}},
        ),
        iam.PolicyStatement(
            sid="OnlyTheTenantDeletesTheSecret",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=["secretsmanager:DeleteSecret"],
            resources=["*"],
            conditions={"ArnNotLike": {"aws:PrincipalArn": tenant}},
        ),
    ]


@dataclass(frozen=True, kw_only=True)
class TenantDatabaseProps(TenantPostgresBaseProps):
    allocated_storage_gib: int
    master_secret: MasterSecretProps


class TenantDatabase(Construct):
    """The tenant's PostgreSQL: Multi-AZ, encrypted with the tenant key (storage, Performance
    Insights), TLS only, IAM authentication, unreachable from the internet, 35 days of point-in-time
    restore, deletion-protected and retained. Its master password is generated into a Secrets
    Manager secret under the tenant key (never in a template or a log), replicated under the DR key
    to the secondary region, attached to the instance, closed by its resource policy to all but the
    tenant's roles and break-glass, and rotated on the tenant file's schedule."""

    def __init__(self, scope: Construct, id: str, props: TenantDatabaseProps) -> None:
        super().__init__(scope, id)
        self.base = TenantPostgresBase(self, "Base", props)
        self.security_group = self.base.security_group
        key_arn = key_arn_of(props.key)
        # Not ManageMasterUserPassword: RDS refuses a cross-region read replica of an instance
        # whose master password RDS manages (tenantkit.compliance.read_replica_source).
        self.master_secret = secretsmanager.Secret(
            self,
            "MasterSecret",
            secret_name=props.master_secret.name,
            description=f"{props.identifier}: master user (break-glass; applications use IAM auth)",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({"username": MASTER_USERNAME}),
                generate_string_key="password",
                exclude_characters=PASSWORD_EXCLUDED,
                password_length=32,
            ),
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        # The key is set on the L1, not as the L2's encryption_key: the L2 would add a key-policy
        # statement (no Sid) letting any principal of the account decrypt through Secrets
        # Manager, with no tenant condition. The tenant key's own policy lets the tenant's
        # principals (by role path) and the deployment role use it through Secrets Manager.
        cast(secretsmanager.CfnSecret, self.master_secret.node.default_child).kms_key_id = key_arn
        # Set on the L1: the L2's ReplicaRegion wants an IKey, and the DR key is in another region.
        cast(secretsmanager.CfnSecret, self.master_secret.node.default_child).add_property_override(
            "ReplicaRegions",
            [{"Region": props.master_secret.replica_region, "KmsKeyId": props.master_secret.replica_key_alias_arn}],
        )
        for statement in master_secret_policy(props.master_secret):
            self.master_secret.add_to_resource_policy(statement)
        self.instance = rds.CfnDBInstance(
            self,
            "Instance",
            db_instance_identifier=props.identifier,
            engine="postgres",
            engine_version=props.engine_version,
            db_instance_class=props.instance_class,
            allocated_storage=str(props.allocated_storage_gib),
            storage_type="gp3",
            multi_az=props.multi_az,
            master_username=MASTER_USERNAME,
            # A dynamic reference: CloudFormation reads the password at deploy time; it never
            # appears in the template, the stack's events or its outputs.
            master_user_password=self.master_secret.secret_value_from_json("password").unsafe_unwrap(),
            backup_retention_period=BACKUP_RETENTION_DAYS,
            storage_encrypted=True,
            **self.base.instance_security_properties(key_arn),
        )
        self.base.retain(self.instance)
        self.attachment = secretsmanager.CfnSecretTargetAttachment(
            self,
            "MasterSecretAttachment",
            secret_id=self.master_secret.secret_arn,
            target_id=self.instance.ref,
            target_type="AWS::RDS::DBInstance",
        )
        self.rotation = MasterSecretRotation(
            self,
            "Rotation",
            MasterSecretRotationProps(
                secret=self.master_secret,
                key=props.log_key,
                secret_key_arn=key_arn,
                vpc=props.vpc,
                subnets=props.subnets,
                database_security_group=self.security_group,
                role_path=props.master_secret.role_path,
                function_name=props.master_secret.rotation_function_name,
                log_group_name=props.master_secret.rotation_log_group_name,
                rotation_days=props.master_secret.rotation_days,
                role_name=props.master_secret.rotation_role_name,
            ),
        )
        # The first rotation runs when the schedule is created: the secret must hold the host by then.
        self.rotation.schedule.node.add_dependency(self.attachment)
        acknowledge(
            self.instance,
            "AwsSolutions-RDS11",
            "The PostgreSQL default port is kept: the instance sits in isolated subnets behind a "
            "security group admitting nothing by default, with TLS and IAM authentication; a "
            "non-default port adds no protection and breaks client defaults.",
        )
        self.instance_arn = Stack.of(self).format_arn(
            service="rds",
            resource="db",
            resource_name=self.instance.ref,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
