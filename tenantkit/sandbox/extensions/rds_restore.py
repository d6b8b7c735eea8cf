"""RDS restores from the snapshots AWS Backup keeps behind its recovery points.

moto 5.2.5 defect: `RestoreDBInstanceFromDBSnapshot` looks its snapshot up among the `manual` and
`automated` snapshots only, so a snapshot of SnapshotType `awsbackup` (what `backup_jobs` makes
behind an RDS recovery point, as AWS does) is DBSnapshotNotFound, by identifier or ARN. AWS
restores it like any snapshot (AWS Backup's own RDS restore does exactly that). The restore is
served from the awsbackup snapshot; nothing else about moto's restore changes (the key,
subnet group, security groups, tags and deletion protection it takes from the request are
right: probed, no defect).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.rds.models import RDSBackend

from tenantkit.sandbox.extensions._base import wrap


def _restore_from_snapshot(original: Callable[..., Any]) -> Callable[..., Any]:
    def restore(self: RDSBackend, from_snapshot_id: str, overrides: dict[str, Any]) -> Any:
        identifier = self.extract_snapshot_name_from_arn(from_snapshot_id) if from_snapshot_id.startswith("arn:") else from_snapshot_id
        snapshot = self.database_snapshots.get(identifier)
        if snapshot is None or snapshot.snapshot_type != "awsbackup":
            return original(self, from_snapshot_id, overrides)
        snapshot.snapshot_type = "manual"  # only while moto looks it up
        try:
            return original(self, identifier, overrides)
        finally:
            snapshot.snapshot_type = "awsbackup"

    return restore


def patch() -> None:
    wrap(RDSBackend, "restore_db_instance_from_db_snapshot", _restore_from_snapshot)
