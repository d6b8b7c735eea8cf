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
- Change sets are found by name across the region, not within the stack the call names (moto's
  DescribeChangeSet answers the last of that name, DeleteChangeSet removes the first): a tenant's
  DR and replica stacks share `cdk-deploy-change-set` in one region, so the CDK CLI's second deploy
  waited forever for its change set to be gone. They are looked up within their stack.
- `DeleteChangeSet` of a change set the stack does not have raises `UnboundLocalError` (a 500), so
  `cdk deploy` of a stack `deploy --local` made, and `cdk diff`, failed: it succeeds, as in
  CloudFormation (the CDK CLI deletes `cdk-deploy-change-set` before each deploy, then waits for
  DescribeChangeSet to answer `ChangeSetNotFound`, where moto answers `ValidationError`).
- An executed change set is kept (CloudFormation deletes a stack's change sets once one ran);
  ExecuteChangeSet of one that is not AVAILABLE is not refused (`InvalidChangeSetStatus`).
- CreateChangeSet of an unchanged template is refused ("No updates are to be performed") when it
  should create a FAILED change set that says so, and with `UsePreviousValue` for an SSM-typed
  parameter (CDK's `BootstrapVersion`) it passes the resolved value on, which execution then looks
  up as a parameter name (`AttributeError`, the update fails).
- DescribeChangeSet's changes carry no PhysicalResourceId, Replacement, Scope nor Details: a
  modification names the properties it changes. Replacement is always reported `False`
  (RequiresRecreation `Never`): the emulator does not know which properties force one.
- CreateStack whose resources fail answers a 500 (an HTML page: botocore's `ResponseParserError
  ... invalid XML`) and leaves the stack CREATE_IN_PROGRESS with what it created, and a failed
  CREATE change set kept its resources too: a failed create rolls back as CloudFormation's does
  (resources deleted, `RetainExceptOnCreate` ones too; ROLLBACK_COMPLETE, no outputs), so the
  retry after deleting the stack (what the CDK CLI and `deploy --local` do) succeeds.
- UpdateStack whose resources fail answers the resource's own error and records the new template
  as deployed (the next deploy sees nothing to do): the stack ends UPDATE_ROLLBACK_COMPLETE with
  the reason and its previous template; the resources changed before the failure are not restored.
- Deleting an AWS::KMS::Key through CloudFormation deletes the key outright: CloudFormation
  schedules its deletion (the template's `PendingWindowInDays`, else 30 days).
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
- Every template, JSON ones too, is parsed with PyYAML's pure-Python loader (JSON is YAML), a
  third of a CPU-second for a tenant's 120 kB primary template (`json.loads`: 2 ms), the largest
  part of creating a tenant's stacks, and again on each update and change set. A JSON template
  (text starting with `{` that `json.loads` reads) is parsed as JSON, as CloudFormation parses it; anything else, YAML templates among them, as moto parses it.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from typing import Any

from moto.cloudformation.exceptions import CloudFormationError
from moto.cloudformation.models import Change, ChangeSet, CloudFormationBackend, Stack
from moto.cloudformation.parsing import ResourceMap
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.models import ec2_backends
from moto.ec2.models.flow_logs import FlowLogs
from moto.ec2.models.route_tables import RouteTable
from moto.ec2.models.subnets import SubnetRouteTableAssociation
from moto.iam.models import ManagedPolicy, iam_backends
from moto.kms.models import Key, kms_backends
from moto.utilities.utils import get_partition

from tenantkit.sandbox.extensions._base import wrap


class ChangeSetNotFound(CloudFormationError):
    code = "ChangeSetNotFound"


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"


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


def _update_failed(stack: Stack, error: Exception, previous_template: Any) -> None:
    """An update whose resources fail ends UPDATE_ROLLBACK_COMPLETE with the reason, its previous
    template kept (so the next deploy tries again). Unlike CloudFormation, the resources updated
    before the failure are not restored."""
    reason = f"{type(error).__name__}: {error}"
    stack._add_stack_event("UPDATE_FAILED", resource_status_reason=reason)
    stack.template = previous_template
    stack._parse_template()
    stack.resource_map._template = stack.template_dict  # moto took the new one before it failed
    stack.resource_map._resource_json_map = stack.template_dict.get("Resources", {})
    stack.status = "UPDATE_ROLLBACK_COMPLETE"
    stack.status_reason = reason  # type: ignore[attr-defined]  # DescribeStacks' StackStatusReason; moto's Stack never sets it
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")


def _update_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateStack whose resources fail answered the resource's own error (or a 500) with the new
    template recorded as deployed, so the next deploy saw nothing to do: the failure is reported
    on the stack instead (`_update_failed`)."""

    def update(self: CloudFormationBackend, *args: Any, **kwargs: Any) -> Stack:
        stack = self.get_stack(kwargs["name"] if "name" in kwargs else args[0])
        previous_template = stack.template
        try:
            stack = original(self, *args, **kwargs)
        except CloudFormationError:
            raise  # refused by CloudFormation itself ("No updates are to be performed", a bad template)
        except Exception as error:  # noqa: BLE001 - CloudFormation reports it on the stack, asynchronously
            _update_failed(stack, error, previous_template)
            return stack
        _refresh_exports(self, stack)
        return stack

    return update


# --- parsing templates ---------------------------------------------------------------------------


def json_template(template: Any) -> dict[str, Any] | None:
    """A JSON template's content (the text starts with `{` and is JSON); None for anything else."""
    if not isinstance(template, str) or not template.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(template)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


MOTO_PARSE_TEMPLATE = Stack.parse_template
"""moto's parser (YAML, then JSON), for every template that is not JSON."""


def _parse_template(template: str) -> dict[str, Any]:
    parsed = json_template(template)
    return MOTO_PARSE_TEMPLATE(template) if parsed is None else parsed


def _change_set_parse_template(original: Callable[..., Any]) -> Callable[..., Any]:
    def parse(self: ChangeSet) -> None:
        parsed = json_template(self.template)
        if parsed is None:
            original(self)
        else:
            self.template_dict = parsed

    return parse


# --- change sets and termination protection ------------------------------------------------------


def _change_set(backend: CloudFormationBackend, name_or_id: str, stack_name_or_id: str | None) -> ChangeSet | None:
    """The change set an API call names: by its ARN, or by its name within the stack it names (moto
    matches names across the region: two stacks' `cdk-deploy-change-set`s are one to it)."""
    if name_or_id in backend.change_sets:
        return backend.change_sets[name_or_id]
    if not stack_name_or_id:
        return None
    stack_id = backend.get_stack(stack_name_or_id).stack_id  # ValidationError: no such stack
    return next(
        (c for c in backend.change_sets.values() if c.change_set_name == name_or_id and c.stack_id == stack_id), None
    )


def _named_change_set(response: CloudFormationResponse) -> ChangeSet:
    name = response._get_param("ChangeSetName")
    found = _change_set(response.cloudformation_backend, name, response._get_param("StackName"))
    if found is None:
        raise ChangeSetNotFound(f"ChangeSet [{name}] does not exist")
    return found


def describe_change_set(self: CloudFormationResponse) -> ActionResult:
    return ActionResult(_named_change_set(self))


def delete_change_set(self: CloudFormationResponse) -> EmptyResult:
    """Deleting a change set the stack does not have succeeds, as in CloudFormation: the CDK CLI
    deletes `cdk-deploy-change-set` before every deploy, then waits for DescribeChangeSet to say
    ChangeSetNotFound."""
    backend = self.cloudformation_backend
    found = _change_set(backend, self._get_param("ChangeSetName"), self._get_param("StackName"))
    if found is not None:
        del backend.change_sets[found.change_set_id]
    return EmptyResult()


def execute_change_set(self: CloudFormationResponse) -> EmptyResult:
    change_set = _named_change_set(self)
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution status of "
            f"[{change_set.execution_status}]"
        )
    self.cloudformation_backend.execute_change_set(change_set.change_set_id, change_set.stack_id)
    return EmptyResult()


def list_change_sets(self: CloudFormationResponse) -> ActionResult:
    backend = self.cloudformation_backend
    stack_id = backend.get_stack(self._get_param("StackName")).stack_id
    return ActionResult({"Summaries": [c for c in backend.change_sets.values() if c.stack_id == stack_id]})


NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set."


def _previous_value(stack: Stack, key: str) -> Any:
    """A parameter's value as given at the last create or update (an SSM parameter type's name,
    not its resolved value), or the template's default it took."""
    declared = stack.template_dict.get("Parameters", {}).get(key, {})
    return stack.parameters.get(key, declared.get("Default"))


def _create_change_set(original: Callable[..., Any]) -> Callable[..., Any]:
    def create(self: CloudFormationBackend, *args: Any, **kwargs: Any) -> tuple[str, str]:
        stack = next((s for s in self.stacks.values() if s.name == kwargs["stack_name"]), None)
        if kwargs["change_set_type"] == "UPDATE" and stack is not None:
            declared = stack.template_dict.get("Parameters", {})
            kwargs["parameters"] = {  # moto passed UsePreviousValue as the resolved value: SSM types then fail
                key: _previous_value(stack, key)
                if declared.get(key, {}).get("Type", "").startswith("AWS::SSM::Parameter::Value")
                and value == stack.stack_parameters.get(key)
                else value
                for key, value in kwargs["parameters"].items()
            }
        change_set_id, stack_id = original(self, *args, **kwargs)
        change_set, stack = self.change_sets[change_set_id], self.stacks[stack_id]
        unchanged = (
            change_set.change_set_type == "UPDATE"
            and change_set.status == "CREATE_COMPLETE"
            and change_set.template_dict == stack.template_dict
            and all(str(_previous_value(stack, k)) == str(v) for k, v in change_set.parameters.items())
        )
        if unchanged:  # moto compares unresolved with resolved parameters: a CDK stack's never looked empty
            change_set.status, change_set.execution_status = "FAILED", "UNAVAILABLE"
            change_set.status_reason = NO_CHANGES
            change_set.changes = []
        return change_set_id, stack_id

    return create


def _validate_different_update(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateChangeSet without changes creates a FAILED change set (`_create_change_set`), where
    moto refuses it as UpdateStack is refused ("No updates are to be performed")."""

    def validate(self: CloudFormationResponse, *args: Any, **kwargs: Any) -> None:
        if self._get_action() != "CreateChangeSet":
            original(self, *args, **kwargs)

    return validate


def _diff(original: Callable[..., Any]) -> Callable[..., Any]:
    """Each change as CloudFormation describes it: the physical id of what exists, and for a
    modification the properties it changes (what the CDK CLI's diff reads)."""

    def diff(self: ChangeSet) -> list[Change]:
        changes = original(self)
        current = self.stack.resource_map._resource_json_map
        proposed = self.template_dict.get("Resources", {})
        for change in changes:
            logical_id = change.logical_resource_id
            existing = self.stack.resource_map._parsed_resources.get(logical_id)
            change.physical_resource_id = None if change.action == "Add" else getattr(existing, "physical_resource_id", None)
            change.details, change.scope, change.replacement = [], [], None
            if change.action != "Modify":
                continue
            before = current.get(logical_id, {}).get("Properties", {})
            after = proposed.get(logical_id, {}).get("Properties", {})
            names = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
            change.scope, change.replacement = (["Properties"] if names else ["Metadata"]), "False"
            change.details = [
                {
                    "Target": {"Attribute": "Properties", "Name": name, "RequiresRecreation": "Never"},
                    "Evaluation": "Static",
                    "ChangeSource": "DirectModification",
                }
                for name in names
            ]
        return changes

    return diff


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
            if change_set.change_set_type == "CREATE":
                _roll_back_create(self, stack, error)
            else:
                _update_failed(stack, error, stack.template)  # moto records the new template only on success
        for executed in [c for c in self.change_sets.values() if c.stack_id == stack.stack_id]:
            del self.change_sets[executed.change_set_id]  # CloudFormation drops a stack's change sets once one ran

    return execute


def update_termination_protection(self: CloudFormationResponse) -> ActionResult:
    """The API action moto lacks (`UpdateTerminationProtection`)."""
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection", False)
    return ActionResult({"StackId": stack.stack_id})


# --- a failed create rolls back --------------------------------------------------------------------


def _roll_back_create(backend: CloudFormationBackend, stack: Stack, error: Exception) -> None:
    """As CloudFormation rolls back a failed create: what was created so far is deleted
    (`RetainExceptOnCreate` too, `Retain` stays), the stack ends ROLLBACK_COMPLETE (ROLLBACK_FAILED
    when something cannot go) with no outputs nor exports, and can then only be deleted."""
    reason = f"{type(error).__name__}: {error}"
    # The whole traceback goes to the sandbox's log (.tenantkit/sandbox.log, never a console): the
    # stack's reason holds one line, too little to find an emulator defect by.
    print(f"tenantkit sandbox: {stack.name}: create failed:", file=sys.stderr)
    traceback.print_exception(error, file=sys.stderr)
    stack._add_stack_event("CREATE_FAILED", resource_status_reason=reason)
    stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=f"The following resource(s) failed to create: {reason}")
    stack.status = "ROLLBACK_IN_PROGRESS"
    stack.status_reason = reason  # type: ignore[attr-defined]  # DescribeStacks' StackStatusReason; moto's Stack never sets it
    for name in [n for n, e in backend.exports.items() if e.exporting_stack_id == stack.stack_id]:
        del backend.exports[name]
    try:
        stack.resource_map.delete()  # not Stack.delete: a stack deletion keeps RetainExceptOnCreate
    except Exception as cleanup:  # noqa: BLE001 - reported on the stack, as CloudFormation does
        stack.status = "ROLLBACK_FAILED"
        stack.status_reason = f"{reason}; then could not delete: {cleanup}"  # type: ignore[attr-defined]
        stack._add_stack_event("ROLLBACK_FAILED", resource_status_reason=stack.status_reason)  # type: ignore[attr-defined]
        return
    stack.status = "ROLLBACK_COMPLETE"
    stack._add_stack_event("ROLLBACK_COMPLETE")


def _create_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateStack whose resources fail answers with the stack id and rolls the stack back, where
    moto answers a 500 (not XML: botocore's `ResponseParserError`) and leaves the stack
    CREATE_IN_PROGRESS with what it created, which no retry can then replace."""

    def create(self: CloudFormationBackend, name: str, *args: Any, **kwargs: Any) -> Stack:
        existed = any(s.name == name for s in self.stacks.values())
        try:
            return original(self, name, *args, **kwargs)
        except Exception as error:
            stack = None if existed else next((s for s in self.stacks.values() if s.name == name), None)
            if stack is None:  # refused before the stack existed (a bad template, a taken name)
                raise
            _roll_back_create(self, stack, error)
            return stack

    return create


def _delete_key(self: Key, account_id: str, region_name: str) -> None:
    """CloudFormation never deletes a KMS key outright: it schedules its deletion (30 days, or the
    template's PendingWindowInDays, applied in `_delete_resource`)."""
    backend = kms_backends[account_id][region_name]
    if self.id in backend.keys and backend.keys[self.id].key_state != "PendingDeletion":
        backend.schedule_key_deletion(self.id, getattr(self, "tenantkit_pending_window", 30))


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
        window = resource_json.get("Properties", {}).get("PendingWindowInDays")
        if isinstance(parsed_resource, Key) and isinstance(window, int):
            parsed_resource.tenantkit_pending_window = window  # type: ignore[attr-defined]
        try:
            original(self, parsed_resource, resource_json)
        except Exception as error:  # moto's service errors share no base class with its Python ones
            text = f"{getattr(error, 'error_type', '')} {getattr(error, 'message', '')} {error}"
            if not any(marker in text for marker in _GONE_MARKERS):
                raise

    return delete


_WITHOUT_OUTPUTS = frozenset({"DELETE_COMPLETE", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED", "ROLLBACK_COMPLETE"})
"""A deleted or rolled-back stack has no outputs in CloudFormation; evaluating them in moto would
re-create the resources they `Ref` (its resource map is lazy)."""


def _live_only(prop: property, empty: Any) -> property:
    read = prop.fget
    if read is None or getattr(read, "tenantkit", False):
        return prop

    def get(self: Stack) -> Any:
        return empty if self.status in _WITHOUT_OUTPUTS else read(self)

    get.tenantkit = True  # type: ignore[attr-defined]  # marks the getter installed, so patch() stays idempotent
    return property(get)


def patch() -> None:
    Stack.parse_template = staticmethod(_parse_template)  # type: ignore[method-assign]  # moto's, JSON first
    wrap(ChangeSet, "_parse_template", _change_set_parse_template)
    # vars(): the property objects themselves (on the class, mypy reads them as methods).
    Stack.outputs = _live_only(vars(Stack)["outputs"], None)  # type: ignore[method-assign,assignment]  # a property replaced by a property
    Stack.exports = _live_only(vars(Stack)["exports"], [])  # type: ignore[method-assign,assignment]  # a property replaced by a property
    wrap(Stack, "delete", _stack_delete)
    wrap(ResourceMap, "_delete_resource", _delete_resource)
    wrap(CloudFormationBackend, "_resolve_update_parameters", _resolve_update_parameters)
    wrap(CloudFormationBackend, "update_stack", _update_stack)
    wrap(CloudFormationBackend, "create_stack", _create_stack)
    wrap(CloudFormationBackend, "create_change_set", _create_change_set)
    wrap(CloudFormationResponse, "_validate_different_update", _validate_different_update)
    wrap(ChangeSet, "diff", _diff)
    wrap(CloudFormationBackend, "execute_change_set", _execute_change_set)
    CloudFormationResponse.describe_change_set = describe_change_set  # type: ignore[method-assign]
    CloudFormationResponse.delete_change_set = delete_change_set  # type: ignore[method-assign]
    CloudFormationResponse.execute_change_set = execute_change_set  # type: ignore[method-assign]
    CloudFormationResponse.list_change_sets = list_change_sets  # type: ignore[method-assign]
    Key.delete = _delete_key  # type: ignore[method-assign]
    wrap(CloudFormationBackend, "delete_stack", _delete_stack)
    # The methods moto 5.2.5 lacks, added to its classes:
    CloudFormationResponse.update_termination_protection = update_termination_protection  # type: ignore[attr-defined]  # API moto lacks
    ManagedPolicy.delete = _delete_managed_policy  # type: ignore[attr-defined]  # CloudFormation deletion moto lacks
    RouteTable.delete = _delete_route_table  # type: ignore[attr-defined]  # CloudFormation deletion moto lacks
    FlowLogs.delete = _delete_flow_log  # type: ignore[attr-defined]  # CloudFormation deletion moto lacks
    SubnetRouteTableAssociation.delete = _delete_subnet_association  # type: ignore[attr-defined]  # CloudFormation deletion moto lacks
