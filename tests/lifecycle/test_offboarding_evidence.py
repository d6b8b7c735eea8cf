"""What offboarding's evidence says and where it goes (issue 19, items 6-8), in-process moto with
tenantkit's emulator extensions:

- the report (schema /2) states its scope and what became of the audit records; keys are
  "scheduled for deletion on DATE", never destroyed; a /1 report still verifies;
- `confirm_keys` before the keys' deletion date (days remain, nothing written) and after it (the
  emulator's clock moved: a signed addendum that `report verify` accepts);
- the report signed by an AWS KMS key, verified offline from its exported public key;
- reports written to a bucket with S3 Object Lock: refused without it, never overwritten;
- audit records exported to the zone's archive bucket before anything is destroyed;
- the plan's list of who could undo the keys' deletion, read from the key policy.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tenantkit.config import TenantConfig
from tenantkit.lifecycle.offboarding import service
from tenantkit.lifecycle.offboarding.archive import ARCHIVED_TENANT_TAG, EXPIRES_TAG, ArchiveBucket
from tenantkit.lifecycle.offboarding.keys import UNDO_ACTIONS, undoers
from tenantkit.lifecycle.report import (
    SCHEMA,
    SCHEMA_V1,
    ReportError,
    S3Location,
    canonical_json,
    export_kms_public_key,
    generate_keypair,
    load_signing_key,
    read_report,
    reports_location,
    upload_locked,
    verify_report,
    write_report,
)
from tenantkit.naming import cdk_assets_bucket, stack_names
from tenantkit.sandbox.extensions import kms as kms_extension
from tests.lifecycle import offboarding_tenant as tenant
from tests.lifecycle.offboarding_tenant import ACCOUNT, NAMES, PRIMARY, SECONDARY, TENANT

pytestmark = pytest.mark.usefixtures("moto_with_extensions")

ARCHIVE = "operator-audit-archive"


@pytest.fixture
def offboarding(tenant_data, tmp_path):
    """`service.execute` against moto as the CLI runs it, with a real signing key; `tenant_file`
    entries override the tenant's file."""
    private, public = generate_keypair(tmp_path / "keys")

    def config(**tenant_file):
        return TenantConfig.model_validate({**tenant_data, "account": ACCOUNT, "subscription": {"ends_on": "2026-01-31"}, **tenant_file})

    env = service.Environment("test", ACCOUNT, tenant.sessions(), "tester")

    def execute(tenant_config=None, **kwargs):
        kwargs.setdefault("signing_key_path", private)
        kwargs.setdefault("reports_root", tmp_path / "reports")
        return service.execute(tenant_config or config(), env, state_dir=tmp_path / "state", force=False, reason=None, **kwargs)

    yield {"execute": execute, "config": config, "env": env, "private": private, "public": public, "state": tmp_path / "state", "tmp": tmp_path}
    kms_extension.reset_clock()


# --- item 8: the report states its scope --------------------------------------------------------


def test_the_report_states_its_scope_and_that_keys_are_only_scheduled(offboarding):
    """Also issue 19.3 and 19.4 through `execute`: a running bucket backup is stopped before any
    data is deleted and named in the report's scope; a CDK asset a neighbour's stack also
    publishes is kept and named as shared; the tenant's own template object is destroyed."""
    tenant.whole_tenant()
    job = boto3.client("backup", region_name=PRIMARY).start_backup_job(
        BackupVaultName=NAMES.backup_vault, ResourceArn=NAMES.data_bucket_arn, IamRoleArn=tenant.ROLE, CompleteWindowMinutes=60
    )["BackupJobId"]
    out, shared = offboarding["tmp"] / "cdk.out", "d" * 64 + ".zip"
    out.mkdir()
    manifest: dict = {"version": "36.0.0", "artifacts": {}}
    primary, neighbour = stack_names(TENANT)[1], stack_names(f"{TENANT}-x")[1]
    tenant.assembly_stack(out, manifest, primary, PRIMARY, (shared,))
    tenant.assembly_stack(out, manifest, neighbour, PRIMARY, (shared,))
    (out / "manifest.json").write_text(json.dumps(manifest))
    s3, bucket = boto3.client("s3", region_name=PRIMARY), cdk_assets_bucket(ACCOUNT, PRIMARY)
    s3.create_bucket(Bucket=bucket)
    for key in (tenant.template_key(primary), shared):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())

    outcome = offboarding["execute"](assemblies=[out])
    report = read_report(outcome.report_json)

    assert json.loads(outcome.report_json.read_bytes())["schema"] == SCHEMA == "tenantkit.destruction-report/2"
    scope = report.scope
    config = offboarding["config"]()
    zone = config.policy.zone
    assert scope.account == ACCOUNT and scope.regions[:2] == (PRIMARY, SECONDARY) and set(scope.regions) == zone
    assert set(zone) <= set(scope.tag_search_regions)  # then every region the account has enabled
    assert {f"{NAMES.backup_vault} ({PRIMARY})", f"{NAMES.dr_backup_vault} ({SECONDARY})"} <= set(scope.vaults)
    assert {"database", "db snapshot", "recovery points", "bucket", "kms key"} <= set(scope.kinds)
    assert any(ACCOUNT in item and "other" in item for item in scope.out_of_reach)
    assert all(resource.region in (PRIMARY, SECONDARY) for resource in report.resources)

    markdown = outcome.report_json.with_suffix(".md").read_text()
    html = outcome.report_json.with_suffix(".html").read_text()
    assert len(report.keys) == 2
    for key in report.keys:
        assert f"scheduled for deletion on {key.deletion_date}" in markdown
        assert f"scheduled for deletion on {key.deletion_date}" in html
    assert "## Scope of this report" in markdown and f"AWS accounts other than {ACCOUNT}" in markdown

    (line,) = scope.jobs
    assert f"backup job {job} of {NAMES.data_bucket_arn} ({PRIMARY}): stopped, ended ABORTED" in line
    assert scope.shared_assets == (f"s3://{bucket}/{shared} ({PRIMARY})",)
    assert [r.name for r in report.resources if r.kind == "cdk asset"] == [f"{bucket}/{tenant.template_key(primary)}"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [shared]
    assert line in markdown and f"s3://{bucket}/{shared}" in markdown and line in html
    assert not any("CDK assets" in item for item in scope.out_of_reach)
    assert not report.audit_records.kept and report.audit_records.archives == ()
    assert "they were destroyed with its data" in markdown
    assert "cannot be deleted per tenant" in report.audit_records.shared_trail and "90 days" in markdown


def test_a_version_1_report_still_verifies_and_a_version_2_report_needs_its_scope(offboarding, tmp_path):
    from tests.lifecycle.report_samples import version_1_report

    old = version_1_report()
    assert old.scope is None and old.audit_records is None
    files = write_report(old, tmp_path / "old", load_signing_key(offboarding["private"]))
    assert json.loads(files.json.read_bytes())["schema"] == SCHEMA_V1
    assert verify_report(files.json, offboarding["public"]).ok

    tenant.whole_tenant()
    current = offboarding["execute"]().report_json
    data = json.loads(current.read_bytes())
    del data["scope"]
    stripped = tmp_path / "stripped.json"
    stripped.write_text(json.dumps(data))
    with pytest.raises(ReportError, match="missing field 'scope'"):
        read_report(stripped)
    data = json.loads(files.json.read_bytes()) | {"scope": None}
    stripped.write_text(json.dumps(data))
    with pytest.raises(ReportError, match="unknown field 'scope'"):
        read_report(stripped)


def test_a_report_signed_by_a_kms_key_verifies_offline_from_its_exported_public_key(offboarding, tmp_path):
    tenant.whole_tenant()
    kms = boto3.client("kms", region_name=PRIMARY)
    arn = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]["Arn"]
    asked = []

    def kms_client_for(region, account=None):
        asked.append((region, account))
        return boto3.client("kms", region_name=region)

    outcome = offboarding["execute"](signing_key_path=f"kms:{arn}", kms_client_for=kms_client_for)
    public = export_kms_public_key(kms, arn, tmp_path / "kms", "reports-kms")
    assert asked and asked[0][0] == PRIMARY
    assert json.loads(outcome.report_json.with_name(outcome.report_json.name + ".sig").read_text())["algorithm"] == "ECDSA_SHA_256"
    assert verify_report(outcome.report_json, public).ok
    assert not verify_report(outcome.report_json, offboarding["public"]).ok  # another key
    scope = read_report(outcome.report_json).scope  # no cloud assembly was given: the report says what that leaves out
    assert "CDK assets in the bootstrap buckets: not searched (no cloud assembly of the tenant was given)" in scope.out_of_reach
    assert scope.jobs == () and scope.shared_assets == ()


# --- item 8: reports in a bucket with S3 Object Lock ---------------------------------------------


def _bucket(name: str, *, locked: bool) -> None:
    boto3.client("s3", region_name=PRIMARY).create_bucket(Bucket=name, ObjectLockEnabledForBucket=locked)


def test_reports_go_to_an_object_lock_bucket_with_their_checksums_and_are_never_overwritten(offboarding):
    _bucket("reports-locked", locked=True)
    tenant.whole_tenant()
    location = reports_location("s3://reports-locked/offboarding/")
    assert location == S3Location("reports-locked", "offboarding/")
    outcome = offboarding["execute"](reports_root=location)

    s3 = boto3.client("s3", region_name=PRIMARY)
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="reports-locked")["Contents"])
    stem = outcome.report_json.removeprefix("s3://reports-locked/").removesuffix(".json")
    assert stem.startswith(f"offboarding/{TENANT}/destruction-")
    assert keys == sorted(f"{stem}.{ext}" for ext in ("html", "json", "json.sig", "md"))
    body = s3.get_object(Bucket="reports-locked", Key=f"{stem}.json")["Body"].read()
    assert body == canonical_json(read_report_bytes(body))

    with pytest.raises(ReportError, match="already exists with other contents; not overwritten"):
        upload_locked(s3, location, {f"{stem[len('offboarding/'):]}.json": b"{}"})
    assert s3.get_object(Bucket="reports-locked", Key=f"{stem}.json")["Body"].read() == body
    upload_locked(s3, location, {f"{stem[len('offboarding/'):]}.json": body})  # the same bytes: a rerun's upload, kept


def read_report_bytes(body: bytes):
    from tenantkit.lifecycle.report import DestructionReport

    return DestructionReport.from_dict(json.loads(body))


def test_a_reports_bucket_without_object_lock_is_refused_before_anything_is_uploaded(offboarding):
    _bucket("reports-plain", locked=False)
    s3 = boto3.client("s3", region_name=PRIMARY)
    with pytest.raises(ReportError, match="S3 Object Lock is not enabled"):
        upload_locked(s3, S3Location("reports-plain", ""), {"a.json": b"{}"})
    assert "Contents" not in s3.list_objects_v2(Bucket="reports-plain")
    with pytest.raises(ReportError, match="not an S3 bucket name"):
        reports_location("s3://Bad_Bucket/x")


# --- item 6: keys, completed --------------------------------------------------------------------


def test_confirm_keys_before_the_date_counts_the_days_and_after_it_signs_an_addendum(offboarding):
    tenant.whole_tenant()
    outcome = offboarding["execute"]()
    config, env = offboarding["config"](), offboarding["env"]

    early = service.confirm_keys(config, env, state_dir=offboarding["state"], signing_key=offboarding["private"])
    assert not early.confirmed and len(early.keys) == 2
    assert all(k.answer == "PendingDeletion" and k.days_left in (29, 30) for k in early.keys)
    assert sorted(p.name for p in outcome.report_json.parent.iterdir() if "keys-confirmed" in p.name) == []

    kms_extension.advance_clock(timedelta(days=30, hours=1))
    late = service.confirm_keys(config, env, state_dir=offboarding["state"], signing_key=offboarding["private"])
    assert late.confirmed and all(k.gone for k in late.keys)
    addendum = outcome.report_json.with_name(outcome.report_json.name.removesuffix(".json") + ".keys-confirmed.json")
    assert late.addendum == str(addendum)
    verified = verify_report(addendum, offboarding["public"])
    assert verified.ok
    assert verified.report.report == outcome.report_json.name
    assert {k.key_arn for k in verified.report.keys} == {k.key_arn for k in read_report(outcome.report_json).keys}
    assert addendum.with_suffix(".md").read_text().count("NotFoundException") == 2
    tampered = addendum.with_name("tampered.json")
    tampered.write_bytes(addendum.read_bytes().replace(b"NotFoundException", b"PendingDeletion"))
    tampered.with_name("tampered.json.sig").write_bytes(addendum.with_name(addendum.name + ".sig").read_bytes())
    assert not verify_report(tampered, offboarding["public"]).ok


def test_confirm_keys_refuses_a_tenant_that_was_never_offboarded(offboarding):
    with pytest.raises(service.OffboardingRefused, match="no completed offboarding"):
        service.confirm_keys(offboarding["config"](), offboarding["env"], state_dir=offboarding["state"], signing_key=offboarding["private"])


ADMIN = {
    "Sid": "AdministratorsManageButCannotUse", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": ["kms:CancelKeyDeletion", "kms:DescribeKey", "kms:EnableKey"], "Resource": "*",
}  # fmt: skip


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (ADMIN, [f"AdministratorsManageButCannotUse: arn:aws:iam::{ACCOUNT}:root may kms:CancelKeyDeletion and kms:EnableKey"]),
        ({**ADMIN, "Action": "kms:*"}, [f"AdministratorsManageButCannotUse: arn:aws:iam::{ACCOUNT}:root may kms:CancelKeyDeletion and kms:EnableKey"]),
        ({**ADMIN, "Action": "KMS:cancel*"}, [f"AdministratorsManageButCannotUse: arn:aws:iam::{ACCOUNT}:root may kms:CancelKeyDeletion"]),
        ({**ADMIN, "Effect": "Deny"}, []),
        ({**ADMIN, "Action": ["kms:DescribeKey", "kms:ScheduleKeyDeletion"]}, []),
        ({k: v for k, v in ADMIN.items() if k not in ("Action", "Sid")} | {"NotAction": "kms:EnableKey", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
         [f'statement 1: arn:aws:iam::{ACCOUNT}:root may kms:CancelKeyDeletion when {{"Bool": {{"aws:MultiFactorAuthPresent": "true"}}}}']),
    ],
)
def test_the_plan_names_each_policy_statement_that_could_undo_a_key_deletion(statement, expected):
    assert undoers({"Statement": [statement]}) == expected


def test_the_plan_reads_who_could_undo_from_each_tenant_keys_policy(offboarding):
    tenant.whole_tenant()
    kms = boto3.client("kms", region_name=SECONDARY)
    dr_key = kms.describe_key(KeyId=NAMES.key_alias)["KeyMetadata"]["KeyId"]
    kms.put_key_policy(KeyId=dr_key, PolicyName="default", Policy=json.dumps({"Statement": [ADMIN]}))
    found = service.plan(offboarding["config"](), offboarding["env"])
    lines = service.plan_undoers(offboarding["config"](), offboarding["env"], found)
    assert f"{NAMES.key_alias} ({SECONDARY}): AdministratorsManageButCannotUse: arn:aws:iam::{ACCOUNT}:root may kms:CancelKeyDeletion and kms:EnableKey" in lines
    assert any(line.startswith(f"{NAMES.key_alias} ({PRIMARY}): ") for line in lines)  # moto's default policy: kms:*


def test_the_plan_says_per_key_region_whether_the_operator_channel_hears_an_undo(offboarding):
    from tenantkit.naming import KEY_UNDO_RULE

    tenant.whole_tenant()
    config = offboarding["config"]()
    found = service.plan(config, offboarding["env"])
    topic = f"arn:aws:sns:{PRIMARY}:999988887777:tenantkit-operators"
    lines = service.plan_undoers(config, offboarding["env"], found, operator_topics=[topic])
    assert f"{PRIMARY}: CancelKeyDeletion or EnableKey of any key there alerts the operator channel ({topic}) through the baseline's rule {KEY_UNDO_RULE}" in lines
    (silent,) = [line for line in lines if line.startswith(f"{SECONDARY}: no alert is configured")]
    assert f"no {config.residency.value} topic in {SECONDARY}" in silent
    without = service.plan_undoers(config, offboarding["env"], found)
    assert sorted(line.split(":")[0] for line in without if "no alert is configured" in line) == sorted({PRIMARY, SECONDARY})


def test_the_key_change_alarm_covers_what_undoes_a_deletion():
    from tenantkit.constructs.incident_rules import KEY_CHANGES

    assert set(UNDO_ACTIONS) == {f"kms:{name}" for name in KEY_CHANGES} & set(UNDO_ACTIONS)


# --- item 7: audit records ------------------------------------------------------------------------


def _archive_bucket(*, kms: bool = True) -> None:
    s3 = boto3.client("s3", region_name=PRIMARY)
    s3.create_bucket(Bucket=ARCHIVE)
    if kms:
        key = boto3.client("kms", region_name=PRIMARY).create_key()["KeyMetadata"]["Arn"]
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
        s3.put_bucket_encryption(Bucket=ARCHIVE, ServerSideEncryptionConfiguration={"Rules": [rule]})


def _audit_records() -> list[str]:
    logs = boto3.client("logs", region_name=PRIMARY)
    logs.create_log_group(logGroupName=NAMES.waf_log_group)
    logs.create_log_stream(logGroupName=NAMES.waf_log_group, logStreamName="s")
    now = int(datetime.now(UTC).timestamp() * 1000)
    messages = [f"request {i}" for i in range(3)]
    logs.put_log_events(logGroupName=NAMES.waf_log_group, logStreamName="s", logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)])
    boto3.client("s3", region_name=PRIMARY).put_object(Bucket=NAMES.access_log_bucket, Key="2026-01-01-access", Body=b"GET /records/1")
    return messages


def test_kept_audit_records_are_archived_before_the_tenants_copies_are_destroyed(offboarding):
    tenant.whole_tenant()
    messages = _audit_records()
    _archive_bucket()
    config = offboarding["config"](offboarding={"keep_audit_records_days": 400})
    archive = service.archive_for(config, _fleet(), offboarding["env"])
    assert archive == ArchiveBucket(ARCHIVE, PRIMARY)
    outcome = offboarding["execute"](config, archive=archive, today=datetime(2026, 3, 1, tzinfo=UTC).date())

    s3 = boto3.client("s3", region_name=PRIMARY)
    objects = {o["Key"]: o for o in s3.list_objects_v2(Bucket=ARCHIVE)["Contents"]}
    (waf,) = [k for k in objects if NAMES.waf_log_group in k]
    (access,) = [k for k in objects if k.endswith("/2026-01-01-access")]
    exported = [json.loads(line)["message"] for line in s3.get_object(Bucket=ARCHIVE, Key=waf)["Body"].read().decode().splitlines()]
    assert exported == messages  # read before the group was deleted
    assert s3.get_object(Bucket=ARCHIVE, Key=access)["Body"].read() == b"GET /records/1"
    tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=ARCHIVE, Key=access)["TagSet"]}
    assert tags == {ARCHIVED_TENANT_TAG: TENANT, EXPIRES_TAG: "2027-04-05"}
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=ARCHIVE)["Rules"]
    assert rule["Filter"]["Tag"] == {"Key": EXPIRES_TAG, "Value": "2027-04-05"} and rule["Status"] == "Enabled"
    assert boto3.client("logs", region_name=PRIMARY).describe_log_groups(logGroupNamePrefix=NAMES.waf_log_group)["logGroups"] == []

    report = read_report(outcome.report_json)
    (listed,) = report.audit_records.archives
    assert report.audit_records.kept and report.audit_records.keep_days == 400
    assert (listed.bucket, listed.region, listed.objects, listed.expires_on) == (ARCHIVE, PRIMARY, len(objects), "2027-04-05")
    assert listed.prefix.startswith(f"offboarded/{TENANT}/") and all(k.startswith(listed.prefix) for k in objects)
    assert verify_report(outcome.report_json, offboarding["public"]).ok
    assert f"| {ARCHIVE} | {PRIMARY} |" in outcome.report_json.with_suffix(".md").read_text()


def test_an_archive_bucket_without_the_operators_key_is_refused_and_nothing_is_destroyed(offboarding):
    tenant.whole_tenant()
    _audit_records()
    _archive_bucket(kms=False)
    config = offboarding["config"](offboarding={"keep_audit_records_days": 30})
    with pytest.raises(service.OffboardingRefused, match="nothing destroyed"):
        offboarding["execute"](config, archive=ArchiveBucket(ARCHIVE, PRIMARY))
    groups = boto3.client("logs", region_name=PRIMARY).describe_log_groups(logGroupNamePrefix=NAMES.waf_log_group)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [NAMES.waf_log_group]
    assert boto3.client("rds", region_name=PRIMARY).describe_db_instances(DBInstanceIdentifier=NAMES.db_instance)["DBInstances"]


def test_keeping_audit_records_needs_the_zones_archive_bucket(offboarding):
    from tenantkit.config import FleetSettings

    config = offboarding["config"](offboarding={"keep_audit_records_days": 30})
    with pytest.raises(service.OffboardingRefused, match=r"names no offboarding\.archive_buckets\.us"):
        service.archive_for(config, FleetSettings(), offboarding["env"])
    with pytest.raises(service.OffboardingRefused, match="name its zone's archive bucket"):
        offboarding["execute"](config)
    boto3.client("s3", region_name="eu-central-1").create_bucket(Bucket=ARCHIVE, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    with pytest.raises(service.OffboardingRefused, match="outside the us zone"):
        service.archive_for(config, _fleet(), offboarding["env"])
    assert service.archive_for(offboarding["config"](), FleetSettings(), offboarding["env"]) is None  # not kept: no bucket needed


def _fleet():
    from tenantkit.config import FleetSettings

    return FleetSettings.model_validate({"offboarding": {"archive_buckets": {"us": ARCHIVE}}})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"offboarding": {"archive_buckets": {"fr": "bucket-name"}}}, "'us', 'ca' or 'de'"),
        ({"offboarding": {"archive_buckets": {"ca": "Bad_Name"}}}, "pattern"),
    ],
)
def test_fleet_archive_buckets_are_checked(data, message):
    from pydantic import ValidationError

    from tenantkit.config import FleetSettings

    with pytest.raises(ValidationError, match=message):
        FleetSettings.model_validate(data)


def test_keep_audit_records_days_is_checked(tenant_data):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="offboarding.keep_audit_records_days"):
        TenantConfig.model_validate({**tenant_data, "offboarding": {"keep_audit_records_days": 0}})


