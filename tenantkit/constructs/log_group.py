from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct


@dataclass(frozen=True, kw_only=True)
class TenantLogGroupProps:
    name: str
    key: kms.IKey
    retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR


class TenantLogGroup(Construct):
    """A named log group encrypted with the tenant key, kept a year, retained with the stack."""

    def __init__(self, scope: Construct, id: str, props: TenantLogGroupProps) -> None:
        super().__init__(scope, id)
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=props.name,
            encryption_key=props.key,
            retention=props.retention,
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
