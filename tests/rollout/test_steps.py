"""The pipelines' shell-step commands, run as CodeBuild runs them (bash, in the checkout)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tenantkit.lifecycle.cdk_cli import CDK_CLI_VERSION
from tenantkit.naming import bootstrap_lookup_role_arn
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


def fake_clis(tmp_path: Path, *, aws: str, tenantkit: str) -> dict[str, str]:
    """Fakes of the two CLIs the inventory step calls (bash scripts); the environment to find them."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in (("aws", aws), ("tenantkit", tenantkit)):
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin"}


def test_inventory_runs_per_account_with_the_assumed_role(tmp_path: Path) -> None:
    # aws answers an assume-role; tenantkit records the credentials and arguments it got
    env = fake_clis(
        tmp_path,
        aws='echo "$@" >> calls.txt\nprintf "AKID\\tSECRET\\tTOKEN\\n"',
        tenantkit='echo "$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN $*" >> calls.txt',
    )
    role = bootstrap_lookup_role_arn("111122223333", "ca-central-1")
    commands = inventory_commands({role: ["maple-ca", "polar-cg"]})
    for command in commands:
        subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, check=True)
    assume, inventory = (tmp_path / "calls.txt").read_text().splitlines()
    assert assume.startswith(f"sts assume-role --role-arn {role} --role-session-name tenantkit-inventory")
    assert inventory == "AKID SECRET TOKEN inventory maple-ca polar-cg"


def test_synth_commands() -> None:
    assert synth_commands() == [
        "tenantkit check --out check.out",
        f"npx --yes aws-cdk@{CDK_CLI_VERSION} synth --app 'python3 pipeline_app.py' --output cdk.out",
    ]


def test_inventory_stops_when_the_role_cannot_be_assumed(tmp_path: Path) -> None:
    # aws refuses the assume-role; tenantkit records that it was (wrongly) started
    env = fake_clis(tmp_path, aws="echo AccessDenied >&2\nexit 254", tenantkit="touch started")
    (command,) = inventory_commands({bootstrap_lookup_role_arn("111122223333", "ca-central-1"): ["maple-ca"]})
    result = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, check=False)
    assert result.returncode == 254
    assert not (tmp_path / "started").exists()
