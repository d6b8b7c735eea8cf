"""The sandbox's refusals (`tenantkit.sandbox.extensions.policies`), in-process: principals
created in the sandbox are held to bucket, key, secret and vault policies by our evaluator; the
operator's default credentials are not evaluated. Expected outcomes follow from the policies
written here, as AWS would decide them."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tenantkit.sandbox.extensions import install

REGION = "us-east-1"
ACCOUNT = "123456789012"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
TENANT_PATH = "/tenantkit/acme/"


@pytest.fixture(autouse=True)
def moto():
    install()
    with mock_aws():
        yield


def _user(name: str, policy: dict = ADMIN) -> boto3.Session:
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", **policy}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"], region_name=REGION)


def _role_session(name: str, path: str, tags: dict[str, str] | None = None, policy: dict = ADMIN) -> boto3.Session:
    iam = boto3.client("iam", region_name=REGION)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust),
                           Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])["Role"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    credentials = boto3.client("sts", region_name=REGION).assume_role(RoleArn=role["Arn"], RoleSessionName="session")["Credentials"]
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=REGION)


def _only_tenant(actions: str | list[str], resources: str | list[str]) -> dict:
    """A Deny of `actions` to every principal outside the tenant's role path (issue 18 item 1)."""
    return {"Sid": "OnlyTenant", "Effect": "Deny", "Principal": "*", "Action": actions, "Resource": resources,
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role{TENANT_PATH}*"}}}


def _refused(call, code: str) -> ClientError:
    with pytest.raises(ClientError) as raised:
        call()
    assert raised.value.response["Error"]["Code"] == code, raised.value.response
    return raised.value


# --- S3 --------------------------------------------------------------------------------------


@pytest.fixture
def bucket() -> str:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="acme-data")
    s3.put_object(Bucket="acme-data", Key="a", Body=b"x")
    policy = {"Version": "2012-10-17", "Statement": [_only_tenant("s3:*", ["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"])]}
    s3.put_bucket_policy(Bucket="acme-data", Policy=json.dumps(policy))
    return "acme-data"


def test_s3_administrator_outside_the_tenant_is_refused_with_s3s_error(bucket):
    s3 = _user("admin").client("s3")
    error = _refused(lambda: s3.get_object(Bucket=bucket, Key="a"), "AccessDenied")
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    _refused(lambda: s3.delete_object(Bucket=bucket, Key="a"), "AccessDenied")
    _refused(lambda: s3.list_objects_v2(Bucket=bucket), "AccessDenied")
    _refused(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(ADMIN | {"Statement": []})), "AccessDenied")
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}]})
    assert [(e["Key"], e["Code"]) for e in answer["Errors"]] == [("a", "AccessDenied")]
    assert boto3.client("s3", region_name=REGION).get_object(Bucket=bucket, Key="a")["Body"].read() == b"x"  # the operator: not evaluated


def test_a_session_of_a_role_the_sandbox_does_not_hold_is_the_operator(bucket):
    """How tenantkit acts in another account of the sandbox (`sandbox_sessions`): not evaluated."""
    credentials = boto3.client("sts", region_name=REGION).assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/absent", RoleSessionName="operator")["Credentials"]
    s3 = boto3.client("s3", region_name=REGION, aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                      aws_session_token=credentials["SessionToken"])
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"x"


def test_s3_a_role_under_the_tenant_path_is_allowed(bucket):
    s3 = _role_session("app", TENANT_PATH).client("s3")
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"x"
    s3.put_object(Bucket=bucket, Key="b", Body=b"y")
    assert s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b"}]})["Deleted"] == [{"Key": "b"}]


def test_s3_a_role_of_another_tenant_and_a_forged_tag_are_refused(bucket):
    for session in (_role_session("neighbour", "/tenantkit/acme-primary/"), _role_session("forger", "/", {"tenantkit:tenant": "acme"})):
        _refused(lambda s=session: s.client("s3").get_object(Bucket=bucket, Key="a"), "AccessDenied")


def test_s3_identity_policy_alone_decides_without_a_bucket_policy():
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="open")
    reader = _user("reader", {"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::open/*"}]}).client("s3")
    reader.put_object(Bucket="open", Key="k", Body=b"x")
    _refused(lambda: reader.get_object(Bucket="open", Key="k"), "AccessDenied")  # implicit deny


def test_s3_upload_headers_and_copy_source_are_evaluated():
    s3 = boto3.client("s3", region_name=REGION)
    for name in ("src", "dst"):
        s3.create_bucket(Bucket=name)
    s3.put_object(Bucket="src", Key="k", Body=b"x")
    deny_aes = {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::dst/*",
                "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "AES256"}}}
    s3.put_bucket_policy(Bucket="dst", Policy=json.dumps({"Statement": [deny_aes]}))
    deny_read = {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::src/*"}
    user = _user("copier").client("s3")
    user.put_object(Bucket="dst", Key="plain", Body=b"x")
    _refused(lambda: user.put_object(Bucket="dst", Key="aes", Body=b"x", ServerSideEncryption="AES256"), "AccessDenied")
    user.copy_object(Bucket="dst", Key="copy", CopySource={"Bucket": "src", "Key": "k"})
    s3.put_bucket_policy(Bucket="src", Policy=json.dumps({"Statement": [deny_read]}))
    _refused(lambda: user.copy_object(Bucket="dst", Key="copy2", CopySource={"Bucket": "src", "Key": "k"}), "AccessDenied")


def test_s3_reading_or_writing_an_sse_kms_object_needs_the_key_through_s3():
    tenant_role = f"arn:aws:iam::{ACCOUNT}:role{TENANT_PATH}app"
    through_s3 = {"Sid": "TenantThroughS3", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                  "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
                  "Condition": {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}, "ArnLike": {"aws:PrincipalArn": tenant_role}}}
    key = _key([through_s3])
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="sealed")
    s3.put_bucket_encryption(Bucket="sealed", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]})
    s3.put_object(Bucket="sealed", Key="k", Body=b"x")  # the operator
    admin = _user("admin").client("s3")  # no bucket policy: S3 itself is open to it
    _refused(lambda: admin.get_object(Bucket="sealed", Key="k"), "AccessDenied")
    _refused(lambda: admin.put_object(Bucket="sealed", Key="plain", Body=b"x"), "AccessDenied")  # the bucket default is the key
    admin.put_object(Bucket="sealed", Key="aes", Body=b"x", ServerSideEncryption="AES256")
    assert admin.get_object(Bucket="sealed", Key="aes")["Body"].read() == b"x"
    app = _role_session("app", TENANT_PATH).client("s3")
    assert app.get_object(Bucket="sealed", Key="k")["Body"].read() == b"x"
    app.put_object(Bucket="sealed", Key="mine", Body=b"y")


# --- KMS -------------------------------------------------------------------------------------


def _key(statements: list[dict]) -> str:
    return boto3.client("kms", region_name=REGION).create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))["KeyMetadata"]["Arn"]


def test_kms_decrypt_needs_the_key_policy():
    tenant_role = f"arn:aws:iam::{ACCOUNT}:role{TENANT_PATH}app"
    admin_only = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": ["kms:Describe*", "kms:Put*"], "Resource": "*"}
    use = {"Sid": "TenantUse", "Effect": "Allow", "Principal": {"AWS": tenant_role}, "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"}
    key = _key([admin_only, use])
    blob = boto3.client("kms", region_name=REGION).encrypt(KeyId=key, Plaintext=b"secret")["CiphertextBlob"]  # the operator
    admin = _user("admin").client("kms")
    error = _refused(lambda: admin.decrypt(CiphertextBlob=blob), "AccessDeniedException")
    assert "kms:Decrypt" in error.response["Error"]["Message"]
    _refused(lambda: admin.encrypt(KeyId=key, Plaintext=b"x"), "AccessDeniedException")
    assert admin.describe_key(KeyId=key)["KeyMetadata"]["Arn"] == key  # delegated to IAM by the root statement
    app = _role_session("app", TENANT_PATH).client("kms")
    assert app.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    _refused(lambda: _role_session("forger", "/", {"tenantkit:tenant": "acme"}).client("kms").decrypt(CiphertextBlob=blob), "AccessDeniedException")


def test_kms_default_key_policy_delegates_to_iam():
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]  # moto's default: the account root, kms:*
    allowed = _user("allowed", {"Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": key}]}).client("kms")
    allowed.encrypt(KeyId=key, Plaintext=b"x")
    _refused(lambda: _user("other", {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}).client("kms").encrypt(KeyId=key, Plaintext=b"x"),
             "AccessDeniedException")


# --- Secrets Manager -------------------------------------------------------------------------


def test_secret_resource_policy_refuses_all_but_the_tenant():
    secrets = boto3.client("secretsmanager", region_name=REGION)
    arn = secrets.create_secret(Name="acme/db", SecretString="pw")["ARN"]
    actions = ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy"]
    secrets.put_resource_policy(SecretId=arn, ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [_only_tenant(actions, "*")]}))
    admin = _user("admin").client("secretsmanager")
    _refused(lambda: admin.get_secret_value(SecretId="acme/db"), "AccessDeniedException")
    _refused(lambda: admin.put_secret_value(SecretId=arn, SecretString="mine"), "AccessDeniedException")
    _refused(lambda: admin.delete_secret(SecretId=arn), "AccessDeniedException")
    _refused(lambda: admin.put_resource_policy(SecretId=arn, ResourcePolicy=json.dumps(ADMIN)), "AccessDeniedException")
    assert admin.describe_secret(SecretId=arn)["Name"] == "acme/db"  # not denied by the policy, allowed by IAM
    assert _role_session("app", TENANT_PATH).client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"] == "pw"
    assert secrets.get_secret_value(SecretId=arn)["SecretString"] == "pw"  # the operator: not evaluated


def test_reading_a_secret_needs_its_key_through_secrets_manager():
    tenant_role = f"arn:aws:iam::{ACCOUNT}:role{TENANT_PATH}app"
    through_secrets_manager = {"Sid": "TenantThroughSecretsManager", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                               "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
                               "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"},
                                             "ArnLike": {"aws:PrincipalArn": tenant_role}}}
    key = _key([through_secrets_manager])
    secrets = boto3.client("secretsmanager", region_name=REGION)
    arn = secrets.create_secret(Name="acme/db", SecretString="pw", KmsKeyId=key)["ARN"]
    error = _refused(lambda: _user("admin").client("secretsmanager").get_secret_value(SecretId=arn), "AccessDeniedException")
    assert "kms:Decrypt" in error.response["Error"]["Message"]
    app = _role_session("app", TENANT_PATH)
    assert app.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"] == "pw"
    app.client("secretsmanager").put_secret_value(SecretId=arn, SecretString="new")
    _refused(lambda: app.client("kms").decrypt(CiphertextBlob=boto3.client("kms", region_name=REGION).encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]),
             "AccessDeniedException")  # directly, not through Secrets Manager


def test_secret_resource_policy_from_cloudformation():
    secrets = boto3.client("secretsmanager", region_name=REGION)
    arn = secrets.create_secret(Name="acme/db", SecretString="pw")["ARN"]
    policy = {"Version": "2012-10-17", "Statement": [_only_tenant("secretsmanager:GetSecretValue", "*")]}
    template = {"Resources": {"P": {"Type": "AWS::SecretsManager::ResourcePolicy", "Properties": {"SecretId": arn, "ResourcePolicy": policy}}}}
    boto3.client("cloudformation", region_name=REGION).create_stack(StackName="p", TemplateBody=json.dumps(template))
    assert json.loads(secrets.get_resource_policy(SecretId=arn)["ResourcePolicy"]) == policy
    _refused(lambda: _user("admin").client("secretsmanager").get_secret_value(SecretId=arn), "AccessDeniedException")


# --- Backup ----------------------------------------------------------------------------------


def test_vault_access_policy_api_and_refusals():
    backup = boto3.client("backup", region_name=REGION)
    vault_arn = backup.create_backup_vault(BackupVaultName="acme-vault")["BackupVaultArn"]
    deny = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": ["backup:DeleteRecoveryPoint", "backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVault*"],
         "Resource": "*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/tenantkit/acme/offboarding*"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "backup:CopyFromBackupVault", "Resource": "*",
         "Condition": {"ForAnyValue:ArnNotLike": {"backup:CopyTargets": [f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:acme-*"]}}},
    ]}
    backup.put_backup_vault_access_policy(BackupVaultName="acme-vault", Policy=json.dumps(deny))
    assert json.loads(backup.get_backup_vault_access_policy(BackupVaultName="acme-vault")["Policy"]) == deny
    admin = _user("admin").client("backup")
    point = f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:1"
    error = _refused(lambda: admin.delete_recovery_point(BackupVaultName="acme-vault", RecoveryPointArn=point), "AccessDeniedException")
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    _refused(lambda: admin.put_backup_vault_access_policy(BackupVaultName="acme-vault", Policy=json.dumps(ADMIN)), "AccessDeniedException")
    _refused(lambda: admin.delete_backup_vault(BackupVaultName="acme-vault"), "AccessDeniedException")
    assert admin.describe_backup_vault(BackupVaultName="acme-vault")["BackupVaultArn"] == vault_arn
    offboarding = _role_session("offboarding", "/tenantkit/acme/").client("backup")
    _refused(lambda: offboarding.delete_recovery_point(BackupVaultName="acme-vault", RecoveryPointArn=point), "ResourceNotFoundException")  # past the policy
    backup.delete_backup_vault_access_policy(BackupVaultName="acme-vault")
    _refused(lambda: backup.get_backup_vault_access_policy(BackupVaultName="acme-vault"), "ResourceNotFoundException")
    backup.put_backup_vault_access_policy(BackupVaultName="acme-vault", Policy=json.dumps(deny))
    backup.delete_backup_vault(BackupVaultName="acme-vault")
    backup.create_backup_vault(BackupVaultName="acme-vault")  # a new vault of the same name: not the old one's policy
    _refused(lambda: backup.get_backup_vault_access_policy(BackupVaultName="acme-vault"), "ResourceNotFoundException")


def test_a_restore_is_decided_by_the_policy_of_the_vault_holding_its_recovery_point():
    backup = boto3.client("backup", region_name=REGION)
    backup.create_backup_vault(BackupVaultName="acme-vault")
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="acme-data")
    role = f"arn:aws:iam::{ACCOUNT}:role/backup"
    point = backup.start_backup_job(BackupVaultName="acme-vault", ResourceArn="arn:aws:s3:::acme-data", IamRoleArn=role)["RecoveryPointArn"]
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "backup:StartRestoreJob", "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/tenantkit/acme/offboarding*"}}}]}  # fmt: skip
    backup.put_backup_vault_access_policy(BackupVaultName="acme-vault", Policy=json.dumps(deny))
    restore = {"RecoveryPointArn": point, "IamRoleArn": role, "Metadata": {}}
    error = _refused(lambda: _user("admin").client("backup").start_restore_job(**restore), "AccessDeniedException")
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert backup.list_restore_jobs()["RestoreJobs"] == []
    allowed = _role_session("offboarding", "/tenantkit/acme/").client("backup").start_restore_job(**restore)["RestoreJobId"]
    assert backup.describe_restore_job(RestoreJobId=allowed)["Status"] == "COMPLETED"


def test_vault_access_policy_from_cloudformation():
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "backup:DeleteBackupVault", "Resource": "*"}]}
    template = {"Resources": {"V": {"Type": "AWS::Backup::BackupVault", "Properties": {"BackupVaultName": "cfn-vault", "AccessPolicy": policy}}}}
    boto3.client("cloudformation", region_name=REGION).create_stack(StackName="v", TemplateBody=json.dumps(template))
    assert json.loads(boto3.client("backup", region_name=REGION).get_backup_vault_access_policy(BackupVaultName="cfn-vault")["Policy"]) == policy
    _refused(lambda: _user("admin").client("backup").delete_backup_vault(BackupVaultName="cfn-vault"), "AccessDeniedException")


def test_s3_head_bucket_is_authorized_as_list_bucket():
    """moto calls a HEAD of a bucket `HeadBucket`; AWS authorizes it as s3:ListBucket."""
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="heads")
    lister = _user("lister", {"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::heads"}]})
    lister.client("s3").head_bucket(Bucket="heads")
    nothing = _user("nothing", {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::heads/*"}]})
    _refused(lambda: nothing.client("s3").head_bucket(Bucket="heads"), "AccessDenied")
