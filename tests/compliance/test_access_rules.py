"""The two access rules: no unconditioned Decrypt-family grant in a key policy; every role under
the tenant's path. A good input, then each branch weakened one way."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tenantkit.compliance import Compliance
from tenantkit.compliance.key_decrypt_conditioned import key_decrypt_needs_tenant_condition
from tenantkit.compliance.role_path import every_role_under_tenant_path

from .conftest import make_assembly

ACCOUNT = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}
TENANT_ROLES = {"Fn::Join": ["", ["arn:aws:iam::", {"Ref": "AWS::AccountId"}, ":role/tenantkit/acme/*"]]}
DEPLOYER = {"Fn::Join": ["", ["arn:aws:iam::", {"Ref": "AWS::AccountId"}, ":role/cdk-hnb659fds-cfn-exec-role-", {"Ref": "AWS::AccountId"}, "-us-east-1"]]}
LOG_GROUPS = "arn:aws:logs:us-east-1:111122223333:log-group:/tenantkit/acme/*"
TOPIC = "arn:aws:sns:us-east-1:111122223333:tenantkit-acme-incidents"
VIA_SM = {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}


def _statement(sid: str | None, actions: Any, condition: dict | None = None, principal: Any = None) -> dict:
    statement = {"Effect": "Allow", "Principal": principal or {"AWS": ACCOUNT}, "Action": actions, "Resource": "*"}
    if sid:
        statement["Sid"] = sid
    if condition:
        statement["Condition"] = condition
    return statement


GOOD_STATEMENTS = [
    _statement("Admin", ["kms:DescribeKey", "kms:ScheduleKeyDeletion"]),
    _statement("Deployer", ["kms:Decrypt", "kms:GenerateDataKey*"], {"ArnLike": {"aws:PrincipalArn": DEPLOYER}, "StringEquals": VIA_SM}),
    _statement("Tenant", ["kms:Decrypt", "kms:ReEncrypt*"], {"ArnLike": {"aws:PrincipalArn": TENANT_ROLES}, "StringEquals": VIA_SM}),
    _statement(
        "Logs", ["kms:Decrypt*", "kms:GenerateDataKey*"], {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": [LOG_GROUPS]}},
        principal={"Service": "logs.us-east-1.amazonaws.com"},
    ),
    _statement(
        "Topic", ["kms:Decrypt", "kms:GenerateDataKey*"], {"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": TOPIC}},
        principal={"Service": "events.amazonaws.com"},
    ),
    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"},
]


def _with_key_policy(primary: dict, statements: list[dict]) -> dict:
    primary["Resources"]["Key"]["Properties"]["KeyPolicy"] = {"Version": "2012-10-17", "Statement": statements}
    return primary


def test_a_key_policy_binding_every_decrypt_to_the_tenant_complies(primary):
    result = key_decrypt_needs_tenant_condition(make_assembly(_with_key_policy(primary, copy.deepcopy(GOOD_STATEMENTS))))
    assert result.status is Compliance.COMPLIANT, result.findings


def test_the_statement_aws_cdk_lib_adds_for_a_secret_is_non_compliant(primary):
    # aws-cdk-lib's Secret with encryption_key: account root, Decrypt family, kms:ViaService only, no Sid.
    cdk_secret = _statement(None, ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"], {"StringEquals": VIA_SM})
    result = key_decrypt_needs_tenant_condition(make_assembly(_with_key_policy(primary, [*GOOD_STATEMENTS, cdk_secret])))
    assert result.findings == (
        "tenant-acme-primary/Key: statement #6 grants kms:Decrypt, kms:Encrypt, kms:ReEncrypt*, kms:GenerateDataKey* "
        "with no tenant condition (the tenant's role path, the deployment role, or an encryption context / source "
        "ARN of the tenant's resources)",
    )


@pytest.mark.parametrize("actions", ["kms:*", "*", "kms:Decrypt*", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext"])
def test_every_decrypt_family_action_and_wildcard_needs_the_condition(primary, actions):
    bare = _statement("Bare", actions)
    result = key_decrypt_needs_tenant_condition(make_assembly(_with_key_policy(primary, [bare])))
    assert result.status is Compliance.NON_COMPLIANT


def test_a_statement_without_decrypt_needs_no_condition(primary):
    result = key_decrypt_needs_tenant_condition(make_assembly(_with_key_policy(primary, [_statement("E", ["kms:Encrypt", "kms:DescribeKey"])])))
    assert result.status is Compliance.COMPLIANT


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalTag/tenantkit:tenant": "acme"}},  # a tag anyone with iam:TagRole sets
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}},  # every role
        {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/tenantkit/acme/*", "arn:aws:iam::111122223333:role/admin"]}},
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/tenantkit/acme-eu/*"}},  # another tenant's path
        {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:*"}},
        {"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:us-east-1:111122223333:tenantkit-globex-incidents"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:tenantkit-acme-incidents"}},  # SourceArn alone
    ],
)
def test_a_condition_that_does_not_bind_to_the_tenant_is_non_compliant(primary, condition):
    statement = _statement("Weak", ["kms:Decrypt"], condition)
    result = key_decrypt_needs_tenant_condition(make_assembly(_with_key_policy(primary, [statement])))
    assert result.status is Compliance.NON_COMPLIANT


def test_source_arn_with_via_service_bound_to_the_tenant_complies(primary):
    statement = _statement(
        "Via", ["kms:Decrypt"], {"ArnLike": {"aws:SourceArn": TOPIC}, "StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}
    )
    result = key_decrypt_needs_tenant_condition(make_assembly(_with_key_policy(primary, [statement])))
    assert result.status is Compliance.COMPLIANT


def test_a_tenant_role_named_as_principal_complies_and_another_does_not(primary):
    own = _statement("Own", ["kms:Decrypt"], principal={"AWS": "arn:aws:iam::111122223333:role/tenantkit/acme/app"})
    other = _statement("Other", ["kms:Decrypt"], principal={"AWS": "arn:aws:iam::111122223333:role/app"})
    result = key_decrypt_needs_tenant_condition(make_assembly(_with_key_policy(primary, [own, other])))
    assert len(result.findings) == 1 and "statement Other" in result.findings[0]


def test_keys_of_every_stack_are_read():
    from .conftest import good_dr

    dr = good_dr()
    key_id = next(k for k, r in dr["Resources"].items() if r["Type"] == "AWS::KMS::Key")
    dr["Resources"][key_id]["Properties"]["KeyPolicy"] = {"Statement": [_statement("Bare", "kms:Decrypt")]}
    (finding,) = key_decrypt_needs_tenant_condition(make_assembly(dr=dr)).findings
    assert finding.startswith(f"tenant-acme-dr/{key_id}: statement Bare")


def _role(path: Any = "/tenantkit/acme/") -> dict:
    properties: dict[str, Any] = {"AssumeRolePolicyDocument": {"Statement": []}}
    if path is not None:
        properties["Path"] = path
    return {"Type": "AWS::IAM::Role", "Properties": properties}


def test_roles_under_the_tenant_path_comply(primary):
    primary["Resources"]["Role"] = _role()
    assert every_role_under_tenant_path(make_assembly(primary)).status is Compliance.COMPLIANT


def test_without_roles_the_path_rule_does_not_apply(assembly):
    assert every_role_under_tenant_path(assembly).status is Compliance.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("path", "shown"),
    [(None, "/ (default)"), ("/", "/"), ("/tenantkit/acme-eu/", "/tenantkit/acme-eu/"), ("/tenantkit/", "/tenantkit/"),
     ("/tenantkit/acme/app/", "/tenantkit/acme/app/")],
)
def test_a_role_outside_the_tenant_path_is_non_compliant(primary, path, shown):
    primary["Resources"]["Role"] = _role(path)
    assert every_role_under_tenant_path(make_assembly(primary)).findings == (
        f"tenant-acme-primary/Role: path is {shown}, not /tenantkit/acme/",
    )


def test_roles_of_every_stack_are_read():
    from .conftest import good_replica

    replica = good_replica()
    replica["Resources"]["Monitoring"] = _role("/")
    (finding,) = every_role_under_tenant_path(make_assembly(replica=replica)).findings
    assert finding.startswith("tenant-acme-replica/Monitoring:")
