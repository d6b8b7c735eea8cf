"""What the dr and primary stacks both start with: the tenant's key for the region, the incident
channel encrypted with it, and the rules that route key changes to it."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_kms as kms

from tenantkit.config.models import TenantConfig
from tenantkit.constructs.incident_channel import TenantIncidentChannel, TenantIncidentChannelProps
from tenantkit.constructs.key import TenantKey, TenantKeyProps
from tenantkit.naming import TAG_TENANT, TenantNames


def add_key_and_incidents(
    stack: Stack, *, key_id: str, config: TenantConfig, names: TenantNames, region: str, holds: str
) -> tuple[kms.IKey, TenantIncidentChannel]:
    """The tenant key of `region` (construct id `key_id`, pinned per stack) and the incident
    channel `Incidents`; `holds` says what the key protects, for its description."""
    key = TenantKey(
        stack,
        key_id,
        TenantKeyProps(
            alias=names.key_alias,
            tenant_log_group_arns=names.log_group_arn_patterns(region),
            description=f"tenantkit {config.tenant_id}: {holds} in {region}",
            tenant_tag=(TAG_TENANT, config.tenant_id),
            deployment_role_arn=names.deployment_role_arn(region),
        ),
    ).key
    incidents = TenantIncidentChannel(
        stack,
        "Incidents",
        TenantIncidentChannelProps(
            topic_name=names.incident_topic,
            key=key,
            security_email=str(config.contacts.security_email),
        ),
    )
    return key, incidents
