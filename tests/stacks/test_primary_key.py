"""The tenant key in the primary stack: dedicated, rotated, retained, narrowly usable."""

from __future__ import annotations

from aws_cdk.assertions import Match

KEY = "TenantKey28C6FA36"


def _statements(examples, stack="tenant-maple-ca-primary", key=KEY):
    return examples.raw(stack)["Resources"][key]["Properties"]["KeyPolicy"]["Statement"]


def test_key_logical_id_is_pinned_and_rotated(maple):
    maple.has_resource(
        "AWS::KMS::Key",
        {"Properties": Match.object_like({"EnableKeyRotation": True})},
    )
    assert KEY in maple.find_resources("AWS::KMS::Key")


def test_key_is_retained_when_the_stack_is_deleted(maple):
    maple.has_resource("AWS::KMS::Key", {"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"})


def test_key_alias_names_the_tenant(maple):
    maple.has_resource_properties(
        "AWS::KMS::Alias",
        {"AliasName": "alias/tenantkit/maple-ca", "TargetKeyId": {"Fn::GetAtt": [KEY, "Arn"]}},
    )


def test_administrators_manage_the_key_but_cannot_use_it(examples):
    admin = next(s for s in _statements(examples) if s["Sid"] == "AdministratorsManageButCannotUse")
    assert "kms:*" not in admin["Action"]
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:PutKeyPolicy"} & set(admin["Action"])


def test_the_tenants_principals_use_the_key_only_through_the_tenant_data_services(examples):
    use = next(s for s in _statements(examples) if s["Sid"] == "TenantPrincipalsUseThroughDataServices")
    assert use["Condition"]["ArnLike"] == {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/tenantkit/maple-ca/*"}
    assert sorted(use["Condition"]["StringEquals"]["kms:ViaService"]) == sorted(
        f"{service}.ca-central-1.amazonaws.com"
        for service in ("rds", "s3", "backup", "secretsmanager", "sns")
    )
    assert use["Condition"]["StringEquals"]["kms:CallerAccount"] == "111122223333"


def test_cloudwatch_logs_may_use_the_key_only_for_the_tenant_log_groups(examples):
    logs = next(s for s in _statements(examples) if s["Sid"] == "CloudWatchLogsForTenantLogGroupsOnly")
    groups = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert groups and all("maple-ca" in group for group in groups)
    assert all(group.startswith("arn:aws:logs:ca-central-1:111122223333:") for group in groups)


def test_no_statement_grants_anything_without_a_principal_scope(examples):
    for statement in _statements(examples):
        principal = statement["Principal"]
        assert principal != "*" and principal != {"AWS": "*"}
        if "Service" in principal and statement["Sid"] != "IncidentPublishersEncryptForTheTopic":
            assert "Condition" in statement, statement
