from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Stack
from constructs import Construct

from tenantkit.config.models import TenantConfig
from tenantkit.constructs.access_log_bucket import TenantAccessLogBucket, TenantAccessLogBucketProps
from tenantkit.constructs.backup_vault import TenantBackupVault, TenantBackupVaultProps
from tenantkit.constructs.detection import detections_for
from tenantkit.constructs.dr_bucket import TenantDrBucket, TenantDrBucketProps
from tenantkit.constructs.incident_rules import TenantIncidentRules, TenantIncidentRulesProps
from tenantkit.naming import TenantNames
from tenantkit.stacks.common import add_key_and_incidents, add_location_parameters, operator_channel, principals_of
from tenantkit.stacks.firewall import add_firewall


class TenantDrStack(Stack):
    """The tenant's disaster-recovery landing zone in the secondary region: its DR key, the
    replication destination bucket, the backup-copy vault, the web ACL a failover runs behind and
    an incident channel. Deployed first."""

    def __init__(
        self, scope: Construct, id: str, *, config: TenantConfig, names: TenantNames,
        operator_topic_arn: str | None = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(scope, id, **kwargs)
        region = names.secondary_region
        principals = principals_of(names, region)
        self.key, self.incidents = add_key_and_incidents(
            self, key_id="DrKey", config=config, names=names, region=region, holds="DR copies"
        )
        access_logs = TenantAccessLogBucket(
            self, "AccessLogs", TenantAccessLogBucketProps(bucket_name=names.dr_access_log_bucket, principals=principals)
        )
        self.bucket = TenantDrBucket(
            self,
            "DrBucket",
            TenantDrBucketProps(
                bucket_name=names.dr_bucket,
                key=self.key,
                access_logs=access_logs.bucket,
                key_alias_arn=names.key_alias_arn(region),
                principals=principals,
                noncurrent_versions_kept=Duration.days(config.backup.copy_retention_days),
            ),
        ).bucket
        add_location_parameters(self, names=names, bucket=names.dr_bucket)
        self.vault = TenantBackupVault(
            self,
            "DrVault",
            TenantBackupVaultProps(
                vault_name=names.dr_backup_vault,
                key=self.key,
                principals=principals,
                copy_targets=[names.vault_arn_in(names.primary_region), names.dr_backup_vault_arn],
                incident_topic=self.incidents.topic,
            ),
        ).vault
        self.firewall = add_firewall(
            self,
            config=config,
            names=names,
            key=self.key,
            region=region,
        )
        TenantIncidentRules(
            self,
            "IncidentRules",
            TenantIncidentRulesProps(
                topic=self.incidents.topic, key_arns=[self.key.key_arn], web_acl_name=names.web_acl,
                detections=detections_for(names, "dr"), operator=operator_channel(names, operator_topic_arn),
                name_of=names.incident_publisher,
            ),  # fmt: skip
        )
