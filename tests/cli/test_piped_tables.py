"""Tables piped into a narrow console (CI logs, `| grep`): each row on one line, no name or ARN
broken or cut, whatever COLUMNS says. (The inventory's and backup run's: in their own CLI tests.)"""

from __future__ import annotations

from tenantkit.cli import render
from tenantkit.config import find_tenant
from tenantkit.lifecycle.offboarding.resources import Target
from tenantkit.lifecycle.offboarding.run import Plan
from tenantkit.lifecycle.offboarding.service import Environment
from tests.conftest import EXAMPLE_CONFIGS


def test_the_offboarding_plan_keeps_each_target_on_one_line(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "40")
    config = find_tenant(EXAMPLE_CONFIGS, "maple-ca").config
    bucket = "maple-ca-data-111122223333-ca-central-1"
    key = "arn:aws:kms:ca-central-1:111122223333:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
    plan = Plan("maple-ca", (
        Target("bucket", "ca-central-1", bucket, f"arn:aws:s3:::{bucket}", {"object_versions": 2403}),
        Target("kms key", "ca-central-1", key, key),
    ))
    render.offboard_plan(config, Environment("sandbox", "111122223333", lambda region: None, "test"), plan, as_json=False)
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if bucket in line and "2403 object versions" in line], lines
    assert [line for line in lines if key in line and "kms key" in line], lines
