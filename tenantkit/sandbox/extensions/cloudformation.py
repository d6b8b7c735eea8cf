"""CloudFormation's own API as the AWS CDK CLI and `tenantkit deploy --local` use it: updates,
change sets, termination protection, and deleting a tenant's stacks.

moto 5.2.5 defects, in `moto.cloudformation` unless said otherwise:
- `update_stack` with `UsePreviousValue` for a parameter that took its template default (CDK's
  `BootstrapVersion`, an `AWS::SSM::Parameter::Value<String>`) fails `KeyError: 'BootstrapVersion'`:
  only parameters passed at create are remembered. The previous template's default is used.
- `UpdateTerminationProtection` is not implemented (the CDK CLI calls it on every change-set
  deploy): it is added, and stored where DescribeStacks reads it (not enforced, as in moto).
- `ExecuteChangeSet` of a CREATE change set leaves the stack's Outputs and exports those of the
  empty template it started from, and its `Fn::ImportValue` sees no exports; a failed execution
  leaves the stack `REVIEW_IN_PROGRESS` with a 500. The outputs and exports are rebuilt, the
  region's exports are visible to it, and a failure rolls the stack back with the reason.
- `DeleteChangeSet` of an unknown name raises `UnboundLocalError` (a 500): it is `ChangeSetNotFound`.
- `DeleteStack` whose resources fail to delete drops the stack record anyway, orphaning what it
  created: the stack is kept, `DELETE_FAILED` with the reason, as CloudFormation does. Two of those
  failures are fixed where they arise: AWS::IAM::ManagedPolicy is never deleted (nor detached), so
  its role cannot go ("must detach all policies first"); AWS::EC2::RouteTable and
  AWS::EC2::SubnetRouteTableAssociation are never deleted, so their VPC cannot go; an
  AWS::EC2::FlowLog is never deleted either (it outlives its stack and its VPC).
- `DeleteStack` deletes resources whose DeletionPolicy is `RetainExceptOnCreate` (CloudFormation
  retains them: the policy deletes only when a stack's creation rolls back), and fails on a
  resource that is already gone (CloudFormation counts a resource it cannot find as deleted, so
  a stack whose retained data was destroyed first still deletes): handled around `Stack.delete`
  and `ResourceMap._delete_resource`.
- `DescribeStacks` of a deleted stack evaluates its Outputs, and a `Ref` in one re-creates the
  deleted resource it names (ResourceMap parses resources lazily): a tenant's incident topic came
  back after its DR stack was deleted. A deleted stack has no outputs nor exports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudformation.exceptions import CloudFormationError
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.parsing import ResourceMap
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.ec2.models import ec2_backends
from moto.ec2.models.flow_logs import FlowLogs
from moto.ec2.models.route_tables import RouteTable
from moto.ec2.models.subnets import SubnetRouteTableAssociation
from moto.iam.models import ManagedPolicy, iam_backends
from moto.utilities.utils import get_partition

from tenantkit.sandbox.extensions._base import wrap


class ChangeSetNotFound(CloudFormationError):
    code = "ChangeSetNotFound"


# --- updates -----------------------------------------------------------------------------------


def _resolve_update_parameters(original: Callable[..., Any]) -> Callable[..., Any]:
    def resolve(self: CloudFormationBackend, instance: Any, incoming_params: list[dict[str, Any]]) -> dict[str, str]:
        if isinstance(instance, Stack):
            declared = instance.template_dict.get("Parameters", {})
            incoming_params = [
                {"ParameterKey": p["ParameterKey"], "ParameterValue": declared[p["ParameterKey"]]["Default"]}
                if p.get("UsePreviousValue") and p["ParameterKey"] not in instance.parameters
                and "Default" in declared.get(p["ParameterKey"], {})
                else p
                for p in incoming_params
            ]
        return original(self, instance, incoming_params)

    return resolve


def _refresh_exports(backend: CloudFormationBackend, stack: Stack) -> None:
    """The stack's outputs from its current template, and its exports in the region's."""
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()
    for name in [n for n, e in backend.exports.items() if e.exporting_stack_id == stack.stack_id]:
        del backend.exports[name]
    backend._validate_export_uniqueness(stack)
    for export in stack.exports:
        backend.exports[export.name] = export


def _update_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    def update(self: CloudFormationBackend, *args: Any, **kwargs: Any) -> Stack:
        stack = original(self, *args, **kwargs)
        _refresh_exports(self, stack)
        return stack

    return update


# --- change sets and termination protection ------------------------------------------------------


def _execute_change_set(original: Callable[..., Any]) -> Callable[..., Any]:
    def execute(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.describe_change_set(change_set_name)
        assert change_set is not None, "moto raises ValidationError for an unknown change set"
        stack = self.stacks[change_set.stack_id]
        stack.resource_map.cross_stack_resources = self.exports  # Fn::ImportValue reads these
        try:
            original(self, change_set_name, stack_name)
            _refresh_exports(self, stack)
        except Exception as error:  # noqa: BLE001 - CloudFormation reports it on the stack, asynchronously
            change_set.execution_status = "EXECUTE_FAILED"
            failed, rolled_back = (
                ("CREATE_FAILED", "ROLLBACK_COMPLETE")
                if change_set.change_set_type == "CREATE"
                else ("UPDATE_FAILED", "UPDATE_ROLLBACK_COMPLETE")
            )
            stack._add_stack_event(failed, resource_status_reason=f"{type(error).__name__}: {error}")
            stack.status = rolled_back
            stack.status_reason = str(error)  # type: ignore[attr-defined]  # DescribeStacks' StackStatusReason; moto's Stack never sets it

    return execute


def _delete_change_set(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete(self: CloudFormationBackend, change_set_name: str) -> None:
        known = change_set_name in self.change_sets or any(
            c.change_set_name == change_set_name for c in self.change_sets.values()
        )
        if not known:
            raise ChangeSetNotFound(f"ChangeSet [{change_set_name}] does not exist")
        original(self, change_set_name)

    return delete


def update_termination_protection(self: CloudFormationResponse) -> ActionResult:
    """The API action moto lacks (`UpdateTerminationProtection`)."""
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection", False)
    return ActionResult({"StackId": stack.stack_id})


# --- deleting stacks -----------------------------------------------------------------------------


def _delete_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete(self: CloudFormationBackend, name_or_stack_id: str) -> None:
        stack = self.stacks.get(name_or_stack_id)
        if stack is None:  # by name: moto calls this again with the stack's id
            return original(self, name_or_stack_id)
        try:
            original(self, name_or_stack_id)
        except Exception as error:  # noqa: BLE001 - the stack stays, DELETE_FAILED, as in CloudFormation
            self.deleted_stacks.pop(stack.stack_id, None)
            self.stacks[stack.stack_id] = stack
            stack.status = "DELETE_FAILED"
            reason = f"The following resource(s) failed to delete: {error}"
            stack.status_reason = reason  # type: ignore[attr-defined]  # DescribeStacks' StackStatusReason; moto's Stack never sets it
            stack._add_stack_event("DELETE_FAILED", resource_status_reason=reason)
        return None

    return delete


def _delete_managed_policy(self: ManagedPolicy, account_id: str, region_name: str) -> None:
    """CloudFormation detaches a managed policy from its roles, groups and users, then deletes it."""
    backend = iam_backends[account_id][get_partition(region_name)]
    for role in list(backend.roles.values()):
        if self.arn in role.managed_policies:
            backend.detach_role_policy(self.arn, role.name)
    for group in list(backend.groups.values()):
        if self.arn in group.managed_policies:
            backend.detach_group_policy(self.arn, group.name)
    for user in list(backend.users.values()):
        if self.arn in user.managed_policies:
            backend.detach_user_policy(self.arn, user.name)
    backend.delete_policy(self.arn)


def _delete_route_table(self: RouteTable, account_id: str, region_name: str) -> None:
    backend = ec2_backends[account_id][region_name]
    for association_id in list(self._associations):
        backend.disassociate_route_table(association_id)
    backend.delete_route_table(self.id)


def _delete_flow_log(self: FlowLogs, account_id: str, region_name: str) -> None:
    backend = ec2_backends[account_id][region_name]
    if self.id in backend.flow_logs:
        backend.delete_flow_logs([self.id])


def _delete_subnet_association(self: SubnetRouteTableAssociation, account_id: str, region_name: str) -> None:
    ec2_backends[account_id][region_name].subnet_associations.pop(f"{self.route_table_id}:{self.subnet_id}", None)


_GONE_MARKERS = ("NotFound", "NoSuch", "Nonexistent", "does not exist")


def _stack_delete(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete(self: Stack) -> None:
        for resource in self.resource_map._resource_json_map.values():
            if resource.get("DeletionPolicy") == "RetainExceptOnCreate":
                resource["DeletionPolicy"] = "Retain"  # a stack deletion retains it (only a rolled-back create deletes it)
        original(self)

    return delete


def _delete_resource(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete(self: ResourceMap, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
        try:
            original(self, parsed_resource, resource_json)
        except Exception as error:  # moto's service errors share no base class with its Python ones
            text = f"{getattr(error, 'error_type', '')} {getattr(error, 'message', '')} {error}"
            if not any(marker in text for marker in _GONE_MARKERS):
                raise

    return delete


def _live_only(prop: property, empty: Any) -> property:
    read = prop.fget
    if read is None or getattr(read, "tenantkit", False):
        return prop

    def get(self: Stack) -> Any:
        return empty if self.status == "DELETE_COMPLETE" else read(self)

    get.tenantkit = True  # type: ignore[attr-defined]  # marks the getter installed, so patch() stays idempotent
    return property(get)


def patch() -> None:
    # vars(): the property objects themselves (on the class, mypy reads them as methods).
    Stack.outputs = _live_only(vars(Stack)["outputs"], None)  # type: ignore[method-assign,assignment]  # a property replaced by a property
    Stack.exports = _live_only(vars(Stack)["exports"], [])  # type: ignore[method-assign,assignment]  # a property replaced by a property
    wrap(Stack, "delete", _stack_delete)
    wrap(ResourceMap, "_delete_resource", _delete_resource)
    wrap(CloudFormationBackend, "_resolve_update_parameters", _resolve_update_parameters)
    wrap(CloudFormationBackend, "update_stack", _update_stack)
    wrap(CloudFormationBackend, "execute_change_set", _execute_change_set)
    wrap(CloudFormationBackend, "delete_change_set", _delete_change_set)
    wrap(CloudFormationBackend, "delete_stack", _delete_stack)
    # The methods moto 5.2.5 lacks, added to its classes:
    CloudFormationResponse.update_termination_protection = update_termination_protection  # type: ignore[attr-defined]  # API moto lacks
    ManagedPolicy.delete = _delete_managed_policy  # type: ignore[attr-defined]  # CloudFormation deletion moto lacks
    RouteTable.delete = _delete_route_table  # type: ignore[attr-defined]  # CloudFormation deletion moto lacks
    FlowLogs.delete = _delete_flow_log  # type: ignore[attr-defined]  # CloudFormation deletion moto lacks
    SubnetRouteTableAssociation.delete = _delete_subnet_association  # type: ignore[attr-defined]  # CloudFormation deletion moto lacks
