"""Acknowledgments are evidence (issue 21, item 2): each factual claim the constructs' acknowledgments
make is checked against the template, holding in one case and contradicted in the other. Hand-made
templates: no synthesis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tenantkit.naming import stack_names
from tenantkit.review.sections.compliance import check_claim
from tenantkit.review.source import Stack, TenantTemplates

TENANT = "acme"
ACCOUNT = "111122223333"
DR, PRIMARY, REPLICA = stack_names(TENANT)
DR_VAULT = f"arn:aws:backup:us-west-2:{ACCOUNT}:backup-vault:tenantkit-acme-dr"
COPIES = "A read replica of the primary; the primary's backup tiers copied into this region's DR vault: hourly and daily. More."


def _templates(primary: dict[str, Any], replica: dict[str, Any]) -> TenantTemplates:
    stacks = (
        Stack(PRIMARY, "primary", "us-east-1", {"Resources": primary}, {}),
        Stack(REPLICA, "replica", "us-west-2", {"Resources": replica}, {}),
    )
    return TenantTemplates(TENANT, "us", stacks, Path("/nonexistent"))


def _plan(*copied: str) -> dict[str, Any]:
    rules = [{"RuleName": name, **({"CopyActions": [{"DestinationBackupVaultArn": DR_VAULT}]} if name in copied else {})}
             for name in ("Hourly", "Daily")]
    return {"Plan": {"Type": "AWS::Backup::BackupPlan", "Properties": {"BackupPlan": {"BackupPlanRule": rules}}}}


def _database(**props: Any) -> dict[str, Any]:
    return {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": props}}


def test_the_copied_tiers_claim_holds_when_the_plan_copies_both() -> None:
    templates = _templates(_plan("Hourly", "Daily"), _database())
    evidence, contradiction = check_claim(templates, templates.stacks[1], "Db", COPIES)
    assert (evidence, contradiction) == ("tiers copied into us-west-2: daily, hourly", None)


def test_the_copied_tiers_claim_is_contradicted_when_only_the_daily_tier_is_copied() -> None:
    templates = _templates(_plan("Daily"), _database())
    _, contradiction = check_claim(templates, templates.stacks[1], "Db", COPIES)
    assert contradiction == "claims hourly copied into us-west-2; the backup plan copies only daily there"


@pytest.mark.parametrize(("props", "contradicted"), [({"EnableIAMDatabaseAuthentication": True}, False), ({}, True)])
def test_the_iam_authentication_claim(props: dict[str, Any], contradicted: bool) -> None:
    templates = _templates(_database(**props), {})
    _, contradiction = check_claim(templates, templates.stacks[0], "Db", "behind a security group, with TLS and IAM authentication.")
    assert (contradiction is not None) == contradicted


@pytest.mark.parametrize(("props", "contradicted"), [({"AutoMinorVersionUpgrade": False}, False), ({"AutoMinorVersionUpgrade": True}, True)])
def test_the_pinned_engine_claim(props: dict[str, Any], contradicted: bool) -> None:
    templates = _templates(_database(**props), {})
    _, contradiction = check_claim(templates, templates.stacks[0], "Db", "The engine version is pinned in the tenant file.")
    assert (contradiction is not None) == contradicted


@pytest.mark.parametrize(("key", "contradicted"), [({"Fn::GetAtt": ["Key", "Arn"]}, False), ("alias/aws/rds", True)])
def test_the_key_claim(key: Any, contradicted: bool) -> None:
    resources = {**_database(KmsKeyId=key), "Key": {"Type": "AWS::KMS::Key", "Properties": {}}}
    templates = _templates(resources, {})
    _, contradiction = check_claim(templates, templates.stacks[0], "Db", "KmsKeyId names the tenant's key.")
    assert (contradiction is not None) == contradicted


@pytest.mark.parametrize(("condition", "contradicted"), [
    ({"ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/tenantkit/acme"]}}, False),
    (None, True),
])
def test_the_alias_narrowing_claim(condition: Any, contradicted: bool) -> None:
    statement = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*"}
    if condition:
        statement["Condition"] = condition
    policy = {"Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": [statement]}}}}
    templates = _templates(policy, {})
    _, contradiction = check_claim(templates, templates.stacks[0], "Policy", "its key of each region (narrowed by its alias)")
    assert (contradiction is not None) == contradicted


def test_a_reason_without_a_checkable_claim_is_only_shown() -> None:
    templates = _templates(_database(), {})
    assert check_claim(templates, templates.stacks[0], "Db", "AWS's own policy, maintained by AWS.") == (None, None)
