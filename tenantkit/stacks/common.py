"""What the dr and primary stacks both start with: the tenant's key for the region, the incident
channel encrypted with it, and the rules that route key changes to it."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_kms as kms

from tenantkit.config.models import TenantConfig
from tenantkit.constructs.incident_channel import TenantIncidentChannel, TenantIncidentChannelProps
from tenantkit.constructs.incident_rules import OperatorChannel
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


def operator_channel(names: TenantNames, topic_arn: str | None) -> OperatorChannel | None:
    """The fleet's operator channel of the stack's region, or None when the fleet has none."""
    if topic_arn is None:
        return None
    return OperatorChannel(topic_arn=topic_arn, tenant_id=names.tenant_id, role_path=names.role_path)


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
            key_alias=names.incident_key_alias,
            deployment_role_arn=names.deployment_role_arn(region),
            security_email=str(config.contacts.security_email),
            vault_arns=[names.vault_arn_in(region)],
            alarm_arn_pattern=names.incident_alarm_arn_pattern(region),
            rule_arn_pattern=names.incident_rule_arn_pattern(region),
        ),
    )
    return key, incidents


def add_location_parameters(stack: Stack, *, names: TenantNames, db_endpoint: str | None = None, bucket: str | None = None) -> None:
    """What the application of this region reads to find its database and its file bucket (SSM
    `names.db_endpoint_parameter` and `names.bucket_parameter`). In the DR region the replica
    stack publishes the replica's endpoint and the DR stack the DR bucket; `failover start`
    re-points both regions' parameters at the promoted instance and the DR bucket."""
    from aws_cdk import aws_ssm as ssm

    if db_endpoint is not None:
        ssm.StringParameter(
            stack, "DbEndpointParameter", parameter_name=names.db_endpoint_parameter, string_value=db_endpoint,
            description="The tenant's database endpoint the application of this region connects to",
        )  # fmt: skip
    if bucket is not None:
        ssm.StringParameter(
            stack, "BucketParameter", parameter_name=names.bucket_parameter, string_value=bucket,
            description="The tenant's file bucket the application of this region uses",
        )  # fmt: skip
