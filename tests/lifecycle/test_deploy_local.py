"""Deploying an assembly's stacks in order into moto's CloudFormation: create, no-op, update,
failure with CloudFormation's reasons, assets published where the template expects them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from tenantkit.lifecycle.deploy_local import (
    TEMPLATE_DIGEST_TAG,
    StackOutcome,
    deploy_assembly,
    deployed_unchanged,
    stacks_in,
)

ACCOUNT = "123456789012"
STACKS = ("tenant-t1-dr", "tenant-t1-primary")
REGION_OF = {"dr": "us-west-2", "primary": "us-east-1"}


def stacks_of(tenant_id: str) -> tuple[str, str]:
    return (f"tenant-{tenant_id}-dr", f"tenant-{tenant_id}-primary")


def region_of(stack: str) -> str:
    return REGION_OF[stack.rsplit("-", 1)[-1]]


def _template(bucket: str, *, extra: dict | None = None) -> dict:
    return {
        "Parameters": {
            "BootstrapVersion": {
                "Type": "AWS::SSM::Parameter::Value<String>",
                "Default": "/cdk-bootstrap/hnb659fds/version",
            }
        },
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}}, **(extra or {})},
    }


def write_assembly(directory: Path, templates: dict[str, dict]) -> Path:
    """A cloud assembly as CDK writes it: manifest, templates, asset manifests, one zip asset."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "asset.code").mkdir(exist_ok=True)
    (directory / "asset.code" / "index.js").write_text("exports.handler = async () => ({});\n")
    artifacts = {}
    for name, template in templates.items():
        region = region_of(name)
        template_file = f"{name}.template.json"
        (directory / template_file).write_text(json.dumps(template))
        bucket = f"cdk-hnb659fds-assets-{ACCOUNT}-{region}"
        assets = {
            "version": "55.0.0",
            "files": {
                "code": {
                    "source": {"path": "asset.code", "packaging": "zip"},
                    "destinations": {"d": {"bucketName": bucket, "objectKey": "code.zip", "region": region}},
                },
                "template": {
                    "source": {"path": template_file, "packaging": "file"},
                    "destinations": {"d": {"bucketName": bucket, "objectKey": f"{name}.json", "region": region}},
                },
            },
        }
        (directory / f"{name}.assets.json").write_text(json.dumps(assets))
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": f"aws://{ACCOUNT}/{region}",
            "properties": {"templateFile": template_file},
        }
        artifacts[f"{name}.assets"] = {"type": "cdk:asset-manifest", "properties": {"file": f"{name}.assets.json"}}
    (directory / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    return directory


def _deploy(directory: Path):
    return deploy_assembly(
        "t1",
        directory,
        STACKS,
        account=ACCOUNT,
        session_for=lambda region: boto3.Session(region_name=region),
        template_url_host="localhost:5000",
    )


@pytest.fixture
def aws():
    with mock_aws():
        yield


def test_first_deploy_creates_every_stack_in_order_with_its_assets(aws, tmp_path):
    assembly = write_assembly(tmp_path, {name: _template(f"{name}-data") for name in STACKS})
    result = _deploy(assembly)
    assert result.ok, result
    assert [(s.stack, s.outcome) for s in result.stacks] == [(n, StackOutcome.CREATED) for n in STACKS]
    for name in STACKS:
        region = region_of(name)
        s3 = boto3.client("s3", region_name=region)
        assert s3.head_bucket(Bucket=f"{name}-data")
        code = s3.get_object(Bucket=f"cdk-hnb659fds-assets-{ACCOUNT}-{region}", Key="code.zip")["Body"].read()
        assert code.startswith(b"PK")  # published as the zip the template's Lambda would load
        stack = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=name)["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"


def test_redeploying_an_unchanged_assembly_changes_nothing(aws, tmp_path):
    assembly = write_assembly(tmp_path, {name: _template(f"{name}-data") for name in STACKS})
    _deploy(assembly)
    again = _deploy(assembly)
    assert [s.outcome for s in again.stacks] == [StackOutcome.UNCHANGED] * len(STACKS)


def test_a_changed_template_updates_its_stack_in_place(aws, tmp_path):
    templates = {name: _template(f"{name}-data") for name in STACKS}
    write_assembly(tmp_path, templates)
    _deploy(tmp_path)
    templates["tenant-t1-primary"] = _template(
        "tenant-t1-primary-data", extra={"Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "t1-more"}}}
    )
    write_assembly(tmp_path, templates)
    result = _deploy(tmp_path)
    assert [s.outcome for s in result.stacks] == [StackOutcome.UNCHANGED, StackOutcome.UPDATED], result
    assert boto3.client("s3", region_name="us-east-1").head_bucket(Bucket="t1-more")


def test_a_failed_stack_is_reported_with_its_reasons_and_stops_the_tenant(aws, tmp_path):
    broken = _template(
        "tenant-t1-dr-data",
        extra={"Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": "vpc-00000000", "CidrBlock": "10.0.0.0/24"}}},
    )
    assembly = write_assembly(tmp_path, {"tenant-t1-dr": broken, "tenant-t1-primary": _template("p-data")})
    result = _deploy(assembly)
    assert not result.ok
    failed, skipped = result.stacks
    assert failed.outcome is StackOutcome.FAILED and failed.reasons, failed
    assert skipped.outcome is StackOutcome.NOT_ATTEMPTED


def _counting_session_for(calls: list[str]):
    """Sessions that record every API call their clients make, as `service.Operation`."""

    def session_for(region: str) -> boto3.Session:
        session = boto3.Session(region_name=region)
        session.events.register(
            "before-call", lambda model, **_: calls.append(f"{model.service_model.service_name}.{model.name}")
        )
        return session

    return session_for


def test_an_unchanged_stack_costs_one_describe_stacks(aws, tmp_path):
    assembly = write_assembly(tmp_path, {name: _template(f"{name}-data") for name in STACKS})
    _deploy(assembly)
    calls: list[str] = []
    again = deploy_assembly(
        "t1", assembly, STACKS, account=ACCOUNT, session_for=_counting_session_for(calls), template_url_host="localhost:5000"
    )
    assert [s.outcome for s in again.stacks] == [StackOutcome.UNCHANGED] * len(STACKS)
    assert calls == ["cloudformation.DescribeStacks"] * len(STACKS)


def test_a_run_prepares_each_account_and_region_once_for_all_its_stacks(aws, tmp_path):
    """The assets bucket and the bootstrap version parameter are made by the first stack deployed
    in an environment; the run's later stacks there (another tenant's too) make no call for them.
    Without the run's set, every stack prepares its environment again."""
    calls: list[str] = []
    prepared: set[tuple[str, str]] = set()
    for tenant_id in ("t1", "t2"):
        assembly = write_assembly(tmp_path / tenant_id, {name: _template(f"{name}-data") for name in stacks_of(tenant_id)})
        result = deploy_assembly(
            tenant_id, assembly, stacks_of(tenant_id), account=ACCOUNT, session_for=_counting_session_for(calls),
            template_url_host="localhost:5000", prepared=prepared,
        )
        assert [s.outcome for s in result.stacks] == [StackOutcome.CREATED] * 2, result
    regions = {region_of(name) for name in STACKS}
    assert prepared == {(ACCOUNT, region) for region in regions}
    assert (calls.count("s3.CreateBucket"), calls.count("ssm.PutParameter")) == (len(regions), len(regions))
    assert calls.count("cloudformation.CreateStack") == 4
    unshared: list[str] = []
    assembly = write_assembly(tmp_path / "t3", {name: _template(f"{name}-data") for name in stacks_of("t3")})
    deploy_assembly("t3", assembly, stacks_of("t3"), account=ACCOUNT, session_for=_counting_session_for(unshared), template_url_host="localhost:5000")
    assert unshared.count("s3.CreateBucket") == 2  # without the run's set, a deploy prepares its environments again


def test_a_stack_whose_digest_tag_differs_is_compared_by_its_template(aws, tmp_path):
    """No trust in a tag that does not match (a stack tagged by an older tenantkit, or by hand):
    the deployed template is fetched and compared, and the same template is still unchanged."""
    assembly = write_assembly(tmp_path, {name: _template(f"{name}-data") for name in STACKS})
    _deploy(assembly)
    for name in STACKS:
        cloudformation = boto3.client("cloudformation", region_name=region_of(name))
        body = json.dumps(cloudformation.get_template(StackName=name)["TemplateBody"])
        cloudformation.update_stack(StackName=name, TemplateBody=body, Tags=[{"Key": TEMPLATE_DIGEST_TAG, "Value": "0" * 64}])
    calls: list[str] = []
    again = deploy_assembly(
        "t1", assembly, STACKS, account=ACCOUNT, session_for=_counting_session_for(calls), template_url_host="localhost:5000"
    )
    assert [s.outcome for s in again.stacks] == [StackOutcome.UNCHANGED] * len(STACKS)
    assert calls.count("cloudformation.GetTemplate") == len(STACKS)


def template_digests(assembly: Path, stacks=STACKS) -> tuple[tuple[str, str, str], ...]:
    """(stack, region, sha256 of its template file), as the synth cache records them."""
    return tuple((name, region_of(name), hashlib.sha256((assembly / f"{name}.template.json").read_bytes()).hexdigest()) for name in stacks)


def _listed(session_for):
    """deployed(region) of `deployed_unchanged`: each region's stacks listed once, as the fleet does."""
    listed: dict[str, dict] = {}
    return lambda region: listed.setdefault(region, stacks_in(session_for(region).client("cloudformation")))


def test_a_tenant_deployed_with_its_templates_is_unchanged_at_one_describe_stacks_per_region(aws, tmp_path):
    assembly = write_assembly(tmp_path, {name: _template(f"{name}-data") for name in STACKS})
    _deploy(assembly)
    calls: list[str] = []
    result = deployed_unchanged("t1", template_digests(assembly), _listed(_counting_session_for(calls)))
    assert result is not None and result.ok and result.tenant_id == "t1"
    assert [(s.stack, s.region, s.outcome) for s in result.stacks] == [(n, region_of(n), StackOutcome.UNCHANGED) for n in STACKS]
    assert calls == ["cloudformation.DescribeStacks"] * len({region_of(n) for n in STACKS})


def _other_template(assembly: Path) -> tuple:
    *same, (name, region, _) = template_digests(assembly)
    return (*same, (name, region, hashlib.sha256(b"another template").hexdigest()))


def _one_stack_more(assembly: Path) -> tuple:
    return (*template_digests(assembly), ("tenant-t2-primary", "us-east-1", template_digests(assembly)[-1][2]))


@pytest.mark.parametrize("expected", [_other_template, _one_stack_more], ids=["another template", "a stack not deployed"])
def test_a_tenant_not_deployed_with_its_templates_is_left_to_the_deploy(aws, tmp_path, expected):
    assembly = write_assembly(tmp_path, {name: _template(f"{name}-data") for name in STACKS})
    _deploy(assembly)
    assert deployed_unchanged("t1", expected(assembly), _listed(lambda region: boto3.Session(region_name=region))) is None


def test_a_failed_stack_tagged_with_its_template_is_not_unchanged(aws, tmp_path):
    """A failed create keeps the digest tag it was created with: the tag alone proves nothing."""
    broken = _template(
        "tenant-t1-dr-data",
        extra={"Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": "vpc-00000000", "CidrBlock": "10.0.0.0/24"}}},
    )
    assembly = write_assembly(tmp_path, {"tenant-t1-dr": broken, "tenant-t1-primary": _template("p-data")})
    assert not _deploy(assembly).ok
    assert deployed_unchanged("t1", template_digests(assembly)[:1], _listed(lambda region: boto3.Session(region_name=region))) is None
