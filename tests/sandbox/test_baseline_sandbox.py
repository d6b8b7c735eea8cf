"""The baseline stacks in a real sandbox process: `deploy --local` of one example tenant deploys,
first, the audit trail of each of its regions, logging, validating, recording its buckets."""

from __future__ import annotations

import shutil

import boto3
import pytest

from tenantkit.config import validate_paths
from tenantkit.lifecycle.local import deploy_local, inventory_tenants
from tenantkit.naming import AUDIT_TRAIL, BASELINE_STACK
from tenantkit.sandbox import start_sandbox, stop_sandbox
from tenantkit.stacks.tenant import names_of
from tests.conftest import EXAMPLE_CONFIGS

pytestmark = pytest.mark.slow
TENANT = "maple-ca"


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    root = tmp_path_factory.mktemp("baseline")
    configs = root / "tenants"
    configs.mkdir()
    shutil.copy(EXAMPLE_CONFIGS / f"{TENANT}.yaml", configs)
    state = root / ".tenantkit"
    status, _ = start_sandbox(state)
    try:
        results = deploy_local(configs, [TENANT], root / "cdk.out", state, concurrency=1)
        (config,) = validate_paths([configs]).configs
        yield {"results": results, "config": config, "endpoint": status.endpoint, "configs": configs, "out": root / "cdk.out", "state": state}
    finally:
        stop_sandbox(state)


def _client(deployed, service, region):
    """A client acting in the tenant's account (moto maps an assumed role's credentials to it)."""
    account = deployed["config"].account
    sts = boto3.client("sts", endpoint_url=deployed["endpoint"], region_name="us-east-1")
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/test", RoleSessionName="check")["Credentials"]
    return boto3.client(
        service,
        endpoint_url=deployed["endpoint"],
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def test_each_region_of_the_tenant_has_its_trail_logging_validating_and_recording_its_bucket(deployed):
    (result,) = deployed["results"]
    assert result.ok, result
    config = deployed["config"]
    names = names_of(config)
    for region, bucket in ((config.primary_region, names.data_bucket), (config.secondary_region, names.dr_bucket)):
        cloudformation = _client(deployed, "cloudformation", region)
        assert cloudformation.describe_stacks(StackName=BASELINE_STACK)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
        cloudtrail = _client(deployed, "cloudtrail", region)
        (trail,) = cloudtrail.describe_trails(trailNameList=[AUDIT_TRAIL])["trailList"]
        assert trail["LogFileValidationEnabled"] is True, region
        assert cloudtrail.get_trail_status(Name=AUDIT_TRAIL)["IsLogging"] is True, region
        selectors = cloudtrail.get_event_selectors(TrailName=AUDIT_TRAIL)["AdvancedEventSelectors"]
        prefixes = [v for s in selectors for f in s["FieldSelectors"] if f["Field"] == "resources.ARN" for v in f.get("StartsWith", [])]
        assert prefixes == [f"arn:aws:s3:::{bucket}/"], region


def test_an_unchanged_deploy_synthesizes_no_baseline_and_leaves_the_trails_unchanged(deployed, monkeypatch):
    from tenantkit.synth import baseline as baseline_synth

    def synthesized(*args, **kwargs):
        raise AssertionError("the unchanged baseline stacks were synthesized again, not restored from the synth cache")

    monkeypatch.setattr(baseline_synth, "_synth", synthesized)
    (result,) = deploy_local(deployed["configs"], [TENANT], deployed["out"], deployed["state"], concurrency=1)
    assert result.ok, result
    config = deployed["config"]
    for region in config.regions:
        cloudformation = _client(deployed, "cloudformation", region)
        assert cloudformation.describe_stacks(StackName=BASELINE_STACK)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE", region


def test_inventory_finds_the_trail_sound_then_flags_it_once_stopped(deployed):
    config = deployed["config"]
    configs_dir = deployed["configs"]

    def trail_items():
        (found,) = inventory_tenants(configs_dir, [TENANT], deployed["out"], deployed["state"], local=True)
        return {item.region: item for item in found.items if item.kind == "audit trail"}

    before = trail_items()
    assert sorted(before) == sorted(config.regions)
    assert all(item.problems == () for item in before.values()), before
    _client(deployed, "cloudtrail", config.primary_region).stop_logging(Name=AUDIT_TRAIL)
    after = trail_items()
    assert after[config.primary_region].problems == ("stopped: not logging",)
    assert after[config.secondary_region].problems == ()
