"""The baseline's alert during offboarded tenants' key-deletion windows (`constructs/key_window.py`):
its pattern matches CloudTrail's records of the calls that undo a deletion (moto's EventBridge
matcher, as tests/constructs/test_detection.py), and the rule exists only in a region where
fleet.yaml's operator channel has a topic, publishing there as a role under the baseline's path.

Expected topics come from the operator channel written here and the tenant file's regions, never
from the templates under test."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from tenantkit.config import load_tenants
from tenantkit.config.residency import Residency
from tenantkit.constructs.key_window import KEY_UNDO_CALLS, KEY_UNDO_PATTERN
from tenantkit.naming import BASELINE_ROLE_PATH, KEY_UNDO_RULE
from tests.stacks.conftest import EXAMPLES

ACCOUNT = "111122223333"
KEY_ARN = f"arn:aws:kms:ca-central-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TENANT = "maple-ca"
OPERATORS = "999988887777"


def kms_call(name: str, *, source: str = "aws.kms") -> dict[str, Any]:
    """A CloudTrail record of a KMS call as EventBridge delivers it (the record shape of
    https://docs.aws.amazon.com/kms/latest/developerguide/ct-cancel-key-deletion.html)."""
    return {
        "id": "7bf73129-1428-4cd3-a780-95db273d1610",
        "detail-type": "AWS API Call via CloudTrail",
        "source": source,
        "account": ACCOUNT,
        "time": "2026-12-07T06:00:00Z",
        "region": "ca-central-1",
        "resources": [],
        "detail": {
            "eventVersion": "1.09",
            "userIdentity": {"type": "AssumedRole", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/alice"},
            "eventSource": f"{source.removeprefix('aws.')}.amazonaws.com",
            "eventName": name,
            "awsRegion": "ca-central-1",
            "requestParameters": {"keyId": KEY_ARN},
            "responseElements": {"keyId": KEY_ARN},
            "resources": [{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": KEY_ARN}],
        },
    }


def matches(event: dict[str, Any]) -> bool:
    return EventPattern.load(json.dumps(KEY_UNDO_PATTERN)).matches_event(event)


@pytest.mark.parametrize("call", KEY_UNDO_CALLS)
def test_the_pattern_matches_each_call_that_undoes_a_key_deletion(call):
    assert matches(kms_call(call))


@pytest.mark.parametrize(
    "event",
    [kms_call("ScheduleKeyDeletion"), kms_call("DisableKey"), kms_call("Decrypt"), kms_call("EnableKey", source="aws.secretsmanager")],
    ids=["schedule", "disable", "decrypt", "another-service"],
)
def test_the_pattern_ignores_other_calls(event):
    assert not matches(event)


@pytest.fixture(scope="module")
def baselines(tmp_path_factory):
    """The example fleet's baselines with an operator channel topic in the tenant's primary region
    only (none in its secondary region)."""
    from tenantkit.jsii_node import ensure_jsii_node

    ensure_jsii_node()
    import aws_cdk as cdk

    from tenantkit.stacks.baseline import add_baselines

    configs = load_tenants([EXAMPLES])
    tenant = next(c for c in configs if c.tenant_id == TENANT)
    topic = f"arn:aws:sns:{tenant.primary_region}:{OPERATORS}:tenantkit-operators"
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("key-window")))
    stacks = add_baselines(app, configs, only_for=[tenant], operator_channel={Residency(tenant.residency): [topic]})
    templates = {key: cdk.assertions.Template.from_stack(stack).to_json() for key, stack in stacks.items()}
    return tenant, topic, templates


def _of(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == kind]


def test_the_rule_alerts_the_operator_channel_of_its_region(baselines):
    tenant, topic, templates = baselines
    template = templates[(tenant.account, tenant.primary_region)]
    (rule,) = _of(template, "AWS::Events::Rule")
    assert rule["Name"] == KEY_UNDO_RULE
    assert rule["EventPattern"] == KEY_UNDO_PATTERN
    (target,) = rule["Targets"]
    assert target["Arn"] == topic
    assert "<call>" in target["InputTransformer"]["InputTemplate"]
    assert "userIdentity" not in json.dumps(target["InputTransformer"]), "the alert never carries the caller"
    (role,) = _of(template, "AWS::IAM::Role")
    assert role["Path"] == BASELINE_ROLE_PATH
    (policy,) = _of(template, "AWS::IAM::ManagedPolicy")
    assert policy["Path"] == BASELINE_ROLE_PATH
    assert policy["PolicyDocument"]["Statement"] == [{"Action": "sns:Publish", "Effect": "Allow", "Resource": topic}]


def test_no_rule_where_the_operator_channel_has_no_topic(baselines):
    tenant, _, templates = baselines
    template = templates[(tenant.account, tenant.secondary_region)]
    assert _of(template, "AWS::Events::Rule") == []
    assert _of(template, "AWS::IAM::Role") == []


def test_the_baseline_role_path_is_no_tenants():
    from pydantic import TypeAdapter, ValidationError

    from tenantkit.config.models import TenantId
    from tenantkit.naming import ROLE_PATH_ROOT

    assert BASELINE_ROLE_PATH.startswith(ROLE_PATH_ROOT), "operator topics admit role/tenantkit/*"
    with pytest.raises(ValidationError):
        TypeAdapter(TenantId).validate_python(BASELINE_ROLE_PATH.removeprefix(ROLE_PATH_ROOT).rstrip("/"))
