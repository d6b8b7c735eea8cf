"""The tenant key's policy, statement by statement: who may do what with the tenant's data key."""

from __future__ import annotations

import pytest

from tenantkit.constructs.key import ADMIN_ACTIONS, TenantKey, TenantKeyProps

from .conftest import template_of

LOGS = ("arn:aws:logs:us-east-1:123456789012:log-group:/tenantkit/t1/*",)
DEPLOYER = "arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1"
TENANT_ROLES = "arn:aws:iam::123456789012:role/tenantkit/t1/*"
TOPIC = "arn:aws:sns:us-east-1:123456789012:tenantkit-t1-incidents"
DECRYPTING = {"kms:Decrypt", "kms:ReEncrypt*", "kms:CreateGrant", "kms:PutKeyPolicy", "kms:*", "kms:Create*", "kms:Put*"}


def _props(**overrides) -> TenantKeyProps:
    values = {
        "alias": "alias/tenantkit/t1",
        "tenant_log_group_arns": LOGS,
        "description": "d",
        "tenant_principal_arn_pattern": TENANT_ROLES,
        "incident_topic_arn": TOPIC,
        "deployment_role_arn": DEPLOYER,
    }
    return TenantKeyProps(**{**values, **overrides})


@pytest.fixture
def statements(stack) -> dict[str, dict]:
    TenantKey(stack, "K", _props())
    (key,) = template_of(stack).find_resources("AWS::KMS::Key").values()
    return {statement["Sid"]: statement for statement in key["Properties"]["KeyPolicy"]["Statement"]}


def _actions(statement: dict) -> set[str]:
    action = statement["Action"]
    return set(action if isinstance(action, list) else [action])


def test_key_is_rotated_aliased_retained_except_on_a_failed_create(stack):
    tenant_key = TenantKey(stack, "K", _props())
    template = template_of(stack)
    template.has_resource("AWS::KMS::Key", {"DeletionPolicy": "RetainExceptOnCreate"})
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True, "Description": "d"})
    template.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/tenantkit/t1"})
    (alias,) = template.find_resources("AWS::KMS::Alias").values()
    assert alias["Properties"]["TargetKeyId"] == stack.resolve(tenant_key.key.key_arn)


def test_administrators_manage_but_can_neither_use_nor_grant(statements):
    admin = statements["AdministratorsManageButCannotUse"]
    assert _actions(admin) == set(ADMIN_ACTIONS)
    assert not _actions(admin) & DECRYPTING
    assert "kms:ScheduleKeyDeletion" in _actions(admin)


def test_only_the_deployment_role_may_change_the_policy_or_alias(statements):
    deployer = statements["DeploymentRoleKeepsPolicyAndAlias"]
    assert _actions(deployer) == {"kms:PutKeyPolicy", "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"}
    assert deployer["Condition"] == {"ArnLike": {"aws:PrincipalArn": DEPLOYER}}
    creates = statements["DeploymentRoleCreatesEncryptedResources"]
    assert creates["Condition"]["ArnLike"] == {"aws:PrincipalArn": DEPLOYER}
    assert "rds.us-east-1.amazonaws.com" in creates["Condition"]["StringEquals"]["kms:ViaService"]


def test_tenant_principals_use_the_key_only_through_data_services(statements):
    use = statements["TenantPrincipalsUseThroughDataServices"]
    assert "kms:Decrypt" in _actions(use)
    assert use["Condition"]["ArnLike"] == {"aws:PrincipalArn": TENANT_ROLES}
    assert not any(key.startswith("aws:PrincipalTag") for block in use["Condition"].values() for key in block)
    condition = use["Condition"]["StringEquals"]
    assert set(condition["kms:ViaService"]) == {
        f"{service}.us-east-1.amazonaws.com" for service in ("rds", "s3", "backup", "secretsmanager", "sns")
    }
    assert condition["kms:CallerAccount"] == "123456789012"
    grants = statements["DataServicesHoldGrantsForTheirResources"]
    assert grants["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    assert grants["Condition"]["ArnLike"] == {"aws:PrincipalArn": TENANT_ROLES}


def test_incident_publishers_encrypt_only_for_the_tenant_topic(statements):
    publishers = statements["IncidentPublishersEncryptForTheTopic"]
    assert publishers["Condition"] == {"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": TOPIC}}


def test_cloudwatch_logs_only_for_the_tenant_log_groups(statements):
    logs = statements["CloudWatchLogsForTenantLogGroupsOnly"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"] == {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": list(LOGS)}}


def test_incident_publishers_may_encrypt_for_the_topic(statements):
    publishers = statements["IncidentPublishersEncryptForTheTopic"]
    assert set(publishers["Principal"]["Service"]) == {
        "backup.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"
    }
    assert _actions(publishers) == {"kms:Decrypt", "kms:GenerateDataKey*"}


def test_no_statement_grants_everything_or_everyone(statements):
    for statement in statements.values():
        assert "kms:*" not in _actions(statement)
        assert statement["Principal"] != "*" and statement["Principal"] != {"AWS": "*"}


def test_every_problem_in_the_props_is_reported_together(stack):
    with pytest.raises(ValueError, match="alias must start with 'alias/'") as raised:
        TenantKey(stack, "K", _props(alias="tenantkit/t1", tenant_log_group_arns=(), deployment_role_arn="x"))
    assert "alias must start with 'alias/'" in str(raised.value)
    assert "tenant_log_group_arns must name at least one log group" in str(raised.value)
    assert "deployment_role_arn must be an IAM role ARN" in str(raised.value)
