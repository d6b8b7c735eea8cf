"""AWS::CloudTrail::Trail, in moto's CloudTrail backend.

moto 5.2.5 defect: its CloudFormation has no model for the type (the resource is skipped and the
stack reported CREATE_COMPLETE), so the baseline stack's audit trail never exists. The trail goes
through `create_trail` (bucket, key, log file validation, global events), its event selectors
(advanced or basic) through `put_event_selectors`, `IsLogging` through `start_logging` /
`stop_logging`, so `describe_trails`, `get_event_selectors` and `get_trail_status` see them;
deleting the resource deletes the trail. An update replaces the trail (BackedModel's default).
"""

from __future__ import annotations

from typing import Any, cast

from moto.cloudtrail.models import cloudtrail_backends
from moto.core.common_models import CloudFormationModel

from tenantkit.sandbox.extensions._base import BackedModel, tag_list


def _flag(value: Any) -> bool:
    """A CloudFormation boolean: JSON true, or the string "true" of a resolved template."""
    return value is True or str(value).lower() == "true"


def _optional(p: dict[str, Any], name: str) -> str:
    """An optional property as moto's own CreateTrail handler passes it: None when absent (moto's
    signature says str, its code takes None)."""
    return cast(str, p.get(name))


class Trail(BackedModel, CloudFormationModel):
    TYPE = "AWS::CloudTrail::Trail"
    ATTRIBUTES = frozenset({"Arn", "SnsTopicArn"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> Trail:
        backend = cloudtrail_backends[account_id][region_name]
        trail = backend.create_trail(
            name=p.get("TrailName") or resource_name,
            bucket_name=p["S3BucketName"],
            s3_key_prefix=_optional(p, "S3KeyPrefix"),
            sns_topic_name=_optional(p, "SnsTopicName"),
            is_global=_flag(p.get("IncludeGlobalServiceEvents", True)),
            is_multi_region=_flag(p.get("IsMultiRegionTrail", False)),
            log_validation=_flag(p.get("EnableLogFileValidation", False)),
            is_org_trail=_flag(p.get("IsOrganizationTrail", False)),
            cw_log_group_arn=_optional(p, "CloudWatchLogsLogGroupArn"),
            cw_role_arn=_optional(p, "CloudWatchLogsRoleArn"),
            kms_key_id=_optional(p, "KMSKeyId"),
            tags_list=tag_list(p.get("Tags")),
        )
        if p.get("EventSelectors") or p.get("AdvancedEventSelectors"):
            backend.put_event_selectors(trail.trail_name, p.get("EventSelectors") or [], p.get("AdvancedEventSelectors") or [])
        if _flag(p["IsLogging"]):  # required by CloudFormation
            backend.start_logging(trail.trail_name)
        return cls(trail.trail_name, {"Arn": trail.arn, "SnsTopicArn": trail.topic_arn})

    def delete(self, account_id: str, region_name: str) -> None:
        cloudtrail_backends[account_id][region_name].delete_trail(self.physical_resource_id)
