"""Issue 21's done-when, end to end in a project of its own with fleet.yaml's `require_approval:
true` and a real sandbox: `deploy --local` refuses a tenant never approved, deploys it once
approved (signed with a test key); a CIDR added to the tenant file is shown as added by `review`,
whose verdict flags the change; `deploy --local` then refuses naming the tenant and the changed
section, and goes ahead with `--unapproved --reason`, recorded; a tampered approval counts as none."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tests.conftest import EXAMPLE_CONFIGS

pytestmark = pytest.mark.slow
runner = CliRunner()
TENANT = "maple-ca"
ADDED_CIDR = "203.0.113.0/24"
ANOTHER_CIDR = "192.0.2.0/24"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The project: one tenant file, the security lead's key pair (the public half trusted by
    fleet.yaml), approvals required; the working directory, with its sandbox running."""
    from tenantkit.sandbox import start_sandbox, stop_sandbox

    root = tmp_path_factory.mktemp("gated")
    (root / "tenant_configs").mkdir()
    shutil.copy(EXAMPLE_CONFIGS / f"{TENANT}.yaml", root / "tenant_configs")
    private = Ed25519PrivateKey.generate()
    (root / "keys").mkdir()
    (root / "keys" / "lead.pub.pem").write_bytes(
        private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (root / "lead.pem").write_bytes(
        private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (root / "fleet.yaml").write_text("require_approval: true\napprovals:\n  public_keys: [keys/lead.pub.pem]\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        start_sandbox(Path(".tenantkit"))
        try:
            yield root
        finally:
            stop_sandbox(Path(".tenantkit"), discard=True)


def deploy(*extra: str) -> Any:
    return runner.invoke(app, ["deploy", TENANT, "--local", *extra])


def approve() -> None:
    result = runner.invoke(app, ["review", "approve", TENANT, "--by", "Ana Lead", "--signing-key", "lead.pem", "--format", "json"])
    assert f"{TENANT}: approved by Ana Lead" in result.output, result.output


def history(project: Path) -> list[dict[str, Any]]:
    return list(json.loads((project / "approvals" / f"{TENANT}.json").read_text())["history"])


def test_deploys_are_gated_by_a_valid_approval(project: Path) -> None:
    never = deploy()
    assert never.exit_code == 1, never.output
    assert f"error: {TENANT}: refused: never approved;" in never.output

    approve()
    approved = deploy()
    assert approved.exit_code == 0, approved.output

    tenant_file = project / "tenant_configs" / f"{TENANT}.yaml"
    data = yaml.safe_load(tenant_file.read_text())
    assert ADDED_CIDR not in data["access"]["allowed_cidrs"]
    data["access"]["allowed_cidrs"].append(ADDED_CIDR)
    tenant_file.write_text(yaml.safe_dump(data, sort_keys=False))

    reviewed = runner.invoke(app, ["review", TENANT, "--format", "json"])
    assert reviewed.exit_code == 1, reviewed.output  # the change is flagged until approved again
    model = json.loads(reviewed.stdout)
    assert model["approval"]["status"] == "changed since approval"
    assert "network" in model["approval"]["changed_sections"]
    network = next(s for s in model["sections"] if s["id"] == "network")
    assert any(f["logical_id"] == "approval" and "changed since the approval by Ana Lead" in f["message"] for f in network["flags"])

    refused = deploy()
    assert refused.exit_code == 1, refused.output
    title = model["approval"]["first_change"]
    assert title == next(s["title"] for s in model["sections"] if s["id"] == model["approval"]["changed_sections"][0])
    (line,) = [line for line in refused.output.splitlines() if line.startswith("error: ")]
    assert line.startswith(f"error: {TENANT}: refused: changed since its approval by Ana Lead on ")
    assert f"first in section '{title}'" in line

    no_reason = deploy("--unapproved")
    assert no_reason.exit_code == 1 and "--unapproved needs --reason" in no_reason.output
    overridden = deploy("--unapproved", "--reason", "INC-42: the partner's new office, approved by phone")
    assert overridden.exit_code == 0, overridden.output
    assert f"{TENANT}: going ahead unapproved (changed since approval)" in overridden.output
    override = history(project)[-1]
    assert override["event"] == "override" and override["command"] == "deploy --local"
    assert override["reason"] == "INC-42: the partner's new office, approved by phone"
    assert override["approval_state"] == "changed since approval" and override["content_hash"] == model["content_hash"]

    approve()
    assert deploy().exit_code == 0
    assert [event["event"] for event in history(project)] == ["approved", "override", "approved"]


@pytest.mark.xfail(
    strict=True,
    reason="the review's network section lists IP sets by count; the allow-list as addresses is issue 21.1 "
    "(branch `review`): remove this marker when it lands",
)
def test_a_cidr_added_since_the_approval_is_shown_as_added(project: Path) -> None:
    approve()
    tenant_file = project / "tenant_configs" / f"{TENANT}.yaml"
    data = yaml.safe_load(tenant_file.read_text())
    data["access"]["allowed_cidrs"].append(ANOTHER_CIDR)
    tenant_file.write_text(yaml.safe_dump(data, sort_keys=False))
    model = json.loads(runner.invoke(app, ["review", TENANT, "--format", "json"]).stdout)
    network = next(s for s in model["changes"]["sections"] if s["id"] == "network")
    added = [c for c in network["changes"] if c["change"] == "added" and ANOTHER_CIDR in f"{c['key']} {c['after']}"]
    assert added, network["changes"]
    markdown = runner.invoke(app, ["review", TENANT, "--format", "md"]).output
    assert ANOTHER_CIDR in markdown


def test_a_tampered_approval_fails_verification_and_counts_as_none(project: Path) -> None:
    approve()
    path = project / "approvals" / f"{TENANT}.json"
    assert runner.invoke(app, ["review", "verify-approval", TENANT, "--current"]).exit_code == 0
    data = json.loads(path.read_text())
    data["approval"]["approved_by"] = "Mallory"
    path.write_text(json.dumps(data, indent=2))
    verified = runner.invoke(app, ["review", "verify-approval", TENANT])
    assert verified.exit_code == 1, verified.output
    assert "approval not valid: TAMPERED" in verified.output
    reviewed = runner.invoke(app, ["review", TENANT, "--format", "json"])
    assert json.loads(reviewed.stdout)["approval"]["status"] == "approval not valid"
    refused = deploy()
    assert refused.exit_code == 1
    assert f"{TENANT}: refused: its approval is not valid (TAMPERED" in refused.output
