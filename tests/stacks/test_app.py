"""app.py, as the CDK CLI runs it: context selects the tenant, every check runs, AZs are real."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def polar_assembly(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("cdk.out")
    env = {**os.environ, "CDK_OUTDIR": str(outdir), "CDK_CONTEXT_JSON": json.dumps({"tenant": "polar-cg"})}
    # Exactly the command the CDK CLI runs: cdk.json's "app", from the project root.
    command = shlex.split(json.loads((REPO / "cdk.json").read_text())["app"])
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return outdir


def test_context_selects_one_tenant(polar_assembly):
    stacks = sorted(p.name.removesuffix(".template.json") for p in polar_assembly.glob("*.template.json"))
    baselines = [f"tenantkit-baseline-444455556666-{region}" for region in ("ca-central-1", "ca-west-1")]  # polar-cg's account
    assert stacks == sorted([*baselines, "tenant-polar-cg-dr", "tenant-polar-cg-primary", "tenant-polar-cg-replica"])


def test_known_account_gets_real_availability_zones(polar_assembly):
    template = json.loads((polar_assembly / "tenant-polar-cg-replica.template.json").read_text())
    zones = sorted(
        r["Properties"]["AvailabilityZone"] for r in template["Resources"].values() if r["Type"] == "AWS::EC2::Subnet"
    )
    assert zones == ["ca-west-1a", "ca-west-1b"]


def test_unknown_tenant_is_an_error(tmp_path):
    env = {**os.environ, "CDK_OUTDIR": str(tmp_path), "CDK_CONTEXT_JSON": json.dumps({"tenant": "nobody"})}
    result = subprocess.run([sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "no tenant 'nobody'" in result.stderr
