"""AWS::SNS::TopicPolicy and AWS::SNS::Subscription, in moto's SNS backend.

moto 5.2.5 defect: both types are skipped by its CloudFormation (reported CREATE_COMPLETE). The
policy is set as the topic's `Policy` attribute (moto's `policy`); the subscription goes through `subscribe`, with
its FilterPolicy, FilterPolicyScope, RawMessageDelivery and RedrivePolicy as subscription
attributes, so `get_topic_attributes` / `list_subscriptions_by_topic` see them.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.sns.models import sns_backends

from tenantkit.sandbox.extensions._base import BackedModel

# The scope first: moto validates a filter policy against the scope already set.
SUBSCRIPTION_ATTRIBUTES = ("FilterPolicyScope", "FilterPolicy", "RawMessageDelivery", "RedrivePolicy", "DeliveryPolicy")


def _backend(account_id: str, region_name: str) -> Any:
    return sns_backends[account_id][region_name]


class TopicPolicy(BackedModel, CloudFormationModel):
    TYPE = "AWS::SNS::TopicPolicy"
    topics: list[str]
    ATTRIBUTES = frozenset({"Id"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> TopicPolicy:
        backend = _backend(account_id, region_name)
        for topic_arn in p["Topics"]:
            backend.set_topic_attribute(topic_arn, "policy", json.dumps(p["PolicyDocument"]))
        model = cls(resource_name, {"Id": resource_name})
        model.topics = list(p["Topics"])
        return model

    def delete(self, account_id: str, region_name: str) -> None:
        """AWS puts back the default policy; moto's topic answers its default when unset."""
        backend = _backend(account_id, region_name)
        for topic_arn in self.topics:
            if topic_arn in backend.topics:
                topic = backend.topics[topic_arn]
                topic._policy_json = topic._create_default_topic_policy(region_name, account_id, topic.name)


class Subscription(BackedModel, CloudFormationModel):
    TYPE = "AWS::SNS::Subscription"
    ATTRIBUTES = frozenset({"Arn"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> Subscription:
        backend = _backend(account_id, region_name)
        subscription = backend.subscribe(p["TopicArn"], p.get("Endpoint"), p["Protocol"])
        for name in SUBSCRIPTION_ATTRIBUTES:
            if name in p:
                value = p[name]
                text = json.dumps(value) if isinstance(value, dict) else str(value).lower() if isinstance(value, bool) else value
                backend.set_subscription_attributes(subscription.arn, name, text)
        return cls(subscription.arn, {"Arn": subscription.arn})

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).unsubscribe(self.physical_resource_id)
