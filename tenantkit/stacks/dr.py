from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from tenantkit.config.models import TenantConfig
from tenantkit.constructs.access_log_bucket import TenantAccessLogBucket, TenantAccessLogBucketProps
from tenantkit.constructs.backup_vault import TenantBackupVault, TenantBackupVaultProps
from tenantkit.constructs.dr_bucket import TenantDrBucket, TenantDrBucketProps
from tenantkit.naming import TenantNames
from tenantkit.stacks.common import add_key_and_incidents


class TenantDrStack(Stack):
    """The tenant's disaster-recovery landing zone in the secondary region: its DR key, the
    replication destination bucket, the backup-copy vault and an incident channel. Deployed first."""

    def __init__(self, scope: Construct, id: str, *, config: TenantConfig, names: TenantNames, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        region = names.secondary_region
        self.key, self.incidents = add_key_and_incidents(
            self, key_id="DrKey", config=config, names=names, region=region, holds="DR copies"
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
