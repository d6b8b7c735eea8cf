from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

ONLY_PROBLEMS = {
    "$or": [
        {"State": [{"anything-but": ["COMPLETED"]}]},
        {"State": [{"exists": False}]},
    ]
}


@dataclass(frozen=True, kw_only=True)
class TenantIncidentChannelProps:
    topic_name: str
    key: kms.IKey
    security_email: str
    publishers: tuple[str, ...] = ("backup.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com")
    """Services that may publish (backup vault events, alarms, EventBridge rules), only for this
    account."""


class TenantIncidentChannel(Construct):
    """Where the tenant's security contact hears about failed backups, failed replication, a
    lagging replica, changes to the tenant's keys, database failure and security events and a
    sharp rise in blocked requests: an SNS topic encrypted with the tenant key, TLS-only, published to only by
    the tenant's services in this account, mailing the contact."""

    def __init__(self, scope: Construct, id: str, props: TenantIncidentChannelProps) -> None:
        super().__init__(scope, id)
        if "@" not in props.security_email:
            raise ValueError(f"security_email is not an e-mail address: {props.security_email!r}")
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=props.topic_name,
            display_name=props.topic_name,
            master_key=props.key,
            enforce_ssl=True,
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="TenantServicesPublishForThisAccountOnly",
                principals=[iam.ServicePrincipal(service) for service in props.publishers],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            )
        )
        # Backup reports every finished job; only the ones that did not complete reach the
        # contact. Alarms carry no State attribute and always pass.
        self.subscription = sns.CfnSubscription(
            self,
            "SecurityContact",
            topic_arn=self.topic.topic_arn,
            protocol="email",
            endpoint=props.security_email,
            filter_policy_scope="MessageAttributes",
            filter_policy=ONLY_PROBLEMS,
        )
