"""The pipelines' shell-step commands, run as CodeBuild runs them (bash, in the checkout)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tenantkit.lifecycle.cdk_cli import CDK_CLI_VERSION
from tenantkit.naming import bootstrap_lookup_role_arn
from tenantkit.rollout.steps import approval_commands, inventory_commands, synth_commands


def test_the_approval_step_is_one_command_that_verifies_the_approval_and_the_current_templates() -> None:
    # what the command does is tested in tests/review/test_signed_approvals.py and test_approval_gate.py
    assert approval_commands("maple-ca") == ["tenantkit review verify-approval maple-ca --current"]
    assert approval_commands("a b") == ["tenantkit review verify-approval 'a b' --current"]


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
