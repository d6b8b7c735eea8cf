"""The example tenants in a real sandbox process: deployed in parallel as synthesized, redeployed
as a no-op, inventoried with only their own resources, and tampering flagged."""

from __future__ import annotations

import json
import shutil

import boto3
import pytest
from botocore.exceptions import ClientError

from tenantkit.config import validate_paths
from tenantkit.lifecycle.deploy_local import StackOutcome
from tenantkit.lifecycle.local import deploy_local, inventory_tenants
from tenantkit.naming import TenantNames
from tenantkit.sandbox import start_sandbox, stop_sandbox
from tenantkit.stacks.tenant import names_of
from tests.conftest import EXAMPLE_CONFIGS

pytestmark = pytest.mark.slow
TENANTS = ("maple-ca", "northwind-us")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("sandbox")
    configs = root / "tenants"
    configs.mkdir()
    for tenant in TENANTS:
        shutil.copy(EXAMPLE_CONFIGS / f"{tenant}.yaml", configs)
    state = root / ".tenantkit"
    status, _ = start_sandbox(state)
    yield {"configs": configs, "out": root / "cdk.out", "state": state, "endpoint": status.endpoint}
    stop_sandbox(state)


@pytest.fixture(scope="module")
def first_deploy(sandbox):
    return deploy_local(sandbox["configs"], [], sandbox["out"], sandbox["state"], concurrency=2)


def _inventory(sandbox, tenant):
    (found,) = inventory_tenants(sandbox["configs"], [tenant], sandbox["out"], sandbox["state"], local=True)
    return found


def _client(sandbox, service, account):
    """A client acting in `account` (moto maps an assumed role's credentials to its account)."""
    sts = boto3.client("sts", endpoint_url=sandbox["endpoint"], region_name="us-east-1")
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/test", RoleSessionName="tamper")["Credentials"]
    return boto3.client(
        service,
        endpoint_url=sandbox["endpoint"],
        region_name="ca-central-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def test_two_tenants_deploy_in_parallel_as_synthesized(first_deploy):
    assert [r.tenant_id for r in first_deploy] == list(TENANTS)
    for result in first_deploy:
        assert result.ok, result
        assert [s.outcome for s in result.stacks] == [StackOutcome.CREATED] * 3


def test_an_unchanged_redeploy_changes_nothing(sandbox, first_deploy, monkeypatch):
    """The deployed templates' digests are compared first: no tenant synthesized or restored from
    the synth cache, no baseline stack synthesized or deployed, nothing published."""
    import tenantkit.lifecycle.baseline_local
    import tenantkit.lifecycle.deploy_local
    import tenantkit.synth.baseline
    import tenantkit.synth.service
    from tenantkit.synth import SynthCache

    done: list[str] = []

    def refuse(name):
        return lambda *args, **kwargs: done.append(name)

    monkeypatch.setattr(tenantkit.synth.service, "_synth_one", refuse("synth"))
    monkeypatch.setattr(SynthCache, "restore", refuse("cache restore"))
    monkeypatch.setattr(tenantkit.synth.baseline, "synth_baselines", refuse("baseline synth"))
    monkeypatch.setattr(tenantkit.lifecycle.baseline_local, "deploy_baselines", refuse("baseline deploy"))
    monkeypatch.setattr(tenantkit.lifecycle.deploy_local, "publish_assets", refuse("publish"))
    again = deploy_local(sandbox["configs"], [], sandbox["out"], sandbox["state"], concurrency=2)
    assert [r.tenant_id for r in again] == list(TENANTS)
    assert all(s.outcome is StackOutcome.UNCHANGED for result in again for s in result.stacks), again
    assert [len(result.stacks) for result in again] == [3, 3]
    assert done == []


def test_each_inventory_lists_only_its_own_tenant_and_flags_nothing(sandbox, first_deploy):
    for tenant in TENANTS:
        found = _inventory(sandbox, tenant)
        assert found.ok, [item.as_dict() for item in found.flagged]
        other = next(t for t in TENANTS if t != tenant)
        assert not any(other in item.name or other in str(item.details) for item in found.items)
        kinds = {item.kind for item in found.items}
        assert {"kms key", "bucket", "database", "backup vault", "backup plan", "web acl", "topic", "secret", "stack"} <= kinds


def test_a_foreign_key_and_a_deleted_bucket_policy_are_flagged(sandbox, first_deploy):
    account = "111122223333"  # maple-ca's
    s3 = _client(sandbox, "s3", account)
    foreign = _client(sandbox, "kms", account).create_key()["KeyMetadata"]["Arn"]
    data, logs = f"maple-ca-data-{account}-ca-central-1", f"maple-ca-logs-{account}-ca-central-1"
    encryption = s3.get_bucket_encryption(Bucket=data)["ServerSideEncryptionConfiguration"]
    policy = s3.get_bucket_policy(Bucket=logs)["Policy"]
    try:
        s3.put_bucket_encryption(
            Bucket=data,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": foreign}}]
            },
        )
        s3.delete_bucket_policy(Bucket=logs)
        found = _inventory(sandbox, "maple-ca")
        flagged = {(item.name, problem) for item in found.flagged if item.kind != "stack drift" for problem in item.problems}
        assert flagged == {
            (data, f"encrypted with {foreign}, not the tenant key"),
            (logs, "no bucket policy (TLS-only and encryption rules missing)"),
        }
        # CloudFormation's drift detection sees the deleted policy too, with both values.
        (drift,) = [problem for item in found.flagged if item.kind == "stack drift" for problem in item.problems]
        assert "(AWS::S3::BucketPolicy) /PolicyDocument: declared {" in drift and drift.endswith(", actual null")
    finally:  # the other tests share this sandbox
        s3.put_bucket_encryption(Bucket=data, ServerSideEncryptionConfiguration=encryption)
        s3.put_bucket_policy(Bucket=logs, Policy=policy)
    assert _inventory(sandbox, "maple-ca").ok


def test_a_changed_config_updates_the_tenant_in_place(sandbox, first_deploy):
    waf = boto3.client("wafv2", endpoint_url=sandbox["endpoint"], region_name="us-east-1")
    (before,) = [s for s in waf.list_ip_sets(Scope="REGIONAL")["IPSets"] if s["Name"] == "tenantkit-northwind-us-ipv4"]
    path = sandbox["configs"] / "northwind-us.yaml"
    path.write_text(path.read_text().replace('    - "192.0.2.0/24"\n', '    - "192.0.2.0/24"\n    - "203.0.113.0/24"\n'))
    result, = deploy_local(sandbox["configs"], ["northwind-us"], sandbox["out"], sandbox["state"], concurrency=1)
    outcomes = {s.stack: s.outcome for s in result.stacks}
    assert result.ok, result
    # The allow-list lives in the web ACLs of both regions: both stacks holding one change.
    assert outcomes["tenant-northwind-us-primary"] is StackOutcome.UPDATED
    assert outcomes["tenant-northwind-us-dr"] is StackOutcome.UPDATED
    assert outcomes["tenant-northwind-us-replica"] is StackOutcome.UNCHANGED
    (ip_set,) = [s for s in waf.list_ip_sets(Scope="REGIONAL")["IPSets"] if s["Name"] == "tenantkit-northwind-us-ipv4"]
    assert ip_set["ARN"] == before["ARN"]  # updated in place, as CloudFormation does: the web ACL's reference holds
    addresses = waf.get_ip_set(Name=ip_set["Name"], Scope="REGIONAL", Id=ip_set["Id"])["IPSet"]["Addresses"]
    assert sorted(addresses) == ["192.0.2.0/24", "203.0.113.0/24"]


# --- the wrong principals are refused (the sandbox's refusals are ours: extensions/policies) ---

def _as(sandbox, credentials, service):
    return boto3.client(service, endpoint_url=sandbox["endpoint"], region_name="ca-central-1", **credentials)


@pytest.fixture(scope="module")
def wrong_principals(sandbox, first_deploy):
    """In maple-ca's account: an administrator user (`*` on `*`), a role under northwind-us's path,
    and a role that forged maple-ca's tenant tag, each allowed everything by its identity policy."""
    (config,) = [c for c in validate_paths([sandbox["configs"]]).configs if c.tenant_id == "maple-ca"]
    names = names_of(config)
    iam, sts = _client(sandbox, "iam", config.account), _client(sandbox, "sts", config.account)
    everything = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    iam.create_user(UserName="administrator")
    iam.put_user_policy(UserName="administrator", PolicyName="AdministratorAccess", PolicyDocument=everything)
    key = iam.create_access_key(UserName="administrator")["AccessKey"]
    principals = {"administrator": {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}}
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{config.account}:root"}, "Action": "sts:AssumeRole"}]})
    other = TenantNames(tenant_id="northwind-us", account=config.account, primary_region="us-east-1", secondary_region="us-west-2")
    for label, path, tags in (("other tenant's role", other.role_path, []),
                              ("forged tag", "/", [{"Key": "tenantkit:tenant", "Value": "maple-ca"}])):
        role = iam.create_role(RoleName=label.replace(" ", "-").replace("'", ""), Path=path, AssumeRolePolicyDocument=trust, Tags=tags)["Role"]
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName="everything", PolicyDocument=everything)
        credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="wrong-principal")["Credentials"]
        principals[label] = {"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"],
                             "aws_session_token": credentials["SessionToken"]}
    return {"names": names, "account": config.account, "principals": principals}


def _refused(call) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"]


def test_wrong_principals_cannot_decrypt_with_the_tenant_key(sandbox, wrong_principals):
    names = wrong_principals["names"]
    blob = _client(sandbox, "kms", wrong_principals["account"]).encrypt(KeyId=names.key_alias, Plaintext=b"tenant data")["CiphertextBlob"]
    for label, credentials in wrong_principals["principals"].items():
        kms = _as(sandbox, credentials, "kms")
        assert _refused(lambda kms=kms: kms.decrypt(CiphertextBlob=blob)) == "AccessDeniedException", label
        assert _refused(lambda kms=kms: kms.generate_data_key(KeyId=names.key_alias, KeySpec="AES_256")) == "AccessDeniedException", label


def test_wrong_principals_cannot_read_or_replace_the_master_secret(sandbox, wrong_principals):
    secret = wrong_principals["names"].db_master_secret
    for label, credentials in wrong_principals["principals"].items():
        secrets = _as(sandbox, credentials, "secretsmanager")
        assert _refused(lambda s=secrets: s.get_secret_value(SecretId=secret)) == "AccessDeniedException", label
        assert _refused(lambda s=secrets: s.put_secret_value(SecretId=secret, SecretString="mine")) == "AccessDeniedException", label


def test_wrong_principals_cannot_delete_the_tenants_objects(sandbox, wrong_principals):
    names = wrong_principals["names"]
    operator = _client(sandbox, "s3", wrong_principals["account"])
    operator.put_object(Bucket=names.data_bucket, Key="wrong-principals/kept", Body=b"x")
    for label, credentials in wrong_principals["principals"].items():
        s3 = _as(sandbox, credentials, "s3")
        assert _refused(lambda s3=s3: s3.delete_object(Bucket=names.data_bucket, Key="wrong-principals/kept")) == "AccessDenied", label
        answer = s3.delete_objects(Bucket=names.data_bucket, Delete={"Objects": [{"Key": "wrong-principals/kept"}]})
        assert [e["Code"] for e in answer.get("Errors", [])] == ["AccessDenied"], label
    assert operator.get_object(Bucket=names.data_bucket, Key="wrong-principals/kept")["Body"].read() == b"x"


def test_wrong_principals_cannot_assume_the_tenants_operator_roles(sandbox, wrong_principals):
    """The trust policies as deployed: break-glass needs MFA (none of these callers gives it), and no
    tenant's role (here northwind-us's) becomes maple-ca's break-glass or offboarding role, MFA or not."""
    names, account = wrong_principals["names"], wrong_principals["account"]
    mfa = {"SerialNumber": f"arn:aws:iam::{account}:mfa/operator", "TokenCode": "123456"}
    for label, credentials in wrong_principals["principals"].items():
        sts = _as(sandbox, credentials, "sts")
        assert _refused(lambda sts=sts: sts.assume_role(RoleArn=names.break_glass_role_arn, RoleSessionName="wrong-principal")) == "AccessDenied", label
    neighbour = _as(sandbox, wrong_principals["principals"]["other tenant's role"], "sts")
    for role_arn in (names.break_glass_role_arn, names.offboarding_role_arn):
        assert _refused(lambda arn=role_arn: neighbour.assume_role(RoleArn=arn, RoleSessionName="wrong-principal", **mfa)) == "AccessDenied", role_arn
