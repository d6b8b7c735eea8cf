"""The synthesized key, bucket and vault policies of an example tenant, tried as the wrong
principals by our policy evaluator (tenantkit.policy): another tenant's role, an administrator, a
role that forged the tenant tag are refused; the tenant's own roles, break-glass, offboarding and
the deployment role get what they should, and nothing more. moto never evaluates these policies.

Expected ARNs come from the tenant file (account, regions, id) through tenantkit.naming; the
template's Fn::Join / Ref / GetAtt are resolved with that account and region."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tenantkit.naming import TenantNames, names_for
from tenantkit.policy import Request, evaluate

from .conftest import EXAMPLES, synthesize

TENANT = "maple-ca"
OTHER = "rhein-de"
EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.fixture(scope="module")
def maple(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tenants")
    shutil.copy(EXAMPLES / f"{TENANT}.yaml", directory)
    shutil.copy(EXAMPLES / "tenant.schema.json", directory)
    synthesized = synthesize(directory, tmp_path_factory.mktemp("cdk.out"))
    config = synthesized.configs[TENANT]
    assert config.account is not None, "the example must name its account: ARNs are checked against it"
    names = names_for(TENANT, config.account, config.primary_region, config.secondary_region)
    return names, {stack: synthesized.raw(stack) for stack in names.stacks}


class Resolver:
    """Fn::Join / Ref / GetAtt of one template, resolved with the tenant's account and a region."""

    def __init__(self, template: dict, names: TenantNames, region: str) -> None:
        self.resources, self.names, self.region = template["Resources"], names, region

    def key_id(self, logical_id: str) -> str:
        return f"key-{logical_id.lower()}"

    def arn(self, logical_id: str) -> str:
        resource = self.resources[logical_id]
        properties, account = resource["Properties"], self.names.account
        return {
            "AWS::S3::Bucket": lambda: f"arn:aws:s3:::{properties.get('BucketName')}",
            "AWS::KMS::Key": lambda: f"arn:aws:kms:{self.region}:{account}:key/{self.key_id(logical_id)}",
            "AWS::IAM::Role": lambda: f"arn:aws:iam::{account}:role{properties.get('Path', '/')}{properties.get('RoleName', logical_id)}",
        }[resource["Type"]]()

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            pseudo = {"AWS::AccountId": self.names.account, "AWS::Partition": "aws", "AWS::Region": self.region,
                      "AWS::URLSuffix": "amazonaws.com"}
            ref = value["Ref"]
            return pseudo.get(ref) or (self.key_id(ref) if self.resources[ref]["Type"] == "AWS::KMS::Key" else ref)
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = value["Fn::GetAtt"]
            assert attribute == "Arn", value
            return self.arn(logical_id)
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self(part)) for part in parts)
        return {key: self(item) for key, item in value.items()}


def _of_type(template: dict, resource_type: str, **properties: Any) -> tuple[str, dict]:
    (found,) = [
        (logical_id, r) for logical_id, r in template["Resources"].items()
        if r["Type"] == resource_type and all(r["Properties"].get(k) == v for k, v in properties.items())
    ]
    return found


def _data_key(template: dict, names: TenantNames) -> tuple[str, dict]:
    """The tenant's data key (the stack also holds the incident topic's own key)."""
    _, alias = _of_type(template, "AWS::KMS::Alias", AliasName=names.key_alias)
    key_id = alias["Properties"]["TargetKeyId"]["Fn::GetAtt"][0]
    return key_id, template["Resources"][key_id]


def _bucket_policy(template: dict, resolve: Resolver, bucket_name: str) -> dict:
    bucket_id, _ = _of_type(template, "AWS::S3::Bucket", BucketName=bucket_name)
    _, policy = _of_type(template, "AWS::S3::BucketPolicy", Bucket={"Ref": bucket_id})
    return resolve(policy["Properties"]["PolicyDocument"])


def _role(names: TenantNames, path: str, name: str) -> str:
    return f"arn:aws:iam::{names.account}:role{path}{name}"


def _wrong_principals(names: TenantNames) -> dict[str, tuple[str, dict[str, Any]]]:
    """principal ARN and extra request context of each principal that must be refused."""
    return {
        "another tenant's role": (_role(names, f"/tenantkit/{OTHER}/", "app"), {}),
        "an administrator": (_role(names, "/", "Admin"), {}),
        "a role that forged the tenant tag": (_role(names, "/", "forged"), {"aws:PrincipalTag/tenantkit:tenant": TENANT}),
        "a role whose path only starts like the tenant's": (_role(names, f"/tenantkit/{TENANT}-x/", "app"), {}),
    }


WRONG = ["another tenant's role", "an administrator", "a role that forged the tenant tag", "a role whose path only starts like the tenant's"]


# --- the tenant key ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def key(maple):
    names, templates = maple
    template = templates[names.primary_stack]
    resolve = Resolver(template, names, names.primary_region)
    key_id, key = _data_key(template, names)
    return names, resolve.arn(key_id), resolve(key["Properties"]["KeyPolicy"])


def _decrypt(key, principal: str, via: str | None, **context: Any):
    names, key_arn, policy = key
    if via:
        context["kms:ViaService"] = f"{via}.{names.primary_region}.amazonaws.com"
    context.setdefault("kms:CallerAccount", names.account)
    request = Request(principal, "kms:Decrypt", key_arn, context)
    return evaluate(request, identity_policies=[EVERYTHING], resource_policy=policy)


@pytest.mark.parametrize("who", WRONG)
@pytest.mark.parametrize("via", ["secretsmanager", "s3", "rds", None])
def test_the_wrong_principal_cannot_decrypt_with_the_tenant_key(key, who, via):
    principal, context = _wrong_principals(key[0])[who]
    decision = _decrypt(key, principal, via, **context)
    assert not decision.allowed, decision.reason


@pytest.mark.parametrize("role", ["app", "tenantkit-maple-ca-break-glass", "tenantkit-maple-ca-offboarding"])
@pytest.mark.parametrize("via", ["secretsmanager", "s3", "rds"])
def test_the_tenants_roles_decrypt_through_its_data_services(key, role, via):
    names = key[0]
    decision = _decrypt(key, _role(names, names.role_path, role), via)
    assert decision.allowed, decision.reason


def test_the_tenants_roles_do_not_decrypt_outside_the_data_services(key):
    names = key[0]
    assert not _decrypt(key, names.break_glass_role_arn, None).allowed


def test_the_deployment_role_reads_the_master_secret_only_through_secrets_manager(key):
    names = key[0]
    deployer = names.deployment_role_arn(names.primary_region)
    assert _decrypt(key, deployer, "secretsmanager").allowed
    assert not _decrypt(key, deployer, None).allowed


def test_an_administrator_still_manages_the_key(key):
    names, key_arn, policy = key
    request = Request(_role(names, "/", "Admin"), "kms:ScheduleKeyDeletion", key_arn)
    assert evaluate(request, identity_policies=[EVERYTHING], resource_policy=policy).allowed


# --- the data bucket --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data_bucket(maple):
    names, templates = maple
    template = templates[names.primary_stack]
    resolve = Resolver(template, names, names.primary_region)
    key_id, _ = _data_key(template, names)
    return names, _bucket_policy(template, resolve, names.data_bucket), resolve.arn(key_id), resolve.key_id(key_id)


def _s3(bucket, principal: str, action: str, key: str | None = "report.pdf", **context: Any):
    names, policy, *_ = bucket
    resource = names.data_bucket_arn + (f"/{key}" if key else "")
    request = Request(principal, action, resource, {"aws:SecureTransport": "true", **context})
    return evaluate(request, identity_policies=[EVERYTHING], resource_policy=policy, resource_account=names.account)


@pytest.mark.parametrize("who", WRONG)
@pytest.mark.parametrize(("action", "key"), [("s3:GetObject", "report.pdf"), ("s3:ListBucket", None), ("s3:DeleteObjectVersion", "report.pdf"), ("s3:PutBucketPolicy", None)])
def test_the_wrong_principal_cannot_touch_the_data_bucket(data_bucket, who, action, key):
    principal, context = _wrong_principals(data_bucket[0])[who]
    decision = _s3(data_bucket, principal, action, key, **context)
    assert not decision.allowed, decision.reason


@pytest.mark.parametrize("role", ["app", "tenantkit-maple-ca-break-glass"])
def test_the_tenants_roles_read_write_and_delete_but_not_destroy(data_bucket, role):
    names = data_bucket[0]
    principal = _role(names, names.role_path, role)
    assert _s3(data_bucket, principal, "s3:GetObject").allowed
    assert _s3(data_bucket, principal, "s3:PutObject").allowed
    assert _s3(data_bucket, principal, "s3:DeleteObject").allowed  # a delete marker, undone within retention
    assert not _s3(data_bucket, principal, "s3:DeleteObjectVersion").allowed
    assert not _s3(data_bucket, principal, "s3:DeleteBucket", None).allowed


def test_only_the_offboarding_role_destroys_object_versions_and_the_bucket(data_bucket):
    names = data_bucket[0]
    assert _s3(data_bucket, names.offboarding_role_arn, "s3:DeleteObjectVersion").allowed
    assert _s3(data_bucket, names.offboarding_role_arn, "s3:DeleteBucket", None).allowed


def test_the_deployment_role_manages_the_bucket_but_never_its_contents(data_bucket):
    names = data_bucket[0]
    deployer = names.deployment_role_arn(names.primary_region)
    assert _s3(data_bucket, deployer, "s3:PutBucketPolicy", None).allowed
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObjectVersion"):
        assert not _s3(data_bucket, deployer, action).allowed, action
    assert not _s3(data_bucket, deployer, "s3:ListBucket", None).allowed


def test_the_replication_role_only_replicates(data_bucket, maple):
    names, templates = maple
    template = templates[names.primary_stack]
    role_id, _ = _of_type(template, "AWS::IAM::Role", Path=names.role_path, Description=f"S3 replication of {names.data_bucket} to its DR bucket")
    replication = Resolver(template, names, names.primary_region).arn(role_id)
    assert _s3(data_bucket, replication, "s3:GetObjectVersionForReplication").allowed
    assert not _s3(data_bucket, replication, "s3:GetObject").allowed
    assert not _s3(data_bucket, replication, "s3:PutObject").allowed


def test_plain_http_is_refused_even_to_the_tenant(data_bucket):
    names = data_bucket[0]
    request = Request(_role(names, names.role_path, "app"), "s3:GetObject", f"{names.data_bucket_arn}/x", {"aws:SecureTransport": "false"})
    assert not evaluate(request, identity_policies=[EVERYTHING], resource_policy=data_bucket[1], resource_account=names.account).allowed


# --- uploads (item 8) -------------------------------------------------------------------------
SSE = "s3:x-amz-server-side-encryption"
SSE_KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id"


def _upload(bucket, **headers: str):
    names = bucket[0]
    return _s3(bucket, _role(names, names.role_path, "app"), "s3:PutObject", **headers)


def test_a_plain_upload_gets_the_bucket_default(data_bucket):
    # also a multipart part (UploadPart carries no encryption header) and a copy that asks for nothing
    assert _upload(data_bucket).allowed


@pytest.mark.parametrize("named_by", ["arn", "id", "alias arn"])
def test_an_upload_may_name_the_tenant_key_by_arn_id_or_alias_arn(data_bucket, named_by):
    names, _, key_arn, key_id = data_bucket
    value = {"arn": key_arn, "id": key_id, "alias arn": names.key_alias_arn(names.primary_region)}[named_by]
    assert _upload(data_bucket, **{SSE: "aws:kms", SSE_KEY: value}).allowed
    assert _upload(data_bucket, **{SSE: "aws:kms"}).allowed


@pytest.mark.parametrize(
    "headers",
    [
        {SSE: "AES256"},
        {SSE: "aws:kms:dsse"},
        {SSE: "aws:kms", SSE_KEY: "arn:aws:kms:ca-central-1:111122223333:key/another-key"},
        {SSE: "aws:kms", SSE_KEY: "arn:aws:kms:ca-central-1:111122223333:alias/aws/s3"},
        {"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"},
    ],
    ids=["sse-s3", "dsse-kms", "another key", "the aws/s3 key", "customer key"],
)
def test_an_upload_asking_for_other_encryption_is_refused(data_bucket, headers):
    decision = _upload(data_bucket, **headers)
    assert not decision.allowed and "explicit deny" in decision.reason, decision.reason


# --- vaults and access logs -------------------------------------------------------------------
@pytest.fixture(scope="module")
def vault(maple):
    names, templates = maple
    template = templates[names.primary_stack]
    _, vault = _of_type(template, "AWS::Backup::BackupVault", BackupVaultName=names.backup_vault)
    return names, Resolver(template, names, names.primary_region)(vault["Properties"]["AccessPolicy"])


def _backup(vault, principal: str, action: str, **context: Any):
    names, policy = vault
    request = Request(principal, action, names.vault_arn_in(names.primary_region), context)
    return evaluate(request, identity_policies=[EVERYTHING], resource_policy=policy)


@pytest.mark.parametrize("who", [*WRONG, "the tenant's own role"])
@pytest.mark.parametrize("action", ["backup:DeleteRecoveryPoint", "backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVault"])
def test_only_offboarding_deletes_recovery_points_or_the_vault(vault, who, action):
    names = vault[0]
    principal, context = {**_wrong_principals(names), "the tenant's own role": (_role(names, names.role_path, "app"), {})}[who]
    assert not _backup(vault, principal, action, **context).allowed
    assert _backup(vault, names.offboarding_role_arn, action).allowed


def test_copies_go_only_to_the_tenants_vaults(vault):
    names = vault[0]
    backup_role = _role(names, names.role_path, "BackupRole")
    outside = f"arn:aws:backup:us-east-1:{names.account}:backup-vault:elsewhere"
    assert _backup(vault, backup_role, "backup:StartCopyJob", **{"backup:CopyTargets": names.dr_backup_vault_arn}).allowed
    assert not _backup(vault, backup_role, "backup:StartCopyJob", **{"backup:CopyTargets": outside}).allowed
    assert not _backup(vault, _role(names, "/", "Admin"), "backup:StartCopyJob", **{"backup:CopyTargets": outside}).allowed


def test_the_dr_vault_has_the_same_denies(maple):
    names, templates = maple
    template = templates[names.dr_stack]
    _, dr_vault = _of_type(template, "AWS::Backup::BackupVault", BackupVaultName=names.dr_backup_vault)
    policy = Resolver(template, names, names.secondary_region)(dr_vault["Properties"]["AccessPolicy"])
    request = Request(_role(names, "/", "Admin"), "backup:DeleteRecoveryPoint", names.dr_backup_vault_arn)
    assert not evaluate(request, identity_policies=[EVERYTHING], resource_policy=policy).allowed


@pytest.mark.parametrize("bucket", ["access_log_bucket", "dr_access_log_bucket"])
def test_access_logs_are_deleted_only_by_offboarding(maple, bucket):
    names, templates = maple
    primary = bucket == "access_log_bucket"
    template = templates[names.primary_stack if primary else names.dr_stack]
    region = names.primary_region if primary else names.secondary_region
    policy = _bucket_policy(template, Resolver(template, names, region), getattr(names, bucket))
    arn = f"{names.bucket_arn(getattr(names, bucket))}/data/2026-12-07"

    def decide(principal: str, action: str):
        request = Request(principal, action, arn, {"aws:SecureTransport": "true"})
        return evaluate(request, identity_policies=[EVERYTHING], resource_policy=policy, resource_account=names.account)

    for principal in (_role(names, "/", "Admin"), _role(names, names.role_path, "app"), names.deployment_role_arn(region)):
        assert not decide(principal, "s3:DeleteObject").allowed
        assert not decide(principal, "s3:DeleteObjectVersion").allowed
    assert decide(names.offboarding_role_arn, "s3:DeleteObjectVersion").allowed


def test_the_dr_bucket_refuses_the_wrong_principals_and_admits_replication(maple):
    names, templates = maple
    template = templates[names.dr_stack]
    policy = _bucket_policy(template, Resolver(template, names, names.secondary_region), names.dr_bucket)

    def decide(principal: str, action: str, **context: Any):
        request = Request(principal, action, f"{names.dr_bucket_arn}/x", {"aws:SecureTransport": "true", **context})
        return evaluate(request, identity_policies=[EVERYTHING], resource_policy=policy, resource_account=names.account)

    for who, (principal, context) in _wrong_principals(names).items():
        assert not decide(principal, "s3:GetObject", **context).allowed, who
    assert decide(_role(names, names.role_path, "DataBucketReplicationRole"), "s3:ReplicateObject").allowed
    assert not decide(_role(names, names.role_path, "app"), "s3:DeleteObjectVersion").allowed
    assert decide(names.offboarding_role_arn, "s3:DeleteObjectVersion").allowed


# --- uploads in the sandbox (moto in-process with tenantkit's S3 extension) --------------------
@pytest.fixture
def sandbox_bucket(data_bucket, maple):
    """The data bucket in moto, in the tenant's account, with its synthesized policy, used by a
    role the sandbox holds under the tenant's path (so the sandbox's policy extension evaluates its
    requests, as AWS would) and by another tenant's role (`other`)."""
    import json

    import boto3
    from moto import mock_aws

    from tenantkit.sandbox.extensions import install

    names, _ = maple
    install()
    with mock_aws():
        region = names.primary_region
        operator = _session_as(boto3.client("sts", region_name=region), f"arn:aws:iam::{names.account}:role/operator", region)
        s3 = operator.client("s3")
        s3.create_bucket(Bucket=names.data_bucket, CreateBucketConfiguration={"LocationConstraint": region})
        s3.put_bucket_policy(Bucket=names.data_bucket, Policy=json.dumps(data_bucket[1]))
        iam, sts = operator.client("iam"), operator.client("sts")
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{names.account}:root"}, "Action": "sts:AssumeRole"}]})
        roles = {}
        for label, path in (("own", names.role_path), ("other", f"/tenantkit/{OTHER}/")):
            arn = iam.create_role(RoleName=f"{label}-app", Path=path, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
            iam.put_role_policy(RoleName=f"{label}-app", PolicyName="everything", PolicyDocument=json.dumps(EVERYTHING))
            roles[label] = _session_as(sts, arn, region).client("s3")
        yield roles["own"], names.data_bucket, data_bucket, roles["other"]


def _session_as(sts, role_arn: str, region: str):
    import boto3

    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="test")["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"], region_name=region,
    )


def test_sandbox_refuses_another_tenants_role(sandbox_bucket):
    from botocore.exceptions import ClientError

    _, bucket, _, other = sandbox_bucket
    with pytest.raises(ClientError, match="AccessDenied"):
        other.put_object(Bucket=bucket, Key="x", Body=b"x")


def test_sandbox_accepts_a_plain_upload_a_multipart_upload_and_a_copy(sandbox_bucket):
    s3, bucket, *_ = sandbox_bucket
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="parts")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="parts", UploadId=upload, PartNumber=1, Body=b"y" * 10)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="parts", UploadId=upload, MultipartUpload={"Parts": [{"ETag": part, "PartNumber": 1}]})
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "plain"})
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == ["copy", "parts", "plain"]


@pytest.mark.parametrize("named_by", ["arn", "id", "alias arn"])
def test_sandbox_accepts_the_tenant_key_by_arn_id_or_alias_arn(sandbox_bucket, named_by):
    s3, bucket, (names, _, key_arn, key_id), _ = sandbox_bucket
    value = {"arn": key_arn, "id": key_id, "alias arn": names.key_alias_arn(names.primary_region)}[named_by]
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=value)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m", ServerSideEncryption="aws:kms", SSEKMSKeyId=value)
    assert upload["UploadId"]


@pytest.mark.parametrize(
    "headers",
    [{"ServerSideEncryption": "AES256"}, {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "arn:aws:kms:ca-central-1:111122223333:key/another"}],
    ids=["sse-s3", "another key"],
)
def test_sandbox_refuses_another_algorithm_or_key_for_uploads_and_copies(sandbox_bucket, headers):
    from botocore.exceptions import ClientError

    s3, bucket, *_ = sandbox_bucket
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    with pytest.raises(ClientError, match=r"\(403\)|AccessDenied"):
        s3.put_object(Bucket=bucket, Key="refused", Body=b"x", **headers)
    with pytest.raises(ClientError, match=r"\(403\)|AccessDenied"):
        s3.copy_object(Bucket=bucket, Key="refused-copy", CopySource={"Bucket": bucket, "Key": "plain"}, **headers)
