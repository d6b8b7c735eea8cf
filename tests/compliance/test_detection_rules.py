"""Every detection of issue 18.5 exists in the tenant's stacks, matched to exactly its resources."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tenantkit.compliance import RULES, Compliance, StackTemplate, TenantAssembly
from tenantkit.compliance.detection_rules import detection_rules_exist
from tenantkit.constructs.detection import detections_for
from tenantkit.naming import names_for

ACCOUNT = "111122223333"
NAMES = names_for("acme", ACCOUNT, "us-east-1", "us-west-2")
TOPIC = {"IncidentsTopic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": NAMES.incident_topic}}}
IMPORTED_TOPIC = {"Fn::ImportValue": "tenant-acme-dr:ExportsOutputRefIncidentsTopic"}


def _template(kind, *, topic: Any) -> dict[str, Any]:
    resources: dict[str, Any] = dict(TOPIC) if kind != "replica" else {}
    for detection in detections_for(NAMES, kind):
        resources[f"IncidentRules{detection.id}"] = {
            "Type": "AWS::Events::Rule",
            "Properties": {"EventPattern": copy.deepcopy(detection.pattern), "Targets": [{"Arn": topic, "Id": "IncidentTopic"}]},
        }
    return {"Resources": resources}


def _assembly(**replace: dict[str, Any]) -> TenantAssembly:
    templates = {
        "dr": _template("dr", topic={"Ref": "IncidentsTopic"}),
        "primary": _template("primary", topic={"Ref": "IncidentsTopic"}),
        "replica": _template("replica", topic=IMPORTED_TOPIC),
        **replace,
    }
    return TenantAssembly(
        tenant_id="acme",
        zone=frozenset({"us-east-1", "us-west-2"}),
        stacks=(
            StackTemplate("tenant-acme-dr", "us-west-2", templates["dr"]),
            StackTemplate("tenant-acme-primary", "us-east-1", templates["primary"]),
            StackTemplate("tenant-acme-replica", "us-west-2", templates["replica"]),
        ),
    )


def _rule(template: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return template["Resources"][f"IncidentRules{rule_id}"]["Properties"]


def test_the_tenants_own_rules_comply():
    result = detection_rules_exist(_assembly())
    assert result.status is Compliance.COMPLIANT, result.findings


def test_the_account_may_be_the_deploying_accounts_token():
    primary = _template("primary", topic={"Ref": "IncidentsTopic"})
    rule = _rule(primary, "BreakGlassUse")
    rule["EventPattern"]["detail"]["requestParameters"]["roleArn"] = [
        {"Fn::Join": ["", ["arn:aws:iam::", {"Ref": "AWS::AccountId"}, ":role/tenantkit/acme/tenantkit-acme-break-glass"]]}
    ]
    assert detection_rules_exist(_assembly(primary=primary)).status is Compliance.COMPLIANT


@pytest.mark.parametrize(("kind", "rule_id"), [(k, d.id) for k in ("dr", "primary", "replica") for d in detections_for(NAMES, k)])
def test_a_missing_rule_is_a_finding(kind, rule_id):
    template = _template(kind, topic={"Ref": "IncidentsTopic"} if kind != "replica" else IMPORTED_TOPIC)
    del template["Resources"][f"IncidentRules{rule_id}"]
    result = detection_rules_exist(_assembly(**{kind: template}))
    assert result.status is Compliance.NON_COMPLIANT
    assert list(result.findings) == [f"tenant-acme-{kind}: no rule detects exactly this tenant's "
                               f"{next(d for d in detections_for(NAMES, kind) if d.id == rule_id).description.lower()}"]


def test_a_rule_widened_to_a_prefix_is_a_finding():
    primary = _template("primary", topic={"Ref": "IncidentsTopic"})
    _rule(primary, "BucketChanges")["EventPattern"]["detail"]["requestParameters"]["bucketName"] = [{"prefix": "acme-"}]
    result = detection_rules_exist(_assembly(primary=primary))
    assert result.status is Compliance.NON_COMPLIANT
    assert "tenant-acme-primary: no rule detects" in result.findings[0]


def test_a_rule_matching_another_tenants_resources_is_a_finding():
    other = names_for("acme-x", ACCOUNT, "us-east-1", "us-west-2")
    primary = _template("primary", topic={"Ref": "IncidentsTopic"})
    (secret_reads,) = [d for d in detections_for(other, "primary") if d.id == "SecretReads"]
    _rule(primary, "SecretReads")["EventPattern"] = secret_reads.pattern
    assert detection_rules_exist(_assembly(primary=primary)).status is Compliance.NON_COMPLIANT


def test_a_rule_without_an_sns_target_is_a_finding():
    replica = _template("replica", topic="arn:aws:sqs:us-west-2:111122223333:elsewhere")
    result = detection_rules_exist(_assembly(replica=replica))
    assert result.status is Compliance.NON_COMPLIANT
    assert all("publishes to no SNS topic" in finding for finding in result.findings)
    assert len(result.findings) == len(detections_for(NAMES, "replica"))


def test_a_target_referring_to_something_else_in_the_stack_is_a_finding():
    primary = _template("primary", topic={"Ref": "SomeQueue"})
    primary["Resources"]["SomeQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
    assert detection_rules_exist(_assembly(primary=primary)).status is Compliance.NON_COMPLIANT


def test_not_applicable_without_the_tenants_stacks():
    assembly = TenantAssembly(tenant_id="acme", zone=frozenset({"us-east-1"}), stacks=())
    assert detection_rules_exist(assembly).status is Compliance.NOT_APPLICABLE


def test_the_rule_runs_with_the_others():
    assert detection_rules_exist in RULES
