"""The per-tenant operation lock: across processes on one machine (a real second process holding
the flock), and the fleet's shared lock in DynamoDB (moto); refusals name the holder, a stale lock
is broken only with a reason, and the break is recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import boto3
import pytest
from moto import mock_aws

from tenantkit.lifecycle.state import LockHeld, SharedLocks, tenant_lock
from tenantkit.naming import LOCK_TABLE

HOLD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tenantkit.lifecycle.state import tenant_lock
    with tenant_lock(sys.argv[1], "deploy", state_dir=Path(sys.argv[2])):
        print("held", flush=True)
        sys.stdin.read()  # until the test closes our stdin
    """
)


@pytest.fixture
def other_process(tmp_path):
    """A second process holding acme-corp's lock for `deploy` until the test ends it."""
    child = subprocess.Popen([sys.executable, "-c", HOLD, "acme-corp", str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    yield child
    child.stdin.close()
    child.wait(timeout=60)


def test_a_second_process_is_refused_naming_the_holder(tmp_path, other_process):
    with pytest.raises(LockHeld, match=rf"acme-corp is locked on this machine by deploy by .* \(pid {other_process.pid} on .*\) since "), tenant_lock("acme-corp", "offboard", state_dir=tmp_path):
        pass
    with tenant_lock("acme-corp-x", "deploy", state_dir=tmp_path):  # another tenant is not held
        pass


def test_the_lock_is_free_once_the_holder_ends(tmp_path, other_process):
    other_process.stdin.close()
    other_process.wait(timeout=60)
    with tenant_lock("acme-corp", "deploy", state_dir=tmp_path) as holder:
        assert holder.pid == os.getpid()


def test_break_lock_takes_it_over_and_records_who_and_why(tmp_path, other_process):
    with (
        tenant_lock("acme-corp", "deploy", state_dir=tmp_path, break_reason="ci runner died"),
        pytest.raises(LockHeld, match=f"pid {os.getpid()}"),  # a third comer meets the new holder
        tenant_lock("acme-corp", "restore", state_dir=tmp_path),
    ):
        pass
    entry = json.loads((tmp_path / "locks" / "broken.jsonl").read_text().splitlines()[-1])
    assert (entry["tenant"], entry["reason"], entry["where"]) == ("acme-corp", "ci runner died", "this machine")
    assert f"pid {other_process.pid}" in entry["broke"]


def test_break_lock_needs_a_reason(tmp_path):
    with pytest.raises(ValueError, match="--break-lock needs --reason"), tenant_lock("acme-corp", "deploy", state_dir=tmp_path, break_reason=" "):
        pass


@pytest.fixture
def shared():
    with mock_aws():
        yield SharedLocks(boto3.client("dynamodb", region_name="us-east-1"), "in tooling account 123456789012 (us-east-1)")


def test_the_shared_lock_refuses_a_second_machine_naming_the_holder(tmp_path, shared):
    with tenant_lock("acme-corp", "deploy", state_dir=tmp_path / "alice", shared=shared) as alice:
        assert shared.dynamodb.describe_table(TableName=LOCK_TABLE)["Table"]["TableStatus"] == "ACTIVE"  # made on first use
        with pytest.raises(LockHeld, match=rf"acme-corp is locked in tooling account 123456789012 \(us-east-1\) by deploy .*since {alice.since}"), tenant_lock("acme-corp", "offboard", state_dir=tmp_path / "bob", shared=shared):
            pass
    with tenant_lock("acme-corp", "offboard", state_dir=tmp_path / "bob", shared=shared):
        pass  # released


def test_a_stale_shared_lock_shows_its_holder_and_breaks_only_with_a_reason(tmp_path, shared):
    from tenantkit.lifecycle.state import Holder

    dead = Holder("offboard", "carol", 4242, "laptop", "2026-12-01T10:00:00Z", "t0")
    shared.acquire("acme-corp", dead, break_reason=None)  # a process that never released it
    with pytest.raises(LockHeld, match=r"offboard by carol \(pid 4242 on laptop\) since 2026-12-01T10:00:00Z"), tenant_lock("acme-corp", "deploy", state_dir=tmp_path, shared=shared):
        pass
    with tenant_lock("acme-corp", "deploy", state_dir=tmp_path, shared=shared, break_reason="carol's laptop died"):
        item = shared.dynamodb.get_item(TableName=LOCK_TABLE, Key={"tenant": {"S": "acme-corp"}})["Item"]
        assert item["break_reason"]["S"] == "carol's laptop died" and "carol" in item["broke"]["S"]
        shared.release("acme-corp", dead)  # the old holder coming back frees nothing of ours
        assert shared.holder("acme-corp").operation == "deploy"
    assert shared.holder("acme-corp") is None
    entry = json.loads((tmp_path / "locks" / "broken.jsonl").read_text())
    assert entry["where"] == "in tooling account 123456789012 (us-east-1)" and "carol" in entry["broke"]
