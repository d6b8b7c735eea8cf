"""Drift detection and `deploy --repair`, one test matrix for both places it runs: AWS, whose
CloudFormation API is played by a botocore Stubber (the calls and answers CloudFormation documents),
and the sandbox, whose emulator (tenantkit.sandbox.extensions.drift, in-process under moto) answers
the same calls from the stack it deployed."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from tenantkit.lifecycle.deploy_local import ResourceChange, resource_changes
from tenantkit.lifecycle.inventory.drift import (
    REPAIR_CHANGE_SET,
    DriftError,
    detect_stack_drift,
    revert_drift,
    stack_drift,
)

STACK, REGION, BUCKET = "tenant-t1-primary", "us-east-1", "t1-data"
TLS_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
            "Resource": f"arn:aws:s3:::{BUCKET}/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
PUBLIC_READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}
TEMPLATE = {"Resources": {
    "Data": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": BUCKET}},
    "DataPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Data"}, "PolicyDocument": TLS_ONLY}},
}}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@dataclass(frozen=True)
class Case:
    name: str
    tampered: bool


CASES = [Case("in sync", tampered=False), Case("bucket policy made public-read", tampered=True)]
EXPECTED_LINE = f"DataPolicy (AWS::S3::BucketPolicy) /PolicyDocument: declared {canonical(TLS_ONLY)}, actual {canonical(PUBLIC_READ)}"


class Aws:
    """CloudFormation in AWS, as a Stubber queued with what it answers for `case`."""

    def __init__(self, case: Case) -> None:
        self.client = boto3.client("cloudformation", region_name=REGION)
        self.stubber = Stubber(self.client)
        self.case = case

    def expect_detection(self) -> None:
        stub, now = self.stubber, datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)
        stub.add_response("detect_stack_drift", {"StackDriftDetectionId": "d-1"}, {"StackName": STACK})
        status = {"StackId": STACK, "StackDriftDetectionId": "d-1", "Timestamp": now}
        stub.add_response("describe_stack_drift_detection_status", {**status, "DetectionStatus": "DETECTION_IN_PROGRESS"}, {"StackDriftDetectionId": "d-1"})
        stub.add_response("describe_stack_drift_detection_status", {
            **status, "DetectionStatus": "DETECTION_COMPLETE", "StackDriftStatus": "DRIFTED" if self.case.tampered else "IN_SYNC",
            "DriftedStackResourceCount": int(self.case.tampered)}, {"StackDriftDetectionId": "d-1"})
        drifts = [{
            "StackId": STACK, "LogicalResourceId": "DataPolicy", "PhysicalResourceId": BUCKET, "ResourceType": "AWS::S3::BucketPolicy",
            "StackResourceDriftStatus": "MODIFIED", "Timestamp": now, "PropertyDifferences": [
                {"PropertyPath": "/PolicyDocument", "ExpectedValue": canonical(TLS_ONLY), "ActualValue": canonical(PUBLIC_READ), "DifferenceType": "NOT_EQUAL"}],
        }] if self.case.tampered else []
        stub.add_response("describe_stack_resource_drifts", {"StackResourceDrifts": drifts},
                          {"StackName": STACK, "StackResourceDriftStatusFilters": ["MODIFIED", "DELETED"]})

    def expect_repair(self) -> None:
        if not self.case.tampered:
            return
        stub, now = self.stubber, datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)
        stack = {"StackName": STACK, "StackId": STACK, "CreationTime": now, "StackStatus": "CREATE_COMPLETE",
                 "Parameters": [{"ParameterKey": "BootstrapVersion", "ParameterValue": "/cdk-bootstrap/hnb659fds/version"}]}
        stub.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": STACK})
        stub.add_response("create_change_set", {"Id": "cs-1", "StackId": STACK}, {
            "StackName": STACK, "ChangeSetName": REPAIR_CHANGE_SET, "ChangeSetType": "UPDATE", "UsePreviousTemplate": True,
            "Parameters": [{"ParameterKey": "BootstrapVersion", "UsePreviousValue": True}], "Capabilities": ANY, "DeploymentMode": "REVERT_DRIFT"})
        change = {"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "DataPolicy", "ResourceType": "AWS::S3::BucketPolicy"}}
        described = {"ChangeSetName": REPAIR_CHANGE_SET, "ChangeSetId": "cs-1", "StackName": STACK, "Status": "CREATE_COMPLETE",
                     "ExecutionStatus": "AVAILABLE", "Changes": [change]}
        stub.add_response("describe_change_set", described, {"ChangeSetName": "cs-1", "StackName": STACK})  # the waiter
        stub.add_response("describe_change_set", described, {"ChangeSetName": "cs-1", "StackName": STACK})
        stub.add_response("execute_change_set", {}, {"ChangeSetName": "cs-1", "StackName": STACK})
        stub.add_response("describe_stacks", {"Stacks": [{**stack, "StackStatus": "UPDATE_COMPLETE"}]}, {"StackName": STACK})  # the waiter

    def expect_second_detection(self) -> None:
        self.case = Case(self.case.name, tampered=False)
        self.expect_detection()


class Sandbox:
    """The sandbox's CloudFormation: the stack deployed by the emulator, tampered with for `case`."""

    def __init__(self, case: Case) -> None:
        self.client = boto3.client("cloudformation", region_name=REGION)
        self.client.create_stack(StackName=STACK, TemplateBody=json.dumps(TEMPLATE))
        if case.tampered:
            boto3.client("s3", region_name=REGION).put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))

    def expect_detection(self) -> None: ...
    def expect_repair(self) -> None: ...
    def expect_second_detection(self) -> None: ...


@pytest.fixture(params=["aws", "sandbox"])
def where(request):
    if request.param == "aws":
        yield Aws
        return
    from tenantkit.sandbox.extensions import install

    install()
    with mock_aws():
        yield Sandbox


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_drift_is_detected_with_both_values_and_repair_writes_the_template_back(where, case):
    place = where(case)
    place.expect_detection()
    place.expect_repair()
    place.expect_second_detection()
    stubber = getattr(place, "stubber", None)
    if stubber is not None:
        stubber.activate()

    drift = detect_stack_drift(place.client, STACK, sleep=lambda seconds: None)
    assert drift.status == ("DRIFTED" if case.tampered else "IN_SYNC")
    assert [line for resource in drift.resources for line in resource.lines()] == ([EXPECTED_LINE] if case.tampered else [])
    repair = revert_drift(place.client, STACK, drift, waiter_delay=0)
    assert repair.reverted == (["DataPolicy"] if case.tampered else [])
    again = detect_stack_drift(place.client, STACK, sleep=lambda seconds: None)
    assert (again.status, again.resources) == ("IN_SYNC", ())
    if stubber is not None:
        stubber.assert_no_pending_responses()


def test_a_detection_that_never_ends_is_an_error_not_a_clean_result():
    client = boto3.client("cloudformation", region_name=REGION)
    with Stubber(client) as stubber:
        stubber.add_response("detect_stack_drift", {"StackDriftDetectionId": "d-1"})
        now = datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)
        for _ in range(3):
            stubber.add_response("describe_stack_drift_detection_status", {
                "StackId": STACK, "StackDriftDetectionId": "d-1", "Timestamp": now, "DetectionStatus": "DETECTION_IN_PROGRESS"})
        with pytest.raises(DriftError, match="still in progress"):
            detect_stack_drift(client, STACK, sleep=lambda seconds: None, timeout_s=4)


def test_a_denied_detection_is_an_unchecked_inventory_item_not_a_clean_one():
    session = boto3.Session(region_name=REGION)
    client = session.client("cloudformation")
    with Stubber(client) as stubber:
        stubber.add_client_error("detect_stack_drift", "AccessDenied", http_status_code=403)
        item = stack_drift(_OneClient(client), REGION, STACK)
    assert item.problems == () and item.unchecked == ("DetectStackDrift: denied (AccessDenied)",)


def test_a_drifted_stack_is_a_drifted_inventory_item_with_both_values():
    client = boto3.client("cloudformation", region_name=REGION)
    place = Aws(Case("tampered", tampered=True))
    place.client, place.stubber = client, Stubber(client)
    place.expect_detection()
    with place.stubber:
        item = stack_drift(_OneClient(client), REGION, STACK)
    assert item.problems == (EXPECTED_LINE,) and item.details["drifted"] == ["DataPolicy"]


class _OneClient:
    """A session whose CloudFormation client is the stubbed one."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def client(self, service: str) -> Any:
        assert service == "cloudformation"
        return self._client


def test_a_deploy_preview_names_each_resource_added_modified_and_removed():
    before = {"Resources": {"Keep": {"Type": "AWS::SNS::Topic"}, "Gone": {"Type": "AWS::SQS::Queue"},
                            "Acl": {"Type": "AWS::WAFv2::IPSet", "Properties": {"Addresses": ["192.0.2.0/24"], "Name": "x"}}}}
    after = {"Resources": {"Keep": {"Type": "AWS::SNS::Topic"}, "New": {"Type": "AWS::S3::Bucket"},
                           "Acl": {"Type": "AWS::WAFv2::IPSet", "Properties": {"Addresses": ["192.0.2.0/24", "203.0.113.0/24"], "Name": "x"}}}}
    assert resource_changes(before, after) == (
        ResourceChange("Acl", "AWS::WAFv2::IPSet", "Modify", ("Addresses",)),
        ResourceChange("Gone", "AWS::SQS::Queue", "Remove"),
        ResourceChange("New", "AWS::S3::Bucket", "Add"),
    )
    assert resource_changes(None, after)[0].action == "Add"
    assert resource_changes(after, after) == ()


BLOCK_ALL = dict.fromkeys(("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True)
MORE_TYPES = {"Resources": {
    "Data": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": BUCKET, "PublicAccessBlockConfiguration": BLOCK_ALL}},
    "AllowList": {"Type": "AWS::WAFv2::IPSet", "Properties": {"Name": "t1-ipv4", "Scope": "REGIONAL", "IPAddressVersion": "IPV4",
                                                              "Addresses": ["198.51.100.0/24", "192.0.2.0/24"]}},
    "Params": {"Type": "AWS::RDS::DBParameterGroup", "Properties": {"Description": "t1", "Family": "postgres17", "Parameters": {"rds.force_ssl": "1"}}},
}}


def test_the_sandbox_checks_and_reverts_public_access_block_ip_set_addresses_and_db_parameters():
    from tenantkit.sandbox.extensions import install

    install()
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(MORE_TYPES))
        assert detect_stack_drift(cloudformation, STACK).status == "IN_SYNC"  # the address order is not drift
        boto3.client("s3", region_name=REGION).delete_public_access_block(Bucket=BUCKET)
        waf = boto3.client("wafv2", region_name=REGION)
        (ip_set,) = waf.list_ip_sets(Scope="REGIONAL")["IPSets"]
        waf.update_ip_set(Name=ip_set["Name"], Scope="REGIONAL", Id=ip_set["Id"], Addresses=["0.0.0.0/1"], LockToken=ip_set["LockToken"])
        rds = boto3.client("rds", region_name=REGION)
        (group,) = [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"] if g["Description"] == "t1"]
        rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "immediate"}])

        drift = detect_stack_drift(cloudformation, STACK)
        assert sorted(line for resource in drift.resources for line in resource.lines()) == [
            f'AllowList (AWS::WAFv2::IPSet) /Addresses: declared {canonical(["192.0.2.0/24", "198.51.100.0/24"])}, actual {canonical(["0.0.0.0/1"])}',
            f"Data (AWS::S3::Bucket) /PublicAccessBlockConfiguration: declared {canonical(BLOCK_ALL)}, actual null",
            f'Params (AWS::RDS::DBParameterGroup) /Parameters: declared {canonical({"rds.force_ssl": "1"})}, actual {canonical({"rds.force_ssl": "0"})}',
        ]
        assert sorted(revert_drift(cloudformation, STACK, drift, waiter_delay=0).reverted) == ["AllowList", "Data", "Params"]
        assert detect_stack_drift(cloudformation, STACK).status == "IN_SYNC"


def _drifted() -> Any:
    from tenantkit.lifecycle.inventory.drift import ResourceDrift, StackDrift

    return StackDrift(STACK, "DRIFTED", (ResourceDrift("DataPolicy", "AWS::S3::BucketPolicy", BUCKET, "MODIFIED"),))


def _change_set_answers(stubber: Stubber, status: str, changes: list, reason: str | None = None) -> None:
    now = datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)
    stubber.add_response("describe_stacks", {"Stacks": [{"StackName": STACK, "CreationTime": now, "StackStatus": "UPDATE_COMPLETE"}]})
    stubber.add_response("create_change_set", {"Id": "cs-1", "StackId": STACK})
    described = {"ChangeSetId": "cs-1", "StackName": STACK, "Status": status, "ExecutionStatus": "UNAVAILABLE", "Changes": changes,
                 **({"StatusReason": reason} if reason else {})}
    stubber.add_response("describe_change_set", described)  # the waiter
    stubber.add_response("describe_change_set", described)


def test_a_revert_change_set_cloudformation_finds_empty_is_deleted_and_reverts_nothing():
    client = boto3.client("cloudformation", region_name=REGION)
    with Stubber(client) as stubber:
        _change_set_answers(stubber, "FAILED", [], "The submitted information didn't contain changes.")
        stubber.add_response("delete_change_set", {}, {"ChangeSetName": "cs-1", "StackName": STACK})
        assert revert_drift(client, STACK, _drifted(), waiter_delay=0).reverted == []
        stubber.assert_no_pending_responses()


def test_a_revert_change_set_that_fails_for_another_reason_is_an_error():
    client = boto3.client("cloudformation", region_name=REGION)
    change = {"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "DataPolicy"}}
    with Stubber(client) as stubber:
        _change_set_answers(stubber, "FAILED", [change], "Resource type AWS::X::Y does not support drift-aware change sets")
        stubber.add_response("delete_change_set", {})
        with pytest.raises(DriftError, match="does not support drift-aware change sets"):
            revert_drift(client, STACK, _drifted(), waiter_delay=0)


REPLICATION = {"Role": "arn:aws:iam::123456789012:role/tenantkit/t1/replication", "Rules": [
    {"Id": "everything-to-dr", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""}, "DeleteMarkerReplication": {"Status": "Enabled"},
     "Destination": {"Bucket": "arn:aws:s3:::t1-dr"}}]}
VAULT_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "OnlyOffboardingDestroys", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "backup:DeleteRecoveryPoint", "Resource": "*"}]}
EVERYONE_BACKUP = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "backup:*", "Resource": "*"}]}
NETWORK_AND_COPIES = {"Resources": {
    "App": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "t1 application"}},
    "Db": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "t1 database"}},
    "DbFromApp": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
        "GroupId": {"Fn::GetAtt": ["Db", "GroupId"]}, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
        "SourceSecurityGroupId": {"Fn::GetAtt": ["App", "GroupId"]}}},
    "Vault": {"Type": "AWS::Backup::BackupVault", "Properties": {"BackupVaultName": "tenantkit-t1", "AccessPolicy": VAULT_POLICY}},
    "Dr": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "t1-dr", "VersioningConfiguration": {"Status": "Enabled"}}},
    "Data": {"Type": "AWS::S3::Bucket", "Properties": {
        "BucketName": BUCKET, "VersioningConfiguration": {"Status": "Enabled"}, "ReplicationConfiguration": REPLICATION}},
}}


def _ingress(ec2: Any, group_id: str) -> list[dict[str, Any]]:
    (group,) = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    return group["IpPermissions"]


def test_the_sandbox_checks_and_reverts_security_group_ingress_vault_access_policy_and_replication_rules():
    from tenantkit.sandbox.extensions import install

    install()
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(NETWORK_AND_COPIES))
        assert detect_stack_drift(cloudformation, STACK).status == "IN_SYNC"  # the group's rule of its own resource is declared
        resources = cloudformation.describe_stack_resources(StackName=STACK)["StackResources"]
        groups = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::EC2::SecurityGroup"}
        ec2 = boto3.client("ec2", region_name=REGION)
        declared_ingress = _ingress(ec2, groups["Db"])
        # opened to the internet, the one declared rule revoked; anyone may delete backups; replication off
        ec2.authorize_security_group_ingress(GroupId=groups["Db"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        ec2.revoke_security_group_ingress(GroupId=groups["Db"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": groups["App"]}]}])
        boto3.client("backup", region_name=REGION).put_backup_vault_access_policy(BackupVaultName="tenantkit-t1", Policy=json.dumps(EVERYONE_BACKUP))
        boto3.client("s3", region_name=REGION).delete_bucket_replication(Bucket=BUCKET)

        drift = detect_stack_drift(cloudformation, STACK)
        lines = sorted(line for resource in drift.resources for line in resource.lines())
        rule = {"FromPort": 5432, "IpProtocol": "tcp", "ToPort": 5432}
        assert lines[0] == f"Data (AWS::S3::Bucket) /ReplicationConfiguration: declared {canonical(_text(REPLICATION))}, actual null"
        assert lines[1:] == [
            f'Db (AWS::EC2::SecurityGroup) /SecurityGroupIngress: declared {canonical([{**rule, "Peer": groups["App"]}])}, '
            f'actual {canonical([{**rule, "Peer": "0.0.0.0/0"}])}',
            f"Vault (AWS::Backup::BackupVault) /AccessPolicy: declared {canonical(VAULT_POLICY)}, actual {canonical(EVERYONE_BACKUP)}",
        ]
        assert sorted(revert_drift(cloudformation, STACK, drift, waiter_delay=0).reverted) == ["Data", "Db", "Vault"]
        assert detect_stack_drift(cloudformation, STACK).status == "IN_SYNC"
        assert _ingress(ec2, groups["Db"]) == declared_ingress
        policy = boto3.client("backup", region_name=REGION).get_backup_vault_access_policy(BackupVaultName="tenantkit-t1")["Policy"]
        assert json.loads(policy) == VAULT_POLICY
        rules = boto3.client("s3", region_name=REGION).get_bucket_replication(Bucket=BUCKET)["ReplicationConfiguration"]["Rules"]
        assert [(r["ID"], r["Destination"]["Bucket"]) for r in rules] == [("everything-to-dr", "arn:aws:s3:::t1-dr")]


def _text(value: Any) -> Any:
    """A template value as S3's XML gives it back: every scalar as text."""
    if isinstance(value, dict):
        return {key: _text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_text(item) for item in value]
    return str(value)
