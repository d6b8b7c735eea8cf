from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from tenantkit.config.models import TenantConfig
from tenantkit.constructs.access_log_bucket import TenantAccessLogBucket, TenantAccessLogBucketProps
from tenantkit.constructs.backup import TenantBackup, TenantBackupProps
from tenantkit.constructs.backup_vault import TenantBackupVault, TenantBackupVaultProps
from tenantkit.constructs.bucket import ReplicaTarget, TenantBucket, TenantBucketProps
from tenantkit.constructs.database import EXPORTED_LOGS, TenantDatabase, TenantDatabaseProps
from tenantkit.constructs.firewall import TenantFirewall, TenantFirewallProps
from tenantkit.constructs.network import TenantNetwork, TenantNetworkProps
from tenantkit.naming import REPLICATION_RULE_ID, TenantNames
from tenantkit.stacks.common import add_key_and_incidents


class TenantPrimaryStack(Stack):
    """The tenant's service in its primary region: key, network, database, bucket, firewall,
    hourly backups copied to the DR region, and the incident channel."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: TenantConfig,
        names: TenantNames,
        availability_zones: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        region = names.primary_region
        self.key, self.incidents = add_key_and_incidents(
            self, key_id="TenantKey", config=config, names=names, region=region, holds="all tenant data"
        )
        self.network = TenantNetwork(
            self,
            "Network",
            TenantNetworkProps(
                key=self.key,
                flow_log_group_name=names.flow_log_group,
                availability_zones=availability_zones,
            ),
        )
        access_logs = TenantAccessLogBucket(
            self, "AccessLogs", TenantAccessLogBucketProps(bucket_name=names.access_log_bucket)
        )
        self.bucket = TenantBucket(
            self,
            "DataBucket",
            TenantBucketProps(
                bucket_name=names.data_bucket,
                key=self.key,
                access_logs=access_logs.bucket,
                incident_topic=self.incidents.topic,
                replica=ReplicaTarget(
                    bucket_arn=names.dr_bucket_arn,
                    key_alias_arn=names.dr_key_alias_arn,
                    key_arn_pattern=names.key_arn_pattern(names.secondary_region),
                    key_alias=names.key_alias,
                    rule_id=REPLICATION_RULE_ID,
                ),
            ),
        )
        database = config.database
        self.database = TenantDatabase(
            self,
            "Database",
            TenantDatabaseProps(
                identifier=names.db_instance,
                key=self.key,
                log_key=self.key,
                vpc=self.network.vpc,
                subnets=self.network.isolated_subnets,
                engine_version=database.engine_version,
                instance_class=database.instance_class,
                multi_az=database.multi_az,
                allocated_storage_gib=database.allocated_storage_gib,
                log_group_name_of={
                    log: names.db_log_group(names.db_instance, log) for log in EXPORTED_LOGS
                },
            ),
        )
        access = config.access
        self.firewall = TenantFirewall(
            self,
            "Firewall",
            TenantFirewallProps(
                name=names.web_acl,
                allowed_countries=access.allowed_countries,
                ipv4_cidrs=access.ipv4_cidrs,
                ipv6_cidrs=access.ipv6_cidrs,
                allow_roaming=access.allow_roaming,
                ip_set_name_of={v: names.ip_set(v) for v in ("ipv4", "ipv6")},
                log_group_name=names.waf_log_group,
                key=self.key,
            ),
        )
        ssm.StringParameter(
            self,
            "WebAclArnParameter",
            parameter_name=names.web_acl_arn_parameter,
            string_value=self.firewall.web_acl_arn,
            description="The web ACL the tenant's load balancer associates with",
        )
        CfnOutput(self, "WebAclArn", value=self.firewall.web_acl_arn)
        self.vault = TenantBackupVault(
            self,
            "BackupVault",
            TenantBackupVaultProps(
                vault_name=names.backup_vault, key=self.key, incident_topic=self.incidents.topic
            ),
        ).vault
        self.backup = TenantBackup(
            self,
            "Backup",
            TenantBackupProps(
                plan_name=names.backup_plan,
                vault=self.vault,
                copy_vault_arn=names.dr_backup_vault_arn,
                retention=Duration.days(config.backup.retention_days),
                copy_retention=Duration.days(config.backup.copy_retention_days),
                resource_arns=[self.database.instance_arn, self.bucket.bucket.bucket_arn],
            ),
        )
