from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from tenantkit.constructs.detection import Detection

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
    detections: Sequence[Detection] = ()
    """What a security lead must hear about (`detection.detections_for`): each reaches the topic
    and, when there is one, the operator channel."""
    operator: OperatorChannel | None = None
    name_of: Callable[[str], str] | None = None
    """`naming.incident_publisher`: each rule's and alarm's name from its construct id, which the
    incident topic's policy admits by `aws:SourceArn`."""


@dataclass(frozen=True, kw_only=True)
class OperatorChannel:
    """The fleet's operator channel in this stack's region (fleet.yaml `operator_channel`)."""

    topic_arn: str
    tenant_id: str
    """The only thing about the tenant the alert text carries."""
    role_path: str
    """The tenant's IAM path, for the role EventBridge publishes as (the topic may be another account's)."""


def operator_alert(tenant_id: str, description: str) -> events.CfnRule.InputTransformerProperty:
    """The operator's alert: the tenant id, what the rule watches, the event's type, API call,
    time and region; never the event's details (callers, parameters, addresses)."""
    return events.CfnRule.InputTransformerProperty(
        input_paths_map={"type": "$.detail-type", "call": "$.detail.eventName", "time": "$.time", "region": "$.region"},
        input_template=f'"tenantkit {tenant_id}: {description}: <type> <call> at <time> in <region>"',
    )


def operator_publisher(scope: Construct, *, topic_arns: Sequence[str], role_path: str, what: str) -> iam.Role:
    """The role (`OperatorChannelRole` under `scope`, at `role_path`) EventBridge rules of this
    account publish `what` to the operator channel as: the topic may be another account's, which
    only a rule target with a role reaches. Publishing to `topic_arns` is all it may do."""
    role = iam.Role(
        scope,
        "OperatorChannelRole",
        path=role_path,
        assumed_by=iam.ServicePrincipal(
            "events.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}
        ),
        description=f"EventBridge publishes {what} to the operator channel",
    )
    # A managed policy, not an inline one (cdk-nag's IAMNoInlinePolicy).
    iam.ManagedPolicy(
        scope,
        "OperatorChannelPublish",
        path=role_path,
        description=f"Publish {what} to the operator channel's topic of this region",
        statements=[iam.PolicyStatement(actions=["sns:Publish"], resources=list(topic_arns))],
        roles=[role],
    )
    return role


class TenantIncidentRules(Construct):
    """Routes to the tenant's incident topic: changes to the tenant's keys, RDS failure and security
    events of its databases, and a sharp rise in requests its web ACL blocks."""

    def __init__(self, scope: Construct, id: str, props: TenantIncidentRulesProps) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        target = [events.CfnRule.TargetProperty(arn=props.topic.topic_arn, id="IncidentTopic")]

        def name(construct_id: str) -> str | None:
            return props.name_of(construct_id) if props.name_of is not None else None

        self.rules: list[events.CfnRule] = []
        if props.key_arns:
            # KMS management calls reach EventBridge as CloudTrail events: the account needs a
            # trail recording management events (AWS Organizations' trail or the account's own).
            self.rules.append(
                events.CfnRule(
                    self,
                    "KeyChanges",
                    name=name("KeyChanges"),
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
                    name=name("KeyDeletion"),
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
                    name=name("DatabaseEvents"),
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
        self.operator_role: iam.Role | None = None
        operator = props.operator
        if operator is not None and props.detections:
            self.operator_role = operator_publisher(
                self, topic_arns=[operator.topic_arn], role_path=operator.role_path, what=f"{operator.tenant_id}'s detections"
            )
        for detection in props.detections:
            targets = [events.CfnRule.TargetProperty(arn=props.topic.topic_arn, id="IncidentTopic")]
            if operator is not None and self.operator_role is not None:
                targets.append(
                    events.CfnRule.TargetProperty(
                        arn=operator.topic_arn,
                        id="OperatorChannel",
                        role_arn=self.operator_role.role_arn,
                        input_transformer=operator_alert(operator.tenant_id, detection.description),
                    )
                )
            self.rules.append(
                events.CfnRule(
                    self, detection.id, name=name(detection.id), description=detection.description,
                    event_pattern=detection.pattern, targets=targets,
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
                alarm_name=name("WafBlocksRise"),
                alarm_description=f"Requests blocked by {props.web_acl_name} rose sharply above their usual band",
                comparison_operator="GreaterThanUpperThreshold",
                evaluation_periods=2,
                threshold_metric_id="expected",
                metrics=[blocked, band],
                treat_missing_data="notBreaching",
                alarm_actions=[props.topic.topic_arn],
            )
