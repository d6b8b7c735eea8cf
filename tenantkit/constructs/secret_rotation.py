from __future__ import annotations

import hashlib
import importlib
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from aws_cdk import Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge, finding_text
from tenantkit.constructs._checkov import skip_checkov
from tenantkit.constructs.log_group import TenantLogGroup, TenantLogGroupProps

HANDLER_MODULE = "tenantkit.rotation.postgres_single_user"
BUNDLED_PACKAGES = ("pg8000", "scramp", "asn1crypto")
"""The pure-Python driver and what it needs beyond the Lambda runtime (which has boto3,
botocore and so python-dateutil): copied from this installation into the function's asset."""
RUNTIME = lambda_.Runtime.PYTHON_3_14
POSTGRES_PORT = 5432
HTTPS_PORT = 443


@cache
def rotation_asset_directory() -> Path:
    """The function's code: the handler module at the top (handler `postgres_single_user.lambda_handler`)
    and the bundled packages beside it. Built once per process in a directory named by its
    contents' digest, so the asset hash, and the template, change only when the code does."""
    handler = Path(importlib.import_module(HANDLER_MODULE).__file__ or "")
    sources = {handler.name: handler}
    for package in BUNDLED_PACKAGES:
        root = Path(importlib.import_module(package).__file__ or "").parent
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                sources[f"{package}/{path.relative_to(root).as_posix()}"] = path
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name].read_bytes() + b"\0")
    directory = Path(tempfile.gettempdir()) / f"tenantkit-rotation-asset-{digest.hexdigest()[:16]}"
    if not directory.is_dir():
        staging = Path(tempfile.mkdtemp(prefix="tenantkit-rotation-asset-"))
        for name, path in sources.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, staging / name)
        try:
            staging.rename(directory)
        except OSError:  # another process built the same contents first
            shutil.rmtree(staging, ignore_errors=True)
    return directory


@dataclass(frozen=True, kw_only=True)
class MasterSecretRotationProps:
    secret: secretsmanager.ISecret
    key: kms.IKey
    """The tenant key: encrypts the function's log group."""
    secret_key_arn: str
    """The key the secret is encrypted with, which the function uses through Secrets Manager only."""
    vpc: ec2.IVpc
    subnets: ec2.SelectedSubnets
    database_security_group: ec2.ISecurityGroup
    role_path: str
    """The tenant's IAM path: the secret's resource policy admits the function's role by it."""
    function_name: str
    log_group_name: str
    rotation_days: int
    role_name: str | None = None
    """The function's role by name (`naming.rotation_role`): detection tells its reads of the
    secret from everyone else's by that name."""


class MasterSecretRotation(Construct):
    """Rotates the master password every `rotation_days` with our single-user handler, run in
    the tenant's isolated subnets: it reaches only the database and Secrets Manager's interface
    endpoint (private DNS), acts as a role under the tenant's path, and logs to a log group
    encrypted with the tenant key."""

    def __init__(self, scope: Construct, id: str, props: MasterSecretRotationProps) -> None:
        super().__init__(scope, id)
        problems = []
        if not 1 <= props.rotation_days <= 1000:
            problems.append(f"rotation_days must be 1 to 1000 (Secrets Manager's range), got {props.rotation_days}")
        if not (props.role_path.startswith("/") and props.role_path.endswith("/")):
            problems.append(f"role_path must start and end with '/', got {props.role_path!r}")
        if problems:
            raise ValueError("; ".join(problems))
        stack = Stack.of(self)

        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=props.vpc,
            description=f"{props.function_name}: reaches the database and the Secrets Manager endpoint only",
            allow_all_outbound=False,
        )
        self.endpoint_security_group = ec2.SecurityGroup(
            self,
            "EndpointSecurityGroup",
            vpc=props.vpc,
            description=f"{props.function_name}: the Secrets Manager endpoint, for the rotation function only",
            allow_all_outbound=False,
        )
        self.security_group.connections.allow_to(
            props.database_security_group, ec2.Port.tcp(POSTGRES_PORT), "rotation: the master user logs in"
        )
        self.security_group.connections.allow_to(
            self.endpoint_security_group, ec2.Port.tcp(HTTPS_PORT), "rotation: Secrets Manager"
        )
        self.endpoint = ec2.InterfaceVpcEndpoint(
            self,
            "SecretsManagerEndpoint",
            vpc=props.vpc,
            service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
            subnets=ec2.SubnetSelection(subnets=props.subnets.subnets),
            security_groups=[self.endpoint_security_group],
            private_dns_enabled=True,
            open=False,
        )
        # The endpoint serves only this secret (and the password generator, which has no resource).
        self.endpoint.add_to_policy(
            iam.PolicyStatement(
                principals=[iam.AnyPrincipal()],
                actions=[
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                resources=[props.secret.secret_arn, f"{props.secret.secret_arn}-??????"],
            )
        )
        self.endpoint.add_to_policy(
            iam.PolicyStatement(
                principals=[iam.AnyPrincipal()], actions=["secretsmanager:GetRandomPassword"], resources=["*"]
            )
        )

        self.log_group = TenantLogGroup(
            self, "Logs", TenantLogGroupProps(name=props.log_group_name, key=props.key)
        ).log_group
        self.role = iam.Role(
            self,
            "Role",
            role_name=props.role_name,
            path=props.role_path,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{props.function_name}: rotates the tenant's database master password",
        )
        # What AWSLambdaVPCAccessExecutionRole grants, written out: EC2 has no resource-level
        # permissions for these network-interface calls made while the function is attached.
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                resources=["*"],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[f"{self.log_group.log_group_arn}:*"],
            )
        )
        acknowledge(
            self.role,
            [
                "AwsSolutions-IAM5[Resource::*]",
                f"AwsSolutions-IAM5[Resource::{finding_text(self, self.log_group.log_group_arn)}:*]",
            ],
            "EC2 has no resource-level permissions for a VPC function's network interfaces, nor "
            "Secrets Manager for GetRandomPassword; log streams are named by Lambda at run time, "
            "inside the function's own log group.",
        )

        self.function = lambda_.Function(
            self,
            "Function",
            function_name=props.function_name,
            description="Rotates the tenant's database master password (Secrets Manager, single user)",
            runtime=RUNTIME,
            handler=f"{HANDLER_MODULE.rsplit('.', 1)[1]}.lambda_handler",
            code=lambda_.Code.from_asset(str(rotation_asset_directory())),
            role=self.role,
            vpc=props.vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=props.subnets.subnets),
            security_groups=[self.security_group],
            allow_public_subnet=False,
            log_group=self.log_group,
            timeout=Duration.seconds(30),
            memory_size=256,
            reserved_concurrent_executions=2,
            environment={
                # The template's variable; private DNS sends this name to the interface endpoint.
                "SECRETS_MANAGER_ENDPOINT": f"https://secretsmanager.{stack.region}.{stack.url_suffix}",
            },
        )
        self.function.node.add_dependency(self.endpoint)
        no_dlq = (
            "Secrets Manager invokes the rotation function synchronously, step by step, and retries "
            "a failed step; a dead-letter queue only catches asynchronous invocations."
        )
        skip_checkov(self.function, "CKV_AWS_116", no_dlq)
        acknowledge(self.function, ("NIST.800.53.R5-LambdaDLQ", "HIPAA.Security-LambdaDLQ"), no_dlq)
        skip_checkov(
            self.function,
            "CKV_AWS_173",
            "Its one environment variable is the Secrets Manager endpoint's URL, no secret; the "
            "secret itself is read at run time, decrypted by the tenant key.",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                resources=[props.secret.secret_arn],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["secretsmanager:GetRandomPassword"], resources=["*"])
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[props.secret_key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{stack.region}.{stack.url_suffix}"}},
            )
        )
        skip_checkov(
            self.role.node.find_child("DefaultPolicy"),
            "CKV_AWS_111",
            "The unconstrained writes are the network-interface calls Lambda makes for a function "
            "in a VPC (AWSLambdaVPCAccessExecutionRole grants the same on '*'): EC2 offers no "
            "resource-level permission for them before the interface exists.",
        )
        acknowledge(
            self.role.node.find_child("DefaultPolicy"),
            (
                "NIST.800.53.R5-IAMNoInlinePolicy",
                "HIPAA.Security-IAMNoInlinePolicy",
                "PCI.DSS.321-IAMNoInlinePolicy",
            ),
            "The rotation role's one policy, attached to it alone and created and deleted with "
            "it; no other principal can be given it.",
        )
        # Secrets Manager may invoke the function for this secret only (no confused deputy).
        self.function.add_permission(
            "SecretsManagerInvokes",
            principal=iam.ServicePrincipal("secretsmanager.amazonaws.com"),
            source_arn=props.secret.secret_arn,
            source_account=stack.account,
        )
        # The L1, not Secret.add_rotation_schedule: aws-cdk-lib's RotationSchedule also adds a
        # resource-policy statement denying DeleteSecret to the whole account, which would deny
        # it to the offboarding role too (the secret's own policy names who may delete it).
        self.schedule = secretsmanager.CfnRotationSchedule(
            self,
            "Schedule",
            secret_id=props.secret.secret_arn,
            rotation_lambda_arn=self.function.function_arn,
            rotation_rules=secretsmanager.CfnRotationSchedule.RotationRulesProperty(
                automatically_after_days=props.rotation_days
            ),
        )
        self.schedule.node.add_dependency(self.function.node.find_child("SecretsManagerInvokes"), self.role)
