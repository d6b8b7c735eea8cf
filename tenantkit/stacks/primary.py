from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Duration, Stack
from constructs import Construct

from tenantkit.config.models import TenantConfig
from tenantkit.constructs.access_log_bucket import TenantAccessLogBucket, TenantAccessLogBucketProps
from tenantkit.constructs.backup import BackupTiers, TenantBackup, TenantBackupProps
from tenantkit.constructs.backup_vault import TenantBackupVault, TenantBackupVaultProps
from tenantkit.constructs.bucket import ReplicaTarget, TenantBucket, TenantBucketProps
from tenantkit.constructs.database import (
    EXPORTED_LOGS,
    MasterSecretProps,
    TenantDatabase,
    TenantDatabaseProps,
)
from tenantkit.constructs.detection import detections_for
from tenantkit.constructs.export_role import TenantExportRole, TenantExportRoleProps
from tenantkit.constructs.incident_rules import TenantIncidentRules, TenantIncidentRulesProps
from tenantkit.constructs.network import TenantNetwork, TenantNetworkProps
from tenantkit.constructs.restore_testing import TenantRestoreTesting, TenantRestoreTestingProps
from tenantkit.constructs.tenant_roles import TenantRoles, TenantRolesProps
from tenantkit.naming import EXPORTS_FOLDER, REPLICATION_RULE_ID, TenantNames
from tenantkit.stacks.common import add_key_and_incidents, add_location_parameters, operator_channel, principals_of
from tenantkit.stacks.firewall import add_firewall


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
        operator_topic_arn: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        region = names.primary_region
        principals = principals_of(names, region)
        self.key, self.incidents = add_key_and_incidents(
            self, key_id="TenantKey", config=config, names=names, region=region, holds="all tenant data"
        )
        self.network = TenantNetwork(
            self,
            "Network",
            TenantNetworkProps(
                key=self.key,
                flow_log_group_name=names.flow_log_group,
                role_path=names.role_path,
                availability_zones=availability_zones,
            ),
        )
        access_logs = TenantAccessLogBucket(
            self, "AccessLogs", TenantAccessLogBucketProps(bucket_name=names.access_log_bucket, principals=principals)
        )
        self.bucket = TenantBucket(
            self,
            "DataBucket",
            TenantBucketProps(
                bucket_name=names.data_bucket,
                key=self.key,
                access_logs=access_logs.bucket,
                incident_topic=self.incidents.topic,
                key_alias_arn=names.key_alias_arn(region),
                principals=principals,
                role_path=names.role_path,
                replication_alarm_name=names.incident_publisher("ReplicationFailures"),
                noncurrent_versions_kept=Duration.days(config.backup.retention_days),
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
                role_path=names.role_path,
                vpc=self.network.vpc,
                subnets=self.network.isolated_subnets,
                engine_version=database.engine_version,
                audit_log=tuple(database.audit_log),
                instance_class=database.instance_class,
                multi_az=database.multi_az,
                allocated_storage_gib=database.allocated_storage_gib,
                log_group_name_of={
                    log: names.db_log_group(names.db_instance, log) for log in EXPORTED_LOGS
                },
                master_secret=MasterSecretProps(
                    name=names.db_master_secret,
                    replica_region=names.secondary_region,
                    replica_key_alias_arn=names.dr_key_alias_arn,
                    tenant_role_arn_pattern=names.tenant_role_arn_pattern,
                    break_glass_role_arn=names.break_glass_role_arn,
                    deployment_role_arn=names.deployment_role_arn(region),
                    role_path=names.role_path,
                    rotation_days=database.rotation_days,
                    rotation_function_name=names.rotation_function,
                    rotation_log_group_name=names.rotation_log_group,
                    rotation_role_name=names.rotation_role,
                ),
            ),
        )
        add_location_parameters(
            self, names=names, db_endpoint=self.database.instance.attr_endpoint_address, bucket=names.data_bucket
        )
        self.export_role = TenantExportRole(
            self,
            "ExportRole",
            TenantExportRoleProps(
                role_name=names.export_role, path=names.role_path, bucket=self.bucket.bucket, key=self.key, prefix=EXPORTS_FOLDER
            ),
        ).role
        self.firewall = add_firewall(
            self,
            config=config,
            names=names,
            key=self.key,
            region=region,
        )
        self.vault = TenantBackupVault(
            self,
            "BackupVault",
            TenantBackupVaultProps(
                vault_name=names.backup_vault,
                key=self.key,
                principals=principals,
                copy_targets=[names.vault_arn_in(region), names.dr_backup_vault_arn],
                incident_topic=self.incidents.topic,
            ),
        ).vault
        backup = config.backup
        self.backup = TenantBackup(
            self,
            "Backup",
            TenantBackupProps(
                plan_name=names.backup_plan,
                vault=self.vault,
                copy_vault_arn=names.dr_backup_vault_arn,
                tiers=BackupTiers(
                    hourly=Duration.days(backup.hourly_retention_days),
                    daily=Duration.days(backup.retention_days),
                    copies=Duration.days(backup.copy_retention_days),
                    continuous=Duration.days(backup.continuous_days),
                    copy_hourly=backup.copy_hourly,
                ),
                resource_arns=[self.database.instance_arn, self.bucket.bucket.bucket_arn],
                role_path=names.role_path,
            ),
        )
        self.restore_testing = TenantRestoreTesting(
            self,
            "RestoreTesting",
            TenantRestoreTestingProps(
                plan_name=names.restore_testing_plan,
                schedule=backup.restore_testing,
                vault_arn=self.vault.backup_vault_arn,
                database_arn=self.database.instance_arn,
                bucket_arn=self.bucket.bucket.bucket_arn,
                db_subnet_group_name=self.database.base.subnet_group.ref,
                db_security_group_ids=[self.database.security_group.security_group_id],
                role_path=names.role_path,
            ),
        )
        both_regions = (names.primary_region, names.secondary_region)
        self.roles = TenantRoles(
            self,
            "Roles",
            TenantRolesProps(
                role_path=names.role_path,
                break_glass_role_name=names.break_glass_role,
                offboarding_role_name=names.offboarding_role,
                break_glass_max_minutes=config.access.break_glass_max_minutes,
                bucket_arns=[names.data_bucket_arn, names.dr_bucket_arn],
                key_arn_patterns=[names.key_arn_pattern(r) for r in both_regions],
                key_alias=names.key_alias,
                secret_arn_patterns=[names.db_master_secret_arn_pattern(r) for r in both_regions],
                offboarded_bucket_arns=[
                    names.bucket_arn(bucket)
                    for bucket in (names.data_bucket, names.access_log_bucket, names.dr_bucket, names.dr_access_log_bucket)
                ],
                vault_arns=[names.vault_arn_in(r) for r in both_regions],
                recovery_point_arn_patterns=[
                    pattern
                    for r in both_regions
                    for pattern in (names.recovery_point_arn_pattern(r), names.backup_db_snapshot_arn_pattern(r))
                ],
            ),
        )
        TenantIncidentRules(
            self,
            "IncidentRules",
            TenantIncidentRulesProps(
                topic=self.incidents.topic,
                key_arns=[self.key.key_arn],
                db_instance_arns=[names.db_instance_arn],
                web_acl_name=names.web_acl,
                detections=detections_for(names, "primary"),
                operator=operator_channel(names, operator_topic_arn),
                name_of=names.incident_publisher,
            ),
        )
