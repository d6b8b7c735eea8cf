"""The master secret: closed to all but the tenant by its resource policy, rotated on the tenant
file's schedule by our function in the tenant's network. Expected values come from the tenant file
and tenantkit.naming, never from the template under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.naming import names_for

TENANT = "maple-ca"
SECRET = "DatabaseMasterSecretC5C2A01F"
ATTACHMENT = "DatabaseMasterSecretAttachment3C0CC1C6"
KEY_ARN = {"Fn::GetAtt": ["TenantKey28C6FA36", "Arn"]}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def config(examples):
    return examples.configs[TENANT]


@pytest.fixture(scope="module")
def names(config):
    return names_for(config.tenant_id, config.account, config.primary_region, config.secondary_region)


@pytest.fixture(scope="module")
def resources(examples):
    return examples.raw(f"tenant-{TENANT}-primary")["Resources"]


def _of_type(resources, resource_type):
    return {k: v for k, v in resources.items() if v["Type"] == resource_type}


def _one(resources, resource_type):
    ((logical_id, resource),) = _of_type(resources, resource_type).items()
    return logical_id, resource


def _function(resources, names):
    """The rotation function, found by the name tenantkit.naming gives it."""
    ((logical_id, resource),) = [
        (k, v) for k, v in _of_type(resources, "AWS::Lambda::Function").items()
        if v["Properties"].get("FunctionName") == names.rotation_function
    ]
    return logical_id, resource


def test_policy_denies_the_secret_to_all_but_the_tenant_break_glass_and_deployment(resources, names):
    _, policy = _one(resources, "AWS::SecretsManager::ResourcePolicy")
    assert policy["Properties"]["SecretId"] == {"Ref": SECRET}
    statements = {s["Sid"]: s for s in policy["Properties"]["ResourcePolicy"]["Statement"]}
    data = statements["OnlyTheTenantAndItsDeploymentReadOrPolicyTheSecret"]
    assert (data["Effect"], data["Principal"]) == ("Deny", {"AWS": "*"})
    assert sorted(data["Action"]) == sorted(
        ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:PutResourcePolicy"]
    )
    assert data["Condition"] == {
        "ArnNotLike": {
            "aws:PrincipalArn": [
                names.tenant_role_arn_pattern,
                names.break_glass_role_arn,
                names.deployment_role_arn(names.primary_region),
            ]
        }
    }
    delete = statements["OnlyTheTenantDeletesTheSecret"]
    assert (delete["Effect"], delete["Principal"], delete["Action"]) == ("Deny", {"AWS": "*"}, "secretsmanager:DeleteSecret")
    assert delete["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": [names.tenant_role_arn_pattern, names.break_glass_role_arn]}
    }


def test_the_offboarding_role_may_delete_the_secret(resources, names):
    """No statement denies DeleteSecret to the whole account (aws-cdk-lib's RotationSchedule adds
    one): the offboarding role lies under the tenant path the delete deny exempts."""
    _, policy = _one(resources, "AWS::SecretsManager::ResourcePolicy")
    assert len(policy["Properties"]["ResourcePolicy"]["Statement"]) == 2
    assert names.offboarding_role_arn.startswith(names.tenant_role_arn_pattern.rstrip("*"))


def test_rotation_follows_the_tenant_file_schedule_after_the_attachment(resources, names, config):
    _, schedule = _one(resources, "AWS::SecretsManager::RotationSchedule")
    function_id, _ = _function(resources, names)
    assert schedule["Properties"] == {
        "SecretId": {"Ref": SECRET},
        "RotationLambdaARN": {"Fn::GetAtt": [function_id, "Arn"]},
        "RotationRules": {"AutomaticallyAfterDays": config.database.rotation_days},
    }
    assert ATTACHMENT in schedule["DependsOn"]


def test_only_secrets_manager_invokes_the_function_for_this_secret(resources, names, config):
    function_id, _ = _function(resources, names)
    (permission,) = [
        p for p in _of_type(resources, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert permission["Properties"] == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
        "Principal": "secretsmanager.amazonaws.com",
        "SourceArn": {"Ref": SECRET},
        "SourceAccount": config.account,
    }


def test_function_runs_our_handler_in_the_isolated_subnets(resources, names):
    _, function = _function(resources, names)
    props = function["Properties"]
    assert props["FunctionName"] == names.rotation_function
    assert props["Handler"] == "postgres_single_user.lambda_handler"
    subnets = {k for k, v in resources.items() if v["Type"] == "AWS::EC2::Subnet"}
    assert {ref["Ref"] for ref in props["VpcConfig"]["SubnetIds"]} == subnets
    assert all(not resources[s]["Properties"].get("MapPublicIpOnLaunch", False) for s in subnets)


def test_function_role_lives_under_the_tenant_path(resources, names):
    _, function = _function(resources, names)
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    assert resources[role_id]["Properties"]["Path"] == names.role_path


def test_function_logs_to_a_tenant_log_group_under_the_tenant_key(resources, names):
    _, function = _function(resources, names)
    group = resources[function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]]["Properties"]
    assert group["LogGroupName"] == names.rotation_log_group
    assert group["KmsKeyId"] == KEY_ARN
    assert any(names.rotation_log_group.startswith(path) for path in names.log_group_paths)


def test_function_reaches_only_the_database_and_the_endpoint(resources, names):
    _, function = _function(resources, names)
    (group,) = function["Properties"]["VpcConfig"]["SecurityGroupIds"]
    group_id = group["Fn::GetAtt"][0]
    assert all(r["CidrIp"] == "255.255.255.255/32" for r in resources[group_id]["Properties"].get("SecurityGroupEgress", []))
    egress = {
        (e["Properties"]["DestinationSecurityGroupId"]["Fn::GetAtt"][0], e["Properties"]["FromPort"], e["Properties"]["ToPort"])
        for e in _of_type(resources, "AWS::EC2::SecurityGroupEgress").values()
        if e["Properties"]["GroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}
    }
    _, endpoint = _one(resources, "AWS::EC2::VPCEndpoint")
    (endpoint_group,) = endpoint["Properties"]["SecurityGroupIds"]
    assert egress == {("DatabaseBaseSecurityGroup23D7989E", 5432, 5432), (endpoint_group["Fn::GetAtt"][0], 443, 443)}


def test_secrets_manager_is_reached_through_a_private_dns_interface_endpoint(resources, names):
    _, endpoint = _one(resources, "AWS::EC2::VPCEndpoint")
    props = endpoint["Properties"]
    assert props["ServiceName"] == f"com.amazonaws.{names.primary_region}.secretsmanager"
    assert props["VpcEndpointType"] == "Interface" and props["PrivateDnsEnabled"] is True
    (group,) = props["SecurityGroupIds"]
    ingress = [
        i["Properties"] for i in _of_type(resources, "AWS::EC2::SecurityGroupIngress").values()
        if i["Properties"]["GroupId"] == {"Fn::GetAtt": [group["Fn::GetAtt"][0], "GroupId"]}
    ]
    function_group = _function(resources, names)[1]["Properties"]["VpcConfig"]["SecurityGroupIds"][0]
    assert [(i["SourceSecurityGroupId"], i["FromPort"]) for i in ingress] == [(function_group, 443)]
    resources_allowed = [s["Resource"] for s in props["PolicyDocument"]["Statement"]]
    assert resources_allowed[1] == "*"  # GetRandomPassword has no resource
    assert {"Ref": SECRET} in resources_allowed[0]


def test_the_asset_bundles_the_handler_and_its_driver(examples, resources, names):
    _, function = _function(resources, names)
    artifact = examples.assembly.get_stack_by_name(f"tenant-{TENANT}-primary")
    asset_hash = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    directory = Path(artifact.assembly.directory) / f"asset.{asset_hash}"
    for path in ("postgres_single_user.py", "pg8000/native.py", "scramp/core.py", "asn1crypto/__init__.py"):
        assert (directory / path).is_file(), path
    assert not list(directory.rglob("tenantkit*"))
