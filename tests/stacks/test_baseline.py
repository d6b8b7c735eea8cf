"""The baseline stack of each account and region: the audit trail, its bucket and its key.

Expected values come from the tenant files and naming.py, never from the templates under test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tenantkit.config import load_tenants
from tenantkit.constructs.audit_trail import MAX_NAMED_BUCKETS, MAX_SELECTOR_VALUES, event_selectors
from tenantkit.naming import AUDIT_TRAIL, BASELINE_STACK, audit_bucket, names_for
from tests.stacks.conftest import EXAMPLES

ACCOUNT_TENANT = "maple-ca"  # the example tenants with an account have plain names in their templates


def _values(selectors: list[dict[str, Any]]) -> int:
    return sum(len(f.get("Equals", [])) + len(f.get("StartsWith", [])) for s in selectors for f in s["FieldSelectors"])


def _arns(selectors: list[dict[str, Any]]) -> list[str]:
    return [arn for s in selectors for f in s["FieldSelectors"] if f["Field"] == "resources.ARN" for arn in f["StartsWith"]]


def test_every_bucket_is_named_up_to_the_500_values_of_a_trail():
    buckets = [f"t{i}-data-111122223333-us-east-1" for i in range(MAX_NAMED_BUCKETS)]
    selectors, every_bucket = event_selectors(buckets)
    assert not every_bucket and _values(selectors) == MAX_SELECTOR_VALUES
    assert _arns(selectors) == sorted(f"arn:aws:s3:::{b}/" for b in buckets)


def test_past_the_limit_data_events_are_recorded_for_every_bucket_of_the_region():
    selectors, every_bucket = event_selectors([f"t{i}-data-111122223333-us-east-1" for i in range(MAX_NAMED_BUCKETS + 1)])
    assert every_bucket and _arns(selectors) == []
    (data,) = [s for s in selectors if {"Field": "eventCategory", "Equals": ["Data"]} in s["FieldSelectors"]]
    assert {"Field": "resources.type", "Equals": ["AWS::S3::Object"]} in data["FieldSelectors"]


def test_management_events_are_recorded_and_none_excluded():
    selectors, _ = event_selectors(["acme-data-111122223333-us-east-1"])
    assert selectors[0]["FieldSelectors"] == [{"Field": "eventCategory", "Equals": ["Management"]}]


@pytest.fixture(scope="module")
def baselines(tmp_path_factory):
    from tenantkit.jsii_node import ensure_jsii_node

    ensure_jsii_node()
    import aws_cdk as cdk

    from tenantkit.stacks.baseline import add_baselines

    configs = load_tenants([EXAMPLES])
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("baseline")))
    stacks = add_baselines(app, configs)
    templates = {key: cdk.assertions.Template.from_stack(stack).to_json() for key, stack in stacks.items()}
    return configs, stacks, templates


def _one(template: dict[str, Any], kind: str) -> dict[str, Any]:
    (found,) = [r for r in template["Resources"].values() if r["Type"] == kind]
    return found


def test_one_baseline_per_account_and_region_of_the_fleet(baselines):
    configs, stacks, _ = baselines
    assert set(stacks) == {(c.account, r) for c in configs for r in (c.primary_region, c.secondary_region)}
    assert {s.stack_name for s in stacks.values()} == {BASELINE_STACK}


def test_the_trail_covers_the_data_and_dr_buckets_of_every_tenant_of_its_account_and_region(baselines):
    configs, _, templates = baselines
    config = next(c for c in configs if c.tenant_id == ACCOUNT_TENANT)
    names = names_for(config.tenant_id, config.account, config.primary_region, config.secondary_region)
    for region, bucket in ((config.primary_region, names.data_bucket), (config.secondary_region, names.dr_bucket)):
        trail = _one(templates[(config.account, region)], "AWS::CloudTrail::Trail")["Properties"]
        assert f"arn:aws:s3:::{bucket}/" in _arns(trail["AdvancedEventSelectors"])
        others = [c.tenant_id for c in configs if c.account != config.account]
        assert not any(other in arn for other in others for arn in _arns(trail["AdvancedEventSelectors"]))


def test_the_trail_validates_its_logs_and_stores_them_in_the_regions_audit_bucket(baselines):
    configs, _, templates = baselines
    config = next(c for c in configs if c.tenant_id == ACCOUNT_TENANT)
    template = templates[(config.account, config.primary_region)]
    trail = _one(template, "AWS::CloudTrail::Trail")["Properties"]
    assert trail["TrailName"] == AUDIT_TRAIL
    assert (trail["IsLogging"], trail["EnableLogFileValidation"], trail["IsMultiRegionTrail"]) == (True, True, False)
    bucket = _one(template, "AWS::S3::Bucket")["Properties"]
    assert bucket["BucketName"] == audit_bucket(config.account, config.primary_region)
    (key_id,) = [k for k, r in template["Resources"].items() if r["Type"] == "AWS::KMS::Key"]
    assert trail["KMSKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert rule == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]}}


def test_only_this_trail_encrypts_and_only_the_named_readers_decrypt(baselines):
    configs, _, templates = baselines
    config = next(c for c in configs if c.tenant_id == ACCOUNT_TENANT)
    region = config.primary_region
    names = names_for(config.tenant_id, config.account, config.primary_region, config.secondary_region)
    statements = _one(templates[(config.account, region)], "AWS::KMS::Key")["Properties"]["KeyPolicy"]["Statement"]
    trail_arn = f"arn:aws:cloudtrail:{region}:{config.account}:trail/{AUDIT_TRAIL}"
    (encrypt,) = [s for s in statements if s.get("Principal") == {"Service": "cloudtrail.amazonaws.com"} and "kms:GenerateDataKey*" in s["Action"]]
    assert encrypt["Condition"]["StringEquals"]["aws:SourceArn"] == trail_arn
    decrypting = [s for s in statements if "kms:Decrypt" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
    (reader,) = decrypting
    assert names.break_glass_role_arn in reader["Condition"]["ArnLike"]["aws:PrincipalArn"]


@pytest.mark.slow
def test_the_baselines_pass_cdk_nag(tmp_path: Path):
    from tenantkit.jsii_node import ensure_jsii_node

    ensure_jsii_node()
    import aws_cdk as cdk

    from tenantkit.compliance.nag import add_compliance_checks
    from tenantkit.stacks.baseline import add_baselines

    app = cdk.App(outdir=str(tmp_path))
    add_baselines(app, load_tenants([EXAMPLES]))
    add_compliance_checks(app)
    app.synth()  # raises on any unacknowledged finding


def test_one_tenants_selection_still_builds_its_environments_trail_from_every_tenant_there(tmp_path: Path):
    from tenantkit.jsii_node import ensure_jsii_node

    ensure_jsii_node()
    import aws_cdk as cdk

    from tenantkit.stacks.baseline import add_baselines

    maple = next(c for c in load_tenants([EXAMPLES]) if c.tenant_id == ACCOUNT_TENANT)
    twin = maple.model_copy(update={"tenant_id": "birch-ca"})  # same account and regions
    app = cdk.App(outdir=str(tmp_path))
    stacks = add_baselines(app, [maple, twin], only_for=[maple])
    assert set(stacks) == {(maple.account, maple.primary_region), (maple.account, maple.secondary_region)}
    template = cdk.assertions.Template.from_stack(stacks[(maple.account, maple.primary_region)]).to_json()
    arns = _arns(_one(template, "AWS::CloudTrail::Trail")["Properties"]["AdvancedEventSelectors"])
    for tenant in (maple, twin):
        names = names_for(tenant.tenant_id, tenant.account, tenant.primary_region, tenant.secondary_region)
        assert f"arn:aws:s3:::{names.data_bucket}/" in arns
