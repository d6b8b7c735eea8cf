"""What a tenant's config promises about its copies: where each store's data is copied, how much of
it a failure can lose (the recovery point objective, RPO), and for how long each copy is kept.

Stated here, from the config alone, so that `tenantkit list --json`, the README and the review
say the same thing the stacks build (`tenantkit.constructs.backup`, `.bucket`, `.replica_database`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from tenantkit.config.models import TenantConfig

REPLICATION_TIME_MINUTES = 15
"""S3 Replication Time Control: 99.99% of objects within 15 minutes."""
REPLICA_LAG_ALARM_SECONDS = 300
"""The replica-lag alarm's threshold: beyond it the incident channel hears of it."""
CONTINUOUS_BACKUP_RPO_MINUTES = 5
"""AWS Backup continuous backup of RDS restores to any second up to about 5 minutes ago
(transaction logs are uploaded every 5 minutes); for S3, to within about 15 minutes."""
CONTINUOUS_S3_BACKUP_RPO_MINUTES = 15
"""AWS Backup continuous backup of S3: a restore to any point within about the last 15 minutes."""


@dataclass(frozen=True, kw_only=True)
class CopyPromise:
    store: str
    """database or files."""
    copy: str
    region: str
    rpo: str
    kept: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def copy_promises(config: TenantConfig) -> list[CopyPromise]:
    """Every copy of the tenant's data, in the order a restore would reach for it."""
    backup = config.backup
    primary, secondary = config.primary_region, config.secondary_region
    hourly = f"{backup.hourly_retention_days} day{'s' if backup.hourly_retention_days > 1 else ''}"
    return [
        CopyPromise(
            store="database",
            copy="point-in-time restore (AWS Backup continuous backup)",
            region=primary,
            rpo=f"{CONTINUOUS_BACKUP_RPO_MINUTES} minutes",
            kept=f"{backup.continuous_days} days",
        ),
        CopyPromise(
            store="database",
            copy="cross-region read replica",
            region=secondary,
            rpo=f"seconds (asynchronous; alarm beyond {REPLICA_LAG_ALARM_SECONDS} s)",
            kept="while the tenant is active",
        ),
        CopyPromise(store="database", copy="hourly snapshots", region=primary, rpo="1 hour", kept=hourly),
        CopyPromise(
            store="database", copy="daily snapshots", region=primary, rpo="1 day", kept=f"{backup.retention_days} days"
        ),
        *(
            [CopyPromise(store="database", copy="copies of the hourly snapshots", region=secondary, rpo="1 hour", kept=hourly)]
            if backup.copy_hourly
            else []
        ),
        CopyPromise(
            store="database",
            copy="copies of the daily snapshots",
            region=secondary,
            rpo="1 day",
            kept=f"{backup.copy_retention_days} days",
        ),
        CopyPromise(
            store="files",
            copy="replicated bucket (S3 Replication Time Control)",
            region=secondary,
            rpo=f"{REPLICATION_TIME_MINUTES} minutes",
            kept=f"current versions; noncurrent ones {backup.copy_retention_days} days",
        ),
        CopyPromise(
            store="files",
            copy="point-in-time restore (AWS Backup continuous backup)",
            region=primary,
            rpo=f"{CONTINUOUS_S3_BACKUP_RPO_MINUTES} minutes",
            kept=f"{backup.continuous_days} days",
        ),
        CopyPromise(store="files", copy="hourly backups", region=primary, rpo="1 hour", kept=hourly),
        CopyPromise(
            store="files", copy="daily backups", region=primary, rpo="1 day", kept=f"{backup.retention_days} days"
        ),
        *(
            [CopyPromise(store="files", copy="copies of the hourly backups", region=secondary, rpo="1 hour", kept=hourly)]
            if backup.copy_hourly
            else []
        ),
        CopyPromise(
            store="files",
            copy="copies of the daily backups",
            region=secondary,
            rpo="1 day",
            kept=f"{backup.copy_retention_days} days",
        ),
    ]


def secondary_region_rpo(config: TenantConfig) -> dict[str, dict[str, str]]:
    """Per store, how much data a restore in the secondary region can lose, as built: from the
    live copy (the read replica, the replicated bucket) and from backups (the point to roll back
    to when the live copy has replicated a corruption or a deletion)."""
    from_backups = "1 hour" if config.backup.copy_hourly else "1 day"
    return {
        "database": {
            "live copy": f"seconds (read replica, asynchronous; alarm beyond {REPLICA_LAG_ALARM_SECONDS} s)",
            "from backups": from_backups,
        },
        "files": {
            "live copy": f"{REPLICATION_TIME_MINUTES} minutes (S3 Replication Time Control)",
            "from backups": from_backups,
        },
    }


PRIMARY_REGION = "primary region"
"""The key of `rpo_promises`' entry for a restore in the primary region."""


def rpo_promises(config: TenantConfig) -> dict[str, dict[str, str]]:
    """Per store, what the tenant file promises a restore can lose: in the secondary region
    (`secondary_region_rpo`) and, under `PRIMARY_REGION`, in the primary region (its most recent
    copy there: point-in-time restore). What the review compares the templates with."""
    promises = secondary_region_rpo(config)
    for store, found in promises.items():
        first = next(p for p in copy_promises(config) if p.store == store and p.region == config.primary_region)
        found[PRIMARY_REGION] = first.rpo
    return promises
