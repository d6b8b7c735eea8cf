"""Defaults work everywhere: a tenant file with only the required fields validates, synthesizes
(every check passes) and deploys, as synthesized, in every residency, into in-process moto with
tenantkit's extensions (the sandbox's emulator), including the read replica's default class and
the restore testing plan."""

from __future__ import annotations

import warnings
from pathlib import Path

import boto3
import pytest

from tenantkit.config import validate_paths
from tenantkit.config.residency import Residency
from tenantkit.naming import stack_names
from tests.sandbox.cdk_deploy import bootstrap, create_stack, publish_assets

pytestmark = pytest.mark.slow

MOTO_ACCOUNT = "123456789012"


def _minimal(directory: Path, residency: str) -> Path:
    path = directory / f"least-{residency}.yaml"
    path.write_text(
        f"tenant_id: least-{residency}\n"
        f"display_name: Only the required fields ({residency})\n"
        f"residency: {residency}\n"
        f'account: "{MOTO_ACCOUNT}"\n'
        "contacts:\n  security_email: security@least.example\n"
        "access:\n  allowed_cidrs: ['192.0.2.0/24']\n  allowed_countries: ['US']\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("residency", [r.value for r in Residency])
def test_a_tenant_with_only_the_required_fields_validates_synthesizes_and_deploys(residency, tmp_path):
    from moto import mock_aws

    from tenantkit.compliance.assembly import stack_artifacts
    from tenantkit.sandbox.extensions import install
    from tenantkit.synth import synth_tenants

    report = validate_paths([_minimal(tmp_path, residency)])
    assert report.ok, report.issues
    (config,) = report.configs
    outdir = tmp_path / "cdk.out"
    (result,) = synth_tenants([config], outdir, lint=True)
    assert result.ok, result.findings or result.error
    assembly = outdir / config.tenant_id
    install()
    with mock_aws(), warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # moto warns of each type it skips: none may be
        for region in config.regions:
            bootstrap(MOTO_ACCOUNT, region)
        for stack in stack_artifacts(assembly, stack_names(config.tenant_id)):
            publish_assets(assembly, stack.name)
            assert create_stack(assembly, stack.name, stack.region) == "CREATE_COMPLETE", stack.name
        rds = boto3.client("rds", region_name=config.secondary_region)
        (replica,) = rds.describe_db_instances()["DBInstances"]
        assert replica["DBInstanceClass"] == config.replica_instance_class
        backup = boto3.client("backup", region_name=config.primary_region)
        (plan,) = backup.list_restore_testing_plans()["RestoreTestingPlans"]
        assert plan["RestoreTestingPlanName"] == f"tk_least_{residency}_restores"
