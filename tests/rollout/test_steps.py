"""The pipelines' shell-step commands, run as CodeBuild runs them (bash, in the checkout)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tenantkit.lifecycle.cdk_cli import CDK_CLI_VERSION
from tenantkit.review.approval import ApprovalState
from tenantkit.rollout.steps import approval_commands, inventory_commands, synth_commands


def run_check(workdir: Path, tenant_id: str, status: str) -> subprocess.CompletedProcess[str]:
    (workdir / "reviews").mkdir(exist_ok=True)
    review = {"tenant_id": tenant_id, "flagged": 2, "approval": {"status": status}}
    (workdir / "reviews" / f"{tenant_id}-review.json").write_text(json.dumps(review), encoding="utf-8")
    _, check = approval_commands(tenant_id)
    return subprocess.run(["bash", "-c", check], cwd=workdir, capture_output=True, text=True, check=False)


def test_an_approved_tenant_passes_even_with_flags_on_record(tmp_path: Path) -> None:
    result = run_check(tmp_path, "maple-ca", ApprovalState.APPROVED.value)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("state", [ApprovalState.CHANGED, ApprovalState.NEVER])
def test_an_unapproved_tenant_stops_the_rollout_naming_it(tmp_path: Path, state: ApprovalState) -> None:
    result = run_check(tmp_path, "maple-ca", state.value)
    assert result.returncode == 1
    assert result.stderr.strip() == f"maple-ca: {state.value}"


def test_the_review_runs_first_and_a_missing_review_fails(tmp_path: Path) -> None:
    review, check = approval_commands("maple-ca")
    assert review == "tenantkit review maple-ca --format json --out reviews || test -s reviews/maple-ca-review.json"
    result = subprocess.run(["bash", "-c", check], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "No such file" in result.stderr


def test_inventory_and_synth_commands() -> None:
    assert inventory_commands(["maple-ca", "polar-cg"]) == ["tenantkit inventory maple-ca polar-cg"]
    assert synth_commands() == [
        "tenantkit check --out check.out",
        f"npx --yes aws-cdk@{CDK_CLI_VERSION} synth --app 'python3 pipeline_app.py' --output cdk.out",
    ]
