from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sns as sns
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge
from tenantkit.constructs._checkov import skip_checkov
from tenantkit.constructs.postgres_base import TenantPostgresBase, TenantPostgresBaseProps, key_arn_of

REPLICA_LAG_ALARM_SECONDS = 300


@dataclass(frozen=True, kw_only=True)
class TenantReplicaDatabaseProps(TenantPostgresBaseProps):
    source_instance_arn: str
    """The primary instance, by its deterministic ARN (it lives in another region)."""
    source_region: str
    """The primary region: CloudFormation needs it for a cross-region replica."""
    incident_topic: sns.ITopic
    """The tenant's incident topic in this region: it receives the replica-lag alarm."""
    copied_backup_tiers: tuple[str, ...]
    """Which of the source's backup tiers are copied into this region's DR vault (e.g. hourly,
    daily): what the acknowledgment below may claim, and nothing more."""
    lag_alarm_name: str | None = None
    """`naming.incident_publisher`: the incident topic's policy admits the tenant's alarms by name."""


class TenantReplicaDatabase(Construct):
    """The tenant's cross-region read replica: encrypted with the tenant's DR key, TLS only, IAM
    authentication, unreachable from the internet, deletion-protected and retained; an alarm tells
    the incident channel when it falls behind."""

    def __init__(self, scope: Construct, id: str, props: TenantReplicaDatabaseProps) -> None:
        super().__init__(scope, id)
        if not props.source_instance_arn.startswith("arn:"):
            raise ValueError("source_instance_arn must be an ARN: the source is in another region")
        if f":{props.source_region}:" not in props.source_instance_arn:
            raise ValueError("source_region must be the region of source_instance_arn")
        self.base = TenantPostgresBase(self, "Base", props)
        self.security_group = self.base.security_group
        key_arn = key_arn_of(props.key)
        self.instance = rds.CfnDBInstance(
            self,
            "Instance",
            db_instance_identifier=props.identifier,
            source_db_instance_identifier=props.source_instance_arn,
            source_region=props.source_region,
            db_instance_class=props.instance_class,
            multi_az=props.multi_az,
            **self.base.instance_security_properties(key_arn),
        )
        self.base.retain(self.instance)
        acknowledge(
            self.instance,
            "AwsSolutions-RDS11",
            "The PostgreSQL default port is kept: the replica sits in isolated subnets behind a "
            "security group admitting nothing by default, with TLS and IAM authentication.",
        )
        acknowledge(
            self.instance,
            (
                "AwsSolutions-RDS2",
                "NIST.800.53.R5-RDSStorageEncrypted",
                "HIPAA.Security-RDSStorageEncrypted",
                "PCI.DSS.321-RDSStorageEncrypted",
            ),
            "The replica is encrypted: it inherits encryption from its encrypted source and "
            "KmsKeyId names the tenant's DR key. CloudFormation forbids StorageEncrypted "
            "together with SourceDBInstanceIdentifier, which is what this rule looks for.",
        )
        skip_checkov(
            self.instance,
            "CKV_AWS_16",
            "A read replica inherits encryption from its encrypted source and KmsKeyId names the "
            "DR key; CloudFormation forbids StorageEncrypted with SourceDBInstanceIdentifier.",
        )
        copied = " and ".join(props.copied_backup_tiers) or "none"
        acknowledge(
            self.instance,
            ("NIST.800.53.R5-RDSInBackupPlan", "HIPAA.Security-RDSInBackupPlan"),
            f"A read replica of the primary, which is backed up hourly; the primary's backup tiers "
            f"copied into this region's DR vault: {copied}. Backing up the replica would copy the "
            "same data twice.",
        )
        self.lag_alarm = cloudwatch.Alarm(
            self,
            "LagAlarm",
            alarm_name=props.lag_alarm_name,
            alarm_description=f"{props.identifier} is more than {REPLICA_LAG_ALARM_SECONDS}s behind its source",
            metric=cloudwatch.Metric(
                namespace="AWS/RDS",
                metric_name="ReplicaLag",
                dimensions_map={"DBInstanceIdentifier": props.identifier},
                period=Duration.minutes(5),
                statistic="Maximum",
            ),
            threshold=REPLICA_LAG_ALARM_SECONDS,
            evaluation_periods=3,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
        self.lag_alarm.add_alarm_action(cw_actions.SnsAction(props.incident_topic))
        self.lag_alarm.add_ok_action(cw_actions.SnsAction(props.incident_topic))
