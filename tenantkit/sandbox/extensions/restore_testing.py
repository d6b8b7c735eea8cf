"""AWS::Backup::RestoreTestingPlan and RestoreTestingSelection, with the read side of their API.

moto 5.2.5 defects: its CloudFormation has no model for either type (they are skipped and reported
CREATE_COMPLETE, so nothing can see them), and its Backup API has no restore testing operation.
The plans and selections a stack creates are kept as records on moto's Backup backend (cleared by
moto's reset) and served by GetRestoreTestingPlan, ListRestoreTestingPlans,
GetRestoreTestingSelection and ListRestoreTestingSelections, in the shapes of botocore's model, and
deleted by DeleteRestoreTestingSelection and DeleteRestoreTestingPlan (a plan only once it has no
selection left, as AWS refuses it otherwise: InvalidRequestException).
The sandbox never runs a restore test: the schedule is stored, not acted on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from moto.backup import urls as backup_urls
from moto.backup.exceptions import InvalidRequestException, ResourceNotFoundException
from moto.backup.models import backup_backends
from moto.backup.responses import BackupResponse
from moto.core.common_models import CloudFormationModel
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.utilities.utils import get_partition

from tenantkit.sandbox.extensions._base import BackedModel, records

ROUTES = (
    "{0}/restore-testing/plans$",
    "{0}/restore-testing/plans/(?P<RestoreTestingPlanName>[^/]+)$",
    "{0}/restore-testing/plans/(?P<RestoreTestingPlanName>[^/]+)/selections$",
    "{0}/restore-testing/plans/(?P<RestoreTestingPlanName>[^/]+)/selections/(?P<RestoreTestingSelectionName>[^/]+)$",
)


def restore_testing_plans(account_id: str, region_name: str) -> dict[str, dict[str, Any]]:
    """Each plan as GetRestoreTestingPlan returns it, with its selections under `_selections`."""
    return records(backup_backends[account_id][region_name], "restore_testing_plans")


def _plan(account_id: str, region_name: str, name: str) -> dict[str, Any]:
    plan = restore_testing_plans(account_id, region_name).get(name)
    if plan is None:
        raise ResourceNotFoundException(msg=f"Restore testing plan {name} not found")
    return plan


class RestoreTestingPlan(BackedModel, CloudFormationModel):
    TYPE = "AWS::Backup::RestoreTestingPlan"
    ATTRIBUTES = frozenset({"RestoreTestingPlanArn"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> RestoreTestingPlan:
        name = p["RestoreTestingPlanName"]
        arn = f"arn:{get_partition(region_name)}:backup:{region_name}:{account_id}:restore-testing-plan:{name}"
        now = utcnow()
        restore_testing_plans(account_id, region_name)[name] = {
            "RestoreTestingPlanName": name,
            "RestoreTestingPlanArn": arn,
            "ScheduleExpression": p["ScheduleExpression"],
            "ScheduleExpressionTimezone": p.get("ScheduleExpressionTimezone", "Etc/UTC"),
            "StartWindowHours": p.get("StartWindowHours", 24),
            "RecoveryPointSelection": p["RecoveryPointSelection"],
            "CreationTime": now,
            "LastUpdateTime": now,
            "_selections": {},
            "_tags": {tag["Key"]: tag["Value"] for tag in p.get("Tags", [])},
        }
        return cls(name, {"RestoreTestingPlanArn": arn})

    def delete(self, account_id: str, region_name: str) -> None:
        restore_testing_plans(account_id, region_name).pop(self.physical_resource_id, None)


class RestoreTestingSelection(BackedModel, CloudFormationModel):
    TYPE = "AWS::Backup::RestoreTestingSelection"

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> RestoreTestingSelection:
        plan = _plan(account_id, region_name, p["RestoreTestingPlanName"])
        name = p["RestoreTestingSelectionName"]
        plan["_selections"][name] = {
            "RestoreTestingPlanName": plan["RestoreTestingPlanName"],
            "RestoreTestingSelectionName": name,
            "ProtectedResourceType": p["ProtectedResourceType"],
            "ProtectedResourceArns": p.get("ProtectedResourceArns", []),
            "IamRoleArn": p["IamRoleArn"],
            "RestoreMetadataOverrides": p.get("RestoreMetadataOverrides", {}),
            "ValidationWindowHours": p.get("ValidationWindowHours", 0),
            "CreationTime": utcnow(),
        }
        return cls(f"{plan['RestoreTestingPlanName']}|{name}")

    def delete(self, account_id: str, region_name: str) -> None:
        plan_name, name = self.physical_resource_id.split("|", 1)
        plan = restore_testing_plans(account_id, region_name).get(plan_name)
        if plan is not None:
            plan["_selections"].pop(name, None)


def _public(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: record[key] for key in keys if key in record}


_PLAN_SUMMARY = ("CreationTime", "LastUpdateTime", "RestoreTestingPlanArn", "RestoreTestingPlanName",
                 "ScheduleExpression", "ScheduleExpressionTimezone", "StartWindowHours")
_SELECTION_SUMMARY = ("CreationTime", "IamRoleArn", "ProtectedResourceType", "RestoreTestingPlanName",
                      "RestoreTestingSelectionName", "ValidationWindowHours")


def _path_name(response: BackupResponse, after: str) -> str:
    parts = response.path.split("?")[0].split("/")
    return unquote(parts[parts.index(after) + 1])


class RestoreTestingResponses:
    """The methods added to moto's `BackupResponse`, one per operation (moto routes by name)."""

    def get_restore_testing_plan(self: Any) -> ActionResult:
        plan = _plan(self.current_account, self.region, _path_name(self, "plans"))
        return ActionResult({"RestoreTestingPlan": _public(plan, *_PLAN_SUMMARY, "RecoveryPointSelection")})

    def list_restore_testing_plans(self: Any) -> ActionResult:
        plans = restore_testing_plans(self.current_account, self.region).values()
        return ActionResult({"RestoreTestingPlans": [_public(plan, *_PLAN_SUMMARY) for plan in plans]})

    def get_restore_testing_selection(self: Any) -> ActionResult:
        plan = _plan(self.current_account, self.region, _path_name(self, "plans"))
        name = _path_name(self, "selections")
        if name not in plan["_selections"]:
            raise ResourceNotFoundException(msg=f"Restore testing selection {name} not found")
        selection = plan["_selections"][name]
        return ActionResult({"RestoreTestingSelection": _public(selection, *selection)})

    def list_restore_testing_selections(self: Any) -> ActionResult:
        plan = _plan(self.current_account, self.region, _path_name(self, "plans"))
        return ActionResult(
            {"RestoreTestingSelections": [_public(s, *_SELECTION_SUMMARY) for s in plan["_selections"].values()]}
        )


    def delete_restore_testing_selection(self: Any) -> EmptyResult:
        plan = _plan(self.current_account, self.region, _path_name(self, "plans"))
        name = _path_name(self, "selections")
        if plan["_selections"].pop(name, None) is None:
            raise ResourceNotFoundException(msg=f"Restore testing selection {name} not found")
        return EmptyResult()

    def delete_restore_testing_plan(self: Any) -> EmptyResult:
        """As AWS documents it: only once every selection of the plan is deleted."""
        name = _path_name(self, "plans")
        plan = _plan(self.current_account, self.region, name)
        if plan["_selections"]:
            raise InvalidRequestException(msg=f"Restore testing plan {name} has restore testing selections: delete them first")
        restore_testing_plans(self.current_account, self.region).pop(name)
        return EmptyResult()


def patch() -> None:
    for name, method in vars(RestoreTestingResponses).items():
        if callable(method) and not name.startswith("_"):
            setattr(BackupResponse, name, method)
    for route in ROUTES:
        backup_urls.url_paths.setdefault(route, BackupResponse.dispatch)
