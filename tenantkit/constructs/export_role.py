"""The role RDS assumes to export a snapshot of the tenant's database into its own bucket."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge, finding_text
from tenantkit.constructs.bucket import service_principal


@dataclass(frozen=True, kw_only=True)
class TenantExportRoleProps:
    role_name: str
    path: str
    bucket: s3.IBucket
    key: kms.IKey
    prefix: str
    """Where exports go in the bucket (`exports/`): the role writes there and nowhere else."""


class TenantExportRole(Construct):
    """RDS snapshot exports (`tenantkit export`) write the tenant's bucket under `prefix` only,
    encrypted with the tenant key, and only for this account."""

    def __init__(self, scope: Construct, id: str, props: TenantExportRoleProps) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.role = iam.Role(
            self, "Role", role_name=props.role_name, path=props.path,
            assumed_by=service_principal("export.rds.amazonaws.com", stack.account),
            description="RDS snapshot exports of the tenant's database into its bucket (tenantkit export)",
        )  # fmt: skip
        objects = props.bucket.arn_for_objects(f"{props.prefix}*")
        statements = [
            iam.PolicyStatement(actions=["s3:ListBucket", "s3:GetBucketLocation"], resources=[props.bucket.bucket_arn]),
            iam.PolicyStatement(actions=["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], resources=[objects]),
            iam.PolicyStatement(
                actions=["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], resources=[props.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"}},
            ),
        ]  # fmt: skip
        policy = iam.ManagedPolicy(self, "Policy", statements=statements, roles=[self.role])
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{finding_text(self, objects)}]",
            "An export writes many files whose names RDS chooses, all under the exports/ folder of the tenant's bucket and nowhere else.",
        )
