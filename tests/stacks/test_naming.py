"""Physical names: derived once, deterministic, inside AWS limits."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tenantkit.naming import TenantNames, stack_names, tenant_of_stack

LONGEST_ID = "a" * 28 + "-b"


@pytest.fixture
def names() -> TenantNames:
    return TenantNames(
        tenant_id="acme", account="123456789012", primary_region="us-east-1", secondary_region="us-west-2"
    )


def test_stack_names_in_deployment_order():
    assert stack_names("acme") == ("tenant-acme-dr", "tenant-acme-primary", "tenant-acme-replica")


@pytest.mark.parametrize("stack", stack_names("acme-eu"))
def test_tenant_is_recovered_from_its_stack_names(stack):
    assert tenant_of_stack(stack) == "acme-eu"


def test_foreign_stacks_belong_to_no_tenant():
    assert tenant_of_stack("CDKToolkit") is None


def test_cross_region_arns_point_into_the_secondary_region(names):
    assert names.dr_key_alias_arn == "arn:aws:kms:us-west-2:123456789012:alias/tenantkit/acme"
    assert names.dr_backup_vault_arn == "arn:aws:backup:us-west-2:123456789012:backup-vault:tenantkit-acme-dr"
    assert names.db_instance_arn == "arn:aws:rds:us-east-1:123456789012:db:tenantkit-acme"


def test_the_waf_log_group_has_the_prefix_waf_requires(names):
    assert names.waf_log_group.startswith("aws-waf-logs-")


@pytest.mark.parametrize("region", ["ca-central-1", "eu-central-1"])
def test_longest_bucket_names_fit_s3_rules(region):
    longest = TenantNames(tenant_id=LONGEST_ID, account="123456789012", primary_region=region, secondary_region=region)
    for bucket in (longest.data_bucket, longest.access_log_bucket, longest.dr_bucket):
        assert len(bucket) <= 63
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]", bucket)


def test_longest_db_identifiers_fit_rds_rules():
    longest = TenantNames(tenant_id=LONGEST_ID, account="1", primary_region="us-east-1", secondary_region="us-west-2")
    assert len(longest.replica_db_instance) <= 63


def test_naming_imports_no_cdk():
    """Lifecycle code reuses the names with boto3: importing them must not start jsii."""
    code = "import sys, tenantkit.naming; print('aws_cdk' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
