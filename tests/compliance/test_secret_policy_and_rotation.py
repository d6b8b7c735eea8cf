"""The secret has a resource policy closing it to all but named principals, and a rotation schedule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tenantkit.compliance import RULES, Compliance
from tenantkit.compliance.secret_policy_and_rotation import GUARDED_ACTIONS, secrets_have_a_closing_policy_and_rotation

from .conftest import TAGS, good_primary, make_assembly

TENANT_ROLES = "arn:aws:iam::111122223333:role/tenantkit/acme/*"


def _secured_primary() -> dict[str, Any]:
    primary = good_primary()
    primary["Resources"].update(
        {
            "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "tenantkit/acme/db", "Tags": TAGS}},
            "SecretPolicy": {
                "Type": "AWS::SecretsManager::ResourcePolicy",
                "Properties": {
                    "SecretId": {"Ref": "Secret"},
                    "ResourcePolicy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Deny",
                                "Principal": {"AWS": "*"},
                                "Action": list(GUARDED_ACTIONS),
                                "Resource": "*",
                                "Condition": {"ArnNotLike": {"aws:PrincipalArn": [TENANT_ROLES]}},
                            }
                        ],
                    },
                },
            },
            "Schedule": {
                "Type": "AWS::SecretsManager::RotationSchedule",
                "Properties": {
                    "SecretId": {"Ref": "Secret"},
                    "RotationLambdaARN": {"Fn::GetAtt": ["Rotation", "Arn"]},
                    "RotationRules": {"AutomaticallyAfterDays": 30},
                },
            },
        }
    )
    return primary


@pytest.fixture
def secured() -> dict[str, Any]:
    return copy.deepcopy(_secured_primary())


def _statement(primary: dict[str, Any]) -> dict[str, Any]:
    return primary["Resources"]["SecretPolicy"]["Properties"]["ResourcePolicy"]["Statement"][0]


def test_the_rule_runs_with_the_others():
    assert secrets_have_a_closing_policy_and_rotation in RULES


def test_a_tenant_without_secrets_is_not_applicable(assembly):
    assert secrets_have_a_closing_policy_and_rotation(assembly).status is Compliance.NOT_APPLICABLE


def test_a_closed_and_rotated_secret_complies(secured):
    assert secrets_have_a_closing_policy_and_rotation(make_assembly(secured)).status is Compliance.COMPLIANT


def test_wildcard_actions_cover_the_guarded_ones(secured):
    _statement(secured)["Action"] = "secretsmanager:*"
    assert secrets_have_a_closing_policy_and_rotation(make_assembly(secured)).ok


def test_a_secret_without_a_policy_is_non_compliant(secured):
    del secured["Resources"]["SecretPolicy"]
    result = secrets_have_a_closing_policy_and_rotation(make_assembly(secured))
    assert result.status is Compliance.NON_COMPLIANT
    assert result.findings == (
        "tenant-acme-primary/Secret: no resource policy; deny " + ", ".join(GUARDED_ACTIONS) + " to all but named principals",
    )


def test_a_policy_on_another_secret_does_not_count(secured):
    secured["Resources"]["SecretPolicy"]["Properties"]["SecretId"] = {"Ref": "OtherSecret"}
    (finding,) = secrets_have_a_closing_policy_and_rotation(make_assembly(secured)).findings
    assert finding.startswith("tenant-acme-primary/Secret: no resource policy")


@pytest.mark.parametrize("action", GUARDED_ACTIONS)
def test_each_guarded_action_left_out_is_non_compliant(secured, action):
    _statement(secured)["Action"] = [a for a in GUARDED_ACTIONS if a != action]
    (finding,) = secrets_have_a_closing_policy_and_rotation(make_assembly(secured)).findings
    assert f"lets any principal with an IAM allow call {action};" in finding


@pytest.mark.parametrize(
    "weaken",
    [
        pytest.param(lambda s: s.update(Effect="Allow"), id="allow-not-deny"),
        pytest.param(lambda s: s.update(Principal={"AWS": "arn:aws:iam::111122223333:root"}), id="one-principal-only"),
        pytest.param(
            lambda s: s.update(Condition={"StringNotEquals": {"aws:PrincipalTag/tenantkit:tenant": "acme"}}),
            id="by-tag-not-arn",
        ),
        pytest.param(lambda s: s.update(Condition={"ArnLike": {"aws:PrincipalArn": [TENANT_ROLES]}}), id="not-negated"),
    ],
)
def test_a_deny_that_does_not_close_the_secret_by_arn_is_non_compliant(secured, weaken):
    weaken(_statement(secured))
    (finding,) = secrets_have_a_closing_policy_and_rotation(make_assembly(secured)).findings
    assert "lets any principal with an IAM allow call" in finding


def test_a_secret_without_rotation_is_non_compliant(secured):
    del secured["Resources"]["Schedule"]
    assert secrets_have_a_closing_policy_and_rotation(make_assembly(secured)).findings == (
        "tenant-acme-primary/Secret: no rotation schedule (AWS::SecretsManager::RotationSchedule)",
    )


def test_a_schedule_without_function_or_rules_is_non_compliant(secured):
    properties = secured["Resources"]["Schedule"]["Properties"]
    del properties["RotationLambdaARN"], properties["RotationRules"]
    assert secrets_have_a_closing_policy_and_rotation(make_assembly(secured)).findings == (
        "tenant-acme-primary/Secret: its rotation schedule names no rotation function",
        "tenant-acme-primary/Secret: its rotation schedule has no schedule (RotationRules)",
    )


def test_hosted_rotation_and_a_schedule_expression_comply(secured):
    properties = secured["Resources"]["Schedule"]["Properties"]
    del properties["RotationLambdaARN"]
    properties["HostedRotationLambda"] = {"RotationType": "PostgreSQLSingleUser"}
    properties["RotationRules"] = {"ScheduleExpression": "rate(10 days)"}
    assert secrets_have_a_closing_policy_and_rotation(make_assembly(secured)).ok
