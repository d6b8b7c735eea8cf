"""Who may reach a tenant's stores, construct by construct: its two operator roles, the vault's
access policy, the access-log bucket's deny."""

from __future__ import annotations

import pytest

from tenantkit.constructs.access_log_bucket import TenantAccessLogBucket, TenantAccessLogBucketProps
from tenantkit.constructs.backup_vault import TenantBackupVault, TenantBackupVaultProps
from tenantkit.constructs.tenant_roles import TenantRoles, TenantRolesProps

from .conftest import template_of
from .test_storage_and_backup import PRINCIPALS, VAULT_ARNS

PATH = "/tenantkit/t1/"


def _roles_props(**overrides) -> TenantRolesProps:
    values = {
        "role_path": PATH,
        "break_glass_role_name": "tenantkit-t1-break-glass",
        "offboarding_role_name": "tenantkit-t1-offboarding",
        "break_glass_max_minutes": 90,
        "bucket_arns": ["arn:aws:s3:::t1-data-123456789012-us-east-1", "arn:aws:s3:::t1-dr-123456789012-us-west-2"],
        "key_arn_patterns": ["arn:aws:kms:us-east-1:123456789012:key/*", "arn:aws:kms:us-west-2:123456789012:key/*"],
        "key_alias": "alias/tenantkit/t1",
        "secret_arn_patterns": ["arn:aws:secretsmanager:us-east-1:123456789012:secret:tenantkit/t1/db-master-user-??????"],
        "offboarded_bucket_arns": ["arn:aws:s3:::t1-data-123456789012-us-east-1", "arn:aws:s3:::t1-logs-123456789012-us-east-1"],
        "vault_arns": VAULT_ARNS,
        "recovery_point_arn_patterns": ["arn:aws:backup:us-east-1:123456789012:recovery-point:*"],
    }
    return TenantRolesProps(**{**values, **overrides})


@pytest.fixture
def roles(stack) -> dict[str, dict]:
    TenantRoles(stack, "R", _roles_props())
    found = template_of(stack).find_resources("AWS::IAM::Role")
    return {role["Properties"]["RoleName"]: role for role in found.values()}


def test_both_roles_live_under_the_tenant_path(roles):
    assert sorted(roles) == ["tenantkit-t1-break-glass", "tenantkit-t1-offboarding"]
    assert {role["Properties"]["Path"] for role in roles.values()} == {PATH}


def test_break_glass_needs_mfa_and_is_time_boxed_by_the_tenant_file(roles):
    role = roles["tenantkit-t1-break-glass"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert role["MaxSessionDuration"] == 90 * 60


def test_break_glass_sessions_may_carry_the_grants_tags(roles):
    """STS refuses AssumeRole with Tags unless the trust policy allows sts:TagSession too."""
    (trust,) = roles["tenantkit-t1-break-glass"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert sorted(trust["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
    (offboarding,) = roles["tenantkit-t1-offboarding"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert offboarding["Action"] == "sts:AssumeRole"


def test_a_short_break_glass_limit_keeps_the_role_at_the_sts_minimum(stack):
    TenantRoles(stack, "R", _roles_props(break_glass_max_minutes=30))
    template_of(stack).has_resource_properties("AWS::IAM::Role", {"RoleName": "tenantkit-t1-break-glass", "MaxSessionDuration": 3600})


def test_the_offboarding_role_outlives_its_stack(stack):
    TenantRoles(stack, "R", _roles_props())
    found = template_of(stack).find_resources("AWS::IAM::Role", {"Properties": {"RoleName": "tenantkit-t1-offboarding"}})
    (role,) = found.values()
    assert role["DeletionPolicy"] == "RetainExceptOnCreate"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"role_path": "tenantkit/t1"}, "role_path must start and end with '/'"), ({"break_glass_max_minutes": 5}, "15 to 720")],
)
def test_roles_refuse_bad_props(stack, overrides, message):
    with pytest.raises(ValueError, match=message):
        TenantRoles(stack, "R", _roles_props(**overrides))


def _vault_statements(stack) -> dict[str, dict]:
    from aws_cdk import aws_kms as kms

    TenantBackupVault(stack, "V", TenantBackupVaultProps(vault_name="t1", key=kms.Key(stack, "K"), principals=PRINCIPALS, copy_targets=VAULT_ARNS))
    (vault,) = template_of(stack).find_resources("AWS::Backup::BackupVault").values()
    return {s["Sid"]: s for s in vault["Properties"]["AccessPolicy"]["Statement"]}


def test_only_the_offboarding_role_deletes_recovery_points_or_the_vault(stack):
    deny = _vault_statements(stack)["OnlyOffboardingDestroys"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"}
    assert {"backup:DeleteRecoveryPoint", "backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVault"} <= set(deny["Action"])
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": PRINCIPALS.offboarding_role_arn}}


def test_copies_leave_the_vault_only_for_the_tenant_vaults(stack):
    deny = _vault_statements(stack)["CopiesStayInTheZone"]
    assert set(deny["Action"]) == {"backup:StartCopyJob", "backup:CopyIntoBackupVault"}
    assert deny["Condition"]["ForAnyValue:ArnNotLike"] == {"backup:CopyTargets": VAULT_ARNS}


def test_access_logs_are_deleted_only_by_lifecycle_and_offboarding(stack):
    TenantAccessLogBucket(stack, "L", TenantAccessLogBucketProps(bucket_name="t1-logs-1-us-east-1", principals=PRINCIPALS))
    (policy,) = template_of(stack).find_resources("AWS::S3::BucketPolicy").values()
    (deny,) = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s.get("Sid") == "OnlyLifecycleAndOffboardingDelete"]
    assert deny["Effect"] == "Deny"
    assert set(deny["Action"]) == {"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteBucket"}
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": PRINCIPALS.offboarding_role_arn}}


def test_the_offboarding_role_reaches_only_the_tenants_buckets_and_vaults(stack):
    TenantRoles(stack, "R", _roles_props())
    policies = template_of(stack).find_resources("AWS::IAM::ManagedPolicy")
    (offboarding,) = [p for p in policies.values() if p["Properties"]["Roles"] == [{"Ref": next(iter(
        template_of(stack).find_resources("AWS::IAM::Role", {"Properties": {"RoleName": "tenantkit-t1-offboarding"}})))}]]
    resources = [r for s in offboarding["Properties"]["PolicyDocument"]["Statement"] for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    assert "*" not in resources
    assert set(resources) == {
        "arn:aws:s3:::t1-data-123456789012-us-east-1", "arn:aws:s3:::t1-logs-123456789012-us-east-1",
        "arn:aws:s3:::t1-data-123456789012-us-east-1/*", "arn:aws:s3:::t1-logs-123456789012-us-east-1/*",
        *VAULT_ARNS, "arn:aws:backup:us-east-1:123456789012:recovery-point:*",
    }
