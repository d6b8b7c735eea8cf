"""The incident topics' own key and their publishers named by aws:SourceArn."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tenantkit.compliance import RULES, Compliance, StackTemplate, TenantAssembly
from tenantkit.compliance.incident_topics import incident_topics_have_own_key_and_named_publishers
from tenantkit.naming import names_for

ACCOUNT = "111122223333"
NAMES = names_for("acme", ACCOUNT, "us-east-1", "us-west-2")


def _channel(region: str) -> dict[str, Any]:
    topic = {"Ref": "IncidentsTopic"}
    return {
        "Resources": {
            "DataKey": {"Type": "AWS::KMS::Key", "Properties": {}},
            "DataKeyAlias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": NAMES.key_alias, "TargetKeyId": {"Fn::GetAtt": ["DataKey", "Arn"]}}},
            "IncidentsKey": {"Type": "AWS::KMS::Key", "Properties": {}},
            "IncidentsKeyAlias": {
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": NAMES.incident_key_alias, "TargetKeyId": {"Fn::GetAtt": ["IncidentsKey", "Arn"]}},
            },
            "IncidentsTopic": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"TopicName": NAMES.incident_topic, "KmsMasterKeyId": {"Fn::GetAtt": ["IncidentsKey", "Arn"]}},
            },
            "IncidentsTopicPolicy": {
                "Type": "AWS::SNS::TopicPolicy",
                "Properties": {
                    "Topics": [topic],
                    "PolicyDocument": {"Statement": [
                        {"Sid": "Tls", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": topic,
                         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                        *[
                            {"Sid": sid, "Effect": "Allow", "Principal": {"Service": service}, "Action": "sns:Publish", "Resource": topic,
                             "Condition": {"ArnLike": {"aws:SourceArn": [source]}, "StringEquals": {"aws:SourceAccount": ACCOUNT}}}
                            for sid, service, source in (
                                ("Backup", "backup.amazonaws.com", NAMES.vault_arn_in(region)),
                                ("Alarms", "cloudwatch.amazonaws.com", NAMES.incident_alarm_arn_pattern(region)),
                                ("Rules", "events.amazonaws.com", NAMES.incident_rule_arn_pattern(region)),
                            )
                        ],
                    ]},
                },
            },
        }
    }  # fmt: skip


def _assembly(primary: dict[str, Any] | None = None, dr: dict[str, Any] | None = None) -> TenantAssembly:
    return TenantAssembly(
        tenant_id="acme",
        zone=frozenset({"us-east-1", "us-west-2"}),
        stacks=(
            StackTemplate("tenant-acme-dr", "us-west-2", dr or _channel("us-west-2")),
            StackTemplate("tenant-acme-primary", "us-east-1", primary or _channel("us-east-1")),
            StackTemplate("tenant-acme-replica", "us-west-2", {"Resources": {}}),
        ),
    )


def _statement(template: dict[str, Any], sid: str) -> dict[str, Any]:
    statements = template["Resources"]["IncidentsTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    return next(s for s in statements if s["Sid"] == sid)


def _check(**templates: dict[str, Any]):
    return incident_topics_have_own_key_and_named_publishers(_assembly(**templates))


def test_own_key_and_named_publishers_comply():
    result = _check()
    assert result.status is Compliance.COMPLIANT, result.findings


def test_the_account_token_in_source_arns_complies():
    primary = _channel("us-east-1")
    _statement(primary, "Rules")["Condition"]["ArnLike"]["aws:SourceArn"] = [
        {"Fn::Join": ["", ["arn:aws:events:us-east-1:", {"Ref": "AWS::AccountId"}, ":rule/tenantkit-acme.*"]]}
    ]
    assert _check(primary=primary).status is Compliance.COMPLIANT


def test_a_topic_encrypted_with_the_data_key_is_a_finding():
    primary = _channel("us-east-1")
    primary["Resources"]["IncidentsTopic"]["Properties"]["KmsMasterKeyId"] = {"Fn::GetAtt": ["DataKey", "Arn"]}
    result = _check(primary=primary)
    assert list(result.findings) == ["tenant-acme-primary/IncidentsTopic: is encrypted with the tenant's data key, not a key of its own"]


@pytest.mark.parametrize("key", [None, "alias/aws/sns", {"Ref": "Unaliased"}])
def test_a_topic_without_its_own_key_is_a_finding(key):
    dr = _channel("us-west-2")
    props = dr["Resources"]["IncidentsTopic"]["Properties"]
    if key is None:
        del props["KmsMasterKeyId"]
    else:
        props["KmsMasterKeyId"] = key
    result = _check(dr=dr)
    assert result.status is Compliance.NON_COMPLIANT
    assert result.findings[0].startswith("tenant-acme-dr/IncidentsTopic: KmsMasterKeyId")


@pytest.mark.parametrize("sid", ["Backup", "Alarms", "Rules"])
def test_a_publisher_named_by_account_only_is_a_finding(sid):
    primary = _channel("us-east-1")
    del _statement(primary, sid)["Condition"]["ArnLike"]
    result = _check(primary=primary)
    assert result.status is Compliance.NON_COMPLIANT
    assert "without aws:SourceArn" in result.findings[0] and f"statement {sid}" in result.findings[0]


@pytest.mark.parametrize(
    ("sid", "source"),
    [
        ("Rules", "arn:aws:events:us-east-1:111122223333:rule/*"),
        ("Rules", "arn:aws:events:us-east-1:111122223333:rule/tenantkit-acme*"),  # acme-x's too
        ("Alarms", names_for("acme-x", ACCOUNT, "us-east-1", "us-west-2").incident_alarm_arn_pattern("us-east-1")),
        ("Backup", NAMES.vault_arn_in("us-west-2")),  # the other region's vault
    ],
)
def test_a_source_that_is_not_the_tenants_own_is_a_finding(sid, source):
    primary = _channel("us-east-1")
    _statement(primary, sid)["Condition"]["ArnLike"]["aws:SourceArn"] = [source]
    result = _check(primary=primary)
    assert result.status is Compliance.NON_COMPLIANT
    assert "not the tenant's own" in result.findings[0]


def test_a_topic_without_a_policy_is_a_finding():
    primary = copy.deepcopy(_channel("us-east-1"))
    del primary["Resources"]["IncidentsTopicPolicy"]
    assert list(_check(primary=primary).findings) == ["tenant-acme-primary/IncidentsTopic: has no topic policy naming its publishers"]


def test_not_applicable_without_an_incident_topic():
    empty = {"Resources": {}}
    assert _check(primary=empty, dr=empty).status is Compliance.NOT_APPLICABLE


def test_the_rule_runs_with_the_others():
    assert incident_topics_have_own_key_and_named_publishers in RULES


def test_the_tenant_key_rule_takes_the_incident_key_for_the_incident_topic_only():
    from tenantkit.compliance.tenant_key import encryption_uses_tenant_key

    primary = _channel("us-east-1")
    primary["Resources"]["Queue"] = {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": {"Fn::GetAtt": ["IncidentsKey", "Arn"]}}}
    findings = encryption_uses_tenant_key(_assembly(primary=primary)).findings
    assert [f.split(":")[0] for f in findings] == ["tenant-acme-primary/Queue"]  # the topic passes, the queue does not
