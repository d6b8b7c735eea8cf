"""CloudFormation's own drift detection of a tenant's stacks, and the drift-reverting deploy that
repairs them.

Detection is `DetectStackDrift`, polled with `DescribeStackDriftDetectionStatus` until it ends,
then `DescribeStackResourceDrifts` (paged) for the resources found MODIFIED or DELETED, each
difference with the template's value and the deployed one.

Repair is a drift-aware change set: `CreateChangeSet` with `DeploymentMode=REVERT_DRIFT` on the
deployed template (`UsePreviousTemplate`, parameters kept), which CloudFormation builds from the
resources' actual state and which, executed, writes the template's values back over the drifted
properties (AWS CloudFormation User Guide, "Using drift-aware change sets"; the pinned CDK CLI's
equivalent is `cdk deploy --revert-drift`, aws/aws-cdk-cli#1127). The same calls run against AWS
and the sandbox, whose emulator implements both (tenantkit.sandbox.extensions.drift).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from tenantkit.aws import classify, error_code, pages
from tenantkit.lifecycle.inventory.model import Item

DRIFTED = ("MODIFIED", "DELETED")
REPAIR_CHANGE_SET = "tenantkit-revert-drift"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
KIND = "stack drift"
POLL_SECONDS = 2.0
DETECTION_TIMEOUT_S = 600.0


class DriftError(Exception):
    """Drift detection or repair of a stack did not complete; the message says why."""


@dataclass(frozen=True)
class PropertyDrift:
    path: str
    declared: str
    actual: str


@dataclass(frozen=True)
class ResourceDrift:
    """One resource CloudFormation found drifted: MODIFIED (with its differences) or DELETED."""

    logical_id: str
    resource_type: str
    physical_id: str
    status: str
    differences: tuple[PropertyDrift, ...] = ()

    def lines(self) -> list[str]:
        """One line per difference, with both values; one line for a deleted resource."""
        where = f"{self.logical_id} ({self.resource_type})"
        if self.status == "DELETED":
            return [f"{where}: declared, deleted outside CloudFormation"]
        return [f"{where} {d.path}: declared {d.declared}, actual {d.actual}" for d in self.differences]


@dataclass(frozen=True)
class StackDrift:
    stack: str
    status: str
    """DRIFTED, IN_SYNC or NOT_CHECKED, as CloudFormation says."""
    resources: tuple[ResourceDrift, ...] = ()


Sleep = Callable[[float], None]


def detect_stack_drift(cloudformation: Any, stack: str, *, sleep: Sleep = time.sleep, timeout_s: float = DETECTION_TIMEOUT_S) -> StackDrift:
    """CloudFormation's drift detection of `stack`, run to its end; DriftError when it fails."""
    detection = cloudformation.detect_stack_drift(StackName=stack)["StackDriftDetectionId"]
    waited = 0.0
    while True:
        status = cloudformation.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
        if status["DetectionStatus"] != "DETECTION_IN_PROGRESS":
            break
        if waited >= timeout_s:
            raise DriftError(f"{stack}: drift detection {detection} still in progress after {timeout_s:.0f} s")
        sleep(POLL_SECONDS)
        waited += POLL_SECONDS
    if status["DetectionStatus"] == "DETECTION_FAILED" and "StackDriftStatus" not in status:
        raise DriftError(f"{stack}: drift detection failed: {status.get('DetectionStatusReason', 'no reason given')}")
    drifts = pages(cloudformation, "describe_stack_resource_drifts", "StackResourceDrifts", StackName=stack, StackResourceDriftStatusFilters=list(DRIFTED))
    resources = tuple(
        ResourceDrift(
            d["LogicalResourceId"], d["ResourceType"], d.get("PhysicalResourceId", ""), d["StackResourceDriftStatus"],
            tuple(PropertyDrift(p["PropertyPath"], p["ExpectedValue"], p["ActualValue"]) for p in d.get("PropertyDifferences", [])),
        )
        for d in drifts
        if d["StackResourceDriftStatus"] in DRIFTED
    )
    return StackDrift(stack, status.get("StackDriftStatus", "NOT_CHECKED"), resources)


@dataclass
class Repair:
    """What a drift-reverting deploy of one stack changed: the resources it wrote back."""

    stack: str
    drift: StackDrift
    reverted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.reverted)


def revert_drift(cloudformation: Any, stack: str, drift: StackDrift, *, waiter_delay: int = 2) -> Repair:
    """Write the deployed template's values back over what drifted in `stack` (nothing to do when
    CloudFormation found it in sync). The change set is deleted when it holds no change."""
    repair = Repair(stack, drift)
    if not drift.resources:
        return repair
    (current,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    parameters = [{"ParameterKey": p["ParameterKey"], "UsePreviousValue": True} for p in current.get("Parameters", [])]
    created = cloudformation.create_change_set(
        StackName=stack, ChangeSetName=REPAIR_CHANGE_SET, ChangeSetType="UPDATE", UsePreviousTemplate=True,
        Parameters=parameters, Capabilities=CAPABILITIES, DeploymentMode="REVERT_DRIFT",
    )
    change_set = created["Id"]
    delay = {"Delay": waiter_delay, "MaxAttempts": 300}
    try:
        cloudformation.get_waiter("change_set_create_complete").wait(ChangeSetName=change_set, StackName=stack, WaiterConfig=delay)
    except WaiterError as error:  # the change set FAILED
        described = cloudformation.describe_change_set(ChangeSetName=change_set, StackName=stack)
        cloudformation.delete_change_set(ChangeSetName=change_set, StackName=stack)
        if described.get("Status") == "FAILED" and not described.get("Changes"):
            return repair  # CloudFormation found nothing to write back
        raise DriftError(f"{stack}: the drift-reverting change set failed: {described.get('StatusReason', error)}") from None
    described = cloudformation.describe_change_set(ChangeSetName=change_set, StackName=stack)
    repair.reverted = [c["ResourceChange"]["LogicalResourceId"] for c in described.get("Changes", [])]
    cloudformation.execute_change_set(ChangeSetName=change_set, StackName=stack)
    try:
        cloudformation.get_waiter("stack_update_complete").wait(StackName=stack, WaiterConfig=delay)
    except WaiterError as error:  # the update failed or rolled back
        raise DriftError(f"{stack}: the drift-reverting deploy did not complete: {error}") from None
    return repair


def stack_drift(session: Any, region: str, stack: str) -> Item:
    """The inventory item of CloudFormation's drift detection of `stack`: one problem per drifted
    property, with the template's value and the deployed one."""
    try:
        drift = detect_stack_drift(session.client("cloudformation"), stack)
    except (ClientError, BotoCoreError) as error:
        failure = classify(error)
        return Item(region, KIND, stack, unchecked=(f"DetectStackDrift: {failure.value} ({error_code(error) or type(error).__name__})",))
    except DriftError as error:
        return Item(region, KIND, stack, unchecked=(str(error),))
    problems = tuple(line for resource in drift.resources for line in resource.lines())
    details = {"status": drift.status, "drifted": [r.logical_id for r in drift.resources]}
    return Item(region, KIND, stack, details, problems)


def repair_stacks(stack_regions: dict[str, str], session_for: Callable[[str], Any]) -> list[Repair]:
    """`deploy --repair` after the deploy: each stack's drift detected by CloudFormation, then
    reverted to its template where any was found."""
    repairs = []
    for stack, region in stack_regions.items():
        cloudformation = session_for(region).client("cloudformation")
        repairs.append(revert_drift(cloudformation, stack, detect_stack_drift(cloudformation, stack)))
    return repairs
