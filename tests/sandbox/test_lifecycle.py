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
