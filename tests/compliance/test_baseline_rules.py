"""The baseline stack's rules (`trail_covers_buckets`, `audit_key_readers`): a compliant baseline,
and each branch weakened one way. The expected buckets and readers stand for the tenant files'."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tenantkit.compliance import BaselineTemplate, Compliance, StackTemplate, check_baseline
from tenantkit.compliance.audit_key_readers import audit_key_decrypts_only_for_named_readers
from tenantkit.compliance.trail_covers_buckets import trail_records_every_tenant_bucket

ACCOUNT, REGION = "111122223333", "ca-central-1"
BUCKETS = (f"maple-ca-data-{ACCOUNT}-{REGION}", f"birch-ca-dr-{ACCOUNT}-{REGION}")
READERS = tuple(f"arn:aws:iam::{ACCOUNT}:role/tenantkit/{t}/tenantkit-{t}-break-glass" for t in ("birch-ca", "maple-ca"))
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/tenantkit-audit"
MANAGEMENT = {"Name": "m", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}


def _data(arns: list[str] | None) -> dict[str, Any]:
    fields: list[dict[str, Any]] = [{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]
    if arns is not None:
        fields.append({"Field": "resources.ARN", "StartsWith": arns})
    return {"Name": "d", "FieldSelectors": fields}


def _good() -> dict[str, Any]:
    root = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    return {"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [
            {"Sid": "Admins", "Effect": "Allow", "Principal": root, "Action": ["kms:DescribeKey", "kms:ScheduleKeyDeletion"], "Resource": "*"},
            {"Sid": "Deployer", "Effect": "Allow", "Principal": root, "Action": "kms:PutKeyPolicy", "Resource": "*",
             "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-{ACCOUNT}-{REGION}"}}},
            {"Sid": "CloudTrail", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*",
             "Resource": "*", "Condition": {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}},
            {"Sid": "Readers", "Effect": "Allow", "Principal": root, "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"ArnLike": {"aws:PrincipalArn": list(READERS)}}},
        ]}}},
        "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
            "IsLogging": True, "EnableLogFileValidation": True, "KMSKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
            "AdvancedEventSelectors": [MANAGEMENT, _data([f"arn:aws:s3:::{b}/" for b in sorted(BUCKETS)])],
        }},
    }}  # fmt: skip


def _baseline(template: dict[str, Any]) -> BaselineTemplate:
    return BaselineTemplate(StackTemplate("tenantkit-baseline-x", REGION, template), BUCKETS, READERS)


def _trail(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]["Trail"]["Properties"]


def _statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    return template["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"]


def test_a_good_baseline_passes_every_rule():
    results = check_baseline(_baseline(_good()))
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    assert {r.rule for r in results if r.status is Compliance.COMPLIANT} >= {"trail-covers-buckets", "audit-key-readers"}


def test_recording_data_events_of_every_bucket_covers_the_tenants():
    template = _good()
    _trail(template)["AdvancedEventSelectors"] = [MANAGEMENT, _data(None)]
    assert trail_records_every_tenant_bucket(_baseline(template)).status is Compliance.COMPLIANT


def _weakened(change) -> tuple[str, ...]:
    template = copy.deepcopy(_good())
    change(template)
    result = trail_records_every_tenant_bucket(_baseline(template))
    assert result.status is Compliance.NON_COMPLIANT
    return result.findings


@pytest.mark.parametrize("field", ["IsLogging", "EnableLogFileValidation"])
def test_a_trail_not_logging_or_not_validating_is_non_compliant(field):
    (finding,) = _weakened(lambda t: _trail(t).update({field: False}))
    assert finding == f"tenantkit-baseline-x/Trail: {field} is not true"


def test_a_trail_without_a_key_is_non_compliant():
    (finding,) = _weakened(lambda t: _trail(t).pop("KMSKeyId"))
    assert "KMSKeyId" in finding


@pytest.mark.parametrize("management", [
    None,  # no management selector
    {"Name": "m", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["false"]}]},
    {"Name": "m", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}]},
])  # fmt: skip
def test_management_events_narrowed_or_absent_are_non_compliant(management):
    def change(t):
        _trail(t)["AdvancedEventSelectors"] = [s for s in [management, _data([f"arn:aws:s3:::{b}/" for b in BUCKETS])] if s]

    (finding,) = _weakened(change)
    assert "management event" in finding


def test_a_bucket_of_the_tenant_files_missing_from_the_selectors_is_named():
    (finding,) = _weakened(lambda t: _trail(t).update({"AdvancedEventSelectors": [MANAGEMENT, _data([f"arn:aws:s3:::{BUCKETS[0]}/"])]}))
    assert finding.endswith(f"S3 object events of {BUCKETS[1]} are not recorded")


def test_a_bucket_prefix_without_its_slash_does_not_cover_it():
    # `StartsWith arn:aws:s3:::maple-ca-data-...` would also match a bucket `maple-ca-data-...-x`
    (finding,) = _weakened(lambda t: _trail(t).update({"AdvancedEventSelectors": [MANAGEMENT, _data([f"arn:aws:s3:::{b}" for b in BUCKETS])]}))
    assert "are not recorded" in finding


@pytest.mark.parametrize("extra", [{"Field": "readOnly", "Equals": ["true"]}, {"Field": "eventName", "Equals": ["GetObject"]}])
def test_a_data_selector_narrowed_by_another_field_does_not_count(extra):
    def change(t):
        data = _data(None)
        data["FieldSelectors"].append(extra)
        _trail(t)["AdvancedEventSelectors"] = [MANAGEMENT, data]

    (finding,) = _weakened(change)
    assert finding.endswith("no advanced event selector records S3 object events")


def test_a_data_selector_of_another_resource_type_does_not_count():
    def change(t):
        data = _data(None)
        data["FieldSelectors"][1]["Equals"] = ["AWS::Lambda::Function"]
        _trail(t)["AdvancedEventSelectors"] = [MANAGEMENT, data]

    assert _weakened(change)[0].endswith("no advanced event selector records S3 object events")


@pytest.mark.parametrize("trails", [0, 2])
def test_a_baseline_without_exactly_one_trail_is_non_compliant(trails):
    def change(t):
        trail = t["Resources"].pop("Trail")
        for number in range(trails):
            t["Resources"][f"Trail{number}"] = trail

    (finding,) = _weakened(change)
    assert finding == f"tenantkit-baseline-x: {trails} CloudTrail trails, expected exactly one"


def _key_findings(change) -> tuple[str, ...]:
    template = copy.deepcopy(_good())
    change(_statements(template))
    result = audit_key_decrypts_only_for_named_readers(_baseline(template))
    assert result.status is Compliance.NON_COMPLIANT
    return result.findings


def test_an_account_wide_decrypt_is_non_compliant():
    (finding,) = _key_findings(lambda s: s[3].pop("Condition"))
    assert "statement Readers grants kms:Decrypt" in finding


def test_a_reader_the_tenant_files_do_not_name_is_non_compliant():
    admin = f"arn:aws:iam::{ACCOUNT}:role/Admin"
    (finding,) = _key_findings(lambda s: s[3]["Condition"]["ArnLike"]["aws:PrincipalArn"].append(admin))
    assert "statement Readers" in finding


def test_cloudtrail_without_a_source_trail_is_non_compliant():
    (finding,) = _key_findings(lambda s: s[2].pop("Condition"))
    assert "statement CloudTrail grants kms:GenerateDataKey*" in finding


@pytest.mark.parametrize("action", ["kms:*", "*", "kms:ReEncrypt*", "kms:Decrypt*"])
def test_a_wildcard_covering_decrypt_to_the_account_is_non_compliant(action):
    (finding,) = _key_findings(lambda s: s[0].update({"Action": action}))
    assert "statement Admins" in finding


def test_a_baseline_without_a_key_is_not_applicable_to_the_key_rule():
    template = _good()
    del template["Resources"]["Key"]
    assert audit_key_decrypts_only_for_named_readers(_baseline(template)).status is Compliance.NOT_APPLICABLE
