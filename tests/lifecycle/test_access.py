"""Break-glass access as a service (tenantkit/lifecycle/access), in-process moto with the emulator
extensions: what `check_request` refuses; `grant` assumes the tenant's role with its tags and
duration; `access_log` finds the session by the role's exact ARN and what it touched (management
events by LookupEvents, data events from the trail's log files), and names what it could not read.
Expected names come from the tenant file through tenantkit.naming."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tenantkit.config import validate_paths
from tenantkit.constructs.audit_trail import event_selectors
from tenantkit.lifecycle.access import AccessRefused, access_log, check_request, grant, session_name
from tenantkit.naming import audit_bucket, names_for

ACCOUNT = "123456789012"  # moto's default account: where the default credentials act


@pytest.fixture
def config(tenant_data, write_tenant):
    tenant_data["access"]["break_glass_max_minutes"] = 90
    path = write_tenant(tenant_data)
    (found,) = validate_paths([path.parent]).configs
    return found


def _refusal(config, **changes) -> str:
    request = {"reason": "INC-42: restore check", "minutes": 30, "by": "alice", "mfa_serial": None, "mfa_code": None, "sandbox": True}
    request.update(changes)
    with pytest.raises(AccessRefused) as refused:
        check_request(config, **request)
    return str(refused.value)


@pytest.mark.parametrize(("changes", "message"), [
    ({"minutes": 91}, "--minutes must be 15 to 90 (access.break_glass_max_minutes of its file); got 91"),
    ({"minutes": 14}, "--minutes must be 15 to 90"),
    ({"reason": "  "}, "--reason must not be empty"),
    ({"reason": "customer's request"}, "--reason may hold letters, digits, spaces and _ . : / = + - @ only (a session tag); not \"'\""),
    ({"reason": "x" * 257}, "--reason is 257 characters; a session tag holds at most 256"),
    ({"by": ""}, "--by must not be empty"),
    ({"sandbox": False}, "--mfa-serial and --mfa-code are required against AWS"),
    ({"mfa_serial": f"arn:aws:iam::{ACCOUNT}:mfa/alice"}, "--mfa-serial and --mfa-code go together"),
    ({"mfa_serial": "not a device", "mfa_code": "123456"}, "--mfa-serial 'not a device' is neither an MFA device ARN"),
    ({"mfa_serial": f"arn:aws:iam::{ACCOUNT}:mfa/alice", "mfa_code": "12345"}, "--mfa-code must be the device's 6 digits"),
])
def test_a_bad_request_is_refused_naming_the_tenant_and_the_problem(config, changes, message):
    text = _refusal(config, **changes)
    assert text.startswith("acme-corp: ") and message in text, text


def test_a_good_request_passes_and_all_problems_are_said_at_once(config):
    check_request(config, reason="INC-42: restore check", minutes=90, by="alice", mfa_serial=f"arn:aws:iam::{ACCOUNT}:mfa/alice",
                  mfa_code="123456", sandbox=False)  # fmt: skip
    text = _refusal(config, minutes=500, by="")
    assert "--minutes" in text and "--by" in text, text


def test_the_session_name_carries_the_operator_in_the_characters_sts_allows():
    name = session_name("Alice Smith (SRE)", datetime(2026, 12, 7, 6, 30, tzinfo=UTC))
    assert name == "Alice-Smith--SRE-@20261207T063000Z"
    assert len(session_name("x" * 100, datetime(2026, 12, 7, tzinfo=UTC))) == 64


# --- grant and log, in-process moto ----------------------------------------------------------


def _role(iam, names) -> None:
    iam.create_role(Path=names.role_path, RoleName=names.break_glass_role, AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}))
    iam.put_role_policy(RoleName=names.break_glass_role, PolicyName="access", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{names.data_bucket}/*"},
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": names.db_master_secret_arn_pattern(names.primary_region)},
    ]}))


def _bucket(s3, name: str, region: str) -> None:
    s3.create_bucket(Bucket=name, **({} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}))


@pytest.fixture
def tenant_world(config, moto_with_extensions):
    names = names_for(config.tenant_id, ACCOUNT, config.primary_region, config.secondary_region)
    iam = boto3.client("iam", region_name=config.primary_region)
    _role(iam, names)
    s3 = boto3.client("s3", region_name=config.primary_region)
    _bucket(s3, names.data_bucket, config.primary_region)
    s3.put_object(Bucket=names.data_bucket, Key="invoices/1.pdf", Body=b"%PDF")
    boto3.client("secretsmanager", region_name=config.primary_region).create_secret(Name=names.db_master_secret, SecretString="pw")
    # the baseline trail of the primary region only: the secondary region's audit bucket is missing
    bucket = audit_bucket(ACCOUNT, config.primary_region)
    _bucket(s3, bucket, config.primary_region)
    cloudtrail = boto3.client("cloudtrail", region_name=config.primary_region)
    cloudtrail.create_trail(Name="tenantkit-audit", S3BucketName=bucket)
    cloudtrail.put_event_selectors(TrailName="tenantkit-audit", AdvancedEventSelectors=event_selectors([names.data_bucket])[0])
    cloudtrail.start_logging(Name="tenantkit-audit")
    return names


def _log(config, names, since):
    return access_log(config, account=ACCOUNT, role_arn=names.break_glass_role_arn, trail_bucket=lambda r: audit_bucket(ACCOUNT, r),
                      session_for=lambda region: boto3.Session(region_name=region), since=since)  # fmt: skip


def test_a_granted_session_is_listed_with_its_reason_operator_duration_and_both_reads(config, tenant_world):
    names = tenant_world
    since = datetime.now(UTC) - timedelta(minutes=5)
    granted = grant(config, names.break_glass_role_arn, boto3.client("sts", region_name=config.primary_region),
                    reason="INC-42: restore check", minutes=45, by="alice")  # fmt: skip
    assert granted.session_arn.endswith(f"assumed-role/{names.break_glass_role}/{granted.session_name}")
    used = boto3.Session(aws_access_key_id=granted.access_key_id, aws_secret_access_key=granted.secret_access_key,
                         aws_session_token=granted.session_token, region_name=config.primary_region)  # fmt: skip
    assert used.client("s3").get_object(Bucket=names.data_bucket, Key="invoices/1.pdf")["Body"].read() == b"%PDF"
    assert used.client("secretsmanager").get_secret_value(SecretId=names.db_master_secret)["SecretString"] == "pw"

    found = _log(config, names, since)
    (session,) = found.sessions
    assert (session.operator, session.reason, session.access_key_id) == ("alice", "INC-42: restore check", granted.access_key_id)
    assert session.expires_at - session.granted_at == timedelta(minutes=45)
    touched = [(t.category, t.action, t.resources[0]) for t in session.touches]
    assert ("Data", "GetObject", f"arn:aws:s3:::{names.data_bucket}/invoices/1.pdf") in touched, touched
    assert [t for t in touched if t[1] == "GetSecretValue"][0][2].startswith(
        names.db_master_secret_arn_pattern(config.primary_region).removesuffix("-??????")), touched


def test_what_could_not_be_read_is_named_not_left_out(config, tenant_world):
    names = tenant_world
    grant(config, names.break_glass_role_arn, boto3.client("sts", region_name=config.primary_region), reason="INC-1", minutes=15, by="bob")
    found = _log(config, names, datetime.now(UTC) - timedelta(minutes=5))
    missing = audit_bucket(ACCOUNT, config.secondary_region)
    assert [line for line in found.unreadable if f"s3://{missing}/" in line and "absent (NoSuchBucket)" in line], found.unreadable
    assert [line for line in found.searched if f"s3://{audit_bucket(ACCOUNT, config.primary_region)}/" in line], found.searched


def test_another_tenants_session_is_not_listed_even_when_its_id_starts_like_this_ones(config, tenant_world):
    names = tenant_world
    other = names_for(f"{config.tenant_id}-x", ACCOUNT, config.primary_region, config.secondary_region)
    _role(boto3.client("iam", region_name=config.primary_region), other)
    grant(config, other.break_glass_role_arn, boto3.client("sts", region_name=config.primary_region), reason="INC-2", minutes=15, by="eve")
    assert _log(config, names, datetime.now(UTC) - timedelta(minutes=5)).sessions == ()
    (session,) = _log(config, other, datetime.now(UTC) - timedelta(minutes=5)).sessions
    assert session.operator == "eve"


def test_sessions_granted_before_since_are_not_listed(config, tenant_world):
    names = tenant_world
    grant(config, names.break_glass_role_arn, boto3.client("sts", region_name=config.primary_region), reason="INC-3", minutes=15, by="bob")
    assert _log(config, names, datetime.now(UTC) + timedelta(minutes=1)).sessions == ()


def test_the_sandbox_grants_no_session_of_a_break_glass_role_that_does_not_exist(config, moto_with_extensions, tmp_path):
    """moto's STS would issue credentials for any role ARN, and the sandbox evaluates no call of a
    session of a role it does not hold: the grant refuses first."""
    from tenantkit.lifecycle.access import grant_access
    from tenantkit.lifecycle.restore import Environment

    env = Environment("sandbox", ACCOUNT, lambda region: boto3.Session(region_name=region))
    names = names_for(config.tenant_id, ACCOUNT, config.primary_region, config.secondary_region)
    with pytest.raises(AccessRefused) as refused:
        grant_access(config, env, reason="INC-5", minutes=15, by="bob", mfa_serial=None, mfa_code=None, state_dir=tmp_path)
    assert str(refused.value) == f"acme-corp: its break-glass role {names.break_glass_role_arn} does not exist (`tenantkit deploy --local` first)"
    assert boto3.client("cloudtrail", region_name=config.primary_region).lookup_events()["Events"] == []


def test_a_refused_assume_role_is_listed_as_refused_not_as_a_session(config, tenant_world):
    """STS refusing the role (no MFA) leaves an AssumeRole record with an errorCode: recorded here
    through the emulator's journal, as the sandbox does not check role trust."""
    from tenantkit.sandbox.extensions import cloudtrail_events

    names = tenant_world
    cloudtrail_events.record(
        account_id=ACCOUNT, region_name=config.primary_region, service="sts", action="AssumeRole",
        who={"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/mallory", "accessKeyId": "AKIAMALLORY"},
        resources=[{"type": "AWS::IAM::Role", "ARN": names.break_glass_role_arn}], error="AccessDenied",
        request={"roleArn": names.break_glass_role_arn, "tags": [{"key": "tenantkit:break-glass-operator", "value": "mallory"}]},
    )  # fmt: skip
    found = _log(config, names, datetime.now(UTC) - timedelta(minutes=5))
    assert found.sessions == ()
    (attempt,) = found.refused
    assert (attempt.caller, attempt.error, attempt.operator) == (f"arn:aws:iam::{ACCOUNT}:user/mallory", "AccessDenied", "mallory")
