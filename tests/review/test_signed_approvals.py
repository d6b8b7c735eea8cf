"""Signed approvals, without synthesizing: a review model is data, so each branch of the approval's
validity (none, unsigned legacy, untrusted key, tampered, valid, changed) and the change shown
since the approved review are checked on a small model built here, weakened one way at a time."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.evidence import PemSigner
from tenantkit.review.approval import (
    ApprovalState,
    TrustedKey,
    approval_file,
    read_record,
    record_approval,
    record_override,
    trusted_keys,
    validity,
)
from tenantkit.review.gate import decide, gate
from tenantkit.review.model import content_hash, flags_of
from tenantkit.review.service import with_approval
from tenantkit.rollout.steps import approval_commands

TENANT = "acme"
runner = CliRunner()


def review_of(cidrs: list[str]) -> dict[str, Any]:
    """A review model of the shape `review_assembly` makes, its network section listing `cidrs`."""
    model: dict[str, Any] = {
        "format": 1, "tenant_id": TENANT, "residency": "ca", "zone_name": "Canada", "zone": ["ca-central-1"],
        "stacks": [{"name": "tenant-acme-primary", "region": "ca-central-1"}],
        "sections": [
            {"id": "encryption", "title": "Encryption", "summary": [], "tables": [], "flags": []},
            {"id": "network", "title": "Network and firewall", "summary": [f"{len(cidrs)} networks"], "flags": [],
             "tables": [{"title": "Allow-listed networks", "columns": ["Network"],
                         "rows": [{"key": cidr, "cells": [cidr], "flagged": False} for cidr in cidrs]}]},
        ],
        "generated_at": "2026-12-07T06:00:00+00:00", "tenantkit_version": "test", "source": {"kind": "assembly"},
    }
    model["flagged"] = len(flags_of(model))
    model["content_hash"] = content_hash(model)
    return model


def key_pair(directory: Path, name: str) -> tuple[PemSigner, TrustedKey]:
    private = Ed25519PrivateKey.generate()
    public = directory / f"{name}.pub.pem"
    public.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    (directory / f"{name}.pem").write_bytes(
        private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (trusted,) = trusted_keys(directory, [public.name])
    return PemSigner(private, description=str(directory / f"{name}.pem")), trusted


@pytest.fixture
def lead(tmp_path: Path) -> tuple[PemSigner, TrustedKey]:
    return key_pair(tmp_path, "lead")


def test_a_signed_approval_of_the_same_review_is_approved(tmp_path: Path, lead: tuple[PemSigner, TrustedKey]) -> None:
    signer, key = lead
    approved = review_of(["203.0.113.0/24"])
    record_approval(tmp_path, approved, "Ana Lead", signer)
    record = read_record(tmp_path, TENANT)
    assert validity(record, [key]).state is ApprovalState.APPROVED
    current = review_of(["203.0.113.0/24"])
    with_approval(current, record, [key])
    assert current["approval"]["status"] == "approved" and current["flagged"] == 0 and "changes" not in current
    (event,) = record.history if record else []
    assert event["event"] == "approved" and event["by"] == "Ana Lead" and event["signed_by"] == key.fingerprint


def test_an_added_cidr_is_shown_as_added_and_flagged_until_approved_again(tmp_path: Path, lead: tuple[PemSigner, TrustedKey]) -> None:
    signer, key = lead
    record_approval(tmp_path, review_of(["203.0.113.0/24"]), "Ana Lead", signer)
    current = review_of(["203.0.113.0/24", "198.51.100.0/24"])
    with_approval(current, read_record(tmp_path, TENANT), [key])
    assert current["approval"]["status"] == "changed since approval"
    assert current["approval"]["first_change"] == "Network and firewall"
    (network,) = current["changes"]["sections"]
    added = [c for c in network["changes"] if c["change"] == "added" and c["table"] == "Allow-listed networks"]
    assert [c["key"] for c in added] == ["198.51.100.0/24"]
    assert "approved by Ana Lead" in current["changes"]["against"]
    (flag,) = flags_of(current)
    assert flag["section"] == "network" and "changed since the approval by Ana Lead" in flag["message"]
    assert current["flagged"] == 1
    decision = decide(review_of(["203.0.113.0/24", "198.51.100.0/24"]), read_record(tmp_path, TENANT), [key])
    assert not decision.allowed
    assert decision.line.startswith(f"{TENANT}: refused: changed since its approval by Ana Lead on ")
    assert "first in section 'Network and firewall'" in decision.line and "\n" not in decision.line

    record_approval(tmp_path, review_of(["203.0.113.0/24", "198.51.100.0/24"]), "Ana Lead", signer)  # approved again
    again = review_of(["203.0.113.0/24", "198.51.100.0/24"])
    with_approval(again, read_record(tmp_path, TENANT), [key])
    assert again["approval"]["status"] == "approved" and again["flagged"] == 0
    record = read_record(tmp_path, TENANT)
    assert record is not None and [e["event"] for e in record.history] == ["approved", "approved"]


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda data: data["approval"].update(approved_by="Mallory"), "TAMPERED: invalid signature"),
        (lambda data: data["approval"]["review"]["sections"][1]["tables"][0]["rows"].append(
            {"key": "0.0.0.0/1", "cells": ["0.0.0.0/1"], "flagged": False}), "TAMPERED: invalid signature"),
        (lambda data: data["approval"].update(content_hash="sha256:" + "0" * 64), "TAMPERED: invalid signature"),
        (lambda data: data.update(signature={"algorithm": "Ed25519"}), "signature: no 'public_key_fingerprint'"),
    ],
    ids=["approver", "approved-review", "content-hash", "signature-file"],
)
def test_a_tampered_approval_counts_as_none(tmp_path: Path, lead: tuple[PemSigner, TrustedKey], tamper: Any, reason: str) -> None:
    signer, key = lead
    approved = review_of(["203.0.113.0/24"])
    record_approval(tmp_path, approved, "Ana Lead", signer)
    path = approval_file(tmp_path, TENANT)
    data = json.loads(path.read_text())
    tamper(data)
    path.write_text(json.dumps(data))
    checked = validity(read_record(tmp_path, TENANT), [key])
    assert checked.state is ApprovalState.INVALID and reason in checked.reason
    decision = decide(copy.deepcopy(approved), read_record(tmp_path, TENANT), [key])
    assert not decision.allowed and "its approval is not valid" in decision.line


def test_an_approval_signed_by_a_key_fleet_yaml_does_not_trust_counts_as_none(tmp_path: Path, lead: tuple[PemSigner, TrustedKey]) -> None:
    signer, _ = lead
    other = tmp_path / "other"
    other.mkdir()
    _, stranger = key_pair(other, "stranger")
    record_approval(tmp_path, review_of(["203.0.113.0/24"]), "Ana Lead", signer)
    checked = validity(read_record(tmp_path, TENANT), [stranger])
    assert checked.state is ApprovalState.INVALID
    assert f"signed by key {signer.fingerprint}, which fleet.yaml's approvals.public_keys does not list" in checked.reason


def test_a_legacy_unsigned_approval_shows_so_counts_as_none_and_keeps_its_history(tmp_path: Path, lead: tuple[PemSigner, TrustedKey]) -> None:
    signer, key = lead
    approved = review_of(["203.0.113.0/24"])
    legacy = {"tenant_id": TENANT, "approved_by": "Old Lead", "approved_at": "2026-01-01T00:00:00+00:00",
              "content_hash": approved["content_hash"], "tenantkit_version": "0.9", "flagged": 0}
    approval_file(tmp_path, TENANT).write_text(json.dumps(legacy))
    current = review_of(["203.0.113.0/24"])
    with_approval(current, read_record(tmp_path, TENANT), [key])
    assert current["approval"]["status"] == "unsigned (legacy)" and current["approval"]["approved_by"] == "Old Lead"
    assert not decide(review_of(["203.0.113.0/24"]), read_record(tmp_path, TENANT), [key]).allowed

    record_override(tmp_path, TENANT, by="ops", reason="INC-7 hotfix", command="deploy --local",
                    current_hash=approved["content_hash"], state="unsigned (legacy)")
    record_approval(tmp_path, approved, "Ana Lead", signer)
    record = read_record(tmp_path, TENANT)
    assert record is not None
    assert [(e["event"], e["by"]) for e in record.history] == [("override", "ops"), ("approved", "Ana Lead")]
    assert record.history[0]["reason"] == "INC-7 hotfix" and record.history[0]["approval_state"] == "unsigned (legacy)"
    assert validity(record, [key]).state is ApprovalState.APPROVED


def test_only_a_review_as_made_can_be_approved(tmp_path: Path, lead: tuple[PemSigner, TrustedKey]) -> None:
    signer, key = lead
    record_approval(tmp_path, review_of(["203.0.113.0/24"]), "Ana Lead", signer)
    flagged = review_of(["198.51.100.0/24"])
    with_approval(flagged, read_record(tmp_path, TENANT), [key])  # adds the change flags
    with pytest.raises(ValueError, match="not the review as it was made"):
        record_approval(tmp_path, flagged, "Ana Lead", signer)


def test_no_approval_is_never_approved(tmp_path: Path, lead: tuple[PemSigner, TrustedKey]) -> None:
    _, key = lead
    decision = decide(review_of(["203.0.113.0/24"]), read_record(tmp_path, TENANT), [key])
    assert not decision.allowed and decision.line.startswith(f"{TENANT}: refused: never approved;")


def test_verify_approval_on_the_command_line(tmp_path: Path, lead: tuple[PemSigner, TrustedKey], monkeypatch: pytest.MonkeyPatch) -> None:
    signer, key = lead
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fleet.yaml").write_text(f"approvals:\n  public_keys: [{key.path}]\n")
    record_approval(tmp_path / "approvals", review_of(["203.0.113.0/24"]), "Ana Lead", signer)
    valid = runner.invoke(app, ["review", "verify-approval", TENANT])
    assert valid.exit_code == 0, valid.output
    assert f"{TENANT}: valid approval by Ana Lead on " in valid.output and key.fingerprint in valid.output

    path = tmp_path / "approvals" / f"{TENANT}.json"
    data = json.loads(path.read_text())
    data["approval"]["approved_by"] = "Mallory"
    path.write_text(json.dumps(data))
    tampered = runner.invoke(app, ["review", "verify-approval", TENANT])
    assert tampered.exit_code == 1, tampered.output
    assert f"approvals/{TENANT}.json: approval not valid: TAMPERED: invalid signature" in tampered.output
    assert "counts as no approval" in tampered.output and "Traceback" not in tampered.output


def test_the_pipeline_step_is_the_verify_command_and_refuses_an_unapproved_tenant(tmp_path: Path, lead: tuple[PemSigner, TrustedKey], monkeypatch: pytest.MonkeyPatch) -> None:
    _, key = lead
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fleet.yaml").write_text(f"require_approval: true\napprovals:\n  public_keys: [{key.path}]\n")
    (command,) = approval_commands(TENANT)
    words = command.split()
    assert words[:4] == ["tenantkit", "review", "verify-approval", TENANT] and "--current" in words
    result = runner.invoke(app, words[1:])
    assert result.exit_code == 1, result.output
    assert f"approvals/{TENANT}.json: never approved: no approval recorded" in result.output


def test_approve_without_a_signing_key_is_a_usage_error() -> None:
    result = runner.invoke(app, ["review", "approve", TENANT, "--by", "Ana"])
    assert result.exit_code == 2, result.output
    assert "approve: --signing-key PEM|kms:ARN is required" in result.output


@pytest.mark.parametrize("command", [["check"], ["deploy", "maple-ca"], ["deploy", "maple-ca", "--local"]], ids=" ".join)
def test_require_approval_refuses_an_unapproved_tenant_before_anything_is_synthesized(
    tmp_path: Path, lead: tuple[PemSigner, TrustedKey], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    from tests.conftest import EXAMPLE_CONFIGS

    _, key = lead
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tenant_configs").mkdir()
    shutil.copy(EXAMPLE_CONFIGS / "maple-ca.yaml", tmp_path / "tenant_configs")
    (tmp_path / "fleet.yaml").write_text(f"require_approval: true\napprovals:\n  public_keys: [{key.path}]\n")
    result = runner.invoke(app, command)
    assert result.exit_code == 1, result.output
    assert result.output.strip().startswith("error: maple-ca: refused: never approved; approve it (tenantkit review approve maple-ca")
    assert not (tmp_path / "cdk.out").exists()


def test_without_require_approval_there_is_no_gate(tmp_path: Path) -> None:
    (tmp_path / "fleet.yaml").write_text("approvals:\n  public_keys: []\n")
    assert gate(tmp_path / "tenant_configs", ["maple-ca"], cdk_out=tmp_path / "cdk.out", approvals_dir=tmp_path, root=tmp_path) == []


def test_a_value_added_to_a_listed_cell_is_shown_as_added(tmp_path: Path, lead: tuple[PemSigner, TrustedKey]) -> None:
    signer, key = lead

    def with_countries(countries: list[str]) -> dict[str, Any]:
        model = review_of(["203.0.113.0/24"])
        model["sections"][1]["tables"].append({"title": "Countries", "columns": ["Web ACL", "Countries"],
                                               "rows": [{"key": "acl", "cells": ["acl", ", ".join(countries)], "flagged": False}]})
        model["content_hash"] = content_hash(model)
        return model

    record_approval(tmp_path, with_countries(["CA", "US"]), "Ana Lead", signer)
    current = with_countries(["CA", "DE"])
    with_approval(current, read_record(tmp_path, TENANT), [key])
    changes = {(c["change"], c["before"], c["after"]) for s in current["changes"]["sections"] for c in s["changes"] if c["table"] == "Countries"}
    assert changes == {("changed", "Countries: CA, US", "Countries: CA, DE"), ("added", None, "Countries: DE"), ("removed", "Countries: US", None)}
