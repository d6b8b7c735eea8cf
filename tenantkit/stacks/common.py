"""What the dr and primary stacks both start with: the tenant's key for the region, the incident
channel encrypted with it, and the rules that route key changes to it."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_kms as kms

from tenantkit.config.models import TenantConfig
from tenantkit.constructs.incident_channel import TenantIncidentChannel, TenantIncidentChannelProps
from tenantkit.constructs.key import TenantKey, TenantKeyProps
from tenantkit.constructs.tenant_roles import TenantPrincipals
from tenantkit.naming import TenantNames


def principals_of(names: TenantNames, region: str) -> TenantPrincipals:
    """Who may reach the tenant's stores in `region`, by role ARN."""
    return TenantPrincipals(
        role_arn_pattern=names.tenant_role_arn_pattern,
        deployment_role_arn=names.deployment_role_arn(region),
        offboarding_role_arn=names.offboarding_role_arn,
    )


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
            tenant_principal_arn_pattern=names.tenant_role_arn_pattern,
            incident_topic_arn=names.incident_topic_arn(region),
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
