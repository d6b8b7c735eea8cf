"""Who may assume a tenant's break-glass and offboarding roles, in the sandbox: the trust policies
as `TenantRoles` synthesizes them, created in moto, and sts:AssumeRole calls by principals made
in the sandbox, decided by our evaluator (`tenantkit.sandbox.extensions.policies`; moto assumes
any role for anyone: `sts_assume_role_ignores_the_trust_policy`). Expected outcomes follow from
AWS's documented evaluation of the policies, never from the template."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tenantkit.naming import names_for
from tenantkit.sandbox.extensions import install

REGION, DR_REGION = "us-east-1", "us-west-2"
ACCOUNT = "123456789012"  # moto's default account: the roles and the callers live in it
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
MFA = {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/operator", "TokenCode": "123456"}
TENANT, NEIGHBOUR = names_for("acme", ACCOUNT, REGION, DR_REGION), names_for("globex", ACCOUNT, REGION, DR_REGION)


def _resolved(value: Any) -> Any:
    """The template value with the pseudo parameters CDK leaves in ARNs filled in."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return {"AWS::Partition": "aws", "AWS::AccountId": ACCOUNT, "AWS::Region": REGION}[value["Ref"]]
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return separator.join(_resolved(part) for part in parts)
    if isinstance(value, dict):
        return {key: _resolved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item) for item in value]
    return value


@pytest.fixture(scope="module")
def trust_policies() -> dict[str, dict[str, Any]]:
    """Role name -> its trust policy, as TenantRoles synthesizes it for tenant acme."""
    from tenantkit.jsii_node import ensure_jsii_node

    ensure_jsii_node()
    import aws_cdk as cdk

    from tenantkit.constructs.tenant_roles import TenantRoles, TenantRolesProps

    app = cdk.App()
    stack = cdk.Stack(app, "Roles", env=cdk.Environment(account=ACCOUNT, region=REGION))
    TenantRoles(stack, "Roles", TenantRolesProps(
        role_path=TENANT.role_path, break_glass_role_name=TENANT.break_glass_role, offboarding_role_name=TENANT.offboarding_role,
        break_glass_max_minutes=60, bucket_arns=[TENANT.data_bucket_arn, TENANT.dr_bucket_arn],
        key_arn_patterns=[TENANT.key_arn_pattern(REGION)], key_alias=TENANT.key_alias,
        secret_arn_patterns=[TENANT.db_master_secret_arn_pattern(REGION)], offboarded_bucket_arns=[TENANT.data_bucket_arn],
        vault_arns=[TENANT.vault_arn_in(REGION)], recovery_point_arn_patterns=[f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:*"],
    ))  # fmt: skip
    roles = cdk.assertions.Template.from_stack(stack).find_resources("AWS::IAM::Role")
    return {r["Properties"]["RoleName"]: _resolved(r["Properties"]["AssumeRolePolicyDocument"]) for r in roles.values()}


@pytest.fixture(autouse=True)
def roles(trust_policies):
    install()
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        for name, trust in trust_policies.items():
            iam.create_role(RoleName=name, Path=TENANT.role_path, AssumeRolePolicyDocument=json.dumps(trust))
        yield


def _user(name: str, policy: dict) -> boto3.Session:
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"], region_name=REGION)


def _tenant_role_session(names: Any, name: str) -> boto3.Session:
    """A session of an application role of the tenant of `names`, under its path, allowed every
    action by its identity policy (what a careless `Resource: "*"` grants)."""
    iam = boto3.client("iam", region_name=REGION)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=name, Path=names.role_path, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(ADMIN))
    credentials = boto3.client("sts", region_name=REGION).assume_role(RoleArn=arn, RoleSessionName="app")["Credentials"]
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=REGION)  # fmt: skip


def _assume(session: boto3.Session, role_arn: str, **extra: str) -> dict[str, Any]:
    return session.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="try", **extra)


def _refused(session: boto3.Session, role_arn: str, **extra: str) -> str:
    with pytest.raises(ClientError) as raised:
        _assume(session, role_arn, **extra)
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDenied", raised.value.response
    return error["Message"]


OPERATOR_ROLES = [TENANT.break_glass_role_arn, TENANT.offboarding_role_arn]


@pytest.mark.parametrize("role_arn", OPERATOR_ROLES)
def test_another_tenants_role_is_refused_even_with_mfa_and_an_allow_for_everything(role_arn):
    neighbour = _tenant_role_session(NEIGHBOUR, "globex-app")
    message = _refused(neighbour, role_arn, **MFA)
    assert "globex-app" in message and role_arn in message


@pytest.mark.parametrize("role_arn", OPERATOR_ROLES)
def test_the_tenants_own_application_role_cannot_become_an_operator_role(role_arn):
    _refused(_tenant_role_session(TENANT, "acme-app"), role_arn, **MFA)


def test_an_administrator_without_mfa_is_refused_break_glass():
    assert "trust policy" in _refused(_user("admin", ADMIN), TENANT.break_glass_role_arn)


def test_an_operator_with_mfa_and_an_allow_assumes_break_glass():
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": TENANT.break_glass_role_arn}]}
    session = _assume(_user("operator", allow), TENANT.break_glass_role_arn, **MFA)
    assert session["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{TENANT.break_glass_role}/try"


@pytest.mark.parametrize("role_arn", OPERATOR_ROLES)
def test_a_principal_of_the_account_without_an_identity_allow_is_refused(role_arn):
    # the trust policy names the account: it delegates to IAM, so an Allow of the caller's own is needed
    nothing = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}
    _refused(_user("reader", nothing), role_arn, **MFA)


def test_an_operator_with_an_allow_assumes_the_offboarding_role():
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": TENANT.offboarding_role_arn}]}
    session = _assume(_user("operator", allow), TENANT.offboarding_role_arn)
    assert session["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{TENANT.offboarding_role}/try"
