"""A failure at every step boundary stops the run, and a rerun finishes it (in-process moto with
tenantkit's emulator extensions; moved here from the sandbox module, where it took minutes).

One tenant with a resource of every kind offboarding destroys: `whole_tenant`, its primary stack
declaring what only the stacks name (a backup plan and its selection, a restore testing plan and
its selection, an alarm, an event rule, a custom-resource Lambda whose log group Lambda made), a
running bucket backup, a restored instance, its Enhanced Monitoring stream, a CDK asset, an
extension's queue that outlives its stack (found by the extension's finder), a stray topic carrying
the tenant's tag, and a data bucket of more than one batch of versions (`DELETE_BATCH` made small,
as in `test_offboarding_counts.py`, so the fault lands mid-way through emptying it). Each run
fails one AWS call with a throttling error in the first step of the next kind; the run stops,
that kind is not journaled as done, and the next run goes on from the journal. No kind is left to the sandbox module: SANDBOX_ONLY is empty, and
the kinds covered here must equal offboarding's KINDS minus it, so a new kind cannot be skipped.
"""

from __future__ import annotations

import dataclasses
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tenantkit.lifecycle.offboarding import resources
from tenantkit.lifecycle.offboarding.assets import AssetObject
from tenantkit.lifecycle.offboarding.extensions import ExtensionOffboarding
from tenantkit.lifecycle.offboarding.resources import KINDS, MONITORING_LOG_GROUP
from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover, verify
from tenantkit.naming import TAG_TENANT, TenantNames, names_for
from tenantkit.sandbox.extensions import install
from tests.lifecycle import archive_extension as extension
from tests.lifecycle import offboarding_tenant as tenant
from tests.lifecycle.offboarding_tenant import ACCOUNT, DATA_OBJECTS, NAMES, PRIMARY, ROLE, SECONDARY, TENANT

SANDBOX_ONLY: frozenset[str] = frozenset()  # kinds in-process moto (with the extensions) cannot make
BATCH = 5  # DeleteObjects batches made small (S3's 1,000 took some 1,100 PutObject calls and a 2-page listing per discovery)
MORE_VERSIONS = 6  # with DATA_OBJECTS and the delete marker: two DeleteObjects batches of BATCH
NEIGHBOUR = names_for(f"{TENANT}-x", ACCOUNT, PRIMARY, SECONDARY)  # shares the tenant's id as a prefix, nothing else
ASSET = AssetObject(PRIMARY, f"cdk-hnb659fds-assets-{ACCOUNT}-{PRIMARY}", "0123abcd.zip")
EXTENSION = ExtensionOffboarding("tests.lifecycle.archive_extension:add_nothing", extension.find_archive_queue, extension.delete_archive_queue)
VAULT_ARN = f"arn:aws:backup:{PRIMARY}:{ACCOUNT}:backup-vault:{NAMES.backup_vault}"
LAMBDA_ROLE = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}}
PRIMARY_TEMPLATE = json.dumps({"Resources": {
    "Plan": {"Type": "AWS::Backup::BackupPlan", "Properties": {"BackupPlan": {"BackupPlanName": NAMES.backup_plan, "BackupPlanRule": [
        {"RuleName": "Hourly", "TargetBackupVault": NAMES.backup_vault, "ScheduleExpression": "cron(0 * * * ? *)", "Lifecycle": {"DeleteAfterDays": 35}}]}}},
    "Selection": {"Type": "AWS::Backup::BackupSelection", "Properties": {"BackupPlanId": {"Fn::GetAtt": ["Plan", "BackupPlanId"]}, "BackupSelection": {
        "SelectionName": "data", "IamRoleArn": ROLE, "Resources": [NAMES.data_bucket_arn]}}},
    "RestorePlan": {"Type": "AWS::Backup::RestoreTestingPlan", "Properties": {
        "RestoreTestingPlanName": NAMES.restore_testing_plan, "ScheduleExpression": "cron(0 5 ? * SUN *)", "StartWindowHours": 8,
        "RecoveryPointSelection": {"Algorithm": "LATEST_WITHIN_WINDOW", "IncludeVaults": [VAULT_ARN], "RecoveryPointTypes": ["SNAPSHOT"], "SelectionWindowDays": 7}}},
    "RestoreSelection": {"Type": "AWS::Backup::RestoreTestingSelection", "Properties": {
        "RestoreTestingPlanName": {"Ref": "RestorePlan"}, "RestoreTestingSelectionName": "database", "ProtectedResourceType": "RDS",
        "ProtectedResourceArns": [NAMES.db_instance_arn], "IamRoleArn": ROLE, "ValidationWindowHours": 2}},
    "Lag": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": f"{NAMES.primary_stack}-ReplicaLag", "ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 3,
        "MetricName": "ReplicaLag", "Namespace": "AWS/RDS", "Period": 300, "Statistic": "Maximum", "Threshold": 300}},
    "KeyEvents": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["aws.kms"]}}},
    "ProviderRole": LAMBDA_ROLE,
    "Provider": {"Type": "AWS::Lambda::Function", "Properties": {
        "Handler": "index.handler", "Runtime": "python3.12", "Role": {"Fn::GetAtt": ["ProviderRole", "Arn"]},
        "Code": {"ZipFile": "def handler(event, context):\n    return {}\n"}}},
}})  # fmt: skip


def _every_kind() -> None:
    tenant.whole_tenant(primary_template=PRIMARY_TEMPLATE)
    s3, rds, logs = (boto3.client(service, region_name=PRIMARY) for service in ("s3", "rds", "logs"))
    for _ in range(MORE_VERSIONS):
        s3.put_object(Bucket=NAMES.data_bucket, Key="records/2", Body=b"x")
    resources = boto3.client("cloudformation", region_name=PRIMARY).list_stack_resources(StackName=NAMES.primary_stack)["StackResourceSummaries"]
    for function in [r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::Lambda::Function"]:
        logs.create_log_group(logGroupName=TenantNames.function_log_group(function))  # as Lambda makes it at the first run
    boto3.client("backup", region_name=PRIMARY).start_backup_job(
        BackupVaultName=NAMES.backup_vault, ResourceArn=NAMES.data_bucket_arn, IamRoleArn=ROLE, CompleteWindowMinutes=480
    )
    rds.create_db_instance(
        DBInstanceIdentifier=f"{TENANT}-restored", Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="password123", Tags=tenant.tags(),
    )  # fmt: skip
    (instance,) = rds.describe_db_instances(DBInstanceIdentifier=NAMES.db_instance)["DBInstances"]
    logs.create_log_group(logGroupName=MONITORING_LOG_GROUP)
    logs.create_log_stream(logGroupName=MONITORING_LOG_GROUP, logStreamName=instance["DbiResourceId"])
    s3.create_bucket(Bucket=ASSET.bucket)
    s3.put_object(Bucket=ASSET.bucket, Key=ASSET.key, Body=b"zip")
    boto3.client("sns", region_name=PRIMARY).create_topic(Name=f"stray-{TENANT}", Tags=[{"Key": TAG_TENANT, "Value": TENANT}])
    tenant.key(PRIMARY, NEIGHBOUR, NEIGHBOUR.tenant_id)
    tenant.bucket(PRIMARY, NEIGHBOUR.data_bucket, NEIGHBOUR.tenant_id, versions=2)
    boto3.client("sqs", region_name=PRIMARY).create_queue(QueueName=NAMES.extension_resource(extension.QUEUE))  # outlives its stack


def _neighbour() -> tuple[str, int]:
    """The neighbour's key state and how many versions and delete markers its bucket holds."""
    state = boto3.client("kms", region_name=PRIMARY).describe_key(KeyId=NEIGHBOUR.key_alias)["KeyMetadata"]["KeyState"]
    listed = boto3.client("s3", region_name=PRIMARY).list_object_versions(Bucket=NEIGHBOUR.data_bucket)
    return state, len(listed.get("Versions", [])) + len(listed.get("DeleteMarkers", []))


class _Fault:
    """Fails one AWS call with a throttling error in the first step of the armed kind: mid-way
    through emptying a bucket (its second DeleteObjects), else the step's first call."""

    def __init__(self) -> None:
        self.kind: str | None = None
        self.armed = False
        self.fired = False
        self.deletes = 0

    def on_client(self, client, _service, _region) -> None:
        client.meta.events.register("before-call.*.*", self.before_call)

    def on_step(self, target, event) -> None:
        if event == "start" and target.kind == self.kind and not self.fired:
            self.armed, self.deletes = True, 0

    def before_call(self, model, **_kwargs) -> None:
        if not self.armed:
            return
        if self.kind == "bucket":
            if model.name != "DeleteObjects":
                return
            self.deletes += 1
            if self.deletes < 2:
                return
        self.armed, self.fired = False, True
        raise ClientError({"Error": {"Code": "Throttling", "Message": f"injected in a {self.kind} step"}}, model.name)


def _scope(fault: _Fault):
    return dataclasses.replace(tenant.hooked_scope(fault.on_client), assets=(ASSET,), extensions=(EXTENSION,))


def _run(journal_path, fault: _Fault):
    """One offboarding run as a new process makes it: the journal read again, discovery again."""
    scope = _scope(fault)
    journal = Journal.open(journal_path, tenant_id=TENANT, environment="test")
    destroy(scope, journal, discover(scope), on_step=fault.on_step)
    return scope, journal


def test_a_failure_at_every_step_stops_the_run_and_a_rerun_finishes_it(tmp_path, monkeypatch):
    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"offboarding waited {seconds} s: in-process moto answers at once")

    monkeypatch.setattr("tenantkit.lifecycle.offboarding.resources.time.sleep", no_sleep)
    monkeypatch.setattr(resources, "DELETE_BATCH", BATCH)
    install()
    with mock_aws():
        _every_kind()
        fault = _Fault()
        first = discover(_scope(fault))
        present = [kind.name for kind in KINDS if kind.name in first.totals()]
        journal_path = tmp_path / f"{TENANT}.json"
        stopped_at = []
        for kind in present:
            fault.kind, fault.fired = kind, False
            with pytest.raises(ClientError, match="Throttling"):
                _run(journal_path, fault)
            stopped_at.append(kind)
            done = json.loads(journal_path.read_text())["done"]
            assert fault.fired and not any(target.split("|")[0] == kind for target in done), kind
        fault.kind = None
        scope, journal = _run(journal_path, fault)
        verification = verify(scope, journal)
        after = discover(_scope(fault))
        neighbour = _neighbour()

    assert stopped_at == present  # every kind of step failed once, and stopped the run
    assert set(present) == {kind.name for kind in KINDS} - SANDBOX_ONLY  # no step boundary left out
    assert verification.ok, verification.remaining
    assert after.targets == ()
    assert neighbour == ("Enabled", 3)  # two versions and a delete marker: it came through every crashed run
    assert {t.id for t in first.targets} <= {t.id for t in journal.targets() if journal.is_done(t)}
    (data,) = [t for t in journal.targets() if t.kind == "bucket" and t.name == NAMES.data_bucket]
    # every version counted once, across the run that stopped mid-way through the bucket
    assert journal.counts(data) == {"object_versions": DATA_OBJECTS + MORE_VERSIONS, "delete_markers": 1}
