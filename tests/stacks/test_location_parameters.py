"""The SSM parameters the application reads to find its database and its bucket, in both regions
(issue 22 item 3): expected values from the tenant file, never from the template under test."""

from __future__ import annotations

import json

import pytest


def _parameters(examples, stack: str) -> dict[str, object]:
    resources = examples.raw(stack)["Resources"]
    return {r["Properties"]["Name"]: r["Properties"]["Value"] for r in resources.values() if r["Type"] == "AWS::SSM::Parameter"}


def _endpoint_of(value: object) -> str:
    """The logical id whose endpoint address `value` is (a GetAtt), else fail."""
    assert isinstance(value, dict) and list(value) == ["Fn::GetAtt"], value
    logical_id, attribute = value["Fn::GetAtt"]
    assert attribute == "Endpoint.Address", value
    return logical_id


@pytest.mark.parametrize("tenant", ["maple-ca"])
def test_primary_region_publishes_the_instance_endpoint_and_the_data_bucket(examples, tenant):
    config = examples.configs[tenant]
    account = config.account
    parameters = _parameters(examples, f"tenant-{tenant}-primary")
    assert parameters[f"/tenantkit/{tenant}/bucket"] == f"{tenant}-data-{account}-{config.primary_region}"
    resources = examples.raw(f"tenant-{tenant}-primary")["Resources"]
    instance = resources[_endpoint_of(parameters[f"/tenantkit/{tenant}/db-endpoint"])]
    assert instance["Type"] == "AWS::RDS::DBInstance"
    assert instance["Properties"]["DBInstanceIdentifier"] == f"tenantkit-{tenant}"


@pytest.mark.parametrize("tenant", ["maple-ca"])
def test_dr_region_publishes_the_replica_endpoint_and_the_dr_bucket(examples, tenant):
    config = examples.configs[tenant]
    dr = _parameters(examples, f"tenant-{tenant}-dr")
    assert dr[f"/tenantkit/{tenant}/bucket"] == f"{tenant}-dr-{config.account}-{config.secondary_region}"
    assert f"/tenantkit/{tenant}/db-endpoint" not in dr  # the replica stack's, next
    replica = _parameters(examples, f"tenant-{tenant}-replica")
    resources = examples.raw(f"tenant-{tenant}-replica")["Resources"]
    instance = resources[_endpoint_of(replica[f"/tenantkit/{tenant}/db-endpoint"])]
    assert instance["Properties"]["DBInstanceIdentifier"] == f"tenantkit-{tenant}-replica"
    assert "SourceDBInstanceIdentifier" in instance["Properties"]  # the read replica, not another instance
    assert f"/tenantkit/{tenant}/bucket" not in replica


def test_each_region_publishes_each_parameter_once(examples):
    for tenant, config in examples.configs.items():
        names = []
        for stack in (f"tenant-{tenant}-dr", f"tenant-{tenant}-replica"):
            names += [n for n in _parameters(examples, stack) if n.endswith(("/db-endpoint", "/bucket"))]
        assert sorted(names) == sorted([f"/tenantkit/{tenant}/bucket", f"/tenantkit/{tenant}/db-endpoint"]), (tenant, config.secondary_region)


def test_the_export_role_writes_only_the_exports_folder_of_the_tenant_bucket(examples):
    config = examples.configs["maple-ca"]
    resources = examples.raw("tenant-maple-ca-primary")["Resources"]
    (role_id,) = [i for i, r in resources.items() if r["Type"] == "AWS::IAM::Role" and r["Properties"].get("RoleName") == "tenantkit-maple-ca-export"]
    role = resources[role_id]
    assert role["Properties"]["Path"] == "/tenantkit/maple-ca/"
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "export.rds.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": config.account}}
    (policy,) = [r for r in resources.values() if r["Type"] == "AWS::IAM::ManagedPolicy" and {"Ref": role_id} in r["Properties"].get("Roles", [])]
    writes = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if "s3:PutObject" in s["Action"]]
    (resource,) = [s["Resource"] for s in writes]
    assert json.dumps(resource).endswith('/exports/*"]]}'), resource  # the bucket's exports/ folder, nothing wider
