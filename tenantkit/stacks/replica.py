from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from tenantkit.config.models import TenantConfig
from tenantkit.constructs.database import EXPORTED_LOGS
from tenantkit.constructs.detection import detections_for
from tenantkit.constructs.incident_rules import TenantIncidentRules, TenantIncidentRulesProps
from tenantkit.constructs.network import TenantNetwork, TenantNetworkProps
from tenantkit.constructs.replica_database import TenantReplicaDatabase, TenantReplicaDatabaseProps
from tenantkit.naming import TenantNames
from tenantkit.stacks.common import add_location_parameters, operator_channel


class TenantReplicaStack(Stack):
    """The tenant's read replica in the secondary region, on its own isolated network, encrypted
    with the DR key. Deployed after the primary (its source) and the DR stack (its key)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: TenantConfig,
        names: TenantNames,
        dr_key: kms.IKey,
        dr_incident_topic: sns.ITopic,
        availability_zones: Sequence[str] | None = None,
        operator_topic_arn: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        self.network = TenantNetwork(
            self,
            "Network",
            TenantNetworkProps(
                key=dr_key,
                flow_log_group_name=names.replica_flow_log_group,
                role_path=names.role_path,
                cidr="10.1.0.0/16",
                availability_zones=availability_zones,
            ),
        )
        database = config.database
        self.replica = TenantReplicaDatabase(
            self,
            "ReplicaDatabase",
            TenantReplicaDatabaseProps(
                identifier=names.replica_db_instance,
                source_instance_arn=names.db_instance_arn,
                source_region=names.primary_region,
                key=dr_key,
                log_key=dr_key,
                role_path=names.role_path,
                vpc=self.network.vpc,
                subnets=self.network.isolated_subnets,
                engine_version=database.engine_version,
                audit_log=tuple(database.audit_log),
                instance_class=config.replica_instance_class,
                multi_az=database.multi_az,
                incident_topic=dr_incident_topic,
                lag_alarm_name=names.incident_publisher("ReplicaLag"),
                copied_backup_tiers=("hourly", "daily") if config.backup.copy_hourly else ("daily",),
                log_group_name_of={
                    log: names.db_log_group(names.replica_db_instance, log) for log in EXPORTED_LOGS
                },
            ),
        )
        add_location_parameters(self, names=names, db_endpoint=self.replica.instance.attr_endpoint_address)
        TenantIncidentRules(
            self,
            "IncidentRules",
            TenantIncidentRulesProps(
                topic=dr_incident_topic, db_instance_arns=[names.replica_db_instance_arn],
                detections=detections_for(names, "replica"), operator=operator_channel(names, operator_topic_arn),
                name_of=names.incident_publisher,
            ),  # fmt: skip
        )
