"""AWS::RDS::DBInstance as CloudFormation describes it, and cross-region read replicas in their
own region's subnet group.

moto 5.2.5 defects, all in its CloudFormation DB instance model unless said otherwise:
- a `Ref` to an AWS::RDS::DBParameterGroup resolves to moto's model object, which is passed on
  as the group's name (DBParameterGroupNotFound): the group's name is passed instead;
- `VPCSecurityGroups` (the CloudFormation name) is ignored: it is passed as the API's
  VpcSecurityGroupIds;
- `DeletionProtection` and `EnableIAMDatabaseAuthentication` are ignored, and without `Port` the
  port is 3306 whatever the engine: they are set on the instance moto created;
- `RDSBackend.create_db_instance_read_replica` (CloudFormation and API alike) copies the source
  and sets the replica's properties in order before switching it to its own region, so a
  cross-region replica's DBSubnetGroupName is looked up in the source's region
  (DBSubnetGroupNotFound): the region is switched first;
- deleting a cross-region read replica fails (HTTP 500, `list.remove(x): x not in list`) after
  the replica is already dropped: its source records a cross-region replica by ARN but removes it
  by identifier. `DBInstance.remove_replica` removes whichever is recorded.
- every DB instance gets the same `DbiResourceId` (`db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U`, in
  `DBInstance.__init__`); AWS makes one per instance, and offboarding matches snapshot copies and
  Enhanced Monitoring streams by it: each instance gets its own (`db-` and 26 letters and digits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.moto_api._internal import mock_random
from moto.rds.models import DBInstance, RDSBackend

from tenantkit.sandbox.extensions._base import around_create, wrap


def _api_properties(properties: dict[str, Any]) -> None:
    group = properties.get("DBParameterGroupName")
    if group is not None and not isinstance(group, str):
        properties["DBParameterGroupName"] = group.name
    if "VPCSecurityGroups" in properties:
        properties.setdefault("VpcSecurityGroupIds", properties["VPCSecurityGroups"])


def _ignored_properties(database: DBInstance, properties: dict[str, Any], account_id: str, region_name: str) -> None:
    database.deletion_protection = bool(properties.get("DeletionProtection", False))
    database.enable_iam_database_authentication = bool(properties.get("EnableIAMDatabaseAuthentication", False))
    if "Port" not in properties:
        database.port = DBInstance.default_port(database.engine)


def _create_read_replica(original: Callable[..., Any]) -> Callable[..., Any]:
    def create(self: RDSBackend, db_kwargs: dict[str, Any]) -> Any:
        if self.arn_regex.match(db_kwargs["source_db_instance_identifier"]):
            db_kwargs = {"backend": self, **db_kwargs}  # first: later setters look up in its region
        return original(self, db_kwargs)

    return create


def _remove_replica(self: DBInstance, replica: DBInstance) -> None:
    for recorded in (replica.db_instance_identifier, replica.db_instance_arn):
        if recorded in self.replicas:
            self.replicas.remove(recorded)


RESOURCE_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _own_resource_id(original: Callable[..., Any]) -> Callable[..., Any]:
    def init(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.dbi_resource_id = "db-" + "".join(mock_random.choice(RESOURCE_ID_ALPHABET) for _ in range(26))

    return init


def patch() -> None:
    wrap(DBInstance, "__init__", _own_resource_id)
    DBInstance.remove_replica = _remove_replica  # type: ignore[method-assign]  # moto's removes by identifier a replica recorded by ARN
    around_create(DBInstance, before=_api_properties, after=_ignored_properties)
    wrap(RDSBackend, "create_db_instance_read_replica", _create_read_replica)
