from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from tenantkit.constructs.key import ADMIN_ACTIONS, DEPLOYER_ACTIONS

ONLY_PROBLEMS = {
    "$or": [
        {"State": [{"anything-but": ["COMPLETED"]}]},
        {"State": [{"exists": False}]},
    ]
}


@dataclass(frozen=True, kw_only=True)
class TenantIncidentChannelProps:
    topic_name: str
    key_alias: str
    """`naming.incident_key_alias`: the topic's own key, never the key of the tenant's data."""
    deployment_role_arn: str
    """The CDK CloudFormation execution role: the only principal that may change the key's policy."""
    security_email: str
    vault_arns: Sequence[str]
    """The backup vaults of this region whose notifications publish here."""
    alarm_arn_pattern: str
    """`naming.incident_alarm_arn_pattern`: the tenant's alarms of this region."""
    rule_arn_pattern: str
    """`naming.incident_rule_arn_pattern`: the tenant's EventBridge rules of this region."""


class TenantIncidentChannel(Construct):
    """Where the tenant's security contact hears about failed backups, failed replication, a
    lagging replica, changes to the tenant's keys, database failure and security events and a
    sharp rise in blocked requests: an SNS topic encrypted with its own key (not the data key),
    TLS-only, published to only by the tenant's own vaults, alarms and rules (`aws:SourceArn`),
    mailing the contact."""

    def __init__(self, scope: Construct, id: str, props: TenantIncidentChannelProps) -> None:
        super().__init__(scope, id)
        if "@" not in props.security_email:
            raise ValueError(f"security_email is not an e-mail address: {props.security_email!r}")
        stack = Stack.of(self)
        topic_arn = stack.format_arn(service="sns", resource=props.topic_name)
        publishers = {
            "backup.amazonaws.com": list(props.vault_arns),
            "cloudwatch.amazonaws.com": [props.alarm_arn_pattern],
            "events.amazonaws.com": [props.rule_arn_pattern],
        }
        deployer = {"ArnLike": {"aws:PrincipalArn": props.deployment_role_arn}}
        account = iam.AccountRootPrincipal()
        self.key = kms.Key(
            self,
            "Key",
            description=f"{props.topic_name}: encrypts the incident topic's messages only",
            enable_key_rotation=True,
            # The key protects messages in flight only: it goes with the stack.
            removal_policy=RemovalPolicy.DESTROY,
            policy=iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        sid="AdministratorsManageButCannotUse", principals=[account], actions=list(ADMIN_ACTIONS), resources=["*"]
                    ),
                    iam.PolicyStatement(
                        sid="DeploymentRoleKeepsPolicyAndAlias", principals=[account], actions=list(DEPLOYER_ACTIONS),
                        resources=["*"], conditions=deployer,
                    ),
                    # No aws:SourceAccount or aws:SourceArn here: EventBridge sends neither with its
                    # KMS requests for an encrypted topic; the encryption context binds the use to
                    # this topic, and the topic policy names who may publish.
                    iam.PolicyStatement(
                        sid="IncidentPublishersEncryptForTheTopic",
                        principals=[iam.ServicePrincipal(service) for service in publishers],
                        actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                        resources=["*"],
                        conditions={"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": topic_arn}},
                    ),
                ]
            ),
        )  # fmt: skip
        self.alias = kms.Alias(self, "KeyAlias", alias_name=props.key_alias, target_key=self.key)
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=props.topic_name,
            display_name=props.topic_name,
            master_key=self.key,
            enforce_ssl=True,
        )
        for service, source_arns in publishers.items():
            self.topic.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=f"{service.split('.')[0].capitalize()}PublishesFromTheTenantsOwn",
                    principals=[iam.ServicePrincipal(service)],
                    actions=["sns:Publish"],
                    resources=[self.topic.topic_arn],
                    conditions={
                        "ArnLike": {"aws:SourceArn": source_arns},
                        "StringEquals": {"aws:SourceAccount": stack.account},
                    },
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
