from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from aws_cdk import CfnDeletionPolicy, CfnResource, Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from constructs import Construct

from tenantkit.constructs._acknowledge import acknowledge
from tenantkit.constructs._checkov import skip_checkov
from tenantkit.constructs.log_group import TenantLogGroup, TenantLogGroupProps

EXPORTED_LOGS = ("postgresql", "upgrade")
BACKUP_RETENTION_DAYS = 35  # the RDS maximum: point-in-time restore over five weeks
MONITORING_INTERVAL = Duration.seconds(60)
CA_CERTIFICATE = "rds-ca-rsa2048-g1"
MASTER_USERNAME = "tenantkit_admin"
PRELOADED_LIBRARIES = ("pg_stat_statements", "pgaudit")
"""RDS's default preload (pg_stat_statements, which Performance Insights' SQL statistics read) plus
pgAudit. pgAudit loads only at server start: a changed group waits in `pending-reboot` until the
instance is rebooted (inventory flags it), then `CREATE EXTENSION pgaudit` in each database
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.pgaudit.basic-setup.html)."""


def parameter_group_family(engine_version: str) -> str:
    """`17.9` -> `postgres17`."""
    return f"postgres{engine_version.split('.')[0]}"


def audit_parameters(audit_log: tuple[str, ...]) -> dict[str, str]:
    """The parameters that record every session and every statement of the `audit_log` pgAudit
    classes, as RDS takes them (booleans as "1"); the local PostgreSQL tests use the same values."""
    return {
        "shared_preload_libraries": ",".join(PRELOADED_LIBRARIES),
        "pgaudit.log": ",".join(audit_log),
        "log_connections": "1",
        "log_disconnections": "1",
    }


@dataclass(frozen=True, kw_only=True)
class TenantPostgresBaseProps:
    """What the primary database and its replica share: where it runs and how it is locked down."""

    identifier: str
    key: kms.IKey | str
    """The tenant key (or its ARN/alias ARN in this region) for storage, PI and logs."""
    vpc: ec2.IVpc
    subnets: ec2.SelectedSubnets
    engine_version: str
    instance_class: str
    multi_az: bool
    log_group_name_of: dict[str, str]
    """Exported log name -> the log group RDS writes it to (created here, encrypted)."""
    log_key: kms.IKey
    audit_log: tuple[str, ...]
    """pgAudit classes (pgaudit.log) from the tenant file; its statements go to the `postgresql` log."""
    role_path: str
    """The tenant's IAM path (`/tenantkit/<id>/`): every role made here lives under it."""


class TenantPostgresBase(Construct):
    """The shared lock-down of a tenant PostgreSQL instance: isolated subnets, a security group
    admitting nothing, TLS forced, every session and data access audited, enhanced monitoring,
    encrypted exported logs."""

    def __init__(self, scope: Construct, id: str, props: TenantPostgresBaseProps) -> None:
        super().__init__(scope, id)
        self._multi_az = props.multi_az
        problems = []
        if props.engine_version.count(".") != 1:
            problems.append(f"engine_version must be major.minor, got {props.engine_version!r}")
        if set(props.log_group_name_of) != set(EXPORTED_LOGS):
            problems.append(f"log_group_name_of must name exactly {EXPORTED_LOGS}")
        if not props.audit_log:
            problems.append("audit_log must name at least one pgAudit class")
        if problems:
            raise ValueError("; ".join(problems))

        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=props.vpc,
            description=f"{props.identifier}: admits nothing until the application is granted access",
            allow_all_outbound=False,
        )
        self.subnet_group = rds.CfnDBSubnetGroup(
            self,
            "SubnetGroup",
            db_subnet_group_description=f"{props.identifier}: isolated subnets",
            subnet_ids=props.vpc.select_subnets(
                subnet_type=ec2.SubnetType.PRIVATE_ISOLATED
            ).subnet_ids,
        )
        self.parameter_group = rds.CfnDBParameterGroup(
            self,
            "ParameterGroup",
            description=f"{props.identifier}: TLS required",  # changing it would replace the group
            family=parameter_group_family(props.engine_version),
            parameters={"rds.force_ssl": "1", **audit_parameters(props.audit_log)},
        )
        self.monitoring_role = iam.Role(
            self,
            "MonitoringRole",
            path=props.role_path,
            assumed_by=iam.ServicePrincipal(
                "monitoring.rds.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            ),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AmazonRDSEnhancedMonitoringRole"
                )
            ],
        )
        acknowledge(
            self.monitoring_role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]",
            "AWS's own enhanced-monitoring role policy: it only writes the RDSOSMetrics log group, "
            "and AWS keeps it in step with the monitoring agent.",
        )
        self.log_groups = {
            log: TenantLogGroup(
                self, f"{log.capitalize()}Logs", TenantLogGroupProps(name=name, key=props.log_key)
            ).log_group
            for log, name in props.log_group_name_of.items()
        }

    def instance_security_properties(self, key_arn: str) -> dict:
        """The CfnDBInstance properties every tenant instance carries."""
        return {
            "db_subnet_group_name": self.subnet_group.ref,
            "vpc_security_groups": [self.security_group.security_group_id],
            "db_parameter_group_name": self.parameter_group.ref,
            "publicly_accessible": False,
            "kms_key_id": key_arn,
            "enable_iam_database_authentication": True,
            "deletion_protection": True,
            "enable_performance_insights": True,
            "performance_insights_kms_key_id": key_arn,
            "performance_insights_retention_period": 7,
            "monitoring_interval": MONITORING_INTERVAL.to_seconds(),
            "monitoring_role_arn": self.monitoring_role.role_arn,
            "enable_cloudwatch_logs_exports": list(EXPORTED_LOGS),
            "ca_certificate_identifier": CA_CERTIFICATE,
            "copy_tags_to_snapshot": True,
            # The engine version is pinned in the tenant file; upgrades are deliberate changes.
            "auto_minor_version_upgrade": False,
        }

    def retain(self, instance: rds.CfnDBInstance) -> None:
        """Only offboarding destroys data: a deleted stack leaves the instance in place; a failed
        first create does not (it would block the retry with "already exists")."""
        acknowledge(
            instance,
            (
                "HIPAA.Security-RDSAutomaticMinorVersionUpgradeEnabled",
                "PCI.DSS.321-RDSAutomaticMinorVersionUpgradeEnabled",
            ),
            "The engine version is pinned in the tenant file and upgraded as a reviewed "
            "change (primary and replica together); automatic minor upgrades would drift the "
            "instance away from its template and its replica.",
        )
        if not self._multi_az:
            reason = (
                "Multi-AZ is off by the tenant's own choice (database.multi_az: false in its tenant "
                "file): recovery within the region rests on point-in-time restore and hourly "
                "snapshots, and the cross-region read replica keeps a second copy."
            )
            acknowledge(
                instance,
                ("AwsSolutions-RDS3", "NIST.800.53.R5-RDSMultiAZSupport", "HIPAA.Security-RDSMultiAZSupport"),
                reason,
            )
            skip_checkov(instance, "CKV_AWS_157", reason)
        instance.cfn_options.deletion_policy = CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE
        instance.cfn_options.update_replace_policy = CfnDeletionPolicy.RETAIN
        for group in self.log_groups.values():
            instance.add_resource_dependency(
                cast(CfnResource, group.node.default_child), "RDS must not create the log group unencrypted"
            )


def key_arn_of(key: kms.IKey | str) -> str:
    return key if isinstance(key, str) else key.key_arn


