"""Inventory of the incident topic's own key (issue 18.5): where the templates declare it, the
incident topic must be encrypted with it, not with the data key; the key is inventoried like the
tenant key."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from .test_inventory import PRIMARY, _deployed, _inventory, _item, _templates

INCIDENT_ALIAS = "alias/tenantkit/t1/incidents"
TOPIC = "tenantkit-t1-incidents"


@pytest.fixture
def aws():
    with mock_aws():
        yield


def _templates_with_incident_channel() -> dict[str, dict]:
    templates = _templates()
    templates["tenant-t1-primary"]["Resources"].update(
        {
            "IncidentsKey": {"Type": "AWS::KMS::Key", "Properties": {}},
            "IncidentsKeyAlias": {
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": INCIDENT_ALIAS, "TargetKeyId": {"Fn::GetAtt": ["IncidentsKey", "Arn"]}},
            },
            "IncidentsTopic": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"TopicName": TOPIC, "KmsMasterKeyId": {"Fn::GetAtt": ["IncidentsKey", "Arn"]}},
            },
        }
    )
    return templates


def _incident_key() -> str:
    kms = boto3.client("kms", region_name=PRIMARY)
    key = kms.create_key(Tags=[{"TagKey": "tenantkit:tenant", "TagValue": "t1"}])["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    kms.create_alias(AliasName=INCIDENT_ALIAS, TargetKeyId=key["KeyId"])
    return key["Arn"]


def _topic(key_arn: str) -> None:
    boto3.client("sns", region_name=PRIMARY).create_topic(Name=TOPIC, Attributes={"KmsMasterKeyId": key_arn})


def test_a_topic_under_its_own_key_is_not_flagged_and_the_key_is_inventoried(aws, tmp_path):
    _deployed("t1")
    _topic(_incident_key())
    inventory = _inventory(tmp_path, templates=_templates_with_incident_channel())
    assert _item(inventory, "topic", TOPIC).problems == ()
    key = _item(inventory, "kms key", INCIDENT_ALIAS)
    assert key.region == PRIMARY and not key.missing and key.problems == ()


def test_a_topic_under_the_data_key_is_flagged(aws, tmp_path):
    keys = _deployed("t1")
    _incident_key()
    _topic(keys[PRIMARY])
    inventory = _inventory(tmp_path, templates=_templates_with_incident_channel())
    (problem,) = _item(inventory, "topic", TOPIC).problems
    assert problem == f"encrypted with {keys[PRIMARY]}, not the tenant key"


def test_a_missing_incident_key_is_flagged_missing(aws, tmp_path):
    _deployed("t1")
    inventory = _inventory(tmp_path, templates=_templates_with_incident_channel())
    assert _item(inventory, "kms key", INCIDENT_ALIAS).missing
