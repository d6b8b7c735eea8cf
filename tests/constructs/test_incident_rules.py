"""The operator channel target of each detection: the fleet's topic of the region, an alert text
with the tenant id only, published as a role under the tenant's path allowed that topic alone."""

from __future__ import annotations

from tenantkit.constructs.detection import detections_for
from tenantkit.naming import names_for

from .conftest import template_of

NAMES = names_for("acme", "123456789012", "us-east-1", "us-west-2")
OPERATOR = "arn:aws:sns:us-east-1:999988887777:tenantkit-operators"


def _rules(stack, operator: bool):
    from aws_cdk import aws_sns as sns

    from tenantkit.constructs.incident_rules import OperatorChannel, TenantIncidentRules, TenantIncidentRulesProps

    topic = sns.Topic(stack, "Topic")
    TenantIncidentRules(
        stack,
        "Rules",
        TenantIncidentRulesProps(
            topic=topic,
            detections=detections_for(NAMES, "primary"),
            operator=OperatorChannel(topic_arn=OPERATOR, tenant_id="acme", role_path=NAMES.role_path) if operator else None,
            name_of=NAMES.incident_publisher,
        ),
    )
    return template_of(stack)


def test_each_detection_also_reaches_the_operator_channel_with_the_tenant_id_only(stack):
    template = _rules(stack, operator=True)
    rules = template.find_resources("AWS::Events::Rule")
    assert len(rules) == len(detections_for(NAMES, "primary"))
    for rule in rules.values():
        (operator,) = [t for t in rule["Properties"]["Targets"] if t["Id"] == "OperatorChannel"]
        assert operator["Arn"] == OPERATOR
        transformer = operator["InputTransformer"]
        assert transformer["InputTemplate"].startswith('"tenantkit acme: ')
        assert set(transformer["InputPathsMap"].values()) == {"$.detail-type", "$.detail.eventName", "$.time", "$.region"}
        assert "RoleArn" in operator


def test_the_operator_role_lives_under_the_tenant_path_and_publishes_to_that_topic_only(stack):
    template = _rules(stack, operator=True)
    (role,) = template.find_resources("AWS::IAM::Role").values()
    assert role["Properties"]["Path"] == NAMES.role_path
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "events.amazonaws.com"}
    (policy,) = template.find_resources("AWS::IAM::ManagedPolicy").values()
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {"Action": "sns:Publish", "Effect": "Allow", "Resource": OPERATOR}
    ]


def test_without_an_operator_channel_there_is_no_operator_target_nor_role(stack):
    template = _rules(stack, operator=False)
    template.resource_count_is("AWS::IAM::Role", 0)
    for rule in template.find_resources("AWS::Events::Rule").values():
        assert [t["Id"] for t in rule["Properties"]["Targets"]] == ["IncidentTopic"]


def test_rules_are_named_for_the_topic_policy(stack):
    template = _rules(stack, operator=False)
    names = sorted(r["Properties"]["Name"] for r in template.find_resources("AWS::Events::Rule").values())
    assert names == sorted(NAMES.incident_publisher(d.id) for d in detections_for(NAMES, "primary"))
