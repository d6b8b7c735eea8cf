"""Probes of moto's own behaviour, WITHOUT tenantkit's extensions: each returns True while the
moto defect an extension covers is still there.

Run in a fresh interpreter (`python -m tests.sandbox.moto_defects` prints a JSON object of
probe name -> still present), because once `install()` has run in a process its models stay
registered. `test_extensions.py` asserts every probe; one failing means moto fixed that defect
and the extension can go.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.botocore_models import shared_botocore_loader

REGION = "us-east-1"
PROBES: dict[str, Callable[[], bool]] = {}


def probe(function: Callable[[], bool]) -> Callable[[], bool]:
    PROBES[function.__name__] = function
    return function


def _create(resources: dict, region: str = REGION) -> str:
    """CreateStack of a template of `resources`; the stack status, or the error's text."""
    cloudformation = boto3.client("cloudformation", region_name=region)
    try:
        cloudformation.create_stack(StackName="probe", TemplateBody=json.dumps({"Resources": resources}))
    except (ClientError, Exception) as error:  # noqa: BLE001  (moto raises Python errors from templates)
        return f"error: {error!r}"
    return cloudformation.describe_stacks(StackName="probe")["Stacks"][0]["StackStatus"]


def _skipped(resource_type: str, properties: dict, seen: Callable[[], bool]) -> bool:
    status = _create({"R": {"Type": resource_type, "Properties": properties}})
    return status == "CREATE_COMPLETE" and not seen()


@probe
def wafv2_types_skipped() -> bool:
    properties = {"Name": "p", "Scope": "REGIONAL", "IPAddressVersion": "IPV4", "Addresses": ["192.0.2.0/24"]}
    waf = boto3.client("wafv2", region_name=REGION)
    return _skipped("AWS::WAFv2::IPSet", properties, lambda: bool(waf.list_ip_sets(Scope="REGIONAL")["IPSets"]))


@probe
def wafv2_list_resources_for_web_acl_missing() -> bool:
    waf = boto3.client("wafv2", region_name=REGION)
    visibility = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
    acl = waf.create_web_acl(Name="p", Scope="REGIONAL", DefaultAction={"Block": {}}, VisibilityConfig=visibility)["Summary"]
    try:
        waf.list_resources_for_web_acl(WebACLArn=acl["ARN"])
    except (ClientError, NotImplementedError):  # in-process: NotImplementedError; the server: HTTP 500
        return True
    return False


@probe
def s3_tls_only_policy_denies_batch_deletes() -> bool:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="tls-only")
    s3.put_object(Bucket="tls-only", Key="k", Body=b"x")
    deny_plain_http = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"],
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny_plain_http]}))
    answer = s3.delete_objects(Bucket="tls-only", Delete={"Objects": [{"Key": "k"}]})
    return bool(answer.get("Errors"))


def _web_acl_referencing_an_ip_set(waf: Any, name: str) -> tuple[dict[str, str], dict[str, str]]:
    """A new IP set and a web ACL whose one rule references it: their summaries."""
    visibility = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
    ip_set = waf.create_ip_set(Name=name, Scope="REGIONAL", IPAddressVersion="IPV4", Addresses=["192.0.2.0/24"])["Summary"]
    rule = {"Name": "allow", "Priority": 0, "Action": {"Allow": {}}, "VisibilityConfig": visibility,
            "Statement": {"IPSetReferenceStatement": {"ARN": ip_set["ARN"]}}}
    acl = waf.create_web_acl(Name=name, Scope="REGIONAL", DefaultAction={"Block": {}}, VisibilityConfig=visibility, Rules=[rule])["Summary"]
    return ip_set, acl


@probe
def wafv2_deletes_an_associated_web_acl() -> bool:
    waf = boto3.client("wafv2", region_name=REGION)
    _, acl = _web_acl_referencing_an_ip_set(waf, "assoc")
    waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/p/1")
    try:
        waf.delete_web_acl(Name="assoc", Scope="REGIONAL", Id=acl["Id"], LockToken=acl["LockToken"])
    except ClientError:
        return False
    return True


@probe
def wafv2_deletes_a_referenced_ip_set() -> bool:
    waf = boto3.client("wafv2", region_name=REGION)
    ip_set, _ = _web_acl_referencing_an_ip_set(waf, "referenced")
    try:
        waf.delete_ip_set(Name="referenced", Scope="REGIONAL", Id=ip_set["Id"], LockToken=ip_set["LockToken"])
    except ClientError:
        return False
    return True


@probe
def backup_types_skipped() -> bool:
    backup = boto3.client("backup", region_name=REGION)
    return _skipped("AWS::Backup::BackupVault", {"BackupVaultName": "v"}, lambda: bool(backup.list_backup_vaults()["BackupVaultList"]))


@probe
def backup_selection_api_missing() -> bool:
    backup = boto3.client("backup", region_name=REGION)
    plan = {"BackupPlanName": "p", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v"}]}
    plan_id = backup.create_backup_plan(BackupPlan=plan)["BackupPlanId"]
    selection = {"SelectionName": "s", "IamRoleArn": "arn:aws:iam::123456789012:role/b", "Resources": ["*"]}
    try:
        backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=selection)
    except (ClientError, NotImplementedError):
        return True
    return False


@probe
def backup_restore_testing_types_skipped() -> bool:
    properties = {
        "RestoreTestingPlanName": "p", "ScheduleExpression": "cron(0 5 ? * SUN *)",
        "RecoveryPointSelection": {"Algorithm": "LATEST_WITHIN_WINDOW", "IncludeVaults": ["*"], "RecoveryPointTypes": ["SNAPSHOT"]},
    }  # fmt: skip
    backup = boto3.client("backup", region_name=REGION)

    def seen() -> bool:
        try:
            return bool(backup.list_restore_testing_plans()["RestoreTestingPlans"])
        except (ClientError, NotImplementedError):
            return False

    return _skipped("AWS::Backup::RestoreTestingPlan", properties, seen)


@probe
def backup_restore_testing_api_missing() -> bool:
    backup = boto3.client("backup", region_name=REGION)
    return _missing(lambda: backup.list_restore_testing_plans())


@probe
def kms_sign_ignores_digest_message_type() -> bool:
    import hashlib

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]["Arn"]
    document = b"a document"
    signature = kms.sign(KeyId=key, Message=hashlib.sha256(document).digest(), MessageType="DIGEST",
                         SigningAlgorithm="ECDSA_SHA_256")["Signature"]  # fmt: skip
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    try:
        public.verify(signature, document, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return True
    return False


@probe
def kms_never_deletes_a_key_pending_deletion() -> bool:
    from datetime import timedelta

    from moto.kms.models import kms_backends

    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    stored = kms_backends["123456789012"][REGION].keys[key]
    stored.deletion_date -= timedelta(days=8)  # its deletion date is past
    try:
        return kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    except ClientError as error:
        return error.response["Error"]["Code"] != "NotFoundException"


def _missing(call: Callable[[], object]) -> bool:
    """Whether moto lacks the operation: no route (HTTP 404) or no handler (NotImplementedError)."""
    try:
        call()
    except NotImplementedError:
        return True
    except ClientError as error:
        return error.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    return False


def _vault_and_bucket() -> tuple[object, str]:
    backup = boto3.client("backup", region_name=REGION)
    backup.create_backup_vault(BackupVaultName="v")
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="probe-data")
    return backup, "arn:aws:s3:::probe-data"


@probe
def backup_jobs_missing() -> bool:
    backup, bucket = _vault_and_bucket()
    role = "arn:aws:iam::123456789012:role/b"
    started = _missing(lambda: backup.start_backup_job(BackupVaultName="v", ResourceArn=bucket, IamRoleArn=role))
    copied = _missing(lambda: backup.start_copy_job(
        RecoveryPointArn=f"arn:aws:backup:{REGION}:123456789012:recovery-point:x", SourceBackupVaultName="v",
        DestinationBackupVaultArn=f"arn:aws:backup:{REGION}:123456789012:backup-vault:v", IamRoleArn=role))
    return started and copied and _missing(lambda: backup.describe_backup_job(BackupJobId="x"))


@probe
def backup_job_listing_and_stopping_missing() -> bool:
    """ListBackupJobs, ListCopyJobs, ListRestoreJobs and StopBackupJob: offboarding's jobs step."""
    backup, _ = _vault_and_bucket()
    return (
        _missing(lambda: backup.list_backup_jobs())
        and _missing(lambda: backup.list_copy_jobs())
        and _missing(lambda: backup.list_restore_jobs())
        and _missing(lambda: backup.stop_backup_job(BackupJobId="x"))
    )


@probe
def backup_restore_jobs_missing() -> bool:
    """StartRestoreJob and DescribeRestoreJob: restores that offboarding awaits."""
    backup, _ = _vault_and_bucket()
    point = f"arn:aws:backup:{REGION}:123456789012:recovery-point:x"
    return _missing(
        lambda: backup.start_restore_job(RecoveryPointArn=point, IamRoleArn="arn:aws:iam::123456789012:role/r", Metadata={})
    ) and _missing(lambda: backup.describe_restore_job(RestoreJobId="x"))


@probe
def backup_recovery_point_api_missing() -> bool:
    backup, _ = _vault_and_bucket()
    point = f"arn:aws:backup:{REGION}:123456789012:recovery-point:x"
    return (
        _missing(lambda: backup.list_recovery_points_by_backup_vault(BackupVaultName="v"))
        and _missing(lambda: backup.describe_recovery_point(BackupVaultName="v", RecoveryPointArn=point))
        and _missing(lambda: backup.delete_recovery_point(BackupVaultName="v", RecoveryPointArn=point))
    )


@probe
def rds_instances_share_one_resource_id() -> bool:
    rds = boto3.client("rds", region_name=REGION)
    ids = set()
    for name in ("probe-a", "probe-b"):
        ids.add(rds.create_db_instance(
            DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
            MasterUsername="admin", MasterUserPassword="password123",
        )["DBInstance"]["DbiResourceId"])  # fmt: skip
    return len(ids) == 1


@probe
def account_list_regions_missing() -> bool:
    return _missing(lambda: boto3.client("account", region_name=REGION).list_regions())


@probe
def backup_recovery_points_by_resource_missing() -> bool:
    backup, bucket = _vault_and_bucket()
    return _missing(lambda: backup.list_recovery_points_by_resource(ResourceArn=bucket))


@probe
def backup_unknown_vault_deleted_without_error() -> bool:
    try:
        boto3.client("backup", region_name=REGION).delete_backup_vault(BackupVaultName="absent")
    except ClientError:
        return False
    return True


@probe
def backup_vault_reports_no_number_of_recovery_points() -> bool:
    backup, _ = _vault_and_bucket()
    return "NumberOfRecoveryPoints" not in backup.describe_backup_vault(BackupVaultName="v")


def _awsbackup_snapshot() -> Any:
    """An RDS client, an instance `db` and its snapshot `awsbackup:job-probe` of SnapshotType awsbackup."""
    from moto.rds.models import rds_backends  # no API makes an awsbackup snapshot: the backend does

    rds = boto3.client("rds", region_name=REGION)
    rds.create_db_instance(
        DBInstanceIdentifier="db", Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="password123",
    )  # fmt: skip
    rds_backends["123456789012"][REGION].create_db_snapshot("db", "awsbackup:job-probe", snapshot_type="awsbackup")
    return rds


@probe
def rds_awsbackup_snapshot_deleted_through_rds() -> bool:
    rds = _awsbackup_snapshot()
    try:
        rds.delete_db_snapshot(DBSnapshotIdentifier="awsbackup:job-probe")
    except ClientError:
        return False
    return True


@probe
def rds_restore_from_awsbackup_snapshot_not_found() -> bool:
    rds = _awsbackup_snapshot()
    try:
        rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="restored", DBSnapshotIdentifier="awsbackup:job-probe")
    except ClientError as error:
        return error.response["Error"]["Code"] == "DBSnapshotNotFound"
    return False


@probe
def s3_replication_not_performed() -> bool:
    s3 = boto3.client("s3", region_name=REGION)
    for bucket in ("source", "replica"):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    rule = {"ID": "all", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": ""}, "DeleteMarkerReplication": {"Status": "Enabled"},
            "Destination": {"Bucket": "arn:aws:s3:::replica"}}  # fmt: skip
    s3.put_bucket_replication(Bucket="source", ReplicationConfiguration={"Role": "arn:aws:iam::123456789012:role/r", "Rules": [rule]})
    s3.put_object(Bucket="source", Key="k", Body=b"x")
    return s3.list_objects_v2(Bucket="replica").get("KeyCount", 0) == 0


@probe
def secretsmanager_types_skipped() -> bool:
    secrets = boto3.client("secretsmanager", region_name=REGION)
    return _skipped("AWS::SecretsManager::Secret", {"Name": "s", "SecretString": "x"}, lambda: bool(secrets.list_secrets()["SecretList"]))


@probe
def secretsmanager_policy_and_rotation_types_skipped() -> bool:
    secrets = boto3.client("secretsmanager", region_name=REGION)
    arn = secrets.create_secret(Name="probe-secret", SecretString="x")["ARN"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*"}]}
    status = _create(
        {
            "P": {"Type": "AWS::SecretsManager::ResourcePolicy", "Properties": {"SecretId": arn, "ResourcePolicy": policy}},
            "R": {
                "Type": "AWS::SecretsManager::RotationSchedule",
                "Properties": {"SecretId": arn, "RotationLambdaARN": "arn:aws:lambda:us-east-1:123456789012:function:f", "RotationRules": {"AutomaticallyAfterDays": 7}},
            },
        }
    )
    described = secrets.describe_secret(SecretId=arn)
    return status == "CREATE_COMPLETE" and "ResourcePolicy" not in secrets.get_resource_policy(SecretId=arn) and not described.get("RotationEnabled")


@probe
def ec2_security_group_egress_skipped() -> bool:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="probe-egress", Description="d", VpcId=vpc)["GroupId"]
    target = ec2.create_security_group(GroupName="probe-target", Description="d", VpcId=vpc)["GroupId"]
    properties = {"GroupId": group, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "DestinationSecurityGroupId": target}

    def seen() -> bool:
        (described,) = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"]
        return any(p.get("FromPort") == 5432 for p in described["IpPermissionsEgress"])

    return _skipped("AWS::EC2::SecurityGroupEgress", properties, seen)


@probe
def cloudwatch_alarm_skipped() -> bool:
    properties = {"ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 1, "MetricName": "m", "Namespace": "n", "Period": 60, "Statistic": "Sum", "Threshold": 1}
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    return _skipped("AWS::CloudWatch::Alarm", properties, lambda: bool(cloudwatch.describe_alarms()["MetricAlarms"]))


@probe
def sns_topic_policy_and_subscription_skipped() -> bool:
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="t")["TopicArn"]
    policy = {"Version": "2012-10-17", "Statement": [{"Sid": "probe", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": topic}]}
    status = _create({
        "P": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [topic], "PolicyDocument": policy}},
        "S": {"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": topic, "Protocol": "email", "Endpoint": "a@example.com"}},
    })
    policy_set = "probe" in sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"]
    return status == "CREATE_COMPLETE" and not policy_set and not sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]


@probe
def sqs_queue_policy_skipped() -> bool:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="probe")["QueueUrl"]
    policy = {"Version": "2012-10-17", "Statement": [{"Sid": "probe", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]}
    status = _create({"P": {"Type": "AWS::SQS::QueuePolicy", "Properties": {"Queues": [url], "PolicyDocument": policy}}})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return status == "CREATE_COMPLETE" and "probe" not in attributes.get("Policy", "")


@probe
def s3_bucket_policy_skipped() -> bool:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="probe-policy")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::probe-policy/*"}]}

    def has_policy() -> bool:
        try:
            return bool(s3.get_bucket_policy(Bucket="probe-policy")["Policy"])
        except ClientError:
            return False

    return _skipped("AWS::S3::BucketPolicy", {"Bucket": "probe-policy", "PolicyDocument": policy}, has_policy)


@probe
def s3_bucket_versioning_and_public_access_block_ignored() -> bool:
    properties = {
        "BucketName": "probe-bucket",
        "VersioningConfiguration": {"Status": "Enabled"},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
    }
    status = _create({"B": {"Type": "AWS::S3::Bucket", "Properties": properties}})
    s3 = boto3.client("s3", region_name=REGION)
    try:
        s3.get_public_access_block(Bucket="probe-bucket")
        block_set = True
    except ClientError:
        block_set = False
    return status == "CREATE_COMPLETE" and "Status" not in s3.get_bucket_versioning(Bucket="probe-bucket") and not block_set


@probe
def kms_key_tags_fail() -> bool:
    policy = {"Version": "2012-10-17", "Statement": []}
    status = _create({"K": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": policy, "Tags": [{"Key": "a", "Value": "b"}]}}})
    return status != "CREATE_COMPLETE"


@probe
def kms_key_policy_from_cloudformation_breaks_describe_key() -> bool:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]}
    template = {"Resources": {"K": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": policy}}},
                "Outputs": {"K": {"Value": {"Ref": "K"}}}}
    cloudformation.create_stack(StackName="probe", TemplateBody=json.dumps(template))
    (output,) = cloudformation.describe_stacks(StackName="probe")["Stacks"][0]["Outputs"]
    try:
        boto3.client("kms", region_name=REGION).describe_key(KeyId=output["OutputValue"])
    except Exception:  # noqa: BLE001  (in-process moto raises the TypeError itself)
        return True
    return False


@probe
def log_group_kms_key_dropped() -> bool:
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    _create({"G": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/probe", "KmsKeyId": key}}})
    (group,) = boto3.client("logs", region_name=REGION).describe_log_groups(logGroupNamePrefix="/probe")["logGroups"]
    return "kmsKeyId" not in group


@probe
def ssm_parameter_tag_map_fails() -> bool:
    properties = {"Name": "/probe", "Type": "String", "Value": "v", "Tags": {"a": "b"}}
    return _create({"P": {"Type": "AWS::SSM::Parameter", "Properties": properties}}) != "CREATE_COMPLETE"


@probe
def dynamic_reference_unresolved() -> bool:
    ssm = boto3.client("ssm", region_name=REGION)
    ssm.put_parameter(Name="/probe/source", Value="resolved", Type="String")
    properties = {"Name": "/probe/target", "Type": "String", "Value": "{{resolve:ssm:/probe/source}}"}
    _create({"P": {"Type": "AWS::SSM::Parameter", "Properties": properties}})
    return ssm.get_parameter(Name="/probe/target")["Parameter"]["Value"] != "resolved"


def _db(extra: dict) -> dict:
    return {"Type": "AWS::RDS::DBInstance", "Properties": {
        "DBInstanceIdentifier": "probe", "Engine": "postgres", "EngineVersion": "17.9", "DBInstanceClass": "db.t4g.medium",
        "AllocatedStorage": "20", "MasterUsername": "admin", "MasterUserPassword": "password123", **extra}}


@probe
def rds_parameter_group_ref_fails() -> bool:
    group = {"Type": "AWS::RDS::DBParameterGroup", "Properties": {"Description": "d", "Family": "postgres17", "Parameters": {"rds.force_ssl": "1"}}}
    return _create({"G": group, "D": _db({"DBParameterGroupName": {"Ref": "G"}})}) != "CREATE_COMPLETE"


def _instance_with_group(rds: Any, group: str) -> None:
    rds.create_db_parameter_group(DBParameterGroupName=group, DBParameterGroupFamily="postgres17", Description="d")
    rds.create_db_instance(DBInstanceIdentifier="probe", Engine="postgres", DBInstanceClass="db.t4g.medium", MasterUsername="admin",
                           MasterUserPassword="password123", AllocatedStorage=20, DBParameterGroupName=group)


def _apply_status(rds: Any) -> str:
    (db,) = rds.describe_db_instances(DBInstanceIdentifier="probe")["DBInstances"]
    return str(db["DBParameterGroups"][0]["ParameterApplyStatus"])


@probe
def rds_static_parameter_change_never_pending_reboot() -> bool:
    rds = boto3.client("rds", region_name=REGION)
    _instance_with_group(rds, "probe")
    rds.modify_db_parameter_group(DBParameterGroupName="probe", Parameters=[
        {"ParameterName": "shared_preload_libraries", "ParameterValue": "pgaudit", "ApplyMethod": "pending-reboot"}])
    return _apply_status(rds) == "in-sync"


@probe
def rds_deletion_protection_iam_auth_and_port_ignored() -> bool:
    _create({"D": _db({"DeletionProtection": True, "EnableIAMDatabaseAuthentication": True})})
    (db,) = boto3.client("rds", region_name=REGION).describe_db_instances(DBInstanceIdentifier="probe")["DBInstances"]
    return not db["DeletionProtection"] and not db["IAMDatabaseAuthenticationEnabled"] and db["Endpoint"]["Port"] == 3306


@probe
def rds_cross_region_replica_subnet_group_looked_up_in_source_region() -> bool:
    rds_source = boto3.client("rds", region_name=REGION)
    source = rds_source.create_db_instance(
        DBInstanceIdentifier="source", Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="password123",
    )["DBInstance"]["DBInstanceArn"]
    ec2 = boto3.client("ec2", region_name="us-west-2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-west-2{z}")["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
    rds = boto3.client("rds", region_name="us-west-2")
    rds.create_db_subnet_group(DBSubnetGroupName="replica", DBSubnetGroupDescription="d", SubnetIds=subnets)
    try:
        rds.create_db_instance_read_replica(DBInstanceIdentifier="replica", SourceDBInstanceIdentifier=source, DBSubnetGroupName="replica")
    except ClientError as error:
        return error.response["Error"]["Code"] == "DBSubnetGroupNotFoundFault"
    return False


def _cross_region_replica() -> tuple[Any, Any]:
    """(source region's RDS client, replica region's) with `replica` replicating `source`."""
    rds_source = boto3.client("rds", region_name=REGION)
    source = rds_source.create_db_instance(
        DBInstanceIdentifier="source", Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="password123",
    )["DBInstance"]["DBInstanceArn"]
    rds = boto3.client("rds", region_name="us-west-2")
    rds.create_db_instance_read_replica(DBInstanceIdentifier="replica", SourceDBInstanceIdentifier=source)
    return rds_source, rds


@probe
def rds_cross_region_replica_cannot_be_deleted() -> bool:
    _, rds = _cross_region_replica()
    try:
        rds.delete_db_instance(DBInstanceIdentifier="replica", SkipFinalSnapshot=True)
    except ValueError:  # in-process moto raises its Python error; its server answers HTTP 500
        return True
    return False



@probe
def rds_promoted_replica_keeps_its_source() -> bool:
    rds_source, rds = _cross_region_replica()
    promoted = rds.promote_read_replica(DBInstanceIdentifier="replica")["DBInstance"]
    listed = rds_source.describe_db_instances(DBInstanceIdentifier="source")["DBInstances"][0].get("ReadReplicaDBInstanceIdentifiers", [])
    return "ReadReplicaSourceDBInstanceIdentifier" in promoted or bool(listed)


@probe
def rds_promote_of_a_standalone_instance_accepted() -> bool:
    _, rds = _cross_region_replica()
    rds.promote_read_replica(DBInstanceIdentifier="replica")
    try:
        rds.promote_read_replica(DBInstanceIdentifier="replica")
    except ClientError as error:
        return error.response["Error"]["Code"] != "InvalidDBInstanceState"
    return True


@probe
def secretsmanager_stop_replication_to_replica_missing() -> bool:
    boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="probe", SecretString="{}", AddReplicaRegions=[{"Region": "us-west-2"}]
    )
    replica = boto3.client("secretsmanager", region_name="us-west-2")
    return _missing(lambda: replica.stop_replication_to_replica(SecretId=replica.describe_secret(SecretId="probe")["ARN"]))



@probe
def rds_export_task_writes_nothing() -> bool:
    rds = boto3.client("rds", region_name=REGION)
    rds.create_db_instance(
        DBInstanceIdentifier="source", Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="password123",
    )
    snapshot = rds.create_db_snapshot(DBSnapshotIdentifier="probe", DBInstanceIdentifier="source")["DBSnapshot"]["DBSnapshotArn"]
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="probe-export")
    rds.start_export_task(
        ExportTaskIdentifier="probe", SourceArn=snapshot, S3BucketName="probe-export", S3Prefix="exports",
        IamRoleArn="arn:aws:iam::123456789012:role/export", KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/probe",
    )
    return s3.list_objects_v2(Bucket="probe-export").get("KeyCount", 0) == 0

@probe
def custom_vpc_restrict_default_sg_needs_lambda() -> bool:
    vpc = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}
    custom = {"Type": "Custom::VpcRestrictDefaultSG", "Properties": {
        "ServiceToken": f"arn:aws:lambda:{REGION}:123456789012:function:handler",
        "DefaultSecurityGroupId": {"Fn::GetAtt": ["V", "DefaultSecurityGroup"]}}}
    return _create({"V": vpc, "C": custom}) != "CREATE_COMPLETE"


CDK_PARAMETERS = {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/hnb659fds/version"}}


def _cdk_template(topics: list[str], outputs: dict | None = None) -> str:
    resources = {name: {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": name}} for name in topics}
    return json.dumps({"Parameters": CDK_PARAMETERS, "Resources": resources, **({"Outputs": outputs} if outputs else {})})


@probe
def cloudformation_update_with_previous_cdk_parameter_fails() -> bool:
    boto3.client("ssm", region_name=REGION).put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value="30", Type="String")
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName="probe", TemplateBody=_cdk_template(["a"]))
    previous = [{"ParameterKey": "BootstrapVersion", "UsePreviousValue": True}]
    try:
        cloudformation.update_stack(StackName="probe", TemplateBody=_cdk_template(["a", "b"]), Parameters=previous)
    except KeyError:
        return True
    return False


@probe
def cloudformation_update_termination_protection_missing() -> bool:
    _create({"Topic": {"Type": "AWS::SNS::Topic"}})
    try:
        boto3.client("cloudformation", region_name=REGION).update_termination_protection(StackName="probe", EnableTerminationProtection=True)
    except NotImplementedError:
        return True
    return False


@probe
def cloudformation_change_set_stack_loses_outputs() -> bool:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    outputs = {"Topic": {"Value": {"Ref": "a"}, "Export": {"Name": "probe-topic"}}}
    body = json.dumps({"Resources": {"a": {"Type": "AWS::SNS::Topic"}}, "Outputs": outputs})
    cloudformation.create_change_set(StackName="probe", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=body)
    cloudformation.execute_change_set(StackName="probe", ChangeSetName="c")
    stack = cloudformation.describe_stacks(StackName="probe")["Stacks"][0]
    return "Outputs" not in stack and not cloudformation.list_exports()["Exports"]


@probe
def cloudformation_delete_unknown_change_set_crashes() -> bool:
    try:
        boto3.client("cloudformation", region_name=REGION).delete_change_set(StackName="probe", ChangeSetName="absent")
    except UnboundLocalError:
        return True
    except ClientError:
        return False
    return False


def _change_set(cloudformation: Any, stack: str, body: str, kind: str = "CREATE", parameters: list | None = None) -> str:
    return cloudformation.create_change_set(
        StackName=stack, ChangeSetName="cdk-deploy-change-set", ChangeSetType=kind, TemplateBody=body, Parameters=parameters or []
    )["Id"]


@probe
def cloudformation_change_sets_matched_by_name_across_stacks() -> bool:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    _change_set(cloudformation, "dr", _cdk_template(["a"]))
    replicas = _change_set(cloudformation, "replica", _cdk_template(["b"]))
    described = cloudformation.describe_change_set(StackName="dr", ChangeSetName="cdk-deploy-change-set")
    return described["ChangeSetId"] == replicas  # the DR stack's is found as the replica stack's


@probe
def cloudformation_executed_change_sets_kept() -> bool:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    _change_set(cloudformation, "probe", json.dumps({"Resources": {"a": {"Type": "AWS::SNS::Topic"}}}))
    cloudformation.execute_change_set(StackName="probe", ChangeSetName="cdk-deploy-change-set")
    return bool(cloudformation.list_change_sets(StackName="probe")["Summaries"])


@probe
def cloudformation_describe_unknown_change_set_is_a_validation_error() -> bool:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    _create({"Topic": {"Type": "AWS::SNS::Topic"}})
    try:
        cloudformation.describe_change_set(StackName="probe", ChangeSetName="absent")
    except ClientError as error:
        return error.response["Error"]["Code"] == "ValidationError"
    return False


@probe
def cloudformation_change_set_modifications_have_no_details() -> bool:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    _create({"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}})
    body = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t", "DisplayName": "T"}}}})
    change_set = _change_set(cloudformation, "probe", body, "UPDATE")
    (change,) = cloudformation.describe_change_set(ChangeSetName=change_set)["Changes"]
    return "Details" not in change["ResourceChange"]


def _cdk_stack_and_previous_parameters() -> tuple[Any, list[dict]]:
    boto3.client("ssm", region_name=REGION).put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value="30", Type="String")
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName="probe", TemplateBody=_cdk_template(["a"]))
    return cloudformation, [{"ParameterKey": "BootstrapVersion", "UsePreviousValue": True}]


@probe
def cloudformation_unchanged_change_set_refused() -> bool:
    cloudformation, previous = _cdk_stack_and_previous_parameters()
    try:
        _change_set(cloudformation, "probe", _cdk_template(["a"]), "UPDATE", previous)
    except ClientError as error:
        return "No updates are to be performed" in str(error)
    return False


@probe
def cloudformation_update_change_set_with_previous_cdk_parameter_fails() -> bool:
    cloudformation, previous = _cdk_stack_and_previous_parameters()
    change_set = _change_set(cloudformation, "probe", _cdk_template(["a", "b"]), "UPDATE", previous)
    try:
        cloudformation.execute_change_set(ChangeSetName=change_set)
    except AttributeError:  # the resolved value "30" looked up as an SSM parameter name
        return True
    return False


@probe
def cloudformation_failed_create_keeps_its_resources_and_is_not_xml() -> bool:
    boto3.client("ssm", region_name=REGION).put_parameter(Name="/taken", Value="x", Type="String")
    status = _create({
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "kept"}},
        "Taken": {"Type": "AWS::SSM::Parameter", "DependsOn": "Topic", "Properties": {"Name": "/taken", "Type": "String", "Value": "y"}},
    })
    topics = boto3.client("sns", region_name=REGION).list_topics()["Topics"]
    stack = boto3.client("cloudformation", region_name=REGION).describe_stacks(StackName="probe")["Stacks"][0]
    # in-process the 500 surfaces as moto's Python error; the server answers it as an HTML page
    return status.startswith("error:") and bool(topics) and stack["StackStatus"] == "CREATE_IN_PROGRESS"


@probe
def cloudformation_failed_update_is_an_api_error_and_recorded_as_deployed() -> bool:
    boto3.client("ssm", region_name=REGION).put_parameter(Name="/taken", Value="x", Type="String")
    _create({"Topic": {"Type": "AWS::SNS::Topic"}})
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    taken = {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/taken", "Type": "String", "Value": "y"}}
    try:
        cloudformation.update_stack(StackName="probe", TemplateBody=json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}, "Taken": taken}}))
    except Exception:  # noqa: BLE001 - the resource's own error (SSM's, or a 500), not a failed update on the stack
        return "Taken" in json.dumps(cloudformation.get_template(StackName="probe")["TemplateBody"])
    return False


@probe
def cloudformation_deletes_kms_keys_outright() -> bool:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}
    _create({"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": policy}}})
    boto3.client("cloudformation", region_name=REGION).delete_stack(StackName="probe")
    return boto3.client("kms", region_name=REGION).list_keys()["Keys"] == []


@probe
def cloudformation_failed_delete_drops_stack_and_keeps_role() -> bool:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    _create({
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust}},
        "Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": document, "Roles": [{"Ref": "Role"}]}},
    })
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    with contextlib.suppress(ClientError):  # the role's DeleteConflict
        cloudformation.delete_stack(StackName="probe")
    stacks = cloudformation.list_stacks()["StackSummaries"]
    return not stacks and bool(boto3.client("iam", region_name=REGION).list_roles()["Roles"])


@probe
def cloudformation_deletes_retain_except_on_create() -> bool:
    group = {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "RetainExceptOnCreate", "Properties": {"LogGroupName": "kept"}}
    _create({"Group": group})
    boto3.client("cloudformation", region_name=REGION).delete_stack(StackName="probe")
    return not boto3.client("logs", region_name=REGION).describe_log_groups(logGroupNamePrefix="kept")["logGroups"]


@probe
def cloudformation_delete_fails_on_a_resource_already_gone() -> bool:
    _create({"Group": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "gone"}}})
    boto3.client("logs", region_name=REGION).delete_log_group(logGroupName="gone")
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    try:
        cloudformation.delete_stack(StackName="probe")
    except Exception:  # noqa: BLE001 - moto answers its log service's JSON error as CloudFormation's XML
        return True
    return False


@probe
def cloudformation_describing_a_deleted_stack_recreates_what_its_outputs_name() -> bool:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "back"}}},
                "Outputs": {"Topic": {"Value": {"Ref": "Topic"}}}}
    stack_id = cloudformation.create_stack(StackName="probe", TemplateBody=json.dumps(template))["StackId"]
    cloudformation.delete_stack(StackName="probe")
    cloudformation.describe_stacks(StackName=stack_id)
    return bool(boto3.client("sns", region_name=REGION).list_topics()["Topics"])


@probe
def cloudformation_never_deletes_flow_logs() -> bool:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="flow-logs")
    _create({
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Logs": {"Type": "AWS::EC2::FlowLog", "Properties": {"ResourceId": {"Ref": "Vpc"}, "ResourceType": "VPC", "TrafficType": "ALL",
                 "LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::flow-logs"}},
    })
    boto3.client("cloudformation", region_name=REGION).delete_stack(StackName="probe")
    return bool(boto3.client("ec2", region_name=REGION).describe_flow_logs()["FlowLogs"])


@probe
def cloudformation_cannot_delete_route_tables() -> bool:
    _create({
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}},
        "Routes": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
        "Association": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"RouteTableId": {"Ref": "Routes"}, "SubnetId": {"Ref": "Subnet"}}},
    })
    try:
        boto3.client("cloudformation", region_name=REGION).delete_stack(StackName="probe")
    except ClientError as error:
        return error.response["Error"]["Code"] == "DependencyViolation"
    return False


def _admin_user(name: str) -> boto3.Session:
    """An IAM user allowed everything by its identity policy, with its own access key."""
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName=name)
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=json.dumps(allow_all))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"], region_name=REGION)


def _succeeds(call: Callable[[], Any]) -> bool:
    try:
        call()
    except ClientError:
        return False
    return True


@probe
def kms_key_policy_not_enforced() -> bool:
    kms = boto3.client("kms", region_name=REGION)
    describe_only = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:DescribeKey", "Resource": "*"}]}
    key = kms.create_key(Policy=json.dumps(describe_only))["KeyMetadata"]["Arn"]
    return _succeeds(lambda: _admin_user("admin").client("kms").encrypt(KeyId=key, Plaintext=b"x"))


@probe
def secretsmanager_resource_policy_not_enforced() -> bool:
    secrets = boto3.client("secretsmanager", region_name=REGION)
    arn = secrets.create_secret(Name="probe", SecretString="x")["ARN"]
    deny_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}
    secrets.put_resource_policy(SecretId=arn, ResourcePolicy=json.dumps(deny_all))
    return _succeeds(lambda: _admin_user("admin").client("secretsmanager").get_secret_value(SecretId=arn))


@probe
def s3_bucket_policy_blind_to_the_principal() -> bool:
    """A Deny to everyone outside a role path also refuses a role session on that path."""
    iam, s3 = boto3.client("iam", region_name=REGION), boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="probe")
    s3.put_object(Bucket="probe", Key="k", Body=b"x")
    outside = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::probe/*",
                                                       "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/tenantkit/acme/*"}}}]}
    s3.put_bucket_policy(Bucket="probe", Policy=json.dumps(outside))
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="app", Path="/tenantkit/acme/", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    credentials = boto3.client("sts", region_name=REGION).assume_role(RoleArn=role["Arn"], RoleSessionName="probe")["Credentials"]
    session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"], region_name=REGION)
    return not _succeeds(lambda: session.client("s3").get_object(Bucket="probe", Key="k"))


@probe
def cloudformation_update_of_a_kms_key_loses_it() -> bool:
    """A stack update changing only the DeletionPolicy of a key and of the bucket it encrypts fails
    on the bucket's Fn::GetAtt of the key."""
    def template(policy: str) -> str:
        key = {"Type": "AWS::KMS::Key", "DeletionPolicy": policy, "Properties": {"KeyPolicy": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]}}}
        encryption = {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]}}}]}
        bucket = {"Type": "AWS::S3::Bucket", "DeletionPolicy": policy, "Properties": {"BucketName": "keyed", "BucketEncryption": encryption}}
        return json.dumps({"Resources": {"Key": key, "Bucket": bucket}})

    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName="probe", TemplateBody=template("Retain"))
    return not _succeeds(lambda: cloudformation.update_stack(StackName="probe", TemplateBody=template("RetainExceptOnCreate")))


@probe
def sts_assume_role_ignores_the_trust_policy() -> bool:
    """A principal the role's trust policy does not name (it trusts EC2 only) still assumes it."""
    iam = boto3.client("iam", region_name=REGION)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="ec2-only", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    return _succeeds(lambda: _admin_user("admin").client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="probe"))


@probe
def backup_vault_access_policy_api_missing() -> bool:
    backup = boto3.client("backup", region_name=REGION)
    backup.create_backup_vault(BackupVaultName="probe")
    try:
        backup.put_backup_vault_access_policy(BackupVaultName="probe", Policy="{}")
    except (ClientError, NotImplementedError):
        return True
    return False


def _tampered_bucket_policy_stack() -> Any:
    """A stack of a bucket and its policy, the policy then replaced outside CloudFormation."""
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "arn:aws:s3:::drift-probe/*",
              "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    _create({
        "Data": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "drift-probe"}},
        "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Data"}, "PolicyDocument": policy}},
    })
    public = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::drift-probe/*"}]}
    boto3.client("s3", region_name=REGION).put_bucket_policy(Bucket="drift-probe", Policy=json.dumps(public))
    return boto3.client("cloudformation", region_name=REGION)


@probe
def cloudformation_drift_detection_missing() -> bool:
    cloudformation = _tampered_bucket_policy_stack()
    try:
        cloudformation.detect_stack_drift(StackName="probe")
    except (ClientError, NotImplementedError, AttributeError):
        return True
    return False


@probe
def cloudformation_revert_drift_change_set_ignored() -> bool:
    cloudformation = _tampered_bucket_policy_stack()
    try:
        cloudformation.create_change_set(
            StackName="probe", ChangeSetName="revert", ChangeSetType="UPDATE", UsePreviousTemplate=True, DeploymentMode="REVERT_DRIFT"
        )
    except ClientError:  # "No updates are to be performed": the tampered policy is not seen
        return True
    return not cloudformation.describe_change_set(StackName="probe", ChangeSetName="revert").get("Changes")


@probe
def sns_email_subscription_confirmed_at_once() -> bool:
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="probe")["TopicArn"]
    arn = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="nobody@mail.invalid", ReturnSubscriptionArn=True)["SubscriptionArn"]
    return sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"


@probe
def cloudtrail_trail_type_skipped() -> bool:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="trail-probe")
    cloudtrail = boto3.client("cloudtrail", region_name=REGION)
    properties = {"TrailName": "probe", "S3BucketName": "trail-probe", "IsLogging": True}
    return _skipped("AWS::CloudTrail::Trail", properties, lambda: bool(cloudtrail.describe_trails()["trailList"]))


@probe
def cloudtrail_lookup_events_missing() -> bool:
    cloudtrail = boto3.client("cloudtrail", region_name=REGION)
    return _missing(lambda: cloudtrail.lookup_events(MaxResults=1))


@probe
def cloudtrail_trail_delivers_no_log_file() -> bool:
    """A logging trail whose selectors take every management event: after a call, its bucket is empty."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="trail-delivery-probe")
    cloudtrail = boto3.client("cloudtrail", region_name=REGION)
    cloudtrail.create_trail(Name="probe", S3BucketName="trail-delivery-probe")
    cloudtrail.start_logging(Name="probe")
    boto3.client("iam", region_name=REGION).create_role(RoleName="probe", AssumeRolePolicyDocument="{}")
    boto3.client("sts", region_name=REGION).assume_role(RoleArn="arn:aws:iam::123456789012:role/probe", RoleSessionName="probe")
    return s3.list_objects_v2(Bucket="trail-delivery-probe").get("KeyCount", 0) == 0


def run() -> dict[str, bool | str]:
    results: dict[str, bool | str] = {}
    with shared_botocore_loader():  # fresh clients and backends for each probe, botocore's models parsed once
        for name, function in PROBES.items():
            with mock_aws(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    results[name] = function()
                except Exception as error:  # noqa: BLE001  (reported, so the test shows what changed)
                    results[name] = f"probe error: {error!r}"
    return results


@probe
def iam_create_role_iterates_the_live_roles() -> bool:
    """`IAMBackend.create_role` checks the new name by iterating the backend's live `roles` dict,
    unlocked: a role another server thread adds meanwhile raises RuntimeError. Made deterministic
    here: reading the name of a role already there adds one, as another thread would."""
    from moto.iam.models import iam_backends

    backend = iam_backends["123456789012"]["global"]

    class Intruder:
        @property
        def name(self) -> str:
            backend.roles.setdefault("added-meanwhile", self)
            return "intruder"

    backend.roles["intruder"] = Intruder()  # type: ignore[assignment]
    try:
        backend.create_role("probe-role", json.dumps({"Version": "2012-10-17", "Statement": []}), "/", None, "", [], "3600")
    except RuntimeError:
        return True
    finally:
        for name in ("intruder", "added-meanwhile", "probe-role"):
            backend.roles.pop(name, None)
    return False


@probe
def kms_every_key_generates_a_key_pair() -> bool:
    """`Key.__init__` generates an RSA-2048 key pair (tens of ms of CPU) for every key, a symmetric
    one too, which can never sign."""
    from moto.kms.models import kms_backends
    from moto.kms.utils import RSAPrivateKey

    key_id = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["KeyId"]
    return isinstance(kms_backends["123456789012"][REGION].keys[key_id].__dict__.get("private_key"), RSAPrivateKey)


@probe
def cloudformation_parses_json_templates_as_yaml() -> bool:
    """A JSON template is parsed with PyYAML's pure-Python loader (over 100 times the time of `json.loads`)."""
    import yaml

    loads = []
    real = yaml.load

    def counted(*args: Any, **kwargs: Any) -> Any:
        loads.append(1)
        return real(*args, **kwargs)

    yaml.load = counted
    try:
        status = _create({"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "probe"}}})
    finally:
        yaml.load = real
    return status == "CREATE_COMPLETE" and len(loads) > 0


if __name__ == "__main__":
    print(json.dumps(run()))
