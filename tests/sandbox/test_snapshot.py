"""The sandbox's saved state (`tenantkit.sandbox.snapshot`): what a stopped sandbox holds comes
back with the same ids, in-process (moto's backends are the same globals the server uses)."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from tenantkit.sandbox.extensions import install
from tenantkit.sandbox.snapshot import load_snapshot, save_snapshot

REGION = "ca-central-1"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}
TEMPLATE = {"Resources": {
    "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": POLICY}},
    "Parameter": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/tenant/key", "Type": "String", "Value": {"Ref": "Key"}, "Tags": {"tenant": "maple-ca"}}},
}}


def test_a_saved_sandbox_comes_back_with_its_ids_tags_and_key_material(tmp_path):
    install()
    snapshot = tmp_path / "sandbox-state.pickle"
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        stack_id = cloudformation.create_stack(StackName="tenant", TemplateBody=json.dumps(TEMPLATE))["StackId"]
        kms = boto3.client("kms", region_name=REGION)
        signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        signature = kms.sign(KeyId=signing, Message=b"report", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
        assert save_snapshot(snapshot) > 0
    with mock_aws():  # a new mock starts empty, as a new server process does
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        with pytest.raises(cloudformation.exceptions.ClientError):
            cloudformation.describe_stacks(StackName="tenant")
        assert load_snapshot(snapshot) > 0
        (stack,) = cloudformation.describe_stacks(StackName="tenant")["Stacks"]
        assert (stack["StackId"], stack["StackStatus"]) == (stack_id, "CREATE_COMPLETE")
        ssm = boto3.client("ssm", region_name=REGION)
        key_id = ssm.get_parameter(Name="/tenant/key")["Parameter"]["Value"]
        assert boto3.client("kms", region_name=REGION).describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
        tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/tenant/key")["TagList"]
        assert tags == [{"Key": "tenant", "Value": "maple-ca"}]
        verified = boto3.client("kms", region_name=REGION).verify(
            KeyId=signing, Message=b"report", Signature=signature, SigningAlgorithm="RSASSA_PSS_SHA_256"
        )
        assert verified["SignatureValid"] is True


def test_a_snapshot_of_another_moto_version_is_refused(tmp_path):
    import pickle

    snapshot = tmp_path / "sandbox-state.pickle"
    snapshot.write_bytes(pickle.dumps({"format": 1, "moto": "5.0.0", "services": []}))
    with pytest.raises(ValueError, match="written by moto 5.0.0"):
        load_snapshot(snapshot)
