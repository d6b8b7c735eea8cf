"""The detections of issue 18.5 in the synthesized example stacks: each rule's pattern is the one
`detection.detections_for` gives (tested against sample events in tests/constructs/test_detection.py),
with this tenant's names, publishing to its incident topic; no operator target without fleet.yaml's
`operator_channel`."""

from __future__ import annotations

import json

import pytest

from tenantkit.constructs.detection import DETECTION_IDS, detections_for
from tenantkit.naming import names_for

MAPLE = names_for("maple-ca", "111122223333", "ca-central-1", "ca-west-1")
TOPIC = {"Ref": "IncidentsTopic1CF18B78"}


def _rules(examples, kind: str) -> dict[str, dict]:
    template = examples.raw(f"tenant-maple-ca-{kind}")
    return {
        resource["Properties"]["Name"]: resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Events::Rule"
    }


@pytest.mark.parametrize("kind", ["dr", "primary", "replica"])
def test_each_detection_is_a_rule_with_the_tenants_exact_pattern(examples, kind):
    rules = _rules(examples, kind)
    for detection in detections_for(MAPLE, kind):
        rule = rules[MAPLE.incident_publisher(detection.id)]
        assert rule["EventPattern"] == detection.pattern
        assert rule["Description"] == detection.description
        assert "maple-ca" in json.dumps(rule["EventPattern"])


@pytest.mark.parametrize("kind", ["dr", "primary"])
def test_detections_publish_to_the_incident_topic_only_without_an_operator_channel(examples, kind):
    rules = _rules(examples, kind)
    for rule_id in DETECTION_IDS[kind]:
        assert rules[MAPLE.incident_publisher(rule_id)]["Targets"] == [{"Arn": TOPIC, "Id": "IncidentTopic"}]


def test_the_replicas_detections_publish_to_the_dr_regions_topic(examples):
    for rule_id in DETECTION_IDS["replica"]:
        (target,) = _rules(examples, "replica")[MAPLE.incident_publisher(rule_id)]["Targets"]
        assert "tenant-maple-ca-dr" in target["Arn"]["Fn::ImportValue"]


def test_the_rotation_function_runs_as_the_role_detection_excuses(examples):
    examples.template("tenant-maple-ca-primary").has_resource_properties(
        "AWS::IAM::Role", {"RoleName": MAPLE.rotation_role, "Path": MAPLE.role_path}
    )
