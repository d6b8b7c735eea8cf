"""What stops offboarding before it destroys anything, in-process moto with tenantkit's emulator
extensions: S3 Object Lock and a vault lock (which tenantkit cannot lift), a resource with the
tenant's name but another tenant's tag, and a permission the credentials lack (never read as
"nothing there")."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tenantkit.lifecycle.offboarding.resources import OffboardingBlocked, Scope
from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover
from tenantkit.naming import TAG_TENANT, names_for
from tenantkit.sandbox.extensions import install
from tests.lifecycle.offboarding_tenant import sessions

TENANT, ACCOUNT, PRIMARY, SECONDARY = "acme-corp", "123456789012", "us-east-1", "us-west-2"
NAMES = names_for(TENANT, ACCOUNT, PRIMARY, SECONDARY)


@pytest.fixture(autouse=True)
def aws():
    install()
    with mock_aws():
        yield


def _scope() -> Scope:
    return Scope(NAMES, sessions())


def _journal(tmp_path) -> Journal:
    return Journal.open(tmp_path / f"{TENANT}.json", tenant_id=TENANT, environment="test")


def test_s3_object_lock_is_a_blocker_and_nothing_is_touched(tmp_path):
    s3 = boto3.client("s3", region_name=PRIMARY)
    s3.create_bucket(Bucket=NAMES.data_bucket, ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket=NAMES.data_bucket, Key="record", Body=b"x")
    plan = discover(_scope())
    assert plan.blockers == [f"S3 Object Lock on {NAMES.data_bucket}: locked versions cannot be deleted before their retention ends"]
    journal = _journal(tmp_path)
    with pytest.raises(OffboardingBlocked, match="S3 Object Lock"):
        destroy(_scope(), journal, plan)
    assert not journal.path.exists()
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=NAMES.data_bucket)["Contents"]] == ["record"]


def test_a_vault_lock_is_a_blocker():
    backup = boto3.client("backup", region_name=PRIMARY)
    backup.create_backup_vault(BackupVaultName=NAMES.backup_vault)
    backup.put_backup_vault_lock_configuration(BackupVaultName=NAMES.backup_vault, MinRetentionDays=7)
    assert discover(_scope()).blockers == [f"vault lock on {NAMES.backup_vault}"]


def test_a_resource_with_the_tenants_name_but_another_tenants_tag_stops_the_run(tmp_path):
    s3 = boto3.client("s3", region_name=PRIMARY)
    s3.create_bucket(Bucket=NAMES.data_bucket)
    s3.put_bucket_tagging(Bucket=NAMES.data_bucket, Tagging={"TagSet": [{"Key": TAG_TENANT, "Value": "someone-else"}]})
    s3.put_object(Bucket=NAMES.data_bucket, Key="record", Body=b"x")
    with pytest.raises(OffboardingBlocked, match="tagged tenantkit:tenant=someone-else, not acme-corp: not touched"):
        destroy(_scope(), _journal(tmp_path), discover(_scope()))
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=NAMES.data_bucket)["Contents"]] == ["record"]


def test_access_denied_stops_discovery_rather_than_hiding_a_resource():
    boto3.client("s3", region_name=PRIMARY).create_bucket(Bucket=NAMES.data_bucket)

    def deny_head_bucket(model, **_kwargs):
        if model.name == "HeadBucket":
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, model.name)

    def session_for(region: str):
        regional = boto3.Session(region_name=region)
        regional._session.get_component("event_emitter").register("before-call.s3.*", deny_head_bucket)
        return regional

    with pytest.raises(ClientError, match="AccessDenied"):
        discover(Scope(NAMES, session_for))
