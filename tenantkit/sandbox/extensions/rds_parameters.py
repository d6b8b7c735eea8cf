"""A DB instance's parameter apply status, as RDS reports it.

moto 5.2.5 defect: every instance's parameter groups are always `in-sync`
(`DBInstance.db_parameter_group_status_list`). In RDS, a parameter changed with
`ApplyMethod=pending-reboot` (every static one, such as `shared_preload_libraries`) on a group an
instance uses, or a new group attached to an instance, leaves the instance `pending-reboot` until
it is rebooted
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithParamGroups.Modifying.html,
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithParamGroups.Associating.html).
Here: the same three transitions, the status kept per instance.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from moto.rds.models import DBInstance, RDSBackend

from tenantkit.sandbox.extensions._base import wrap

_STATUS = "_tenantkit_parameter_apply_status"
PENDING_REBOOT = "pending-reboot"


def _status_list(self: DBInstance) -> list[Any]:
    groups = []
    for group in self.db_parameter_groups():
        shown = copy.copy(group)  # groups are shared by instances; each has its own status
        setattr(shown, "ParameterApplyStatus", getattr(self, _STATUS, "in-sync"))  # noqa: B010 - moto's template reads it; its class declares no such attribute
        groups.append(shown)
    return groups


def _modify_group(original: Callable[..., Any]) -> Callable[..., Any]:
    def modify(self: RDSBackend, db_parameter_group_name: str, db_parameter_group_parameters: Iterable[dict[str, Any]]) -> Any:
        parameters = list(db_parameter_group_parameters)
        group = original(self, db_parameter_group_name, parameters)
        if any(p.get("ApplyMethod") == PENDING_REBOOT for p in parameters):
            for database in self.databases.values():
                if database.db_parameter_group_name == db_parameter_group_name:
                    setattr(database, _STATUS, PENDING_REBOOT)
        return group

    return modify


def _modify_instance(original: Callable[..., Any]) -> Callable[..., Any]:
    def modify(self: RDSBackend, db_instance_identifier: str, db_kwargs: dict[str, Any]) -> Any:
        before = self.describe_db_instances(db_instance_identifier)[0].db_parameter_group_name
        database = original(self, db_instance_identifier, db_kwargs)
        if db_kwargs.get("db_parameter_group_name") not in (None, before):
            setattr(database, _STATUS, PENDING_REBOOT)
        return database

    return modify


def _reboot(original: Callable[..., Any]) -> Callable[..., Any]:
    def reboot(self: RDSBackend, db_instance_identifier: str, *args: Any, **kwargs: Any) -> Any:
        database = original(self, db_instance_identifier, *args, **kwargs)
        setattr(database, _STATUS, "in-sync")
        return database

    return reboot


def patch() -> None:
    DBInstance.db_parameter_group_status_list = property(_status_list)  # type: ignore[assignment,method-assign]
    wrap(RDSBackend, "modify_db_parameter_group", _modify_group)
    wrap(RDSBackend, "modify_db_instance", _modify_instance)
    wrap(RDSBackend, "reboot_db_instance", _reboot)
