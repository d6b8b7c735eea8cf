from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_rds as rds
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

__all__ = ["EXPORTED_LOGS", "TenantDatabase", "TenantDatabaseProps", "parameter_group_family"]


@dataclass(frozen=True, kw_only=True)
class TenantDatabaseProps(TenantPostgresBaseProps):
    allocated_storage_gib: int


class TenantDatabase(Construct):
    """The tenant's PostgreSQL: Multi-AZ, encrypted with the tenant key (storage, Performance
    Insights, the RDS-managed master secret), TLS only, IAM authentication, unreachable from the
    internet, 35 days of point-in-time restore, deletion-protected and retained."""

    def __init__(self, scope: Construct, id: str, props: TenantDatabaseProps) -> None:
        super().__init__(scope, id)
        self.base = TenantPostgresBase(self, "Base", props)
        self.security_group = self.base.security_group
        key_arn = key_arn_of(props.key)
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
            manage_master_user_password=True,
            master_user_secret=rds.CfnDBInstance.MasterUserSecretProperty(kms_key_id=key_arn),
            backup_retention_period=BACKUP_RETENTION_DAYS,
            storage_encrypted=True,
            **self.base.instance_security_properties(key_arn),
        )
        self.base.retain(self.instance)
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
