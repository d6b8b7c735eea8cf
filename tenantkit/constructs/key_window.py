"""The operator's alert during offboarded tenants' key-deletion windows, kept by the baseline stack.

Offboarding schedules a tenant's KMS keys for deletion (30 days) and deletes the tenant's stacks,
so the tenant's own key-change rule and incident topic are gone while the keys can still be
brought back. The baseline outlives every tenant of its account and region, but cannot know which
keys are scheduled (that changes with every offboarding, after the baseline was deployed), so its
rule watches the calls that undo a deletion on any key of the region; the operator tells a
tenant's key by its ARN in CloudTrail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import aws_events as events
from constructs import Construct

from tenantkit.constructs.detection import CLOUDTRAIL_CALL
from tenantkit.constructs.incident_rules import operator_alert, operator_publisher

KEY_UNDO_CALLS = ("CancelKeyDeletion", "EnableKey")
"""The KMS calls that undo a scheduled deletion: cancel it, then make the key usable again."""
KEY_UNDO_DESCRIPTION = "a KMS key of the region had its deletion cancelled or was enabled (an offboarded tenant's key?)"

KEY_UNDO_PATTERN: dict[str, Any] = {
    "source": ["aws.kms"],
    "detail-type": [CLOUDTRAIL_CALL],
    "detail": {"eventSource": ["kms.amazonaws.com"], "eventName": list(KEY_UNDO_CALLS)},
}
"""Any key of the region: no pattern can name the keys offboarding will schedule later."""


@dataclass(frozen=True, kw_only=True)
class KeyDeletionWindowAlertProps:
    operator_topic_arns: Sequence[str]
    """fleet.yaml's operator channel topics of the stack's region (one per zone with tenants there)."""
    rule_name: str
    role_path: str
    """The IAM path of the role EventBridge publishes as (the topics' policies admit it by path)."""


class KeyDeletionWindowAlert(Construct):
    """Alerts the operator channel of its region whenever any KMS key there has its deletion
    cancelled or is re-enabled; the alert carries the call, time and region, never the caller."""

    def __init__(self, scope: Construct, id: str, props: KeyDeletionWindowAlertProps) -> None:
        super().__init__(scope, id)
        if not props.operator_topic_arns:
            raise ValueError("operator_topic_arns: at least one topic (no operator channel: no alert)")
        self.role = operator_publisher(
            self, topic_arns=props.operator_topic_arns, role_path=props.role_path, what="key-deletion-window alerts"
        )
        # KMS management calls reach EventBridge as CloudTrail events: the account needs a trail
        # recording management events (the baseline's own trail does).
        self.rule = events.CfnRule(
            self,
            "Rule",
            name=props.rule_name,
            description="CancelKeyDeletion or EnableKey of any KMS key of the region",
            event_pattern=KEY_UNDO_PATTERN,
            targets=[
                events.CfnRule.TargetProperty(
                    arn=arn,
                    id=f"OperatorChannel{index}",
                    role_arn=self.role.role_arn,
                    input_transformer=operator_alert("baseline", KEY_UNDO_DESCRIPTION),
                )
                for index, arn in enumerate(props.operator_topic_arns, 1)
            ],
        )
