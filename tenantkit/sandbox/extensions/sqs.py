"""AWS::SQS::QueuePolicy, in moto's SQS backend (for queues extensions add, e.g. the example's).

moto 5.2.5 defect: the type is skipped by its CloudFormation (reported CREATE_COMPLETE), so a
queue's TLS-only policy never reaches the queue. The policy is set as each queue's `Policy`
attribute, so `get_queue_attributes` sees it; deleting the resource clears it, as AWS does.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.sqs.models import sqs_backends

from tenantkit.sandbox.extensions._base import BackedModel


def _queue_name(queue_url: str) -> str:
    """The name in a queue URL (`Ref` of an AWS::SQS::Queue): its last path segment."""
    return queue_url.rstrip("/").rsplit("/", 1)[-1]


class QueuePolicy(BackedModel, CloudFormationModel):
    TYPE = "AWS::SQS::QueuePolicy"
    queues: list[str]
    ATTRIBUTES = frozenset({"Id"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> QueuePolicy:
        backend = sqs_backends[account_id][region_name]
        for queue_url in p["Queues"]:
            backend.set_queue_attributes(_queue_name(queue_url), {"Policy": json.dumps(p["PolicyDocument"])})
        model = cls(resource_name, {"Id": resource_name})
        model.queues = list(p["Queues"])
        return model

    def delete(self, account_id: str, region_name: str) -> None:
        backend = sqs_backends[account_id][region_name]
        for queue_url in self.queues:
            name = _queue_name(queue_url)
            if name in backend.queues:
                backend.queues[name].policy = None
