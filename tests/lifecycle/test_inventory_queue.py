"""Inventory of a queue an extension declares (the example extension's): its key, dead-letter
queue and TLS-only policy, each weakened in one way and flagged."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from tenantkit.lifecycle.inventory.checks import TenantKeys, check_declared

REGION = "us-east-1"
TLS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sqs:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}],
}
DECLARED = {"RedrivePolicy": {"maxReceiveCount": 5}}


@pytest.fixture
def aws():
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        key = session.client("kms").create_key()["KeyMetadata"]["Arn"]
        yield session, key


def _queue(session, name: str, *, key: str | None, dead_letters: bool, policy: dict | None) -> None:
    sqs = session.client("sqs")
    attributes = {"KmsMasterKeyId": key} if key else {}
    if dead_letters:
        dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
    if policy:
        attributes["Policy"] = json.dumps(policy)
    sqs.create_queue(QueueName=name, Attributes=attributes)


def _item(session, key: str):
    return check_declared("AWS::SQS::Queue", session, REGION, "jobs", DECLARED, TenantKeys(verified=frozenset({key})))


def test_a_queue_as_declared_is_listed_with_nothing_flagged(aws):
    session, key = aws
    _queue(session, "jobs", key=key, dead_letters=True, policy=TLS_ONLY)
    item = _item(session, key)
    assert (item.kind, item.name, item.problems) == ("queue", "jobs", ())
    assert item.details["tls_only"] is True


@pytest.mark.parametrize(
    ("weakened", "problem"),
    [
        ({"key": None}, "encrypted with the SQS-managed key, not the tenant key"),
        ({"dead_letters": False}, "no dead-letter queue, the template declares one"),
        ({"policy": None}, "no policy refusing requests without TLS"),
    ],
    ids=["key", "dead-letters", "tls-only"],
)
def test_a_weakened_queue_is_flagged(aws, weakened, problem):
    session, key = aws
    _queue(session, "jobs", **{"key": key, "dead_letters": True, "policy": TLS_ONLY, **weakened})
    assert _item(session, key).problems == (problem,)


def test_a_declared_queue_that_is_gone_is_missing(aws):
    session, key = aws
    item = _item(session, key)
    assert (item.name, item.missing, item.problems, item.unchecked) == ("jobs", True, ("declared, does not exist",), ())
