"""Both PostgreSQL instances audit sessions and data access (pgaudit, connection logging, log export)."""

from __future__ import annotations

from typing import Any

import pytest

from tenantkit.compliance import RULES, Compliance
from tenantkit.compliance.pgaudit_logging import instances_audit_sessions_and_data_access

from .conftest import good_primary, good_replica, make_assembly

AUDITING = {
    "rds.force_ssl": "1",
    "shared_preload_libraries": "pg_stat_statements,pgaudit",
    "pgaudit.log": "read,write,ddl,role",
    "log_connections": "1",
    "log_disconnections": "1",
}


def _audited(template: dict[str, Any], instance: str) -> dict[str, Any]:
    template["Resources"]["Params"] = {
        "Type": "AWS::RDS::DBParameterGroup",
        "Properties": {"Family": "postgres17", "Description": "d", "Parameters": dict(AUDITING)},
    }
    properties = template["Resources"][instance]["Properties"]
    properties["DBParameterGroupName"] = {"Ref": "Params"}
    properties["EnableCloudwatchLogsExports"] = ["postgresql", "upgrade"]
    return template


def _templates() -> tuple[dict[str, Any], dict[str, Any]]:
    return _audited(good_primary(), "Db"), _audited(good_replica(), "Replica")


def _check(primary: dict[str, Any], replica: dict[str, Any]):
    return instances_audit_sessions_and_data_access(make_assembly(primary, replica=replica))


def test_the_rule_runs_with_the_others():
    assert instances_audit_sessions_and_data_access in RULES


def test_audited_primary_and_replica_comply():
    assert _check(*_templates()).status is Compliance.COMPLIANT


def test_pgaudit_log_all_covers_read_and_write():
    primary, replica = _templates()
    primary["Resources"]["Params"]["Properties"]["Parameters"]["pgaudit.log"] = "all"
    assert _check(primary, replica).status is Compliance.COMPLIANT


def test_a_tenant_without_instances_is_not_applicable():
    primary, _ = _templates()
    del primary["Resources"]["Db"]
    assert _check(primary, {"Resources": {}}).status is Compliance.NOT_APPLICABLE


@pytest.mark.parametrize("template", ["primary", "replica"])
@pytest.mark.parametrize(
    ("parameter", "value", "finding"),
    [
        ("shared_preload_libraries", "pg_stat_statements", "shared_preload_libraries does not include pgaudit"),
        ("pgaudit.log", "write,ddl", "does not log read and write"),
        ("pgaudit.log", "read", "does not log read and write"),
        ("log_connections", "0", "log_connections is not on"),
        ("log_disconnections", None, "log_disconnections is not on"),
    ],
)
def test_a_weakened_parameter_group_is_non_compliant(template, parameter, value, finding):
    primary, replica = _templates()
    weakened = primary if template == "primary" else replica
    parameters = weakened["Resources"]["Params"]["Properties"]["Parameters"]
    if value is None:
        del parameters[parameter]
    else:
        parameters[parameter] = value
    result = _check(primary, replica)
    assert result.status is Compliance.NON_COMPLIANT
    assert len(result.findings) == 1 and finding in result.findings[0]
    assert result.findings[0].startswith(f"tenant-acme-{template}/")


@pytest.mark.parametrize("instance", ["Db", "Replica"])
def test_an_instance_on_the_default_parameter_group_is_non_compliant(instance):
    primary, replica = _templates()
    template = primary if instance == "Db" else replica
    del template["Resources"][instance]["Properties"]["DBParameterGroupName"]
    result = _check(primary, replica)
    assert result.status is Compliance.NON_COMPLIANT
    assert f"/{instance}: no parameter group of the stack" in result.findings[0]


def test_a_parameter_group_reference_to_another_type_is_non_compliant():
    primary, replica = _templates()
    primary["Resources"]["Db"]["Properties"]["DBParameterGroupName"] = {"Ref": "Logs"}
    assert "no parameter group of the stack" in _check(primary, replica).findings[0]


@pytest.mark.parametrize("instance", ["Db", "Replica"])
def test_an_instance_not_exporting_its_postgresql_log_is_non_compliant(instance):
    primary, replica = _templates()
    template = primary if instance == "Db" else replica
    template["Resources"][instance]["Properties"]["EnableCloudwatchLogsExports"] = ["upgrade"]
    result = _check(primary, replica)
    assert result.status is Compliance.NON_COMPLIANT
    assert "postgresql log" in result.findings[0] and f"/{instance}:" in result.findings[0]
