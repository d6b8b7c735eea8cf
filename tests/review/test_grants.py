"""The review's break-glass grants section (issue 18 item 6): with `--grants`, a session granted
in-process (moto with the emulator extensions, as tests/lifecycle/test_access.py) appears in the
review model with its operator, reason, duration and calls, and a source that could not be read
is "not checked" and flagged; without it, the section says it did not look, never "none". The
section is left out of the content hash (what an approval signs).

The review is of a small hand-written cloud assembly of the tenant's three stacks: what it
judges does not matter here, only that the grants are added to it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from tenantkit.config import validate_paths
from tenantkit.constructs.audit_trail import event_selectors
from tenantkit.lifecycle.access import grant
from tenantkit.lifecycle.restore import Environment
from tenantkit.naming import audit_bucket, names_for, stack_names
from tenantkit.review.grants import NOT_LOOKED_UP
from tenantkit.review.model import content_hash
from tenantkit.review.service import review_assembly, tenant_grants, with_grants
from tests.lifecycle.test_access import ACCOUNT, _bucket, _role


@pytest.fixture
def config(tenant_data, write_tenant):
    path = write_tenant(tenant_data)
    (found,) = validate_paths([path.parent]).configs
    return found


def _assembly(directory: Path, config: Any) -> Path:
    """A cloud assembly of the tenant's three stacks, each with an empty template."""
    directory.mkdir()
    regions = dict(zip(stack_names(config.tenant_id), (config.secondary_region, config.primary_region, config.secondary_region), strict=True))
    artifacts = {}
    for name, region in regions.items():
        (directory / f"{name}.template.json").write_text(json.dumps({"Resources": {}}))
        artifacts[name] = {"type": "aws:cloudformation:stack", "environment": f"aws://{config.account}/{region}",
                           "properties": {"templateFile": f"{name}.template.json"}}  # fmt: skip
    (directory / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": artifacts}))
    return directory


def _grants(model: dict[str, Any]) -> dict[str, Any]:
    (section,) = [s for s in model["sections"] if s["id"] == "grants"]
    return section


def test_a_granted_session_appears_in_the_review_model(config, moto_with_extensions, tmp_path):
    names = names_for(config.tenant_id, ACCOUNT, config.primary_region, config.secondary_region)
    _role(boto3.client("iam", region_name=config.primary_region), names)
    s3 = boto3.client("s3", region_name=config.primary_region)
    _bucket(s3, names.data_bucket, config.primary_region)
    s3.put_object(Bucket=names.data_bucket, Key="invoices/1.pdf", Body=b"%PDF")
    # the baseline trail of the primary region only: the secondary region's audit bucket is missing
    _bucket(s3, audit_bucket(ACCOUNT, config.primary_region), config.primary_region)
    cloudtrail = boto3.client("cloudtrail", region_name=config.primary_region)
    cloudtrail.create_trail(Name="tenantkit-audit", S3BucketName=audit_bucket(ACCOUNT, config.primary_region))
    cloudtrail.put_event_selectors(TrailName="tenantkit-audit", AdvancedEventSelectors=event_selectors([names.data_bucket])[0])
    cloudtrail.start_logging(Name="tenantkit-audit")
    granted = grant(config, names.break_glass_role_arn, boto3.client("sts", region_name=config.primary_region),
                    reason="INC-42: restore check", minutes=45, by="alice")  # fmt: skip
    used = boto3.Session(aws_access_key_id=granted.access_key_id, aws_secret_access_key=granted.secret_access_key,
                         aws_session_token=granted.session_token, region_name=config.primary_region)  # fmt: skip
    used.client("s3").get_object(Bucket=names.data_bucket, Key="invoices/1.pdf")

    model = review_assembly(_assembly(tmp_path / "cdk.out", config), config.tenant_id, lint_findings=())
    before = (model["content_hash"], model["flagged"])
    env = Environment("sandbox", ACCOUNT, lambda region: boto3.Session(region_name=region))
    with_grants(model, tenant_grants(config, env, now=datetime.now(UTC)))

    section = _grants(model)
    (sessions,) = [t for t in section["tables"] if t["title"] == "Sessions"]
    (row,) = sessions["rows"]
    granted_at, until, operator, reason, assumed_by, calls, refused = row["cells"]
    assert (operator, reason, refused, row["flagged"]) == ("alice", "INC-42: restore check", "none", False)
    assert datetime.fromisoformat(until) - datetime.fromisoformat(granted_at) == timedelta(minutes=45)
    assert assumed_by.startswith("arn:aws:") and f"s3:GetObject arn:aws:s3:::{names.data_bucket}/invoices/1.pdf" in calls, calls
    (sources,) = [t for t in section["tables"] if t["title"] == "Sources"]
    missing = audit_bucket(ACCOUNT, config.secondary_region)
    unchecked = [r for r in sources["rows"] if r["cells"][1] == "not checked"]
    assert unchecked and all(r["flagged"] for r in unchecked) and any(f"s3://{missing}/" in r["cells"][0] for r in unchecked)
    assert [f for f in section["flags"] if f["message"].startswith("not checked: ") and f"s3://{missing}/" in f["message"]]
    assert model["flagged"] == before[1] + len(section["flags"])
    assert content_hash(model) == before[0]  # what happened in the account is not what an approval signs


def test_a_session_without_the_operator_and_reason_tags_is_flagged(config, moto_with_extensions, tmp_path):
    names = names_for(config.tenant_id, ACCOUNT, config.primary_region, config.secondary_region)
    _role(boto3.client("iam", region_name=config.primary_region), names)
    boto3.client("sts", region_name=config.primary_region).assume_role(RoleArn=names.break_glass_role_arn, RoleSessionName="by-hand")
    model = review_assembly(_assembly(tmp_path / "cdk.out", config), config.tenant_id, lint_findings=())
    with_grants(model, tenant_grants(config, Environment("sandbox", ACCOUNT, lambda region: boto3.Session(region_name=region))))
    section = _grants(model)
    (row,) = next(t for t in section["tables"] if t["title"] == "Sessions")["rows"]
    assert row["flagged"] and row["cells"][2:4] == ["not tagged", "not tagged"]
    assert [f for f in section["flags"] if f["logical_id"] == "by-hand" and "no operator or reason tag" in f["message"]]


def test_without_grants_the_section_says_it_did_not_look(config, tmp_path):
    from tenantkit.review import ReviewRequest, run_review

    assembly = _assembly(tmp_path / "cdk.out", config)
    model = run_review(ReviewRequest(tenant_id=config.tenant_id, config_dir=tmp_path / "tenant_configs", cdk_out=tmp_path / "unused",
                                     approvals_dir=tmp_path / "approvals", from_dir=assembly, root=tmp_path))  # fmt: skip
    section = _grants(model)
    assert section["summary"] == [NOT_LOOKED_UP] and section["tables"] == [] and section["flags"] == []
    assert "none" not in NOT_LOOKED_UP and "--grants" in NOT_LOOKED_UP


def test_grants_and_local_are_refused_where_they_do_not_apply(tmp_path):
    from typer.testing import CliRunner

    from tenantkit.cli.main import app

    runner = CliRunner()
    local_alone = runner.invoke(app, ["review", "acme-corp", "--local"])
    assert local_alone.exit_code == 2 and "--local goes with --grants" in local_alone.output
    approving = runner.invoke(app, ["review", "approve", "acme-corp", "--by", "x", "--signing-key", "k.pem", "--grants"])
    assert approving.exit_code == 2 and "--grants goes with review TENANT, not approve" in approving.output


def test_grants_for_a_tenant_without_a_tenant_file_is_one_line_naming_it(config, tmp_path):
    from typer.testing import CliRunner

    from tenantkit.cli.main import app

    assembly = _assembly(tmp_path / "cdk.out", config)
    empty = tmp_path / "no_configs"
    empty.mkdir()
    result = CliRunner().invoke(app, ["review", "--from", str(assembly), config.tenant_id, "--grants", "--dir", str(empty),
                                      "--approvals", str(tmp_path / "approvals"), "--root", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "--grants: " in result.output and config.tenant_id in result.output and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1, result.output
