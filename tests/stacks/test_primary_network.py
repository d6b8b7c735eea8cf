"""The primary network: isolated subnets in two real AZs, no way in or out, flows logged."""

from __future__ import annotations

from aws_cdk.assertions import Match


def test_vpc_has_no_internet_gateway_and_no_nat(maple):
    maple.resource_count_is("AWS::EC2::InternetGateway", 0)
    maple.resource_count_is("AWS::EC2::NatGateway", 0)
    maple.resource_count_is("AWS::EC2::EIP", 0)


def test_two_isolated_subnets_in_real_availability_zones(maple):
    subnets = maple.find_resources("AWS::EC2::Subnet")
    zones = sorted(s["Properties"]["AvailabilityZone"] for s in subnets.values())
    assert zones == ["ca-central-1a", "ca-central-1b"]
    assert all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in subnets.values())


def test_no_route_leaves_the_vpc(maple):
    maple.resource_count_is("AWS::EC2::Route", 0)


def test_tenant_without_account_gets_azs_from_cloudformation_not_placeholders(examples):
    raw = examples.raw("tenant-northwind-us-primary")
    zones = [r["Properties"]["AvailabilityZone"] for r in raw["Resources"].values() if r["Type"] == "AWS::EC2::Subnet"]
    assert all("Fn::Select" in zone for zone in zones)
    assert "dummy" not in str(raw)


def test_all_flows_are_logged_to_an_encrypted_log_group(maple):
    maple.has_resource_properties(
        "AWS::EC2::FlowLog",
        {
            "ResourceType": "VPC",
            "TrafficType": "ALL",
            "LogGroupName": {"Ref": "NetworkFlowLogsLogGroup625EB2BC"},
        },
    )
    maple.has_resource_properties(
        "AWS::Logs::LogGroup",
        {
            "LogGroupName": "/tenantkit/maple-ca/vpc-flow-logs",
            "KmsKeyId": {"Fn::GetAtt": ["TenantKey28C6FA36", "Arn"]},
        },
    )


def test_default_security_group_is_stripped_of_its_rules(maple):
    maple.resource_count_is("Custom::VpcRestrictDefaultSG", 1)
    maple.has_resource_properties(
        "AWS::EC2::VPC", Match.object_like({"CidrBlock": "10.0.0.0/16"})
    )


def test_only_the_flow_log_service_of_the_tenants_own_account_may_assume_the_flow_log_role(maple, examples):
    """Confused-deputy prevention, as the VPC User Guide's flow-log role shows it."""
    maple.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": Match.object_like({"Statement": [Match.object_like({
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Condition": {"StringEquals": {"aws:SourceAccount": examples.configs["maple-ca"].account}},
            })]}),
        },
    )
