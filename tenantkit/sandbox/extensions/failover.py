"""What a regional failover needs from RDS and Secrets Manager, as AWS does it.

moto 5.2.5 defects:
- `PromoteReadReplica` flips the replica's flag only: the promoted instance still names its
  source (`ReadReplicaSourceDBInstanceIdentifier`) and the source still lists it among its
  replicas, and promoting an instance that is not a replica is accepted. AWS makes the instance
  standalone (no source, gone from the source's list) and refuses a non-replica with
  `InvalidDBInstanceState`.
- `StopReplicationToReplica` is not implemented. AWS, called in the replica's region on the
  replica secret, promotes it to a standalone secret (same ARN and name, the current value) and
  removes that region from the primary secret's replication. Served here on moto's backends.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from moto.rds.exceptions import RDSClientError
from moto.rds.models import RDSBackend
from moto.secretsmanager.exceptions import InvalidParameterException, SecretNotFoundException
from moto.secretsmanager.models import ReplicaSecret, SecretsManagerBackend
from moto.secretsmanager.responses import SecretsManagerResponse

from tenantkit.sandbox.extensions._base import wrap


def _promote(original: Callable[..., Any]) -> Callable[..., Any]:
    def promote(self: RDSBackend, db_kwargs: dict[str, Any]) -> Any:
        database = self.databases.get(db_kwargs["db_instance_identifier"])
        if database is not None and not database.is_replica:
            raise RDSClientError("InvalidDBInstanceState", f"DB Instance {database.db_instance_identifier} is not a read replica.")
        source_id = database.source_db_instance_identifier if database is not None else None
        promoted = original(self, db_kwargs)
        if source_id:
            try:
                source = self.find_db_from_id(source_id)
            except Exception:  # noqa: BLE001 - the source is gone (its region lost): nothing to detach from
                source = None
            if source is not None:
                for name in (promoted.db_instance_arn, promoted.db_instance_identifier):
                    if name in source.replicas:
                        source.replicas.remove(name)
        promoted.source_db_instance_identifier = None
        return promoted

    return promote


def stop_replication_to_replica(self: SecretsManagerBackend, secret_id: str) -> str:
    """Promote the replica secret `secret_id` of this region to a standalone secret."""
    if secret_id not in self.secrets:
        raise SecretNotFoundException()
    replica = self.secrets[secret_id]
    if not isinstance(replica, ReplicaSecret):
        raise InvalidParameterException("StopReplicationToReplica must be called on a replica secret, in its region.")
    source = replica.source
    standalone = copy.copy(source)
    standalone.arn, standalone.region, standalone.replicas = replica.arn, replica.region, []
    standalone.versions = copy.deepcopy(source.versions)
    standalone.kms_key_id = replica.config.get("KmsKeyId")
    dict.pop(self.secrets, replica.arn)
    self.secrets[standalone.arn] = standalone
    source.replicas.remove(replica)
    return standalone.arn


def _stop_replication_response(self: SecretsManagerResponse) -> str:
    return json.dumps({"ARN": stop_replication_to_replica(self.backend, self._get_param("SecretId"))})


def patch() -> None:
    wrap(RDSBackend, "promote_read_replica", _promote)
    SecretsManagerBackend.stop_replication_to_replica = stop_replication_to_replica  # type: ignore[attr-defined]
    SecretsManagerResponse.stop_replication_to_replica = _stop_replication_response  # type: ignore[attr-defined]
