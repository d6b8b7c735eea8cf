"""Custom::VpcRestrictDefaultSG without its Lambda: the default security group's ingress and
egress rules are revoked in moto's EC2 backend, as CDK's handler does.

moto 5.2.5 defect: every `Custom::` type goes to moto's CustomModel, which invokes the backing
Lambda; moto runs Lambdas only in a container, so without one the resource never completes.
`moto.cloudformation.parsing.resource_class_from_type` is wrapped for this one type only; other
custom types still go to moto's CustomModel. The provider's Lambda function itself is still
created by moto (its code must be published to the bootstrap bucket, as `cdk deploy` does).
On delete, CDK's handler puts the default rules back; here the group goes with its VPC.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends

from tenantkit.sandbox.extensions._base import BackedModel, wrap

RESTRICT_DEFAULT_SG = "Custom::VpcRestrictDefaultSG"


def restrict_default_security_group(account_id: str, region_name: str, group_id: str) -> None:
    """Revoke every ingress and egress rule of `group_id` (a VPC's default security group)."""
    backend = ec2_backends[account_id][region_name]
    group = backend.get_security_group_by_name_or_id(group_id)
    if group is None:
        raise ValueError(f"{RESTRICT_DEFAULT_SG}: no security group {group_id}")
    # By rule id, protocol and ports are unused: None for them, as moto's own responses pass when absent.
    if group.ingress_rules:
        ids = [rule.id for rule in group.ingress_rules]
        backend.revoke_security_group_ingress(group_id, None, None, None, [], security_rule_ids=ids)  # type: ignore[arg-type]  # moto annotates them str
    if group.egress_rules:
        ids = [rule.id for rule in group.egress_rules]
        backend.revoke_security_group_egress(group_id, None, None, None, [], security_rule_ids=ids)  # type: ignore[arg-type]  # moto annotates them str


class RestrictDefaultSecurityGroup(BackedModel, CloudFormationModel):
    TYPE = RESTRICT_DEFAULT_SG

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> RestrictDefaultSecurityGroup:
        group_id = p["DefaultSecurityGroupId"]
        restrict_default_security_group(account_id, region_name, group_id)
        return cls(group_id)

    def delete(self, account_id: str, region_name: str) -> None:
        """Nothing to undo in the sandbox: the group is deleted with its VPC."""


def _resource_class_from_type(original: Callable[..., Any]) -> Callable[..., Any]:
    def resource_class(resource_type: str) -> Any:
        if resource_type == RESTRICT_DEFAULT_SG:
            return RestrictDefaultSecurityGroup
        return original(resource_type)

    return resource_class


def patch() -> None:
    wrap(parsing, "resource_class_from_type", _resource_class_from_type)
