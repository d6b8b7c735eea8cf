"""The sandbox server's lifecycle, with real processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import boto3
import pytest

from tenantkit.sandbox import SandboxError, reset_sandbox, sandbox_status, start_sandbox, stop_sandbox
from tenantkit.sandbox.process import STATE_FILE, SandboxState

pytestmark = pytest.mark.slow


@pytest.fixture
def state_dir(tmp_path):
    directory = tmp_path / ".tenantkit"
    yield directory
    stop_sandbox(directory)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def test_up_is_idempotent_and_down_stops_the_server(state_dir):
    status, started = start_sandbox(state_dir)
    assert started and status.state is SandboxState.RUNNING
    again, started_again = start_sandbox(state_dir)
    assert not started_again and again.pid == status.pid and again.port == status.port
    stop_sandbox(state_dir)
    assert not _alive(status.pid)
    assert sandbox_status(state_dir).state is SandboxState.NOT_RUNNING


def test_the_sandbox_is_a_real_aws_endpoint_and_reset_empties_it(state_dir):
    status, _ = start_sandbox(state_dir)
    s3 = boto3.client("s3", endpoint_url=status.endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="lifecycle-probe")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["lifecycle-probe"]
    reset_sandbox(state_dir)
    assert s3.list_buckets()["Buckets"] == []


def test_a_chosen_port_in_use_is_refused(state_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SandboxError, match=f"port {port} on 127.0.0.1 is in use"):
            start_sandbox(state_dir, port)
    assert not (state_dir / STATE_FILE).exists()


def test_a_stale_state_file_is_replaced(state_dir):
    gone = subprocess.Popen(["true"])
    gone.wait()
    state_dir.mkdir()
    (state_dir / STATE_FILE).write_text(json.dumps({"pid": gone.pid, "port": 1, "started_at": 0}))
    assert sandbox_status(state_dir).state is SandboxState.STALE
    status, started = start_sandbox(state_dir)
    assert started and status.state is SandboxState.RUNNING and status.pid != gone.pid


def test_a_server_that_died_is_seen_as_stale_and_restarted(state_dir):
    first, _ = start_sandbox(state_dir)
    os.killpg(first.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while sandbox_status(state_dir).state is not SandboxState.STALE:
        assert time.monotonic() < deadline, "the dead server still looks alive"
        time.sleep(0.05)
    second, started = start_sandbox(state_dir)
    assert started and second.pid != first.pid and second.state is SandboxState.RUNNING


def test_down_never_stops_a_process_it_did_not_start(state_dir):
    stranger = subprocess.Popen(["sleep", "30"])
    try:
        state_dir.mkdir()
        (state_dir / STATE_FILE).write_text(json.dumps({"pid": stranger.pid, "port": 4566}))
        assert sandbox_status(state_dir).state is SandboxState.STALE  # a reused pid is not ours
        assert stop_sandbox(state_dir).state is SandboxState.STALE
        assert stranger.poll() is None
        assert not (state_dir / STATE_FILE).exists()
    finally:
        stranger.kill()
        stranger.wait()


def test_an_unreadable_state_file_is_stale(state_dir):
    state_dir.mkdir()
    (state_dir / STATE_FILE).write_text("{not json")
    assert sandbox_status(state_dir).state is SandboxState.STALE


def _stack_and_key(endpoint: str) -> tuple[dict, dict]:
    cloudformation = boto3.client("cloudformation", endpoint_url=endpoint, region_name="ca-central-1")
    (stack,) = cloudformation.describe_stacks(StackName="kept")["Stacks"]
    kms = boto3.client("kms", endpoint_url=endpoint, region_name="ca-central-1")
    (alias,) = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/kept"]
    return stack, kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]


def test_down_keeps_the_state_for_the_next_up_unless_discarded_and_reset_empties_it(state_dir):
    status, _ = start_sandbox(state_dir)
    template = {"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": []}}},
        "Alias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/kept", "TargetKeyId": {"Ref": "Key"}}},
    }}
    boto3.client("cloudformation", endpoint_url=status.endpoint, region_name="ca-central-1").create_stack(
        StackName="kept", TemplateBody=json.dumps(template)
    )
    before = _stack_and_key(status.endpoint)
    boto3.client("s3", endpoint_url=status.endpoint, region_name="us-east-1").create_bucket(Bucket="kept")

    stop_sandbox(state_dir)
    restarted, _ = start_sandbox(state_dir)
    assert restarted.pid != status.pid
    stack, key = _stack_and_key(restarted.endpoint)  # the same ids: ARNs kept elsewhere still name them
    assert (stack["StackId"], stack["StackStatus"], key["Arn"]) == (before[0]["StackId"], "CREATE_COMPLETE", before[1]["Arn"])
    s3 = boto3.client("s3", endpoint_url=restarted.endpoint, region_name="us-east-1")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kept"]

    stop_sandbox(state_dir, discard=True)
    emptied, _ = start_sandbox(state_dir)
    assert boto3.client("s3", endpoint_url=emptied.endpoint, region_name="us-east-1").list_buckets()["Buckets"] == []
    boto3.client("s3", endpoint_url=emptied.endpoint, region_name="us-east-1").create_bucket(Bucket="reset")
    reset_sandbox(state_dir)
    stop_sandbox(state_dir)  # saves the reset (empty) sandbox
    again, _ = start_sandbox(state_dir)
    assert boto3.client("s3", endpoint_url=again.endpoint, region_name="us-east-1").list_buckets()["Buckets"] == []


def test_a_failed_create_through_the_server_answers_xml_and_rolls_back(state_dir):
    """moto answered a failed CreateStack with an HTML 500 (botocore: `ResponseParserError ...
    invalid XML`), keeping what it had created; the retry then failed on the leftovers."""
    status, _ = start_sandbox(state_dir)
    ssm = boto3.client("ssm", endpoint_url=status.endpoint, region_name="ca-central-1")
    ssm.put_parameter(Name="/taken", Value="x", Type="String")
    template = json.dumps({"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "RetainExceptOnCreate", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": []}}},
        "Taken": {"Type": "AWS::SSM::Parameter", "DependsOn": "Key", "Properties": {"Name": "/taken", "Type": "String", "Value": {"Ref": "Key"}}},
    }})
    cloudformation = boto3.client("cloudformation", endpoint_url=status.endpoint, region_name="ca-central-1")
    cloudformation.create_stack(StackName="retried", TemplateBody=template)
    assert cloudformation.describe_stacks(StackName="retried")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    kms = boto3.client("kms", endpoint_url=status.endpoint, region_name="ca-central-1")
    (key,) = kms.list_keys()["Keys"]
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    cloudformation.delete_stack(StackName="retried")
    ssm.delete_parameter(Name="/taken")
    cloudformation.create_stack(StackName="retried", TemplateBody=template)
    assert cloudformation.describe_stacks(StackName="retried")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def test_the_sandbox_can_be_told_the_date_a_key_pending_deletion_is_then_gone(state_dir):
    from botocore.exceptions import ClientError

    from tenantkit.sandbox import sandbox_clock

    status, _ = start_sandbox(state_dir)
    kms = boto3.client("kms", endpoint_url=status.endpoint, region_name="ca-central-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    assert sandbox_clock(state_dir) == 0
    assert sandbox_clock(state_dir, 6) == 6
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion"  # a day left
    assert sandbox_clock(state_dir, 2) == 8
    with pytest.raises(ClientError) as gone:
        kms.describe_key(KeyId=key)
    assert gone.value.response["Error"]["Code"] == "NotFoundException"
    with pytest.raises(SandboxError, match="never goes back"):
        sandbox_clock(state_dir, -1)
