"""Deploy one tenant's three stacks, AS SYNTHESIZED, into in-process moto CloudFormation (dr,
then primary, then replica), then check through the service APIs what each stack created.

Nothing in the templates is edited: tenantkit's extensions to moto
(`tenantkit.sandbox.extensions.install()`) supply what moto 5.2.5 skips or gets wrong, each
named with its defect there. The deploy is done as `cdk deploy --method=direct` does it
(tests/sandbox/cdk_deploy.py): bootstrap each region (the version parameter and the assets
bucket), publish the stack's assets (the VPC custom resource's Lambda code, the template), then
CreateStack, from the assets bucket when the template exceeds CreateStack's body limit.

The tenant is the example maple-ca moved to moto's default account (and without
`access.protect`, whose ARNs name the example account).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import boto3
import pytest

from tenantkit.config import TenantConfig, load_tenants
from tenantkit.naming import TAG_TENANT, TenantNames, stack_names
from tests.sandbox.cdk_deploy import bootstrap, create_stack, publish_assets

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "tenant_configs"
MOTO_ACCOUNT = "123456789012"


def _tenant() -> TenantConfig:
    (maple,) = [c for c in load_tenants([EXAMPLES]) if c.tenant_id == "maple-ca"]
    data = maple.model_dump(mode="json")
    data["access"]["protect"] = []  # the examples' ARNs name the example account
    return TenantConfig.model_validate({**data, "account": MOTO_ACCOUNT})


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    from moto import mock_aws

    from tenantkit.compliance.assembly import stack_artifacts
    from tenantkit.sandbox.extensions import install
    from tenantkit.synth import synth_tenants

    config = _tenant()
    outdir = tmp_path_factory.mktemp("cdk.out")
    (result,) = synth_tenants([config], outdir, lint=False)
    assert result.ok, result.findings or result.error
    assembly = outdir / config.tenant_id
    stacks = stack_artifacts(assembly, stack_names(config.tenant_id))

    install()
    with mock_aws(), warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # moto warns of each type it skips: none may be
        for region in config.regions:
            bootstrap(MOTO_ACCOUNT, region)
        for stack in stacks:  # dr, primary, replica: the dependency order
            publish_assets(assembly, stack.name)
            assert create_stack(assembly, stack.name, stack.region) == "CREATE_COMPLETE", stack.name
        yield config, TenantNames(
            tenant_id=config.tenant_id,
            account=MOTO_ACCOUNT,
            primary_region=config.primary_region,
            secondary_region=config.secondary_region,
        )


def _regions(names: TenantNames) -> list[str]:
    return [names.primary_region, names.secondary_region]


def test_every_stack_is_created_with_its_outputs(deployed):
    _, names = deployed
    regions = {names.dr_stack: names.secondary_region, names.primary_stack: names.primary_region, names.replica_stack: names.secondary_region}
    for name, region in regions.items():
        (stack,) = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=name)["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
    (dr,) = boto3.client("cloudformation", region_name=names.secondary_region).describe_stacks(StackName=names.dr_stack)["Stacks"]
    assert {o["OutputKey"] for o in dr["Outputs"]} >= {"WebAclArn"}


@pytest.mark.parametrize("which", ["primary", "secondary"])
def test_the_tenant_key_exists_under_its_alias_in_both_regions(deployed, which):
    _, names = deployed
    region = names.primary_region if which == "primary" else names.secondary_region
    kms = boto3.client("kms", region_name=region)
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    key_id = aliases[names.key_alias]
    assert key_id in {k["KeyId"] for k in kms.list_keys()["Keys"]}
    assert {"TagKey": TAG_TENANT, "TagValue": names.tenant_id} in kms.list_resource_tags(KeyId=key_id)["Tags"]


def test_the_data_bucket_is_encrypted_versioned_private_and_replicated(deployed):
    _, names = deployed
    kms = boto3.client("kms", region_name=names.primary_region)
    key_id = {a["AliasName"]: a["TargetKeyId"] for a in kms.list_aliases()["Aliases"]}[names.key_alias]
    s3 = boto3.client("s3", region_name=names.primary_region)
    (rule,) = s3.get_bucket_encryption(Bucket=names.data_bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"].endswith(f"key/{key_id}")
    assert s3.get_bucket_versioning(Bucket=names.data_bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=names.data_bucket)["PublicAccessBlockConfiguration"].values())
    (replication,) = s3.get_bucket_replication(Bucket=names.data_bucket)["ReplicationConfiguration"]["Rules"]
    assert replication["Destination"]["Bucket"] == f"arn:aws:s3:::{names.dr_bucket}"
    assert s3.get_bucket_logging(Bucket=names.data_bucket)["LoggingEnabled"]["TargetBucket"] == names.access_log_bucket


@pytest.mark.parametrize("bucket", ["data_bucket", "access_log_bucket", "dr_bucket", "dr_access_log_bucket"])
def test_every_bucket_is_versioned_and_denies_plain_http(deployed, bucket):
    _, names = deployed
    s3 = boto3.client("s3", region_name=names.primary_region)
    name = getattr(names, bucket)
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    statements = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])["Statement"]
    assert any(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false" for s in statements)


def test_the_web_acls_exist_in_both_regions_with_their_ip_sets(deployed):
    _, names = deployed
    for region in _regions(names):
        waf = boto3.client("wafv2", region_name=region)
        (acl,) = waf.list_web_acls(Scope="REGIONAL")["WebACLs"]
        detail = waf.get_web_acl(Name=acl["Name"], Scope="REGIONAL", Id=acl["Id"])["WebACL"]
        referenced = repr(detail["Rules"])  # SearchString comes back as bytes
        ip_sets = waf.list_ip_sets(Scope="REGIONAL")["IPSets"]
        assert len(ip_sets) == 2 and all(ip_set["ARN"] in referenced for ip_set in ip_sets)
        assert waf.get_logging_configuration(ResourceArn=acl["ARN"])["LoggingConfiguration"]["LogDestinationConfigs"]
        parameter = boto3.client("ssm", region_name=region).get_parameter(Name=f"/tenantkit/{names.tenant_id}/web-acl-arn")
        assert parameter["Parameter"]["Value"] == acl["ARN"]


def test_the_deployed_web_acls_limit_the_rate_and_filter_reputation_before_allowing(deployed):
    config, names = deployed
    for region in _regions(names):
        waf = boto3.client("wafv2", region_name=region)
        (acl,) = waf.list_web_acls(Scope="REGIONAL")["WebACLs"]
        rules = waf.get_web_acl(Name=acl["Name"], Scope="REGIONAL", Id=acl["Id"])["WebACL"]["Rules"]
        first_allow = min(r["Priority"] for r in rules if "Allow" in r.get("Action", {}))
        (rate,) = [r for r in rules if "RateBasedStatement" in r["Statement"]]
        assert rate["Statement"]["RateBasedStatement"]["Limit"] == config.access.rate_limit
        groups = {
            r["Statement"]["ManagedRuleGroupStatement"]["Name"]: r
            for r in rules
            if "ManagedRuleGroupStatement" in r["Statement"]
        }
        anonymous = groups["AWSManagedRulesAnonymousIpList"]
        counted = config.access.managed_rules.anonymous_ip.action == "count"
        assert anonymous["OverrideAction"] == ({"Count": {}} if counted else {"None": {}})
        filters = (rate, groups["AWSManagedRulesAmazonIpReputationList"], anonymous)
        assert all(r["Priority"] < first_allow for r in filters)


def test_the_backup_vaults_and_plan_exist(deployed):
    _, names = deployed
    primary = boto3.client("backup", region_name=names.primary_region)
    (vault,) = primary.list_backup_vaults()["BackupVaultList"]
    (plan,) = primary.list_backup_plans()["BackupPlansList"]
    rules = primary.get_backup_plan(BackupPlanId=plan["BackupPlanId"])["BackupPlan"]["Rules"]
    assert {rule["TargetBackupVaultName"] for rule in rules} == {vault["BackupVaultName"]}
    copies = [action["DestinationBackupVaultArn"] for rule in rules for action in rule.get("CopyActions", [])]
    (dr_vault,) = boto3.client("backup", region_name=names.secondary_region).list_backup_vaults()["BackupVaultList"]
    assert copies == [dr_vault["BackupVaultArn"]] * 2  # the hourly and the daily tier


def test_the_master_secret_exists_and_is_replicated(deployed):
    _, names = deployed
    primary = boto3.client("secretsmanager", region_name=names.primary_region)
    (secret,) = primary.list_secrets()["SecretList"]
    value = json.loads(primary.get_secret_value(SecretId=secret["ARN"])["SecretString"])
    assert len(value["password"]) == 32 and value["port"] == 5432
    (replica,) = boto3.client("secretsmanager", region_name=names.secondary_region).list_secrets()["SecretList"]
    assert replica["Name"] == secret["Name"]


def test_the_master_secret_has_its_policy_and_rotation_recorded(deployed):
    """Rotation in the sandbox is the schedule only: moto runs no Lambda without Docker."""
    config, names = deployed
    secrets = boto3.client("secretsmanager", region_name=names.primary_region)
    described = secrets.describe_secret(SecretId=names.db_master_secret)
    assert described["RotationEnabled"] is True
    assert described["RotationRules"]["AutomaticallyAfterDays"] == config.database.rotation_days
    assert described["RotationLambdaARN"].endswith(f":function:{names.rotation_function}")
    policy = json.loads(secrets.get_resource_policy(SecretId=names.db_master_secret)["ResourcePolicy"])
    denied_unless = [s["Condition"]["ArnNotLike"]["aws:PrincipalArn"] for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert denied_unless and all(names.tenant_role_arn_pattern in arns for arns in denied_unless)
    function = boto3.client("lambda", region_name=names.primary_region).get_function(FunctionName=names.rotation_function)
    assert function["Configuration"]["Role"].startswith(f"arn:aws:iam::{names.account}:role{names.role_path}")


def test_the_primary_database_is_encrypted_multi_az_and_protected(deployed):
    _, names = deployed
    rds = boto3.client("rds", region_name=names.primary_region)
    (db,) = rds.describe_db_instances(DBInstanceIdentifier=names.db_instance)["DBInstances"]
    assert db["Engine"] == "postgres" and db["EngineVersion"] == "17.9"
    assert db["StorageEncrypted"] is True and db["MultiAZ"] is True and db["PubliclyAccessible"] is False
    assert db["DeletionProtection"] is True and db["IAMDatabaseAuthenticationEnabled"] is True


def test_the_read_replica_is_protected_in_the_secondary_region(deployed):
    _, names = deployed
    rds = boto3.client("rds", region_name=names.secondary_region)
    (replica,) = rds.describe_db_instances(DBInstanceIdentifier=names.replica_db_instance)["DBInstances"]
    assert replica["ReadReplicaSourceDBInstanceIdentifier"].endswith(f":db:{names.db_instance}")
    assert replica["DeletionProtection"] is True


@pytest.mark.parametrize("which", ["primary", "secondary"])
def test_an_isolated_vpc_with_a_closed_default_group_exists_in_each_region(deployed, which):
    config, names = deployed
    region = names.primary_region if which == "primary" else names.secondary_region
    ec2 = boto3.client("ec2", region_name=region)
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": f"tag:{TAG_TENANT}", "Values": [config.tenant_id]}])["Vpcs"]
    vpc_id = vpc["VpcId"]
    assert ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"] == []
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert len(subnets) == 2 and not any(s["MapPublicIpOnLaunch"] for s in subnets)
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    (default,) = ec2.describe_security_groups(Filters=filters)["SecurityGroups"]
    assert default["IpPermissions"] == [] and default["IpPermissionsEgress"] == []


def test_alarms_event_rules_and_the_security_subscription_exist_in_both_regions(deployed):
    config, names = deployed
    for region in _regions(names):
        assert boto3.client("cloudwatch", region_name=region).describe_alarms()["MetricAlarms"]
        events = boto3.client("events", region_name=region)
        rules = events.list_rules()["Rules"]
        assert rules and all(events.list_targets_by_rule(Rule=r["Name"])["Targets"] for r in rules)
        (subscription,) = boto3.client("sns", region_name=region).list_subscriptions()["Subscriptions"]
        assert subscription["Protocol"] == "email" and subscription["Endpoint"] == config.contacts.security_email
