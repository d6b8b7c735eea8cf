from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from tenantkit.constructs._checkov import skip_checkov
from tenantkit.constructs.log_group import TenantLogGroup, TenantLogGroupProps

RESTRICT_DEFAULT_SG_PROVIDER = "Custom::VpcRestrictDefaultSGCustomResourceProvider"
_PROVIDER_LAMBDA_SKIPS = {
    "CKV_AWS_115": "CDK's own custom-resource handler, invoked only by CloudFormation once per "
    "deployment of the VPC: a concurrency limit has nothing to limit.",
    "CKV_AWS_116": "CloudFormation invokes it synchronously; a failure fails the stack operation "
    "and shows in its events. A dead-letter queue only catches asynchronous invocations.",
    "CKV_AWS_117": "It only calls the EC2 API to remove the default security group's rules; inside "
    "the isolated VPC it would need a NAT or an endpoint to reach that API.",
}


@dataclass(frozen=True, kw_only=True)
class TenantNetworkProps:
    key: kms.IKey
    flow_log_group_name: str
    cidr: str = "10.0.0.0/16"
    availability_zones: Sequence[str] | None = None
    """Real AZ names; None takes the stack's AZs (context lookup or Fn::GetAZs)."""
    role_path: str
    """The tenant's IAM path (`/tenantkit/<id>/`): the flow-log role lives under it."""
    az_count: int = 2


class TenantNetwork(Construct):
    """A private network with no route to or from the internet (isolated subnets in two AZs, no
    internet gateway, no NAT), every flow logged to a log group encrypted with the tenant key."""

    def __init__(self, scope: Construct, id: str, props: TenantNetworkProps) -> None:
        super().__init__(scope, id)
        problems = []
        if props.az_count < 2:
            problems.append("az_count must be at least 2 (Multi-AZ database)")
        if props.availability_zones is not None and len(props.availability_zones) < props.az_count:
            problems.append(f"need {props.az_count} availability zones, got {list(props.availability_zones)}")
        if problems:
            raise ValueError("; ".join(problems))

        self.flow_logs = TenantLogGroup(
            self, "FlowLogs", TenantLogGroupProps(name=props.flow_log_group_name, key=props.key)
        ).log_group
        zones = (
            {"availability_zones": list(props.availability_zones)[: props.az_count]}
            if props.availability_zones
            else {"max_azs": props.az_count}
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(props.cidr),
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                )
            ],
            restrict_default_security_group=True,
            **zones,
        )
        self._waive_provider_checks()
        self.flow_log_role = iam.Role(
            self,
            "FlowLogRole",
            path=props.role_path,
            # Confused-deputy prevention as the VPC User Guide's flow-log role shows it
            # ("IAM role for publishing flow logs to CloudWatch Logs": aws:SourceAccount).
            assumed_by=iam.ServicePrincipal(
                "vpc-flow-logs.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}}
            ),
            description="Delivers this VPC's flow logs to its log group",
        )
        iam.ManagedPolicy(
            self,
            "FlowLogDelivery",
            roles=[self.flow_log_role],
            statements=[
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    resources=[self.flow_logs.log_group_arn],
                )
            ],
        )
        self.flow_log = ec2.FlowLog(
            self,
            "FlowLog",
            resource_type=ec2.FlowLogResourceType.from_vpc(self.vpc),
            traffic_type=ec2.FlowLogTrafficType.ALL,
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(
                self.flow_logs, self.flow_log_role.without_policy_updates()
            ),
        )
        self.isolated_subnets = self.vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)

    def _waive_provider_checks(self) -> None:
        """CDK creates the Lambda behind restrict_default_security_group as a stack singleton;
        the reasons its checkov findings do not apply are recorded on it here, by its owner."""
        from aws_cdk import Stack

        provider = Stack.of(self).node.try_find_child(RESTRICT_DEFAULT_SG_PROVIDER)
        handler = provider.node.try_find_child("Handler") if provider is not None else None
        if handler is None:
            raise RuntimeError(f"CDK no longer creates {RESTRICT_DEFAULT_SG_PROVIDER}/Handler: review the checkov waivers")
        for check, reason in _PROVIDER_LAMBDA_SKIPS.items():
            skip_checkov(handler, check, reason)
