"""Deploy one tenant's synthesized templates, in order, into in-process moto CloudFormation, then
check through the service APIs that its keys, buckets, VPCs and databases exist.

moto's limits, handled explicitly (see /work/shared/MOTO_NOTES.md):
- WAFv2, Backup, Secrets Manager and bucket policies are skipped by moto's CloudFormation: they
  are checked at template level in the other tests of this package.
- moto cannot run the Lambda behind CDK's Custom::VpcRestrictDefaultSG (no container runtime);
  that custom resource and its provider are removed from the template before deploying.
- CDK templates read the bootstrap version from SSM: the parameter is seeded in each region.
- moto 5.2.5 creates a CloudFormation KMS key by passing its `Tags` to the KMS tagger, which
  expects the API's TagKey/TagValue shape (KeyError 'TagKey'): key tags are reshaped for moto.
- Fn::GetAtt on a resource of a type moto skips fails the whole CreateStack: such attributes (the
  web ACL ARN in the SSM parameter and the output) become a placeholder string; their wiring is
  asserted at template level.
- moto's CloudFormation SSM parameter expects Tags as a list, but AWS::SSM::Parameter takes a
  map (TypeError): parameter tags are reshaped for moto.
- moto resolves a Ref to an AWS::RDS::DBParameterGroup to its model object instead of its name,
  and then fails creating the instance: the instances' DBParameterGroupName is dropped (the
  group itself is still created; TLS enforcement is asserted at template level).
- moto builds a cross-region read replica by copying the source and setting its properties in
  order, looking the DB subnet group up in the source's region (DBSubnetGroupNotFound): the
  replica's DBSubnetGroupName is dropped (its subnet group is still created and asserted in
  the template tests).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import boto3
import pytest

from tenantkit.config import TenantConfig, load_tenants
from tenantkit.naming import TAG_TENANT, TenantNames, stack_names

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "tenant_configs"
MOTO_ACCOUNT = "123456789012"
TEMPLATE_BODY_LIMIT = 51_200
PROVIDER_TYPES = {"Custom::VpcRestrictDefaultSG"}
SKIPPED_BY_MOTO = ("AWS::WAFv2::", "AWS::Backup::", "AWS::SecretsManager::")


def _tenant() -> TenantConfig:
    (maple,) = [c for c in load_tenants([EXAMPLES]) if c.tenant_id == "maple-ca"]
    data = maple.model_dump(mode="json")
    data["access"]["protect"] = []  # the examples' ARNs name the example account
    return TenantConfig.model_validate({**data, "account": MOTO_ACCOUNT})


def _replace_get_atts(value, skipped: set[str]):
    if isinstance(value, dict):
        if "Fn::GetAtt" in value and value["Fn::GetAtt"][0] in skipped:
            return "moto-skipped:" + ".".join(value["Fn::GetAtt"])
        return {key: _replace_get_atts(item, skipped) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_get_atts(item, skipped) for item in value]
    return value


def _for_moto(template: dict) -> dict:
    """The template with the moto workarounds listed in the module docstring applied."""
    resources = template["Resources"]
    skipped = {lid for lid, r in resources.items() if r["Type"].startswith(SKIPPED_BY_MOTO)}
    template = _replace_get_atts(template, skipped)
    resources = template["Resources"]
    for resource in resources.values():
        if resource["Type"] == "AWS::RDS::DBInstance":
            resource["Properties"].pop("DBParameterGroupName", None)
            if "SourceDBInstanceIdentifier" in resource["Properties"]:
                resource["Properties"].pop("DBSubnetGroupName", None)
        if resource["Type"] == "AWS::SSM::Parameter" and "Tags" in resource["Properties"]:
            resource["Properties"]["Tags"] = [
                {"Key": key, "Value": value} for key, value in resource["Properties"]["Tags"].items()
            ]
        if resource["Type"] == "AWS::KMS::Key" and "Tags" in resource["Properties"]:
            resource["Properties"]["Tags"] = [
                {"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in resource["Properties"]["Tags"]
            ]
    custom = {lid for lid, r in resources.items() if r["Type"] in PROVIDER_TYPES}
    providers = {
        lid
        for lid, r in resources.items()
        if lid.startswith("CustomVpcRestrictDefaultSGCustomResourceProvider")
    }
    for logical_id in custom | providers:
        del resources[logical_id]
    return template


def _create_stack(region: str, name: str, template: dict) -> None:
    cloudformation = boto3.client("cloudformation", region_name=region)
    body = json.dumps(template)
    if len(body) <= TEMPLATE_BODY_LIMIT:
        source = {"TemplateBody": body}
    else:  # moto reads path-style URLs on a localhost host only
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="moto-templates")
        s3.put_object(Bucket="moto-templates", Key=f"{name}.json", Body=body.encode())
        source = {"TemplateURL": f"http://localhost:5000/moto-templates/{name}.json"}
    cloudformation.create_stack(StackName=name, Capabilities=["CAPABILITY_IAM"], **source)
    status = cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    assert status == "CREATE_COMPLETE", (name, status)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    from moto import mock_aws

    from tenantkit.compliance.assembly import stack_artifacts
    from tenantkit.synth import synth_tenants

    config = _tenant()
    outdir = tmp_path_factory.mktemp("cdk.out")
    (result,) = synth_tenants([config], outdir, lint=False)
    assert result.ok, result.findings or result.error
    stacks = stack_artifacts(outdir / config.tenant_id, stack_names(config.tenant_id))

    with mock_aws(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # moto announces each skipped resource type
        for region in config.regions:
            boto3.client("ssm", region_name=region).put_parameter(
                Name="/cdk-bootstrap/hnb659fds/version", Value="30", Type="String"
            )
        for stack in stacks:  # dr, primary, replica: the dependency order
            _create_stack(stack.region, stack.name, _for_moto(stack.template()))
        yield config, TenantNames(
            tenant_id=config.tenant_id,
            account=MOTO_ACCOUNT,
            primary_region=config.primary_region,
            secondary_region=config.secondary_region,
        )


def test_every_stack_is_created(deployed):
    config, names = deployed
    regions = {names.dr_stack: names.secondary_region, names.primary_stack: names.primary_region, names.replica_stack: names.secondary_region}
    for name, region in regions.items():
        (stack,) = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=name)["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE"


@pytest.mark.parametrize("which", ["primary", "secondary"])
def test_the_tenant_key_exists_under_its_alias_in_both_regions(deployed, which):
    _, names = deployed
    region = names.primary_region if which == "primary" else names.secondary_region
    kms = boto3.client("kms", region_name=region)
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    key_id = aliases[names.key_alias]
    assert key_id in {k["KeyId"] for k in kms.list_keys()["Keys"]}


def test_the_buckets_exist(deployed):
    _, names = deployed
    s3 = boto3.client("s3", region_name=names.primary_region)
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {names.data_bucket, names.access_log_bucket, names.dr_bucket, names.dr_access_log_bucket} <= buckets


def test_the_data_bucket_is_encrypted_with_the_tenant_key(deployed):
    # moto's CloudFormation applies only a bucket's encryption and tags (versioning, replication,
    # logging and ownership are asserted at template level).
    _, names = deployed
    kms = boto3.client("kms", region_name=names.primary_region)
    key_id = {a["AliasName"]: a["TargetKeyId"] for a in kms.list_aliases()["Aliases"]}[names.key_alias]
    s3 = boto3.client("s3", region_name=names.primary_region)
    (rule,) = s3.get_bucket_encryption(Bucket=names.data_bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    default = rule["ApplyServerSideEncryptionByDefault"]
    assert default["SSEAlgorithm"] == "aws:kms"
    assert default["KMSMasterKeyID"].endswith(f"key/{key_id}")


@pytest.mark.parametrize("which", ["primary", "secondary"])
def test_an_isolated_vpc_exists_in_each_region(deployed, which):
    config, names = deployed
    region = names.primary_region if which == "primary" else names.secondary_region
    ec2 = boto3.client("ec2", region_name=region)
    vpcs = ec2.describe_vpcs(Filters=[{"Name": f"tag:{TAG_TENANT}", "Values": [config.tenant_id]}])["Vpcs"]
    assert len(vpcs) == 1
    vpc_id = vpcs[0]["VpcId"]
    assert ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"] == []
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert len(subnets) == 2 and not any(s["MapPublicIpOnLaunch"] for s in subnets)


def test_the_primary_database_exists_encrypted_and_multi_az(deployed):
    _, names = deployed
    rds = boto3.client("rds", region_name=names.primary_region)
    (db,) = rds.describe_db_instances(DBInstanceIdentifier=names.db_instance)["DBInstances"]
    assert db["Engine"] == "postgres" and db["EngineVersion"] == "17.9"
    assert db["StorageEncrypted"] is True and db["MultiAZ"] is True
    assert db["PubliclyAccessible"] is False


def test_the_read_replica_exists_in_the_secondary_region(deployed):
    _, names = deployed
    rds = boto3.client("rds", region_name=names.secondary_region)
    (replica,) = rds.describe_db_instances(DBInstanceIdentifier=names.replica_db_instance)["DBInstances"]
    assert replica["DBInstanceIdentifier"] == names.replica_db_instance
