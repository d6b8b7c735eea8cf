from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from tenantkit.config.models import TenantConfig
from tenantkit.constructs.access_log_bucket import TenantAccessLogBucket, TenantAccessLogBucketProps
from tenantkit.constructs.backup_vault import TenantBackupVault, TenantBackupVaultProps
from tenantkit.constructs.dr_bucket import TenantDrBucket, TenantDrBucketProps
from tenantkit.constructs.incident_channel import TenantIncidentChannel, TenantIncidentChannelProps
from tenantkit.constructs.key import TenantKey, TenantKeyProps
from tenantkit.naming import TenantNames


class TenantDrStack(Stack):
    """The tenant's disaster-recovery landing zone in the secondary region: its DR key, the
    replication destination bucket, the backup-copy vault and an incident channel. Deployed first."""

    def __init__(self, scope: Construct, id: str, *, config: TenantConfig, names: TenantNames, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        region = names.secondary_region
        self.key = TenantKey(
            self,
            "DrKey",
            TenantKeyProps(
                alias=names.key_alias,
                tenant_log_group_arns=names.log_group_arn_patterns(region),
                description=f"tenantkit {config.tenant_id}: DR copies in {region}",
            ),
        ).key
        self.incidents = TenantIncidentChannel(
            self,
            "Incidents",
            TenantIncidentChannelProps(
                topic_name=names.incident_topic,
                key=self.key,
                security_email=str(config.contacts.security_email),
            ),
        )
        access_logs = TenantAccessLogBucket(
            self, "AccessLogs", TenantAccessLogBucketProps(bucket_name=names.dr_access_log_bucket)
        )
        self.bucket = TenantDrBucket(
            self,
            "DrBucket",
            TenantDrBucketProps(bucket_name=names.dr_bucket, key=self.key, access_logs=access_logs.bucket),
        ).bucket
        self.vault = TenantBackupVault(
            self,
            "DrVault",
            TenantBackupVaultProps(
                vault_name=names.dr_backup_vault, key=self.key, incident_topic=self.incidents.topic
            ),
        ).vault
