"""Every encryptable resource is encrypted with this tenant's own key, in the resource's region."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.naming import key_alias_of, names_for

RULE = "encryption-uses-tenant-key"


def _key_settings(resource_type: str, props: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(property path, key reference or None) for every place this resource names its key."""
    if resource_type == "AWS::S3::Bucket":
        rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
        if not rules:
            yield "BucketEncryption", None
        for rule in rules:
            default = rule.get("ServerSideEncryptionByDefault", {})
            if default.get("SSEAlgorithm") == "aws:kms":
                yield "BucketEncryption.KMSMasterKeyID", default.get("KMSMasterKeyID")
            else:
                yield f"BucketEncryption.SSEAlgorithm={default.get('SSEAlgorithm')}", None
    elif resource_type == "AWS::RDS::DBInstance":
        yield "KmsKeyId", props.get("KmsKeyId")
        if props.get("EnablePerformanceInsights"):
            yield "PerformanceInsightsKMSKeyId", props.get("PerformanceInsightsKMSKeyId")
        if props.get("ManageMasterUserPassword"):
            yield "MasterUserSecret.KmsKeyId", props.get("MasterUserSecret", {}).get("KmsKeyId")
    elif resource_type == "AWS::Logs::LogGroup":
        yield "KmsKeyId", props.get("KmsKeyId")
    elif resource_type in ("AWS::SNS::Topic", "AWS::SQS::Queue"):  # SQS: what the example extension adds
        yield "KmsMasterKeyId", props.get("KmsMasterKeyId")
    elif resource_type == "AWS::Backup::BackupVault":
        yield "EncryptionKeyArn", props.get("EncryptionKeyArn")
    elif resource_type == "AWS::SecretsManager::Secret":
        yield "KmsKeyId", props.get("KmsKeyId")


def _tenant_keys(stack: StackTemplate, alias: str) -> set[str]:
    """Logical ids of the keys in `stack` that carry the tenant's alias."""
    keys = set()
    for resource in stack.resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::KMS::Alias" and props.get("AliasName") == alias:
            target = props.get("TargetKeyId", {})
            if isinstance(target, dict) and ("Ref" in target or "Fn::GetAtt" in target):
                keys.add(target.get("Ref") or target["Fn::GetAtt"][0])
    return keys


def _is_tenant_key(value: Any, stack: StackTemplate, region: str, assembly: TenantAssembly, alias: str | None = None) -> bool:
    """`value` names the tenant's key of `region` (with `alias`: the tenant's key behind that alias)."""
    alias = alias or key_alias_of(assembly.tenant_id, assembly.generation)
    if isinstance(value, dict) and "Fn::ImportValue" in value:
        exported = assembly.exports().get(value["Fn::ImportValue"])
        if exported is None:
            return False
        source, exported_value = exported
        return source.region == region and _is_tenant_key(exported_value, source, region, assembly, alias)
    if isinstance(value, dict) and ("Ref" in value or "Fn::GetAtt" in value):
        logical_id = value.get("Ref") or value["Fn::GetAtt"][0]
        return stack.region == region and logical_id in _tenant_keys(stack, alias)
    text = render(value)
    return bool(re.fullmatch(rf"arn:[^:]+:kms:{re.escape(region)}:[^:]+:{re.escape(alias)}", text))


def _alias_for(resource: dict[str, Any], assembly: TenantAssembly) -> str | None:
    """The incident topic has its own key (issue 18.5): its alias, not the data key's."""
    names = names_for(assembly.tenant_id, "", "", "", assembly.generation)  # account and regions play no part here
    if resource["Type"] == "AWS::SNS::Topic" and render(resource.get("Properties", {}).get("TopicName")) == names.incident_topic:
        return names.incident_key_alias
    return None


def _bucket_regions(assembly: TenantAssembly) -> dict[str, str]:
    return {
        render(resource.get("Properties", {}).get("BucketName")): stack.region
        for stack, _, resource in assembly.resources()
        if resource["Type"] == "AWS::S3::Bucket"
    }


def _access_log_targets(stack: StackTemplate) -> set[str]:
    """Logical ids of buckets that receive S3 server access logs (S3 requires SSE-S3 there)."""
    targets = set()
    for resource in stack.resources.values():
        destination = (
            resource.get("Properties", {}).get("LoggingConfiguration", {}).get("DestinationBucketName")
        )
        if isinstance(destination, dict) and "Ref" in destination:
            targets.add(destination["Ref"])
    return targets


def encryption_uses_tenant_key(assembly: TenantAssembly) -> RuleResult:
    findings = []
    bucket_regions = _bucket_regions(assembly)
    log_targets = {stack.name: _access_log_targets(stack) for stack in assembly.stacks}
    for stack, logical_id, resource in assembly.resources():
        props = resource.get("Properties", {})
        where = f"{stack.name}/{logical_id}"
        for path, key in _key_settings(resource["Type"], props):
            if key is None:
                if logical_id in log_targets[stack.name] and path.endswith("=AES256"):
                    continue  # S3 log delivery cannot write to SSE-KMS buckets
                findings.append(f"{where}: {path} is not encrypted with a customer key")
            elif not _is_tenant_key(key, stack, stack.region, assembly, _alias_for(resource, assembly)):
                findings.append(f"{where}: {path} uses {render(key)}, not the tenant key in {stack.region}")
        replication = props.get("ReplicationConfiguration", {})
        for rule in replication.get("Rules", []):
            destination = rule.get("Destination", {})
            bucket = render(destination.get("Bucket", "")).removeprefix("arn:aws:s3:::")
            key = destination.get("EncryptionConfiguration", {}).get("ReplicaKmsKeyID")
            region = bucket_regions.get(bucket)
            if key is None or region is None or not _is_tenant_key(key, stack, region, assembly):
                findings.append(
                    f"{where}: replication to {bucket} is not re-encrypted with the tenant key "
                    f"of the destination's region"
                )
    return RuleResult.of(RULE, findings)
