"""Offboarding's safety properties, each with a test that fails when it breaks (in-process moto
with tenantkit's emulator extensions, seconds each; the order of destruction is in
`test_offboarding_order.py`):

- verification discovers again: a leftover keeps the run open (not completed, no report), and
  a rerun destroys it, verifies and signs, even what only verification can still find;
- a failed deletion (a stack ending DELETE_FAILED) is never journaled or reported as destroyed;
- a resource with the tenant's name but another tenant's tag stops the run and is not touched,
  for every kind the guard covers.
"""

from __future__ import annotations

import dataclasses
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from tenantkit.config import TenantConfig
from tenantkit.lifecycle.offboarding import service
from tenantkit.lifecycle.offboarding.resources import MONITORING_LOG_GROUP, OffboardingBlocked
from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover
from tenantkit.lifecycle.report import generate_keypair, read_report, verify_report
from tests.lifecycle import offboarding_tenant as tenant
from tests.lifecycle.offboarding_tenant import ACCOUNT, NAMES, PRIMARY, SECONDARY, TENANT, Calls

pytestmark = pytest.mark.usefixtures("moto_with_extensions")


def _journal(tmp_path) -> Journal:
    return Journal.open(tmp_path / f"{TENANT}.json", tenant_id=TENANT, environment="test")


# --- verification, and the run it keeps open --------------------------------------------------


@pytest.fixture
def offboarding(tenant_data, tmp_path):
    """Run `service.execute` against moto as the CLI does, with a real signing key."""
    config = TenantConfig.model_validate({**tenant_data, "account": ACCOUNT, "subscription": {"ends_on": "2026-01-31"}})
    assert (config.tenant_id, config.primary_region, config.secondary_region) == (TENANT, PRIMARY, SECONDARY)
    env = service.Environment("test", ACCOUNT, tenant.sessions(), "tester")
    private, public = generate_keypair(tmp_path / "keys")
    reports = tmp_path / "reports"

    def execute(session_for=None, **kwargs):
        used = env if session_for is None else dataclasses.replace(env, session_for=session_for)
        return service.execute(
            config, used, state_dir=tmp_path / "state", reports_root=reports, signing_key_path=private, force=False, reason=None, **kwargs
        )

    return {"execute": execute, "public": public, "reports": reports, "journal": service.journal_path(tmp_path / "state", TENANT)}


def _reports(offboarding) -> list[str]:
    root = offboarding["reports"]
    return sorted(path.name for path in root.rglob("*")) if root.exists() else []


def _recreate_after(kind: str, make):
    """on_step: once the step of `kind` is done, make the resource again (an application still
    writing, a job landing late)."""

    def on_step(target, event):
        if target.kind == kind and event == "done":
            make()

    return on_step


def test_a_leftover_found_by_verification_keeps_the_run_open_and_a_rerun_finishes_and_signs(offboarding):
    tenant.whole_tenant()
    log_group = f"/tenantkit/{TENANT}/app"
    logs = boto3.client("logs", region_name=PRIMARY)
    first = offboarding["execute"](on_step=_recreate_after("log group", lambda: logs.create_log_group(logGroupName=log_group)))

    assert not first.verification_ok and first.report_json is None
    assert f"log group {log_group} ({PRIMARY})" in first.remaining
    assert _reports(offboarding) == []  # nothing signed, not even a report saying "failed"
    journal = json.loads(offboarding["journal"].read_text())
    assert "completed_at" not in journal and journal["verification"]["ok"] is False
    assert f"log group|{PRIMARY}|{log_group}" not in journal["done"]  # reopened for the rerun
    assert not Journal.open(offboarding["journal"], tenant_id=TENANT, environment="test").completed

    second = offboarding["execute"]()  # no refusal: the run is open, the rerun finishes it
    assert second.verification_ok and not second.already_done and second.remaining == ()
    assert logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"] == []
    assert verify_report(second.report_json, offboarding["public"]).ok
    report = read_report(second.report_json)
    assert report.verification.ok and report.verification.remaining == ()
    assert [r.name for r in report.resources].count(log_group) == 1

    third = offboarding["execute"]()
    assert third.already_done and third.report_json == second.report_json


def test_a_key_whose_deletion_was_cancelled_is_found_by_verification_and_scheduled_again(offboarding):
    tenant.whole_tenant()
    kms = boto3.client("kms", region_name=SECONDARY)
    dr_key = kms.describe_key(KeyId=NAMES.key_alias)["KeyMetadata"]["Arn"]
    dr_key_id = dr_key.rsplit("/", 1)[1]  # moto cancels by key id only

    def cancel(target, event):
        if target.kind == "kms key" and target.region == SECONDARY and event == "done":
            kms.cancel_key_deletion(KeyId=dr_key_id)

    first = offboarding["execute"](on_step=cancel)
    assert not first.verification_ok and _reports(offboarding) == []
    assert any(item.startswith(f"kms key {dr_key}: ") and "not pending deletion" in item for item in first.remaining)
    second = offboarding["execute"]()
    assert second.verification_ok
    assert kms.describe_key(KeyId=dr_key)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_what_verification_found_again_is_destroyed_by_the_rerun_though_discovery_cannot_find_it(offboarding):
    """RDS writes its Enhanced Monitoring stream once more after the stream's deletion. Verification
    finds it by its journaled name; discovery cannot any more (the instance whose DbiResourceId
    names it is gone), so only the reopening of what verification found makes the rerun destroy it."""
    tenant.key(PRIMARY)
    tenant.database()
    rds = boto3.client("rds", region_name=PRIMARY)
    resource_id = rds.describe_db_instances(DBInstanceIdentifier=NAMES.db_instance)["DBInstances"][0]["DbiResourceId"]
    logs = boto3.client("logs", region_name=PRIMARY)
    logs.create_log_group(logGroupName=MONITORING_LOG_GROUP)
    logs.create_log_stream(logGroupName=MONITORING_LOG_GROUP, logStreamName=resource_id)

    def streams() -> list[str]:
        return [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=MONITORING_LOG_GROUP)["logStreams"]]

    written_again = _recreate_after("monitoring stream", lambda: logs.create_log_stream(logGroupName=MONITORING_LOG_GROUP, logStreamName=resource_id))
    first = offboarding["execute"](on_step=written_again)
    assert not first.verification_ok and first.remaining == (f"monitoring stream {resource_id} ({PRIMARY})",)
    assert _reports(offboarding) == [] and streams() == [resource_id]

    second = offboarding["execute"]()
    assert second.verification_ok and second.remaining == ()
    assert streams() == []
    assert verify_report(second.report_json, offboarding["public"]).ok


def test_a_leftover_nothing_journaled_and_untagged_is_found_by_verifications_own_discovery(offboarding):
    """A log group the application makes under the tenant's path once everything is destroyed: not
    journaled (the exact re-checks do not know it) and untagged (the tag sweep does not see it), so
    only verification's discovery, in every region of the zone, finds it."""
    tenant.key(PRIMARY)
    late = f"{NAMES.log_group_paths[0]}late"
    logs = boto3.client("logs", region_name=PRIMARY)
    first = offboarding["execute"](on_step=_recreate_after("kms key", lambda: logs.create_log_group(logGroupName=late)))
    assert not first.verification_ok and first.remaining == (f"log group {late} ({PRIMARY})",)
    assert _reports(offboarding) == []

    second = offboarding["execute"]()
    assert second.verification_ok and logs.describe_log_groups(logGroupNamePrefix=late)["logGroups"] == []


def test_a_tagged_resource_discovery_does_not_know_is_destroyed_and_reported(offboarding):
    """The Resource Groups Tagging API sweep: anything still carrying the tenant's tag is the
    tenant's (issue 19 item 2): destroyed like the rest and named in the report."""
    boto3.client("s3", region_name=PRIMARY).create_bucket(Bucket="acme-corp-unlisted")
    boto3.client("s3", region_name=PRIMARY).put_bucket_tagging(Bucket="acme-corp-unlisted", Tagging={"TagSet": tenant.tags()})
    tenant.key(PRIMARY)
    outcome = offboarding["execute"]()
    assert outcome.verification_ok
    assert "acme-corp-unlisted" not in [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]
    listed = json.loads(outcome.report_json.read_text())["resources"]
    assert [(r["kind"], r["region"]) for r in listed if r["name"] == "arn:aws:s3:::acme-corp-unlisted"] == [("tagged resource", PRIMARY)]


def _tagged_vpc() -> str:
    """A resource of a kind tenantkit does not delete, tagged with the tenant; its ARN."""
    vpc = boto3.client("ec2", region_name=PRIMARY).create_vpc(
        CidrBlock="10.9.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": tenant.tags()}]
    )["Vpc"]["VpcId"]  # fmt: skip
    return f"arn:aws:ec2:{PRIMARY}:{ACCOUNT}:vpc/{vpc}"


def test_a_tagged_resource_tenantkit_cannot_delete_keeps_the_run_open_naming_it(offboarding):
    tenant.key(PRIMARY)
    vpc = _tagged_vpc()
    outcome = offboarding["execute"]()
    assert not outcome.verification_ok and outcome.remaining == (f"tagged resource {vpc} ({PRIMARY})",)
    assert _reports(offboarding) == []


def test_a_journal_completed_with_a_failed_verification_by_an_older_tenantkit_is_still_open(offboarding):
    tenant.key(PRIMARY)
    first = offboarding["execute"](on_step=_recreate_after("kms key", lambda: tenant.bucket(PRIMARY, NAMES.data_bucket)))
    assert not first.verification_ok
    journal = json.loads(offboarding["journal"].read_text())
    journal["completed_at"] = journal["verification"]["checked_at"]  # what tenantkit wrote before this fix
    offboarding["journal"].write_text(json.dumps(journal))
    again = offboarding["execute"]()
    assert again.verification_ok and not again.already_done and verify_report(again.report_json, offboarding["public"]).ok


# --- a failed deletion is never recorded as done ------------------------------------------------


def _stack_that_cannot_be_deleted() -> str:
    """The primary stack with a VPC that something outside the stack still uses (a subnet):
    CloudFormation (and the emulator) ends its deletion DELETE_FAILED."""
    template = json.dumps({"Resources": {"Network": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}})
    cloudformation = boto3.client("cloudformation", region_name=PRIMARY)
    stack = cloudformation.create_stack(StackName=NAMES.primary_stack, TemplateBody=template)["StackId"]
    vpc = cloudformation.describe_stack_resources(StackName=stack)["StackResources"][0]["PhysicalResourceId"]
    return boto3.client("ec2", region_name=PRIMARY).create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]


def test_a_stack_that_ends_delete_failed_is_neither_journaled_nor_reported_as_destroyed(offboarding):
    tenant.key(PRIMARY)
    subnet = _stack_that_cannot_be_deleted()
    with pytest.raises(RuntimeError, match=f"stack {NAMES.primary_stack} could not be deleted: .*DependencyViolation"):
        offboarding["execute"]()
    journal = json.loads(offboarding["journal"].read_text())
    assert f"stack|{PRIMARY}|{NAMES.primary_stack}" not in journal["done"]
    assert not any(done.startswith("kms key|") for done in journal["done"])  # and the keys wait for it
    assert "completed_at" not in journal and _reports(offboarding) == []
    status = boto3.client("cloudformation", region_name=PRIMARY).describe_stacks(StackName=NAMES.primary_stack)["Stacks"][0]["StackStatus"]
    assert status == "DELETE_FAILED"

    boto3.client("ec2", region_name=PRIMARY).delete_subnet(SubnetId=subnet)  # the operator removes the dependency
    outcome = offboarding["execute"]()
    assert outcome.verification_ok
    stacks = [r for r in read_report(outcome.report_json).resources if r.kind == "stack"]
    assert [r.name for r in stacks] == [NAMES.primary_stack]


def test_an_error_in_any_step_leaves_that_step_undone_in_the_journal(offboarding):
    """Whatever step fails, its target is not journaled as destroyed (nor any after it)."""
    tenant.whole_tenant()

    def failing_client(made, _service, _region):
        def fail(model, **_kwargs):
            if model.name == "DeleteIPSet":
                raise ClientError({"Error": {"Code": "WAFAssociatedItemException", "Message": "still referenced"}}, model.name)

        made.meta.events.register("before-call.*.*", fail)

    with pytest.raises(ClientError, match="WAFAssociatedItemException"):
        offboarding["execute"](session_for=tenant.hooked_sessions(failing_client))
    done = json.loads(offboarding["journal"].read_text())["done"]
    assert f"web acl|{PRIMARY}|{NAMES.web_acl}" in done
    assert not any(target.startswith(("ip set|", "secret|", "stack|", "kms key|")) for target in done)
    assert _reports(offboarding) == []


# --- another tenant's tag stops the run, for every kind the guard covers ----------------------


def _someone_elses(kind: str) -> None:
    """One resource with the tenant's name and another tenant's tag, and nothing else."""
    other = "someone-else"
    if kind == "database":
        tenant.database(owner=other)
    elif kind == "read replica":
        source = boto3.client("rds", region_name=PRIMARY).create_db_instance(
            DBInstanceIdentifier="elsewhere", Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
            MasterUsername="admin", MasterUserPassword="password123",
        )["DBInstance"]["DBInstanceArn"]  # fmt: skip
        tenant.replica(source, owner=other)
    elif kind == "backup vault":
        tenant.vault(PRIMARY, NAMES.backup_vault, owner=other)
    elif kind == "bucket":
        tenant.bucket(PRIMARY, NAMES.data_bucket, owner=other, versions=1)
    elif kind == "secret":
        tenant.secret(owner=other, replicated=False)
    elif kind == "secret replica":
        tenant.secret(owner=other, replicated=True)
    elif kind == "kms key":
        tenant.key(PRIMARY, owner=other)
    else:
        raise AssertionError(kind)


def _still_there(kind: str) -> bool:
    if kind in ("database", "read replica"):
        region, identifier = (PRIMARY, NAMES.db_instance) if kind == "database" else (SECONDARY, NAMES.replica_db_instance)
        return bool(boto3.client("rds", region_name=region).describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"])
    if kind == "backup vault":
        return boto3.client("backup", region_name=PRIMARY).describe_backup_vault(BackupVaultName=NAMES.backup_vault)["BackupVaultName"] == NAMES.backup_vault
    if kind == "bucket":
        return len(boto3.client("s3", region_name=PRIMARY).list_object_versions(Bucket=NAMES.data_bucket).get("Versions", [])) == 1
    if kind == "secret":
        return "DeletedDate" not in boto3.client("secretsmanager", region_name=PRIMARY).describe_secret(SecretId=NAMES.db_master_secret)
    if kind == "secret replica":
        primary = boto3.client("secretsmanager", region_name=PRIMARY).describe_secret(SecretId=NAMES.db_master_secret)
        replica = boto3.client("secretsmanager", region_name=SECONDARY).describe_secret(SecretId=NAMES.db_master_secret)
        return [r["Region"] for r in primary.get("ReplicationStatus", [])] == [SECONDARY] and "DeletedDate" not in replica
    if kind == "kms key":
        kms = boto3.client("kms", region_name=PRIMARY)
        return kms.describe_key(KeyId=NAMES.key_alias)["KeyMetadata"]["KeyState"] == "Enabled"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["database", "read replica", "backup vault", "bucket", "secret replica", "secret", "kms key"])
def test_another_tenants_tag_stops_the_run_and_the_resource_is_not_touched(kind, tmp_path):
    _someone_elses(kind)
    scope = tenant.recording_scope(Calls())
    journal = _journal(tmp_path)
    with pytest.raises(OffboardingBlocked, match=f"^{kind} .* is tagged tenantkit:tenant=someone-else, not {TENANT}: not touched$"):
        destroy(scope, journal, discover(scope))
    assert _still_there(kind)
    assert not any(done.startswith(f"{kind}|") for done in journal.data["done"])


def test_the_cli_says_the_run_stays_open_exits_1_and_writes_no_report(tenant_data, write_tenant, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from tenantkit.cli.main import app

    write_tenant({**tenant_data, "account": ACCOUNT, "subscription": {"ends_on": "2026-01-31"}})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(service, "environment", lambda config, **_: service.Environment("test", ACCOUNT, tenant.sessions(), "tester"))
    private, _ = generate_keypair(tmp_path / "keys")
    tenant.key(PRIMARY)
    vpc = _tagged_vpc()
    command = ["offboard", "execute", TENANT, "--confirm", TENANT, "--signing-key", str(private)]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "verification FAILED: offboarding stays open and no report is signed" in result.output
    assert f"REMAINS: tagged resource {vpc} ({PRIMARY})" in result.output
    assert not (tmp_path / "reports").exists()
    status = CliRunner().invoke(app, ["offboard", "status", TENANT])
    assert "open: verification found 1 of the tenant's resources left" in status.output, status.output

    boto3.client("ec2", region_name=PRIMARY).delete_vpc(VpcId=vpc.rsplit("/", 1)[1])  # the operator removes what remains
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0 and "verified: nothing of the tenant remains" in result.output, result.output
    assert len(list((tmp_path / "reports" / TENANT).glob("destruction-*.json.sig"))) == 1
