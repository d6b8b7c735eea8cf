"""5. Audit logging: what is logged where (S3 access logs, WAF logs, database logs, VPC flow
logs), with each destination's retention and encryption."""

from __future__ import annotations

from typing import Any

from tenantkit.review.model import Section
from tenantkit.review.sections._words import days, text, where
from tenantkit.review.sections.encryption import access_log_buckets
from tenantkit.review.source import Stack, TenantTemplates

ID = "logging"
TITLE = "Audit logging"


def build(templates: TenantTemplates) -> Section:
    section = Section(ID, TITLE)
    logs = section.table("What is logged where", "Source", "Log", "Destination", "Kept", "Encryption")

    def add(stack: Stack, logical_id: str, log: str, destination: str, kept: str, encryption: str, problem: str | None = None) -> None:
        logs.add(f"{stack.name}/{logical_id}/{log}", where(stack.name, logical_id), log, destination, kept,
                 encryption, flagged=problem is not None)
        if problem:
            section.flag(stack.name, logical_id, problem)

    for stack in templates.stacks:
        groups = _log_groups(stack)
        log_buckets = access_log_buckets(stack)
        for logical_id, resource in stack.of_type("AWS::S3::Bucket"):
            if logical_id in log_buckets:
                continue
            logging = resource.get("Properties", {}).get("LoggingConfiguration")
            if not logging:
                add(stack, logical_id, "S3 access logs", "none", "—", "—", "bucket has no access logging")
                continue
            target = templates.target(stack, logging.get("DestinationBucketName"))
            destination = stack.resources.get(target[1], {}).get("Properties", {}) if target else {}
            expiry = [rule.get("ExpirationInDays") for rule in destination.get("LifecycleConfiguration", {}).get("Rules", []) if rule.get("ExpirationInDays")]
            add(stack, logical_id, "S3 access logs",
                f"bucket {where(target[0].name, target[1]) if target else text(logging.get('DestinationBucketName'))}"
                f" (prefix {logging.get('LogFilePrefix', '')!s})",
                days(expiry[0]) if expiry else "never expires", _bucket_encryption(destination))
        for logical_id, _ in stack.of_type("AWS::WAFv2::WebACL"):
            configs = [
                resource.get("Properties", {})
                for _, resource in stack.of_type("AWS::WAFv2::LoggingConfiguration")
                if templates.target(stack, resource.get("Properties", {}).get("ResourceArn")) == (stack, logical_id)
            ]
            if not configs:
                add(stack, logical_id, "WAF logs", "none", "—", "—", "web ACL has no logging")
                continue
            for destination in configs[0].get("LogDestinationConfigs", []):
                name = text(destination).split(":log-group:")[-1]
                redacted = [text(next(iter(f.values())).get("Name", "")) for f in configs[0].get("RedactedFields", [])]
                add(stack, logical_id, "WAF logs" + (f" (redacted: {', '.join(redacted)})" if redacted else ""),
                    *_group_columns(templates, stack, groups, name))
        for logical_id, resource in stack.of_type("AWS::RDS::DBInstance"):
            props = resource.get("Properties", {})
            exports = props.get("EnableCloudwatchLogsExports", [])
            if not exports:
                add(stack, logical_id, "database logs", "none", "—", "—", "database exports no logs")
            for log in exports:
                name = f"/aws/rds/instance/{text(props.get('DBInstanceIdentifier'))}/{log}"
                add(stack, logical_id, f"database {log} log", *_group_columns(templates, stack, groups, name))
        flows = {
            text(resource.get("Properties", {}).get("ResourceId")): resource.get("Properties", {})
            for _, resource in stack.of_type("AWS::EC2::FlowLog")
        }
        for logical_id, _ in stack.of_type("AWS::EC2::VPC"):
            flow = flows.get(text({"Ref": logical_id}))
            if flow is None:
                add(stack, logical_id, "VPC flow logs", "none", "—", "—", "VPC has no flow log")
                continue
            target = templates.target(stack, flow.get("LogGroupName"))
            name = text(stack.resources[target[1]].get("Properties", {}).get("LogGroupName")) if target else text(flow.get("LogGroupName"))
            add(stack, logical_id, f"VPC flow logs ({str(flow.get('TrafficType', '')).lower()} traffic)",
                *_group_columns(templates, stack, groups, name))
    return section


def _log_groups(stack: Stack) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        text(resource.get("Properties", {}).get("LogGroupName")): (logical_id, resource.get("Properties", {}))
        for logical_id, resource in stack.of_type("AWS::Logs::LogGroup")
    }


def _group_columns(templates: TenantTemplates, stack: Stack, groups: dict[str, tuple[str, dict[str, Any]]], name: str) -> tuple[str, str, str, str | None]:
    """Destination, kept, encryption, problem, for a log group by name."""
    if name not in groups:
        return f"log group {name} (not in the templates)", "unknown", "unknown", f"logs go to {name}, which the stacks do not create"
    logical_id, props = groups[name]
    key, problem = templates.describe_key(stack, props.get("KmsKeyId"))
    return f"log group {name} ({logical_id})", days(props.get("RetentionInDays")), key, (f"log group {name}: {problem}" if problem else None)


def _bucket_encryption(props: dict[str, Any]) -> str:
    rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
    algorithm = rules[0].get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") if rules else None
    return {"AES256": "S3-managed key (SSE-S3)", "aws:kms": "KMS key"}.get(algorithm or "", "none set")
