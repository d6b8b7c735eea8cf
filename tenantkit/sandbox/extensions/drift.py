"""CloudFormation drift: detection (DetectStackDrift, DescribeStackDriftDetectionStatus,
DescribeStackResourceDrifts) and drift-reverting change sets (`DeploymentMode=REVERT_DRIFT`), for
the resource types whose tampering matters to a tenant's security.

moto 5.2.5 defects, in `moto.cloudformation`:
- DetectStackDrift, DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts are not
  implemented. Detection compares each resource of a type below with its template's properties,
  resolved against the stack as deployed (`clean_json` over its resource map), and records per
  resource CloudFormation's answer: IN_SYNC, MODIFIED (with each property's expected and actual
  value) or DELETED; every other resource is NOT_CHECKED.
- CreateChangeSet ignores `DeploymentMode=REVERT_DRIFT`: it compares templates only, so with the
  deployed template it answers "no changes" whatever was tampered with. Such a change set lists one
  Modify per drifted resource, and executing it re-applies the template's values to each (the
  stack ends UPDATE_COMPLETE, as after any executed change set).

Checked and reverted (the declared properties only, as CloudFormation): AWS::S3::BucketPolicy
(PolicyDocument), AWS::S3::Bucket (PublicAccessBlockConfiguration), AWS::KMS::Key (KeyPolicy,
EnableKeyRotation), AWS::WAFv2::WebACL (DefaultAction, Rules: order and actions included),
AWS::WAFv2::IPSet (Addresses, as a set), AWS::RDS::DBParameterGroup (Parameters),
AWS::SNS::Subscription (exists), AWS::S3::Bucket (ReplicationConfiguration, its scalars compared as
text: the API's XML gives strings where the template has numbers), AWS::Backup::BackupVault
(AccessPolicy) and AWS::EC2::SecurityGroup (SecurityGroupIngress, as a set of rules: the group's
own and those of the stack's AWS::EC2::SecurityGroupIngress resources on it, which is what the
stack allows into the group; a rule added outside CloudFormation is revoked by the revert, a
declared one revoked outside it is authorized again).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.backup.models import backup_backends
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Change, CloudFormationBackend, Stack
from moto.cloudformation.parsing import clean_json
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.models import ec2_backends
from moto.kms.models import kms_backends
from moto.rds.models import rds_backends
from moto.s3.models import s3_backends
from moto.sns.models import sns_backends
from moto.utilities.utils import get_partition
from moto.wafv2.models import wafv2_backends

from tenantkit.sandbox.extensions import cloudformation as _changesets
from tenantkit.sandbox.extensions._base import records
from tenantkit.sandbox.extensions.policies import set_vault_access_policy, vault_access_policy
from tenantkit.sandbox.extensions.s3 import _replication
from tenantkit.sandbox.extensions.waf import api_shape

REVERT_DRIFT = "REVERT_DRIFT"
_GONE = object()


@dataclass(frozen=True)
class _Kind:
    """How one resource type is read back and re-applied: `actual(resource, declared)` gives the
    checked properties as deployed (`_GONE` when the resource is gone); `revert` re-applies the
    declared ones and returns the resource model the stack keeps."""

    properties: tuple[str, ...]
    actual: Callable[[Any, dict[str, Any], str, str], Any]
    revert: Callable[[Any, dict[str, Any], str, str], Any]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _bucket_policy_actual(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    bucket = s3_backends[account][get_partition(region)].buckets.get(resource.physical_resource_id)
    if bucket is None:
        return _GONE
    return {"PolicyDocument": _json(bucket.policy) if bucket.policy else None}


def _bucket_policy_revert(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    s3_backends[account][get_partition(region)].put_bucket_policy(resource.physical_resource_id, json.dumps(declared["PolicyDocument"]).encode())
    return resource


def _key(resource: Any, account: str, region: str) -> Any:
    return kms_backends[account][region].keys.get(resource.physical_resource_id)


def _key_actual(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    key = _key(resource, account, region)
    if key is None:
        return _GONE
    return {"KeyPolicy": _json(key.policy), "EnableKeyRotation": bool(key.key_rotation_status)}


def _key_revert(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    key = _key(resource, account, region)
    if "KeyPolicy" in declared:
        key.policy = json.dumps(declared["KeyPolicy"])
    key.key_rotation_status = bool(declared.get("EnableKeyRotation", False))
    return resource


def _web_acl_actual(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    acl = wafv2_backends[account][region].wacls.get(resource.attributes["Arn"])
    if acl is None:
        return _GONE
    rules = [{k: v for k, v in rule.to_dict().items() if v is not None} for rule in acl.rules]
    return {"DefaultAction": acl.default_action, "Rules": rules}


def _web_acl_revert(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    resource.update_in_place(declared, wafv2_backends[account][region])
    return resource


def _ip_set_actual(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    ip_set = wafv2_backends[account][region].ip_sets.get(resource.attributes["Arn"])
    return _GONE if ip_set is None else {"Addresses": sorted(ip_set.addresses)}


def _bucket_actual(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    bucket = s3_backends[account][get_partition(region)].buckets.get(resource.physical_resource_id)
    if bucket is None:
        return _GONE
    replication = getattr(bucket, "replication", None)
    actual: dict[str, Any] = {"ReplicationConfiguration": _as_text(_cloudformation_replication(replication)) if replication else None}
    block = bucket.public_access_block
    if block is None:
        return {**actual, "PublicAccessBlockConfiguration": None}
    values = {"BlockPublicAcls": block.block_public_acls, "IgnorePublicAcls": block.ignore_public_acls,
              "BlockPublicPolicy": block.block_public_policy, "RestrictPublicBuckets": block.restrict_public_buckets}
    return {**actual, "PublicAccessBlockConfiguration": {name: bool(values.get(name)) for name in declared.get("PublicAccessBlockConfiguration") or values}}


def _bucket_revert(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    backend = s3_backends[account][get_partition(region)]
    if "PublicAccessBlockConfiguration" in declared:
        backend.put_public_access_block(resource.physical_resource_id, declared["PublicAccessBlockConfiguration"])
    if "ReplicationConfiguration" in declared:
        backend.put_bucket_replication(resource.physical_resource_id, _replication(declared["ReplicationConfiguration"]))
    return resource


def _cloudformation_replication(stored: dict[str, Any]) -> dict[str, Any]:
    """moto's stored replication configuration (Rule, ID: the API's XML shape) in
    CloudFormation's shape (Rules, Id): the inverse of `s3._replication`."""
    rules = stored.get("Rule", [])
    rules = [rules] if isinstance(rules, dict) else rules
    return {"Role": stored.get("Role"), "Rules": [{("Id" if key == "ID" else key): value for key, value in rule.items()} for rule in rules]}


def _as_text(value: Any) -> Any:
    """Every scalar as text (booleans as `true`/`false`), as the API's XML gives them back."""
    if isinstance(value, dict):
        return {key: _as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if value is None else str(value)


def _vault(resource: Any, account: str, region: str) -> Any:
    return backup_backends[account][region].vaults.get(resource.physical_resource_id)


def _vault_actual(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    vault = _vault(resource, account, region)
    if vault is None:
        return _GONE
    policy = vault_access_policy(account, region, vault)
    return {"AccessPolicy": _json(policy) if policy else None}


def _vault_revert(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    document = declared.get("AccessPolicy")
    set_vault_access_policy(account, region, _vault(resource, account, region), None if document is None else json.dumps(document))
    return resource


def _rule(protocol: Any, from_port: Any, to_port: Any, peer: Any) -> dict[str, Any]:
    """One ingress rule as CloudFormation and EC2 both can say it (protocol names as EC2 keeps
    them, no ports for all traffic; `Peer` the CIDR, security group or prefix list it admits)."""
    name = {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}.get(str(protocol).lower(), str(protocol).lower())
    every = name == "-1"
    return {"IpProtocol": name, "FromPort": None if every else int(from_port), "ToPort": None if every else int(to_port), "Peer": peer}


def _declared_rule(entry: dict[str, Any]) -> dict[str, Any]:
    peer = next((entry[key] for key in ("CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourcePrefixListId") if key in entry), None)
    return _rule(entry["IpProtocol"], entry.get("FromPort"), entry.get("ToPort"), peer)


def _actual_rule(rule: Any) -> dict[str, Any]:
    peer = rule.ip_range.get("CidrIp") or rule.ip_range.get("CidrIpv6") or rule.source_group.get("GroupId") or rule.prefix_list_id
    return _rule(rule.ip_protocol, rule.from_port, rule.to_port, peer)


def _rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A set of rules, in one order: a group's rules have none."""
    unique = {_canonical(rule): rule for rule in rules}
    return [unique[key] for key in sorted(unique)]


def _group(resource: Any, account: str, region: str) -> Any:
    return ec2_backends[account][region].get_security_group_from_id(resource.physical_resource_id)


def _group_actual(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    group = _group(resource, account, region)
    if group is None:
        return _GONE
    return {"SecurityGroupIngress": _rules([_actual_rule(rule) for rule in group.ingress_rules])}


def _group_revert(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    group = _group(resource, account, region)
    wanted = {_canonical(rule): rule for rule in declared.get("SecurityGroupIngress", [])}
    group.ingress_rules = [rule for rule in group.ingress_rules if _canonical(_actual_rule(rule)) in wanted]
    present = {_canonical(_actual_rule(rule)) for rule in group.ingress_rules}
    for key, rule in wanted.items():
        if key in present:
            continue
        peer = str(rule["Peer"])
        ranges = [{"CidrIpv6" if ":" in peer else "CidrIp": peer}] if "/" in peer else []
        ec2_backends[account][region].authorize_security_group_ingress(
            group.id, rule["IpProtocol"], rule["FromPort"], rule["ToPort"], ranges,
            source_groups=[{"GroupId": peer}] if peer.startswith("sg-") else None,
            prefix_list_ids=[{"PrefixListId": peer}] if peer.startswith("pl-") else None,
        )
    return resource


def _parameter_group_actual(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    group = rds_backends[account][region].db_parameter_groups.get(resource.name)
    if group is None:
        return _GONE
    return {"Parameters": {name: group.parameters.get(name, {}).get("ParameterValue") for name in declared.get("Parameters", {})}}


def _parameter_group_revert(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    group = rds_backends[account][region].db_parameter_groups[resource.name]
    group.update_parameters([{"ParameterName": name, "ParameterValue": str(value)} for name, value in declared.get("Parameters", {}).items()])
    return resource


def _subscription_actual(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    return {} if resource.physical_resource_id in sns_backends[account][region].subscriptions else _GONE


def _subscription_revert(resource: Any, declared: dict[str, Any], account: str, region: str) -> Any:
    return type(resource).create(declared, account, region, resource.physical_resource_id)


KINDS: dict[str, _Kind] = {
    "AWS::S3::BucketPolicy": _Kind(("PolicyDocument",), _bucket_policy_actual, _bucket_policy_revert),
    "AWS::KMS::Key": _Kind(("KeyPolicy", "EnableKeyRotation"), _key_actual, _key_revert),
    "AWS::WAFv2::WebACL": _Kind(("DefaultAction", "Rules"), _web_acl_actual, _web_acl_revert),
    "AWS::SNS::Subscription": _Kind((), _subscription_actual, _subscription_revert),
    "AWS::WAFv2::IPSet": _Kind(("Addresses",), _ip_set_actual, _web_acl_revert),
    "AWS::S3::Bucket": _Kind(("PublicAccessBlockConfiguration", "ReplicationConfiguration"), _bucket_actual, _bucket_revert),
    "AWS::Backup::BackupVault": _Kind(("AccessPolicy",), _vault_actual, _vault_revert),
    "AWS::EC2::SecurityGroup": _Kind(("SecurityGroupIngress",), _group_actual, _group_revert),
    "AWS::RDS::DBParameterGroup": _Kind(("Parameters",), _parameter_group_actual, _parameter_group_revert),
}


def _declared(stack: Stack, logical_id: str, resource_type: str) -> dict[str, Any]:
    """The resource's checked properties from its template, resolved against the deployed stack."""
    raw = stack.resource_map._resource_json_map[logical_id].get("Properties", {})
    resolved = clean_json(raw, stack.resource_map)
    if resource_type == "AWS::WAFv2::WebACL":
        resolved = {**resolved, "Rules": api_shape(resolved.get("Rules", []))}
    if resource_type == "AWS::KMS::Key":
        resolved.setdefault("EnableKeyRotation", False)
    if resource_type == "AWS::WAFv2::IPSet":  # a set: its order is not configuration
        resolved = {**resolved, "Addresses": sorted(resolved.get("Addresses", []))}
    if resource_type == "AWS::RDS::DBParameterGroup":
        resolved = {**resolved, "Parameters": {k: str(v) for k, v in resolved.get("Parameters", {}).items()}}
    if resource_type == "AWS::S3::Bucket" and "ReplicationConfiguration" in resolved:
        resolved = {**resolved, "ReplicationConfiguration": _as_text(resolved["ReplicationConfiguration"])}
    if resource_type == "AWS::Backup::BackupVault" and isinstance(resolved.get("AccessPolicy"), str):
        resolved = {**resolved, "AccessPolicy": json.loads(resolved["AccessPolicy"])}
    if resource_type == "AWS::EC2::SecurityGroup":
        resolved = {**resolved, "SecurityGroupIngress": _rules(_group_ingress(stack, logical_id, resolved))}
    return resolved


def _group_ingress(stack: Stack, logical_id: str, resolved: dict[str, Any]) -> list[dict[str, Any]]:
    """The ingress rules the stack declares for the group: its own, and those of the stack's
    AWS::EC2::SecurityGroupIngress resources whose GroupId is the group's."""
    group_id = getattr(stack.resource_map._parsed_resources.get(logical_id), "physical_resource_id", None)
    rules = [_declared_rule(entry) for entry in resolved.get("SecurityGroupIngress", [])]
    for other_id, other in stack.resource_map._resource_json_map.items():
        if other["Type"] != "AWS::EC2::SecurityGroupIngress" or other_id not in stack.resource_map._parsed_resources:
            continue
        entry = clean_json(other.get("Properties", {}), stack.resource_map)
        if group_id is not None and entry.get("GroupId") == group_id:
            rules.append(_declared_rule(entry))
    return rules


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def resource_drifts(stack: Stack, account: str, region: str) -> list[dict[str, Any]]:
    """CloudFormation's StackResourceDrift of each resource of the stack."""
    now = datetime.now(UTC)
    drifts = []
    for logical_id, resource_json in stack.resource_map._resource_json_map.items():
        resource_type = resource_json["Type"]
        resource = stack.resource_map._parsed_resources.get(logical_id)
        entry: dict[str, Any] = {
            "StackId": stack.stack_id, "LogicalResourceId": logical_id, "ResourceType": resource_type,
            "PhysicalResourceId": getattr(resource, "physical_resource_id", None) or logical_id, "Timestamp": now,
        }
        kind = KINDS.get(resource_type)
        if kind is None or resource is None:
            drifts.append({**entry, "StackResourceDriftStatus": "NOT_CHECKED"})
            continue
        declared = _declared(stack, logical_id, resource_type)
        actual = kind.actual(resource, declared, account, region)
        if actual is _GONE:
            drifts.append({**entry, "StackResourceDriftStatus": "DELETED"})
            continue
        expected = {name: declared.get(name) for name in kind.properties if name in declared}  # as CloudFormation: declared ones only
        differences = [
            {"PropertyPath": f"/{name}", "ExpectedValue": _canonical(expected[name]), "ActualValue": _canonical(actual.get(name)), "DifferenceType": "NOT_EQUAL"}
            for name in expected
            if _canonical(expected[name]) != _canonical(actual.get(name))
        ]
        drifts.append({
            **entry, "StackResourceDriftStatus": "MODIFIED" if differences else "IN_SYNC",
            "ExpectedProperties": _canonical(expected), "ActualProperties": _canonical(actual), "PropertyDifferences": differences,
        })
    return drifts


def _stack(response: CloudFormationResponse) -> Stack:
    return response.cloudformation_backend.get_stack(response._get_param("StackName"))


def detect_stack_drift(self: CloudFormationResponse) -> ActionResult:
    stack = _stack(self)
    drifts = resource_drifts(stack, self.current_account, self.region)
    detection_id = str(uuid.uuid4())
    drifted = sum(d["StackResourceDriftStatus"] in ("MODIFIED", "DELETED") for d in drifts)
    records(self.cloudformation_backend, "drift_detections")[detection_id] = {
        "StackId": stack.stack_id, "StackDriftDetectionId": detection_id, "DetectionStatus": "DETECTION_COMPLETE",
        "StackDriftStatus": "DRIFTED" if drifted else "IN_SYNC", "DriftedStackResourceCount": drifted,
        "Timestamp": datetime.now(UTC),
    }
    records(self.cloudformation_backend, "resource_drifts")[stack.stack_id] = drifts
    return ActionResult({"StackDriftDetectionId": detection_id})


def describe_stack_drift_detection_status(self: CloudFormationResponse) -> ActionResult:
    detection_id = self._get_param("StackDriftDetectionId")
    found = records(self.cloudformation_backend, "drift_detections").get(detection_id)
    if found is None:
        raise ValidationError(message=f"Drift detection [{detection_id}] does not exist")
    return ActionResult(found)


def describe_stack_resource_drifts(self: CloudFormationResponse) -> ActionResult:
    stack = _stack(self)
    wanted = self._get_param("StackResourceDriftStatusFilters", [])
    drifts = records(self.cloudformation_backend, "resource_drifts").get(stack.stack_id, [])
    return ActionResult({"StackResourceDrifts": [d for d in drifts if not wanted or d["StackResourceDriftStatus"] in wanted]})


def create_change_set(self: CloudFormationResponse) -> ActionResult:
    result = _CREATE_CHANGE_SET(self)
    if self._get_param("DeploymentMode") != REVERT_DRIFT:
        return result
    backend: CloudFormationBackend = self.cloudformation_backend
    change_set = backend.change_sets[result.result["Id"]]  # type: ignore[index]
    stack = backend.stacks[change_set.stack_id]
    drifted = [d for d in resource_drifts(stack, self.current_account, self.region) if d["StackResourceDriftStatus"] in ("MODIFIED", "DELETED")]
    records(backend, "revert_drift")[change_set.change_set_id] = [d["LogicalResourceId"] for d in drifted]
    if not drifted:
        return result
    changes = []
    for drift in drifted:
        change = Change("Modify", drift["LogicalResourceId"], drift["ResourceType"])
        # moto's Change declares none of these; its change-set template reads them where present
        for attribute, value in (("physical_resource_id", drift["PhysicalResourceId"]), ("scope", ["Properties"]), ("replacement", "False")):
            setattr(change, attribute, value)
        details = [
            {"Target": {"Attribute": "Properties", "Name": d["PropertyPath"].lstrip("/"), "RequiresRecreation": "Never"}, "Evaluation": "Static", "ChangeSource": "DirectModification"}
            for d in drift.get("PropertyDifferences", [])
        ]
        setattr(change, "details", details)  # noqa: B010 - as above
        changes.append(change)
    change_set.changes, change_set.status, change_set.execution_status, change_set.status_reason = changes, "CREATE_COMPLETE", "AVAILABLE", None
    return result


def execute_change_set(self: CloudFormationResponse) -> Any:
    backend: CloudFormationBackend = self.cloudformation_backend
    change_set = _changesets._named_change_set(self)
    reverting = records(backend, "revert_drift").pop(change_set.change_set_id, None)
    if reverting is None:
        return _changesets.execute_change_set(self)
    if change_set.execution_status != "AVAILABLE":
        raise _changesets.InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution status of [{change_set.execution_status}]"
        )
    stack = backend.stacks[change_set.stack_id]
    for logical_id in reverting:
        resource_type = stack.resource_map._resource_json_map[logical_id]["Type"]
        resource = stack.resource_map._parsed_resources[logical_id]
        declared = _declared(stack, logical_id, resource_type)
        stack.resource_map._parsed_resources[logical_id] = KINDS[resource_type].revert(resource, declared, self.current_account, self.region)
    stack.status = "UPDATE_COMPLETE"
    for executed in [c for c in backend.change_sets.values() if c.stack_id == stack.stack_id]:
        del backend.change_sets[executed.change_set_id]
    return EmptyResult()


_CREATE_CHANGE_SET = CloudFormationResponse.create_change_set


def patch() -> None:
    """After `cloudformation.patch()`: its ExecuteChangeSet is what a change set that reverts no
    drift runs."""
    CloudFormationResponse.create_change_set = create_change_set  # type: ignore[method-assign]
    CloudFormationResponse.execute_change_set = execute_change_set  # type: ignore[method-assign]
    CloudFormationResponse.detect_stack_drift = detect_stack_drift  # type: ignore[attr-defined]  # API moto lacks
    CloudFormationResponse.describe_stack_drift_detection_status = describe_stack_drift_detection_status  # type: ignore[attr-defined]  # API moto lacks
    CloudFormationResponse.describe_stack_resource_drifts = describe_stack_resource_drifts  # type: ignore[attr-defined]  # API moto lacks
