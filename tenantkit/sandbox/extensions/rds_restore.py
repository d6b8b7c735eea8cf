"""RDS restores from the snapshots AWS Backup keeps behind its recovery points.

moto 5.2.5 defect: `RestoreDBInstanceFromDBSnapshot` looks its snapshot up among the `manual` and
`automated` snapshots only, so a snapshot of SnapshotType `awsbackup` (what `backup_jobs` makes
behind an RDS recovery point, as AWS does) is DBSnapshotNotFound, by identifier or ARN. AWS
restores it like any snapshot (AWS Backup's own RDS restore does exactly that). The restore is
served from the awsbackup snapshot; nothing else about moto's restore changes (the key,
subnet group, security groups, tags and deletion protection it takes from the request are
right: probed, no defect).

moto 5.2.5 defect: `StartExportTask` records a `complete` task and writes nothing to S3. AWS
writes, under `<S3Prefix>/<task id>/`, the tables as Parquet, `export_info_<task id>.json` and
`export_tables_info_<task id>_from_1_to_<n>.json`, encrypted with the task's key. The sandbox
has no table data to export: it writes the two JSON files as AWS lays them out (the info file's
`emulated` field says no Parquet was written), under the task's key, so that a manifest, presigned
URLs and offboarding see an export where AWS would put it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.rds.models import RDSBackend
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

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


def _export_files(original: Callable[..., Any]) -> Callable[..., Any]:
    def start(self: RDSBackend, kwargs: dict[str, Any]) -> Any:
        task = original(self, kwargs)
        folder = f"{task.s3_prefix.strip('/')}/{task.export_task_identifier}/".lstrip("/")
        when = task.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        info = {
            "exportTaskIdentifier": task.export_task_identifier, "sourceArn": task.source_arn, "exportOnly": task.export_only,
            "snapshotTime": when, "taskStartTime": when, "taskEndTime": when, "s3Bucket": task.s3_bucket,
            "s3Prefix": task.s3_prefix, "exportedFilesPath": folder, "iamRoleArn": task.iam_role_arn, "kmsKeyId": task.kms_key_id,
            "status": "COMPLETE", "percentProgress": 100, "totalExportedDataInGB": 0,
            "emulated": "tenantkit sandbox: the export's layout and info files only; no table data (Parquet) was written",
        }  # fmt: skip
        tables = {"perTableStatus": [], "exportTaskIdentifier": task.export_task_identifier}
        s3 = s3_backends[self.account_id][get_partition(self.region_name)]
        for key, body in ((f"{folder}export_info_{task.export_task_identifier}.json", info),
                          (f"{folder}export_tables_info_{task.export_task_identifier}_from_1_to_1.json", tables)):  # fmt: skip
            s3.put_object(task.s3_bucket, key, json.dumps(body).encode(), encryption="aws:kms", kms_key_id=task.kms_key_id)
        return task

    return start


def patch() -> None:
    wrap(RDSBackend, "restore_db_instance_from_db_snapshot", _restore_from_snapshot)
    wrap(RDSBackend, "start_export_task", _export_files)
