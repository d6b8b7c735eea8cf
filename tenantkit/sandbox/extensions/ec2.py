"""AWS::EC2::SecurityGroupEgress in moto's EC2 backend.

moto 5.2.5 defect: its CloudFormation models SecurityGroupIngress but not SecurityGroupEgress
(skipped with a warning: the rule never reaches the group). CDK writes an egress rule to another
security group as its own resource (`connections.allow_to`), as the rotation function's rules to
the database and the Secrets Manager endpoint are.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends

from tenantkit.sandbox.extensions._base import BackedModel


def _rule(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "ip_protocol": str(p["IpProtocol"]),
        "from_port": p.get("FromPort"),
        "to_port": p.get("ToPort"),
        "ip_ranges": [{"CidrIp": p["CidrIp"], "Description": p.get("Description")}] if "CidrIp" in p else [],
        "source_groups": [{"GroupId": p["DestinationSecurityGroupId"]}] if "DestinationSecurityGroupId" in p else [],
        "prefix_list_ids": [{"PrefixListId": p["DestinationPrefixListId"]}] if "DestinationPrefixListId" in p else [],
    }


class SecurityGroupEgress(BackedModel, CloudFormationModel):
    TYPE = "AWS::EC2::SecurityGroupEgress"
    ATTRIBUTES = frozenset({"Id"})

    def __init__(self, physical_id: str, group_id: str, rule: dict[str, Any]) -> None:
        super().__init__(physical_id, {"Id": physical_id})
        self.group_id = group_id
        self.rule = rule

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> SecurityGroupEgress:
        rule = _rule(p)
        rules, _group = ec2_backends[account_id][region_name].authorize_security_group_egress(p["GroupId"], **rule)
        return cls(rules[0].id, p["GroupId"], rule)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = ec2_backends[account_id][region_name]
        if backend.get_security_group_by_name_or_id(self.group_id) is not None:
            backend.revoke_security_group_egress(self.group_id, **self.rule)
