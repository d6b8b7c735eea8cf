from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_sns as sns
from constructs import Construct

KEY_CHANGES = (
    "DisableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "EnableKey",
    "PutKeyPolicy",
    "DisableKeyRotation",
    "UpdateAlias",
    "DeleteAlias",
    "CreateGrant",
    "RevokeGrant",
)
"""KMS API calls on a tenant key that the tenant's security contact must hear about. During an
offboarded key's deletion window, CancelKeyDeletion and EnableKey are the calls that undo the
deletion."""
RDS_EVENT_CATEGORIES = ("failure", "security", "security patching", "low storage", "failover", "deletion", "read replica")
WAF_BLOCK_BAND_WIDTH = 3
"""Standard deviations of the WAF-blocks anomaly band: a sharp rise, not the daily noise."""


@dataclass(frozen=True, kw_only=True)
class TenantIncidentRulesProps:
    topic: sns.ITopic
    key_arns: Sequence[str] = ()
    """Changes to these keys (disable, deletion, policy, aliases, grants) are incidents."""
    db_instance_arns: Sequence[str] = ()
    """RDS failure and security events of these instances are incidents."""
    web_acl_name: str | None = None
    """A sharp rise in this web ACL's blocked requests is an incident."""


class TenantIncidentRules(Construct):
    """Routes to the tenant's incident topic: changes to the tenant's keys, RDS failure and security
    events of its databases, and a sharp rise in requests its web ACL blocks."""

    def __init__(self, scope: Construct, id: str, props: TenantIncidentRulesProps) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        target = [events.CfnRule.TargetProperty(arn=props.topic.topic_arn, id="IncidentTopic")]
        self.rules: list[events.CfnRule] = []
        if props.key_arns:
            # KMS management calls reach EventBridge as CloudTrail events: the account needs a
            # trail recording management events (AWS Organizations' trail or the account's own).
            self.rules.append(
                events.CfnRule(
                    self,
                    "KeyChanges",
                    description="Changes to the tenant's KMS keys",
                    event_pattern={
                        "source": ["aws.kms"],
                        "detail-type": ["AWS API Call via CloudTrail"],
                        "detail": {
                            "eventSource": ["kms.amazonaws.com"],
                            "eventName": list(KEY_CHANGES),
                            "resources": {"ARN": list(props.key_arns)},
                        },
                    },
                    targets=target,
                )
            )
            self.rules.append(
                events.CfnRule(
                    self,
                    "KeyDeletion",
                    description="A tenant KMS key reached its deletion date",
                    event_pattern={
                        "source": ["aws.kms"],
                        "detail-type": ["KMS CMK Deletion"],
                        "resources": list(props.key_arns),
                    },
                    targets=target,
                )
            )
        if props.db_instance_arns:
            self.rules.append(
                events.CfnRule(
                    self,
                    "DatabaseEvents",
                    description="Failure and security events of the tenant's databases",
                    event_pattern={
                        "source": ["aws.rds"],
                        "detail-type": ["RDS DB Instance Event"],
                        "resources": list(props.db_instance_arns),
                        "detail": {"EventCategories": list(RDS_EVENT_CATEGORIES)},
                    },
                    targets=target,
                )
            )
        self.waf_block_alarm: cloudwatch.CfnAlarm | None = None
        if props.web_acl_name is not None:
            blocked = cloudwatch.CfnAlarm.MetricDataQueryProperty(
                id="blocked",
                return_data=True,
                metric_stat=cloudwatch.CfnAlarm.MetricStatProperty(
                    metric=cloudwatch.CfnAlarm.MetricProperty(
                        namespace="AWS/WAFV2",
                        metric_name="BlockedRequests",
                        dimensions=[
                            cloudwatch.CfnAlarm.DimensionProperty(name="WebACL", value=props.web_acl_name),
                            cloudwatch.CfnAlarm.DimensionProperty(name="Region", value=stack.region),
                            cloudwatch.CfnAlarm.DimensionProperty(name="Rule", value="ALL"),
                        ],
                    ),
                    period=300,
                    stat="Sum",
                ),
            )
            band = cloudwatch.CfnAlarm.MetricDataQueryProperty(
                id="expected",
                return_data=True,
                expression=f"ANOMALY_DETECTION_BAND(blocked, {WAF_BLOCK_BAND_WIDTH})",
                label="Blocked requests (expected)",
            )
            self.waf_block_alarm = cloudwatch.CfnAlarm(
                self,
                "WafBlocksRise",
                alarm_description=f"Requests blocked by {props.web_acl_name} rose sharply above their usual band",
                comparison_operator="GreaterThanUpperThreshold",
                evaluation_periods=2,
                threshold_metric_id="expected",
                metrics=[blocked, band],
                treat_missing_data="notBreaching",
                alarm_actions=[props.topic.topic_arn],
            )
