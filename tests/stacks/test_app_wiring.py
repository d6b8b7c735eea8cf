"""How a tenant's stacks sit in the app: names, regions, order, protection and tags."""

from __future__ import annotations

import pytest

from tenantkit.naming import stack_names

TENANTS = ("maple-ca", "northwind-us", "polar-cg", "rhein-de")


def _artifact(examples, name):
    return examples.assembly.get_stack_by_name(name)


@pytest.mark.parametrize("tenant", TENANTS)
def test_three_stacks_per_tenant_named_after_it(examples, tenant):
    names = {stack.stack_name for stack in examples.assembly.stacks}
    assert set(stack_names(tenant)) <= names


@pytest.mark.parametrize(
    ("tenant", "primary", "secondary"),
    [
        ("maple-ca", "ca-central-1", "ca-west-1"),
        ("northwind-us", "us-east-1", "us-west-2"),
        ("polar-cg", "ca-central-1", "ca-west-1"),
        ("rhein-de", "eu-central-1", "eu-west-1"),
    ],
)
def test_stacks_deploy_to_the_residency_regions(examples, tenant, primary, secondary):
    dr, main, replica = (_artifact(examples, name) for name in stack_names(tenant))
    assert (dr.environment.region, main.environment.region, replica.environment.region) == (
        secondary,
        primary,
        secondary,
    )


def test_deployment_order_is_dr_then_primary_then_replica(examples):
    dr, primary, replica = (_artifact(examples, name) for name in stack_names("maple-ca"))
    assert dr.stack_name in [d.id for d in primary.dependencies]
    assert primary.stack_name in [d.id for d in replica.dependencies]


@pytest.mark.parametrize("tenant", TENANTS)
def test_every_stack_is_termination_protected(examples, tenant):
    assert all(_artifact(examples, name).termination_protection for name in stack_names(tenant))


def test_stacks_carry_tenant_residency_and_config_tags(examples):
    for name in stack_names("rhein-de"):
        assert _artifact(examples, name).tags == {
            "tenantkit:tenant": "rhein-de",
            "tenantkit:residency": "de",
            "cost-center": "4711",
            "sales-region": "emea",
        }


def test_resources_carry_the_config_tags_too(examples):
    examples.template("tenant-rhein-de-primary").has_resource_properties(
        "AWS::RDS::DBInstance",
        {
            "Tags": [
                {"Key": "cost-center", "Value": "4711"},
                {"Key": "sales-region", "Value": "emea"},
                {"Key": "tenantkit:residency", "Value": "de"},
                {"Key": "tenantkit:tenant", "Value": "rhein-de"},
            ]
        },
    )


def test_stacks_are_bound_to_the_tenant_account_when_known(examples):
    assert _artifact(examples, "tenant-polar-cg-primary").environment.account == "444455556666"
    assert _artifact(examples, "tenant-northwind-us-primary").environment.account == "unknown-account"
