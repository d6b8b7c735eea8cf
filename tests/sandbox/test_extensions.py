"""tenantkit's extensions to moto: each one's behaviour, seen through the service API after a
CloudFormation deploy (in-process moto, `install()` first), and, for each, a check that moto
5.2.5 still has the defect it covers (`moto_defects`, run without the extensions): when one of
those fails, moto has fixed the defect and the extension can be deleted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tenantkit.sandbox.extensions import install

REGION = "us-east-1"
OTHER_REGION = "us-west-2"
ROOT = Path(__file__).resolve().parents[2]
POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "tenantkit", "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}


@pytest.fixture(autouse=True)
def moto():
    install()
    with mock_aws():
        yield


def deploy(resources: dict, outputs: dict | None = None, region: str = REGION, name: str = "ext") -> dict[str, str]:
    """CreateStack (must reach CREATE_COMPLETE); returns its outputs."""
    cloudformation = boto3.client("cloudformation", region_name=region)
    template = {"Resources": resources, **({"Outputs": outputs} if outputs else {})}
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(template))
    (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def delete(name: str = "ext", region: str = REGION) -> None:
    boto3.client("cloudformation", region_name=region).delete_stack(StackName=name)


# --- moto still lacks this -------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_defects() -> dict[str, object]:
    environment = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    completed = subprocess.run(
        [sys.executable, "-m", "tests.sandbox.moto_defects"], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout)


DEFECTS = [
    "wafv2_types_skipped",
    "wafv2_list_resources_for_web_acl_missing",
    "wafv2_deletes_an_associated_web_acl",
    "wafv2_deletes_a_referenced_ip_set",
    "backup_types_skipped",
    "backup_selection_api_missing",
    "backup_restore_testing_types_skipped",
    "backup_restore_testing_api_missing",
    "backup_jobs_missing",
    "backup_job_listing_and_stopping_missing",
    "backup_restore_jobs_missing",
    "backup_recovery_point_api_missing",
    "backup_recovery_points_by_resource_missing",
    "account_list_regions_missing",
    "rds_instances_share_one_resource_id",
    "backup_unknown_vault_deleted_without_error",
    "backup_vault_reports_no_number_of_recovery_points",
    "rds_awsbackup_snapshot_deleted_through_rds",
    "rds_restore_from_awsbackup_snapshot_not_found",
    "secretsmanager_types_skipped",
    "secretsmanager_policy_and_rotation_types_skipped",
    "ec2_security_group_egress_skipped",
    "cloudwatch_alarm_skipped",
    "sns_topic_policy_and_subscription_skipped",
    "sqs_queue_policy_skipped",
    "sns_email_subscription_confirmed_at_once",
    "s3_bucket_policy_skipped",
    "s3_tls_only_policy_denies_batch_deletes",
    "s3_replication_not_performed",
    "s3_bucket_versioning_and_public_access_block_ignored",
    "kms_key_tags_fail",
    "kms_sign_ignores_digest_message_type",
    "kms_key_policy_from_cloudformation_breaks_describe_key",
    "kms_never_deletes_a_key_pending_deletion",
    "log_group_kms_key_dropped",
    "ssm_parameter_tag_map_fails",
    "dynamic_reference_unresolved",
    "rds_parameter_group_ref_fails",
    "rds_deletion_protection_iam_auth_and_port_ignored",
    "rds_static_parameter_change_never_pending_reboot",
    "rds_cross_region_replica_subnet_group_looked_up_in_source_region",
    "rds_cross_region_replica_cannot_be_deleted",
    "custom_vpc_restrict_default_sg_needs_lambda",
    "cloudformation_update_with_previous_cdk_parameter_fails",
    "cloudformation_update_termination_protection_missing",
    "cloudformation_change_set_stack_loses_outputs",
    "cloudformation_delete_unknown_change_set_crashes",
    "cloudformation_change_sets_matched_by_name_across_stacks",
    "cloudformation_executed_change_sets_kept",
    "cloudformation_describe_unknown_change_set_is_a_validation_error",
    "cloudformation_change_set_modifications_have_no_details",
    "cloudformation_unchanged_change_set_refused",
    "cloudformation_update_change_set_with_previous_cdk_parameter_fails",
    "cloudformation_failed_create_keeps_its_resources_and_is_not_xml",
    "cloudformation_deletes_kms_keys_outright",
    "cloudformation_failed_update_is_an_api_error_and_recorded_as_deployed",
    "cloudformation_failed_delete_drops_stack_and_keeps_role",
    "cloudformation_cannot_delete_route_tables",
    "cloudformation_deletes_retain_except_on_create",
    "cloudformation_delete_fails_on_a_resource_already_gone",
    "cloudformation_describing_a_deleted_stack_recreates_what_its_outputs_name",
    "cloudformation_never_deletes_flow_logs",
    "rds_promoted_replica_keeps_its_source",
    "rds_promote_of_a_standalone_instance_accepted",
    "secretsmanager_stop_replication_to_replica_missing",
    "rds_export_task_writes_nothing",
    "kms_key_policy_not_enforced",
    "secretsmanager_resource_policy_not_enforced",
    "s3_bucket_policy_blind_to_the_principal",
    "backup_vault_access_policy_api_missing",
    "sts_assume_role_ignores_the_trust_policy",
    "cloudformation_update_of_a_kms_key_loses_it",
    "cloudformation_drift_detection_missing",
    "cloudformation_revert_drift_change_set_ignored",
    "cloudtrail_trail_type_skipped",
    "cloudtrail_lookup_events_missing",
    "cloudtrail_trail_delivers_no_log_file",
    "iam_create_role_iterates_the_live_roles",
    "kms_every_key_generates_a_key_pair",
    "cloudformation_parses_json_templates_as_yaml",
]


@pytest.mark.parametrize("defect", DEFECTS)
def test_moto_still_has_the_defect(moto_defects, defect):
    assert moto_defects[defect] is True, f"{defect}: {moto_defects[defect]} (moto fixed it? delete the extension)"


def test_every_probe_is_asserted(moto_defects):
    assert set(moto_defects) == set(DEFECTS)


def test_iam_roles_created_by_concurrent_requests_never_break_each_other():
    """The sandbox server's threads create roles at once (tenants deployed with --concurrency).
    Without the lock, this (4 threads, 1,200 roles beside 3,000) made moto raise RuntimeError
    about 18 times; with it, never. The backend is called as the server's threads call it."""
    import threading

    from moto.iam.models import iam_backends

    backend = iam_backends["123456789012"]["global"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    for number in range(3000):  # a long iteration: the race's window
        backend.create_role(f"existing-{number}", trust, "/", None, "", [], "3600")
    errors: list[str] = []

    def create(thread: int) -> None:
        for number in range(300):
            try:
                backend.create_role(f"t{thread}-{number}", trust, "/", None, "", [], "3600")
            except Exception as error:  # noqa: BLE001  (every error is the test's finding)
                errors.append(repr(error))

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(backend.roles) == 4200


def test_s3_batch_deletes_obey_the_policy_as_aws_would_over_tls():
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="tls-only")
    for key in ("keep/1", "data/1"):
        s3.put_object(Bucket="tls-only", Key=key, Body=b"x")
    resources = ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"]
    statements = [
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": resources, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::tls-only/keep/*"},
    ]
    s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    answer = s3.delete_objects(Bucket="tls-only", Delete={"Objects": [{"Key": "keep/1"}, {"Key": "data/1"}]})
    assert [d["Key"] for d in answer["Deleted"]] == ["data/1"]
    assert [(e["Key"], e["Code"]) for e in answer["Errors"]] == [("keep/1", "AccessDenied")]  # an unconditional Deny still applies


def test_s3_uploads_obey_the_encryption_conditions_of_the_policy():
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="kms-only")
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    statements = [
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::kms-only/*",
         "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::kms-only/*",
         "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key}}},
    ]
    s3.put_bucket_policy(Bucket="kms-only", Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    s3.put_object(Bucket="kms-only", Key="ok", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    for refused in ({"ServerSideEncryption": "AES256"}, {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key.replace("-", "0")}):
        with pytest.raises(ClientError, match="AccessDenied"):
            s3.put_object(Bucket="kms-only", Key="refused", Body=b"x", **refused)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="kms-only")["Contents"]] == ["ok"]


# --- waf -------------------------------------------------------------------------------------

IP_SET = {"Type": "AWS::WAFv2::IPSet", "Properties": {"Name": "allow", "Scope": "REGIONAL", "IPAddressVersion": "IPV4", "Addresses": ["192.0.2.0/24"]}}
VISIBILITY = {"CloudWatchMetricsEnabled": True, "MetricName": "m", "SampledRequestsEnabled": True}
WEB_ACL = {"Type": "AWS::WAFv2::WebACL", "Properties": {
    "Name": "acl", "Scope": "REGIONAL", "DefaultAction": {"Block": {}}, "VisibilityConfig": VISIBILITY,
    "Rules": [{"Name": "allow", "Priority": 0, "Action": {"Allow": {}}, "VisibilityConfig": VISIBILITY,
               "Statement": {"IPSetReferenceStatement": {"Arn": {"Fn::GetAtt": ["IpSet", "Arn"]}}}}]}}
WAF_LOGGING = {"Type": "AWS::WAFv2::LoggingConfiguration", "Properties": {
    "ResourceArn": {"Fn::GetAtt": ["Acl", "Arn"]}, "LogDestinationConfigs": [f"arn:aws:logs:{REGION}:123456789012:log-group:aws-waf-logs-x"]}}


def test_waf_web_acl_and_ip_set_are_created_and_referenced():
    outputs = deploy({"IpSet": IP_SET, "Acl": WEB_ACL, "Logging": WAF_LOGGING}, {"Acl": {"Value": {"Fn::GetAtt": ["Acl", "Arn"]}}, "Ref": {"Value": {"Ref": "Acl"}}})
    waf = boto3.client("wafv2", region_name=REGION)
    (summary,) = waf.list_ip_sets(Scope="REGIONAL")["IPSets"]
    acl = waf.get_web_acl(Name="acl", Scope="REGIONAL", Id=outputs["Acl"].rsplit("/", 1)[1])["WebACL"]
    assert acl["Rules"][0]["Statement"]["IPSetReferenceStatement"] == {"ARN": summary["ARN"]}
    assert outputs["Ref"] == f"acl|{acl['Id']}|REGIONAL"
    assert waf.get_logging_configuration(ResourceArn=outputs["Acl"])["LoggingConfiguration"]["LogDestinationConfigs"]


def test_waf_web_acl_with_managed_groups_and_a_rate_rule_deploys_as_written():
    """The tenant ACL's reputation groups (one counted) and its rate rule, read back as the API
    shapes them: the sandbox keeps rules it does not evaluate, as AWS stores them."""
    rules = [
        {"Name": "AWSManagedRulesAnonymousIpList", "Priority": 0, "OverrideAction": {"Count": {}}, "VisibilityConfig": VISIBILITY,
         "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesAnonymousIpList"}}},
        {"Name": "RateLimitPerClientIp", "Priority": 1, "Action": {"Block": {}}, "VisibilityConfig": VISIBILITY,
         "Statement": {"RateBasedStatement": {"AggregateKeyType": "IP", "Limit": 1000, "EvaluationWindowSec": 300}}},
    ]
    acl_resource = {"Type": WEB_ACL["Type"], "Properties": {**WEB_ACL["Properties"], "Rules": rules}}
    outputs = deploy({"Acl": acl_resource}, {"Acl": {"Value": {"Fn::GetAtt": ["Acl", "Arn"]}}})
    waf = boto3.client("wafv2", region_name=REGION)
    acl = waf.get_web_acl(Name="acl", Scope="REGIONAL", Id=outputs["Acl"].rsplit("/", 1)[1])["WebACL"]
    assert [(r["Name"], r["Priority"]) for r in acl["Rules"]] == [("AWSManagedRulesAnonymousIpList", 0), ("RateLimitPerClientIp", 1)]
    assert acl["Rules"][0]["OverrideAction"] == {"Count": {}}
    assert acl["Rules"][0]["Statement"]["ManagedRuleGroupStatement"] == {"VendorName": "AWS", "Name": "AWSManagedRulesAnonymousIpList"}
    assert acl["Rules"][1]["Statement"]["RateBasedStatement"] == {"AggregateKeyType": "IP", "Limit": 1000, "EvaluationWindowSec": 300}


def test_waf_resources_go_with_their_stack():
    deploy({"IpSet": IP_SET, "Acl": WEB_ACL})
    delete()
    waf = boto3.client("wafv2", region_name=REGION)
    assert waf.list_web_acls(Scope="REGIONAL")["WebACLs"] == [] and waf.list_ip_sets(Scope="REGIONAL")["IPSets"] == []


def test_waf_lists_the_resources_a_web_acl_protects():
    outputs = deploy({"IpSet": IP_SET, "Acl": WEB_ACL}, {"Acl": {"Value": {"Fn::GetAtt": ["Acl", "Arn"]}}})
    waf = boto3.client("wafv2", region_name=REGION)
    assert waf.list_resources_for_web_acl(WebACLArn=outputs["Acl"])["ResourceArns"] == []
    load_balancer = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/portal/1"
    waf.associate_web_acl(WebACLArn=outputs["Acl"], ResourceArn=load_balancer)
    assert waf.list_resources_for_web_acl(WebACLArn=outputs["Acl"])["ResourceArns"] == [load_balancer]
    with pytest.raises(ClientError, match="WAFNonexistentItemException"):
        waf.list_resources_for_web_acl(WebACLArn=outputs["Acl"].replace("/acl/", "/other/"))


def test_waf_lists_the_resources_of_one_type_at_a_time_load_balancers_by_default():
    """As AWS answers ListResourcesForWebACL: one ResourceType per call, APPLICATION_LOAD_BALANCER
    when none is given."""
    outputs = deploy({"IpSet": IP_SET, "Acl": WEB_ACL}, {"Acl": {"Value": {"Fn::GetAtt": ["Acl", "Arn"]}}})
    waf = boto3.client("wafv2", region_name=REGION)
    account = "123456789012"
    resources = {
        "APPLICATION_LOAD_BALANCER": f"arn:aws:elasticloadbalancing:{REGION}:{account}:loadbalancer/app/portal/1",
        "API_GATEWAY": f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3/stages/prod",
        "APPSYNC": f"arn:aws:appsync:{REGION}:{account}:apis/graphql1",
        "COGNITO_USER_POOL": f"arn:aws:cognito-idp:{REGION}:{account}:userpool/{REGION}_pool1",
        "APP_RUNNER_SERVICE": f"arn:aws:apprunner:{REGION}:{account}:service/portal/0123456789abcdef",
        "VERIFIED_ACCESS_INSTANCE": f"arn:aws:ec2:{REGION}:{account}:verified-access-instance/vai-0123456789abcdef0",
    }
    for arn in resources.values():
        waf.associate_web_acl(WebACLArn=outputs["Acl"], ResourceArn=arn)
    for resource_type, arn in resources.items():
        assert waf.list_resources_for_web_acl(WebACLArn=outputs["Acl"], ResourceType=resource_type)["ResourceArns"] == [arn]
    assert waf.list_resources_for_web_acl(WebACLArn=outputs["Acl"])["ResourceArns"] == [resources["APPLICATION_LOAD_BALANCER"]]


def test_waf_refuses_to_delete_an_associated_web_acl():
    outputs = deploy({"IpSet": IP_SET, "Acl": WEB_ACL}, {"Acl": {"Value": {"Fn::GetAtt": ["Acl", "Arn"]}}})
    waf = boto3.client("wafv2", region_name=REGION)
    (ip_set,) = waf.list_ip_sets(Scope="REGIONAL")["IPSets"]
    acl_id = outputs["Acl"].rsplit("/", 1)[1]
    load_balancer = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/portal/1"
    waf.associate_web_acl(WebACLArn=outputs["Acl"], ResourceArn=load_balancer)
    token = waf.get_web_acl(Name="acl", Scope="REGIONAL", Id=acl_id)["LockToken"]
    with pytest.raises(ClientError, match="WAFAssociatedItemException"):
        waf.delete_web_acl(Name="acl", Scope="REGIONAL", Id=acl_id, LockToken=token)
    waf.disassociate_web_acl(ResourceArn=load_balancer)
    waf.delete_web_acl(Name="acl", Scope="REGIONAL", Id=acl_id, LockToken=token)
    waf.delete_ip_set(Name="allow", Scope="REGIONAL", Id=ip_set["Id"], LockToken=ip_set["LockToken"])
    assert waf.list_web_acls(Scope="REGIONAL")["WebACLs"] == [] and waf.list_ip_sets(Scope="REGIONAL")["IPSets"] == []


def test_waf_refuses_to_delete_an_ip_set_a_web_acl_references():
    outputs = deploy({"IpSet": IP_SET, "Acl": WEB_ACL}, {"Acl": {"Value": {"Fn::GetAtt": ["Acl", "Arn"]}}})
    waf = boto3.client("wafv2", region_name=REGION)
    (ip_set,) = waf.list_ip_sets(Scope="REGIONAL")["IPSets"]
    with pytest.raises(ClientError, match="WAFAssociatedItemException"):
        waf.delete_ip_set(Name="allow", Scope="REGIONAL", Id=ip_set["Id"], LockToken=ip_set["LockToken"])
    acl_id = outputs["Acl"].rsplit("/", 1)[1]
    token = waf.get_web_acl(Name="acl", Scope="REGIONAL", Id=acl_id)["LockToken"]
    waf.delete_web_acl(Name="acl", Scope="REGIONAL", Id=acl_id, LockToken=token)
    waf.delete_ip_set(Name="allow", Scope="REGIONAL", Id=ip_set["Id"], LockToken=ip_set["LockToken"])
    assert waf.list_ip_sets(Scope="REGIONAL")["IPSets"] == []


def test_waf_updates_keep_the_ip_set_and_the_associated_web_acl_in_place():
    """A new allow-list updates the IP set in place (same ARN, new addresses, new tags), and a
    rule change updates the associated web ACL in place, as CloudFormation does."""
    outputs = deploy({"IpSet": IP_SET, "Acl": WEB_ACL}, {"Acl": {"Value": {"Fn::GetAtt": ["Acl", "Arn"]}}})
    waf = boto3.client("wafv2", region_name=REGION)
    (before,) = waf.list_ip_sets(Scope="REGIONAL")["IPSets"]
    load_balancer = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/portal/1"
    waf.associate_web_acl(WebACLArn=outputs["Acl"], ResourceArn=load_balancer)
    ip_set = json.loads(json.dumps(IP_SET))
    ip_set["Properties"].update(Addresses=["192.0.2.0/24", "198.51.100.7/32"], Tags=[{"Key": "tenant", "Value": "t"}])
    acl = json.loads(json.dumps(WEB_ACL))
    acl["Properties"]["Rules"][0]["Action"] = {"Count": {}}
    template = {"Resources": {"IpSet": ip_set, "Acl": acl}, "Outputs": {"Acl": {"Value": {"Fn::GetAtt": ["Acl", "Arn"]}}}}
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.update_stack(StackName="ext", TemplateBody=json.dumps(template))
    assert cloudformation.describe_stacks(StackName="ext")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    (after,) = waf.list_ip_sets(Scope="REGIONAL")["IPSets"]
    assert (after["ARN"], after["Id"]) == (before["ARN"], before["Id"])
    addresses = waf.get_ip_set(Name="allow", Scope="REGIONAL", Id=after["Id"])["IPSet"]["Addresses"]
    assert addresses == ip_set["Properties"]["Addresses"]
    assert waf.list_tags_for_resource(ResourceARN=after["ARN"])["TagInfoForResource"]["TagList"] == [{"Key": "tenant", "Value": "t"}]
    web_acl = waf.get_web_acl(Name="acl", Scope="REGIONAL", Id=outputs["Acl"].rsplit("/", 1)[1])["WebACL"]
    assert web_acl["ARN"] == outputs["Acl"] and web_acl["Rules"][0]["Action"] == {"Count": {}}
    assert waf.list_resources_for_web_acl(WebACLArn=outputs["Acl"])["ResourceArns"] == [load_balancer]



# --- backup ----------------------------------------------------------------------------------

VAULT = {"Type": "AWS::Backup::BackupVault", "Properties": {
    "BackupVaultName": "vault", "EncryptionKeyArn": f"arn:aws:kms:{REGION}:123456789012:key/k", "BackupVaultTags": {"t": "v"},
    "Notifications": {"SNSTopicArn": f"arn:aws:sns:{REGION}:123456789012:t", "BackupVaultEvents": ["BACKUP_JOB_COMPLETED"]}}}
PLAN = {"Type": "AWS::Backup::BackupPlan", "Properties": {"BackupPlan": {"BackupPlanName": "plan", "BackupPlanRule": [
    {"RuleName": "Hourly", "TargetBackupVault": {"Fn::GetAtt": ["Vault", "BackupVaultName"]}, "ScheduleExpression": "cron(0 * * * ? *)", "Lifecycle": {"DeleteAfterDays": 35}}]}}}
SELECTION = {"Type": "AWS::Backup::BackupSelection", "Properties": {"BackupPlanId": {"Fn::GetAtt": ["Plan", "BackupPlanId"]}, "BackupSelection": {
    "SelectionName": "data", "IamRoleArn": "arn:aws:iam::123456789012:role/backup", "Resources": ["arn:aws:s3:::b"]}}}


def test_backup_vault_and_plan_are_in_the_backup_api():
    outputs = deploy({"Vault": VAULT, "Plan": PLAN}, {"Plan": {"Value": {"Ref": "Plan"}}})
    backup = boto3.client("backup", region_name=REGION)
    vault = backup.describe_backup_vault(BackupVaultName="vault")
    assert vault["EncryptionKeyArn"] == VAULT["Properties"]["EncryptionKeyArn"]
    (rule,) = backup.get_backup_plan(BackupPlanId=outputs["Plan"])["BackupPlan"]["Rules"]
    assert rule["TargetBackupVaultName"] == "vault" and rule["Lifecycle"] == {"DeleteAfterDays": 35}


def test_backup_selection_is_in_the_backup_api_and_vault_notifications_are_recorded():
    from tenantkit.sandbox.extensions.backup import vault_notifications

    outputs = deploy({"Vault": VAULT, "Plan": PLAN, "Selection": SELECTION}, {"Plan": {"Value": {"Ref": "Plan"}}})
    backup = boto3.client("backup", region_name=REGION)
    (listed,) = backup.list_backup_selections(BackupPlanId=outputs["Plan"])["BackupSelectionsList"]
    selection = backup.get_backup_selection(BackupPlanId=outputs["Plan"], SelectionId=listed["SelectionId"])
    assert selection["BackupSelection"]["Resources"] == ["arn:aws:s3:::b"]
    assert vault_notifications("123456789012", REGION)["vault"]["BackupVaultEvents"] == ["BACKUP_JOB_COMPLETED"]


RESTORE_PLAN = {"Type": "AWS::Backup::RestoreTestingPlan", "Properties": {
    "RestoreTestingPlanName": "tk_acme_restores", "ScheduleExpression": "cron(0 5 ? * SUN *)", "StartWindowHours": 8,
    "RecoveryPointSelection": {"Algorithm": "LATEST_WITHIN_WINDOW", "IncludeVaults": ["arn:aws:backup:us-east-1:123456789012:backup-vault:vault"],
                               "RecoveryPointTypes": ["SNAPSHOT"], "SelectionWindowDays": 7}}}
RESTORE_SELECTION = {"Type": "AWS::Backup::RestoreTestingSelection", "Properties": {
    "RestoreTestingPlanName": {"Ref": "RestorePlan"}, "RestoreTestingSelectionName": "database", "ProtectedResourceType": "RDS",
    "ProtectedResourceArns": ["arn:aws:rds:us-east-1:123456789012:db:tenantkit-acme"], "IamRoleArn": "arn:aws:iam::123456789012:role/r",
    "RestoreMetadataOverrides": {"dbsubnetgroupname": "group"}, "ValidationWindowHours": 2}}


def test_restore_testing_plan_and_selection_are_in_the_backup_api_and_go_with_their_stack():
    deploy({"RestorePlan": RESTORE_PLAN, "Selection": RESTORE_SELECTION})
    backup = boto3.client("backup", region_name=REGION)
    (listed,) = backup.list_restore_testing_plans()["RestoreTestingPlans"]
    plan = backup.get_restore_testing_plan(RestoreTestingPlanName="tk_acme_restores")["RestoreTestingPlan"]
    assert listed["RestoreTestingPlanName"] == "tk_acme_restores" and plan["StartWindowHours"] == 8
    assert plan["RecoveryPointSelection"] == RESTORE_PLAN["Properties"]["RecoveryPointSelection"]
    (selection,) = backup.list_restore_testing_selections(RestoreTestingPlanName="tk_acme_restores")["RestoreTestingSelections"]
    assert selection["RestoreTestingSelectionName"] == "database" and selection["ProtectedResourceType"] == "RDS"
    whole = backup.get_restore_testing_selection(RestoreTestingPlanName="tk_acme_restores", RestoreTestingSelectionName="database")
    assert whole["RestoreTestingSelection"]["RestoreMetadataOverrides"] == {"dbsubnetgroupname": "group"}
    delete()
    assert backup.list_restore_testing_plans()["RestoreTestingPlans"] == []
    with pytest.raises(ClientError) as refused:
        backup.get_restore_testing_plan(RestoreTestingPlanName="tk_acme_restores")
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --- s3 --------------------------------------------------------------------------------------

BUCKET = {"Type": "AWS::S3::Bucket", "Properties": {
    "BucketName": "data", "VersioningConfiguration": {"Status": "Enabled"},
    "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
    "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    "LoggingConfiguration": {"DestinationBucketName": {"Ref": "Logs"}, "LogFilePrefix": "data/"},
    "ReplicationConfiguration": {"Role": "arn:aws:iam::123456789012:role/r", "Rules": [
        {"Id": "all", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": ""}, "DeleteMarkerReplication": {"Status": "Enabled"},
         "Destination": {"Bucket": "arn:aws:s3:::dr"}}]}}}
LOGS = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "logs"}}
BUCKET_POLICY = {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Data"}, "PolicyDocument": POLICY}}


def test_bucket_properties_moto_ignores_are_applied():
    deploy({"Data": BUCKET, "Logs": LOGS})
    s3 = boto3.client("s3", region_name=REGION)
    assert s3.get_bucket_versioning(Bucket="data")["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket="data")["PublicAccessBlockConfiguration"].values())
    assert s3.get_bucket_logging(Bucket="data")["LoggingEnabled"] == {"TargetBucket": "logs", "TargetPrefix": "data/"}
    (rule,) = s3.get_bucket_replication(Bucket="data")["ReplicationConfiguration"]["Rules"]
    assert rule["ID"] == "all" and rule["Destination"]["Bucket"] == "arn:aws:s3:::dr"
    assert s3.get_bucket_ownership_controls(Bucket="data")["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_bucket_policy_is_set_and_removed_with_its_stack():
    deploy({"Data": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "data"}}, "Policy": BUCKET_POLICY}, name="bucket")
    deploy({"Policy": {**BUCKET_POLICY, "Properties": {**BUCKET_POLICY["Properties"], "Bucket": "data"}}}, name="policy")
    s3 = boto3.client("s3", region_name=REGION)
    assert json.loads(s3.get_bucket_policy(Bucket="data")["Policy"])["Statement"][0]["Sid"] == "tenantkit"
    delete("policy")
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_policy(Bucket="data")


# --- sqs -------------------------------------------------------------------------------------


def test_a_queue_policy_is_in_the_sqs_api_and_removed_with_its_stack():
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}}
    deploy({"Queue": queue, "Policy": {"Type": "AWS::SQS::QueuePolicy", "Properties": {"Queues": [{"Ref": "Queue"}], "PolicyDocument": POLICY}}})
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]
    assert json.loads(attributes["Policy"])["Statement"][0]["Sid"] == "tenantkit"
    boto3.client("cloudformation", region_name=REGION).delete_stack(StackName="ext")
    assert "jobs" not in str(sqs.list_queues().get("QueueUrls", []))


# --- sns -------------------------------------------------------------------------------------

TOPIC = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "incidents"}}
FILTER = {"$or": [{"State": [{"anything-but": ["COMPLETED"]}]}, {"State": [{"exists": False}]}]}


def test_an_email_subscription_nobody_can_receive_stays_pending_others_are_confirmed():
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="incidents")["TopicArn"]

    def pending(protocol: str, endpoint: str) -> str:
        arn = sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint, ReturnSubscriptionArn=True)["SubscriptionArn"]
        return sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"]

    assert pending("email", "security@acme.INVALID") == "true"
    assert pending("email-json", "soc@mail.acme.invalid") == "true"
    assert pending("email", "security@example.com") == "false"
    assert pending("sqs", "arn:aws:sqs:us-east-1:123456789012:x.invalid") == "false"


def test_topic_policy_and_subscription_are_in_the_sns_api():
    deploy({
        "Topic": TOPIC,
        "Policy": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": POLICY}},
        "Mail": {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": {"Ref": "Topic"}, "Protocol": "email", "Endpoint": "sec@example.com",
            "FilterPolicy": FILTER, "FilterPolicyScope": "MessageAttributes"}},
    })
    sns = boto3.client("sns", region_name=REGION)
    topic = f"arn:aws:sns:{REGION}:123456789012:incidents"
    assert json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])["Statement"][0]["Sid"] == "tenantkit"
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert subscription["Endpoint"] == "sec@example.com"
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == FILTER


# --- cloudwatch ------------------------------------------------------------------------------


def test_alarms_including_metric_math_are_in_the_cloudwatch_api():
    simple = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": "lag", "ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 3, "MetricName": "ReplicaLag",
        "Namespace": "AWS/RDS", "Period": 300, "Statistic": "Maximum", "Threshold": 300, "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:t"]}}
    band = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": "band", "ComparisonOperator": "GreaterThanUpperThreshold", "EvaluationPeriods": 2, "ThresholdMetricId": "expected",
        "Metrics": [
            {"Id": "blocked", "ReturnData": True, "MetricStat": {"Metric": {"MetricName": "BlockedRequests", "Namespace": "AWS/WAFV2", "Dimensions": [{"Name": "Rule", "Value": "ALL"}]}, "Period": 300, "Stat": "Sum"}},
            {"Id": "expected", "Expression": "ANOMALY_DETECTION_BAND(blocked, 3)", "ReturnData": True}]}}
    deploy({"Lag": simple, "Band": band})
    alarms = {a["AlarmName"]: a for a in boto3.client("cloudwatch", region_name=REGION).describe_alarms()["MetricAlarms"]}
    assert alarms["lag"]["Threshold"] == 300 and alarms["lag"]["AlarmActions"] == ["arn:aws:sns:us-east-1:123456789012:t"]
    assert alarms["band"]["ThresholdMetricId"] == "expected" and len(alarms["band"]["Metrics"]) == 2


# --- secretsmanager and dynamic references ---------------------------------------------------

SECRET = {"Type": "AWS::SecretsManager::Secret", "Properties": {
    "Name": "db-master", "ReplicaRegions": [{"Region": OTHER_REGION}],
    "GenerateSecretString": {"SecretStringTemplate": '{"username": "admin"}', "GenerateStringKey": "password", "PasswordLength": 32, "ExcludeCharacters": "/@\"' "}}}


def test_secret_is_generated_and_replicated():
    deploy({"Secret": SECRET})
    value = json.loads(boto3.client("secretsmanager", region_name=REGION).get_secret_value(SecretId="db-master")["SecretString"])
    assert value["username"] == "admin" and len(value["password"]) == 32 and not set("/@\"' ") & set(value["password"])
    (replica,) = boto3.client("secretsmanager", region_name=OTHER_REGION).list_secrets()["SecretList"]
    assert replica["Name"] == "db-master"


def test_secretsmanager_dynamic_reference_is_resolved():
    reference = {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": "Secret"}, ":SecretString:username::}}"]]}
    deploy({"Secret": SECRET, "Copy": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/copy", "Type": "String", "Value": reference}}})
    assert boto3.client("ssm", region_name=REGION).get_parameter(Name="/copy")["Parameter"]["Value"] == "admin"


def test_ssm_dynamic_reference_is_resolved():
    boto3.client("ssm", region_name=REGION).put_parameter(Name="/source", Value="resolved", Type="String")
    deploy({"Copy": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/copy", "Type": "String", "Value": "{{resolve:ssm:/source}}"}}})
    assert boto3.client("ssm", region_name=REGION).get_parameter(Name="/copy")["Parameter"]["Value"] == "resolved"


# --- events (no extension: moto does it) -----------------------------------------------------


def test_moto_creates_event_rules_with_their_targets():
    deploy({"Topic": TOPIC, "Rule": {"Type": "AWS::Events::Rule", "Properties": {
        "EventPattern": {"source": ["aws.kms"]}, "Targets": [{"Arn": {"Ref": "Topic"}, "Id": "incidents"}]}}})
    events = boto3.client("events", region_name=REGION)
    (rule,) = events.list_rules()["Rules"]
    assert json.loads(rule["EventPattern"]) == {"source": ["aws.kms"]}
    assert events.list_targets_by_rule(Rule=rule["Name"])["Targets"][0]["Id"] == "incidents"


# --- kms and ssm tags ------------------------------------------------------------------------


def test_kms_key_tags_in_cloudformation_shape_are_applied():
    outputs = deploy(
        {"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": POLICY, "Tags": [{"Key": "tenant", "Value": "t1"}]}}},
        {"Key": {"Value": {"Ref": "Key"}}},
    )
    tags = boto3.client("kms", region_name=REGION).list_resource_tags(KeyId=outputs["Key"])["Tags"]
    assert tags == [{"TagKey": "tenant", "TagValue": "t1"}]


def test_a_key_created_by_cloudformation_can_be_described():
    outputs = deploy({"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": POLICY}}}, {"Key": {"Value": {"Ref": "Key"}}})
    metadata = boto3.client("kms", region_name=REGION).describe_key(KeyId=outputs["Key"])["KeyMetadata"]
    assert metadata["KeyState"] == "Enabled"


def test_a_stack_update_changes_a_key_in_place_and_what_refers_to_it_still_resolves():
    def template(policy: dict, deletion: str) -> str:
        key = {"Type": "AWS::KMS::Key", "DeletionPolicy": deletion, "Properties": {"KeyPolicy": policy, "Description": deletion}}
        encryption = {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]}}}]}
        bucket = {"Type": "AWS::S3::Bucket", "DeletionPolicy": deletion, "Properties": {"BucketName": "keyed", "BucketEncryption": encryption}}
        return json.dumps({"Resources": {"Key": key, "Bucket": bucket}, "Outputs": {"Key": {"Value": {"Ref": "Key"}}}})

    cloudformation, kms = boto3.client("cloudformation", region_name=REGION), boto3.client("kms", region_name=REGION)
    cloudformation.create_stack(StackName="ext", TemplateBody=template(POLICY, "Retain"))
    (key_id,) = [o["OutputValue"] for o in cloudformation.describe_stacks(StackName="ext")["Stacks"][0]["Outputs"]]
    allow = {"Version": "2012-10-17", "Statement": [{"Sid": "changed", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]}
    cloudformation.update_stack(StackName="ext", TemplateBody=template(allow, "RetainExceptOnCreate"))
    (stack,) = cloudformation.describe_stacks(StackName="ext")["Stacks"]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert [o["OutputValue"] for o in stack["Outputs"]] == [key_id]  # the same key, not a replacement
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == allow
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "RetainExceptOnCreate"
    rule = boto3.client("s3", region_name=REGION).get_bucket_encryption(Bucket="keyed")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"].endswith(key_id)


def test_a_key_is_deleted_once_its_deletion_date_is_past_on_the_emulators_clock():
    from datetime import timedelta

    from tenantkit.sandbox.extensions import kms as kms_extension

    kms = boto3.client("kms", region_name=REGION)
    due, kept = (kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(2))
    kms.create_alias(AliasName="alias/due", TargetKeyId=due)
    kms.schedule_key_deletion(KeyId=due, PendingWindowInDays=7)
    try:
        kms_extension.advance_clock(timedelta(days=6))
        assert kms.describe_key(KeyId=due)["KeyMetadata"]["KeyState"] == "PendingDeletion"  # a day before
        kms_extension.advance_clock(timedelta(days=1, minutes=1))
        with pytest.raises(ClientError) as gone:
            kms.describe_key(KeyId=due)
        assert gone.value.response["Error"]["Code"] == "NotFoundException"
        assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [kept]
        assert "alias/due" not in {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
        assert kms.describe_key(KeyId=kept)["KeyMetadata"]["KeyState"] == "Enabled"  # not pending: never deleted
    finally:
        kms_extension.reset_clock()


def test_a_key_pair_is_generated_only_for_a_key_that_signs_and_once(monkeypatch, tmp_path):
    from tenantkit.sandbox.extensions import kms as kms_extension
    from tenantkit.sandbox.snapshot import load_snapshot, save_snapshot

    generated: list[str] = []
    generate = kms_extension._generate_private_key
    monkeypatch.setattr(kms_extension, "_generate_private_key", lambda spec: generated.append(spec) or generate(spec))
    deploy({"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": POLICY}}})
    kms = boto3.client("kms", region_name=REGION)
    symmetric = kms.create_key()["KeyMetadata"]["KeyId"]
    signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.encrypt(KeyId=symmetric, Plaintext=b"x")
    assert generated == []
    save_snapshot(tmp_path / "state.pickle")  # an unused key pair is saved as not yet generated
    load_snapshot(tmp_path / "state.pickle")
    assert generated == []
    signature = kms.sign(KeyId=signing, Message=b"report", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    public = kms.get_public_key(KeyId=signing)["PublicKey"]
    verified = kms.verify(KeyId=signing, Message=b"report", Signature=signature, SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert verified["SignatureValid"] is True
    assert generated == ["RSA_2048"]  # one pair, then used by every call
    assert kms.get_public_key(KeyId=signing)["PublicKey"] == public


def test_a_json_template_is_parsed_as_json_and_gives_what_moto_parsed():
    import yaml
    from moto.cloudformation.models import Stack

    from tenantkit.sandbox.extensions.cloudformation import MOTO_PARSE_TEMPLATE

    values = {"Text": "2012-10-17", "Words": ["yes", "on", "0x1F", "1_000", "~", "null"], "Int": 5432, "Float": 0.5,
              "Flags": [True, False, None], "Escaped": "a\\b \"c\" \t é", "Nested": {"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]}}
    text = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "parsed"}}}, "Metadata": values})
    assert Stack.parse_template(text) == MOTO_PARSE_TEMPLATE(text)
    yaml_text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${AWS::Region}-parsed'\n"
    assert Stack.parse_template(yaml_text) == MOTO_PARSE_TEMPLATE(yaml_text)  # YAML as moto parses it
    loads = []
    load = yaml.load
    try:
        yaml.load = lambda *args, **kwargs: loads.append(1) or load(*args, **kwargs)
        deploy({"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "parsed"}}}, {"Topic": {"Value": {"Ref": "Topic"}}})
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_change_set(StackName="ext", ChangeSetName="json", TemplateBody=text, ChangeSetType="UPDATE")
        assert loads == []
        cloudformation.create_stack(StackName="yaml", TemplateBody=yaml_text)
        assert loads
    finally:
        yaml.load = load
    assert boto3.client("sns", region_name=REGION).list_topics()["Topics"]


def test_log_groups_are_encrypted_with_the_templates_key():
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    deploy({"G": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/encrypted", "KmsKeyId": key}}})
    (group,) = boto3.client("logs", region_name=REGION).describe_log_groups(logGroupNamePrefix="/encrypted")["logGroups"]
    assert group["kmsKeyId"] == key


def test_ssm_parameter_tag_map_is_applied():
    deploy({"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/p", "Type": "String", "Value": "v", "Tags": {"tenant": "t1"}}}})
    tags = boto3.client("ssm", region_name=REGION).list_tags_for_resource(ResourceType="Parameter", ResourceId="/p")["TagList"]
    assert tags == [{"Key": "tenant", "Value": "t1"}]


def test_stack_deletion_retains_retain_except_on_create_and_forgives_what_is_gone():
    kept = {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "RetainExceptOnCreate", "Properties": {"LogGroupName": "kept"}}
    gone = {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "gone"}}
    deploy({"Kept": kept, "Gone": gone, "Deleted": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "deleted"}}})
    logs = boto3.client("logs", region_name=REGION)
    logs.delete_log_group(logGroupName="gone")
    delete()
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    assert [s["StackStatus"] for s in cloudformation.list_stacks()["StackSummaries"]] == ["DELETE_COMPLETE"]
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["kept"]


def test_a_deleted_stack_stays_deleted_when_described():
    deploy({"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "back"}}}, {"Topic": {"Value": {"Ref": "Topic"}}})
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    stack_id = cloudformation.describe_stacks(StackName="ext")["Stacks"][0]["StackId"]
    delete()
    (stack,) = cloudformation.describe_stacks(StackName=stack_id)["Stacks"]
    assert stack["StackStatus"] == "DELETE_COMPLETE" and "Outputs" not in stack
    assert boto3.client("sns", region_name=REGION).list_topics()["Topics"] == []


def test_flow_logs_go_with_their_stack():
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="flow-logs")
    deploy({
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Logs": {"Type": "AWS::EC2::FlowLog", "Properties": {"ResourceId": {"Ref": "Vpc"}, "ResourceType": "VPC", "TrafficType": "ALL",
                 "LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::flow-logs"}},
    })
    ec2 = boto3.client("ec2", region_name=REGION)
    assert len(ec2.describe_flow_logs()["FlowLogs"]) == 1
    delete()
    assert ec2.describe_flow_logs()["FlowLogs"] == []


# --- rds -------------------------------------------------------------------------------------


def _network(region: str) -> dict:
    azs = (f"{region}a", f"{region}b")
    subnets = {f"Subnet{i}": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": f"10.0.{i}.0/24", "AvailabilityZone": az}} for i, az in enumerate(azs)}
    return {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        **subnets,
        "Subnets": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {"DBSubnetGroupDescription": "d", "SubnetIds": [{"Ref": s} for s in subnets]}},
        "Tls": {"Type": "AWS::RDS::DBParameterGroup", "Properties": {"Description": "d", "Family": "postgres17", "Parameters": {"rds.force_ssl": "1"}}},
    }


def _instance(identifier: str, extra: dict) -> dict:
    return {"Type": "AWS::RDS::DBInstance", "Properties": {
        "DBInstanceIdentifier": identifier, "DBInstanceClass": "db.t4g.medium", "DBSubnetGroupName": {"Ref": "Subnets"},
        "DBParameterGroupName": {"Ref": "Tls"}, "DeletionProtection": True, "EnableIAMDatabaseAuthentication": True, **extra}}


def test_db_instance_keeps_parameter_group_protection_iam_auth_and_engine_port():
    source = {"Engine": "postgres", "EngineVersion": "17.9", "AllocatedStorage": "20", "MasterUsername": "admin", "MasterUserPassword": "password123"}
    deploy({**_network(REGION), "Db": _instance("primary", source)})
    (db,) = boto3.client("rds", region_name=REGION).describe_db_instances(DBInstanceIdentifier="primary")["DBInstances"]
    assert db["DeletionProtection"] is True and db["IAMDatabaseAuthenticationEnabled"] is True
    assert db["Endpoint"]["Port"] == 5432
    assert db["DBParameterGroups"][0]["DBParameterGroupName"].startswith("ext-tls")


def test_a_static_parameter_change_leaves_the_instances_using_the_group_pending_reboot_until_rebooted():
    source = {"Engine": "postgres", "EngineVersion": "17.9", "AllocatedStorage": "20", "MasterUsername": "admin", "MasterUserPassword": "password123"}
    deploy({**_network(REGION), "Db": _instance("primary", source)})
    rds = boto3.client("rds", region_name=REGION)
    rds.create_db_instance(DBInstanceIdentifier="bystander", Engine="postgres", DBInstanceClass="db.t4g.medium",
                           AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="password123")

    def status(identifier: str) -> str:
        (db,) = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
        return db["DBParameterGroups"][0]["ParameterApplyStatus"]

    group = rds.describe_db_instances(DBInstanceIdentifier="primary")["DBInstances"][0]["DBParameterGroups"][0]["DBParameterGroupName"]
    assert status("primary") == "in-sync"
    rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
        {"ParameterName": "log_connections", "ParameterValue": "1", "ApplyMethod": "immediate"}])
    assert status("primary") == "in-sync"
    rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
        {"ParameterName": "shared_preload_libraries", "ParameterValue": "pgaudit", "ApplyMethod": "pending-reboot"}])
    assert (status("primary"), status("bystander")) == ("pending-reboot", "in-sync")
    rds.reboot_db_instance(DBInstanceIdentifier="primary")
    assert status("primary") == "in-sync"
    rds.modify_db_instance(DBInstanceIdentifier="bystander", DBParameterGroupName=group)
    assert status("bystander") == "pending-reboot"


def test_cross_region_replica_uses_its_own_regions_subnet_group():
    source = {"Engine": "postgres", "EngineVersion": "17.9", "AllocatedStorage": "20", "MasterUsername": "admin", "MasterUserPassword": "password123"}
    deploy({**_network(REGION), "Db": _instance("primary", source)}, name="primary")
    arn = f"arn:aws:rds:{REGION}:123456789012:db:primary"
    deploy({**_network(OTHER_REGION), "Db": _instance("replica", {"SourceDBInstanceIdentifier": arn})}, region=OTHER_REGION, name="replica")
    (replica,) = boto3.client("rds", region_name=OTHER_REGION).describe_db_instances(DBInstanceIdentifier="replica")["DBInstances"]
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == arn
    assert replica["DBSubnetGroup"]["DBSubnetGroupName"].startswith("replica-subnets")
    assert replica["DeletionProtection"] is True


def test_a_cross_region_replica_can_be_deleted_and_leaves_its_source_alone():
    rds = boto3.client("rds", region_name=REGION)
    source = rds.create_db_instance(
        DBInstanceIdentifier="source", Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="password123",
    )["DBInstance"]["DBInstanceArn"]
    replicas = boto3.client("rds", region_name=OTHER_REGION)
    replicas.create_db_instance_read_replica(DBInstanceIdentifier="replica", SourceDBInstanceIdentifier=source)
    replicas.delete_db_instance(DBInstanceIdentifier="replica", SkipFinalSnapshot=True)
    assert replicas.describe_db_instances()["DBInstances"] == []
    (kept,) = rds.describe_db_instances()["DBInstances"]
    assert kept["ReadReplicaDBInstanceIdentifiers"] == []


# --- custom resources ------------------------------------------------------------------------


def test_vpc_restrict_default_sg_revokes_the_default_groups_rules_without_a_lambda():
    custom = {"Type": "Custom::VpcRestrictDefaultSG", "Properties": {
        "ServiceToken": f"arn:aws:lambda:{REGION}:123456789012:function:absent",
        "DefaultSecurityGroupId": {"Fn::GetAtt": ["Vpc", "DefaultSecurityGroup"]}}}
    outputs = deploy({"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}, "Restrict": custom},
                     {"Group": {"Value": {"Fn::GetAtt": ["Vpc", "DefaultSecurityGroup"]}}})
    ec2 = boto3.client("ec2", region_name=REGION)
    (group,) = ec2.describe_security_groups(GroupIds=[outputs["Group"]])["SecurityGroups"]
    assert group["IpPermissions"] == [] and group["IpPermissionsEgress"] == []


def test_other_custom_types_still_go_to_motos_custom_model():
    from moto.cloudformation.custom_model import CustomModel
    from moto.cloudformation.parsing import resource_class_from_type

    assert resource_class_from_type("Custom::Anything") is CustomModel


# --- cloudformation --------------------------------------------------------------------------

BOOTSTRAP_VERSION = {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/hnb659fds/version"}}
PREVIOUS_BOOTSTRAP_VERSION = [{"ParameterKey": "BootstrapVersion", "UsePreviousValue": True}]


def _cdk_template(resources: dict, outputs: dict | None = None) -> str:
    return json.dumps({"Parameters": BOOTSTRAP_VERSION, "Resources": resources, **({"Outputs": outputs} if outputs else {})})


def test_a_cdk_stack_updates_in_place_and_gains_the_new_resource():
    boto3.client("ssm", region_name=REGION).put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value="30", Type="String")
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName="cdk", TemplateBody=_cdk_template({"Incidents": TOPIC}))
    added = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "audit"}}
    cloudformation.update_stack(
        StackName="cdk", TemplateBody=_cdk_template({"Incidents": TOPIC, "Audit": added}), Parameters=PREVIOUS_BOOTSTRAP_VERSION
    )
    assert cloudformation.describe_stacks(StackName="cdk")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    topics = {t["TopicArn"].rsplit(":", 1)[-1] for t in boto3.client("sns", region_name=REGION).list_topics()["Topics"]}
    assert topics == {"incidents", "audit"}


def test_termination_protection_is_updated_and_described():
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    deploy({"Topic": TOPIC}, name="protected")
    cloudformation.update_termination_protection(StackName="protected", EnableTerminationProtection=True)
    assert cloudformation.describe_stacks(StackName="protected")["Stacks"][0]["EnableTerminationProtection"] is True


def test_a_stack_created_by_change_set_keeps_its_outputs_and_exports_for_the_next_stack():
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    outputs = {"Topic": {"Value": {"Ref": "Incidents"}, "Export": {"Name": "incidents-topic"}}}
    cloudformation.create_change_set(
        StackName="exporter", ChangeSetName="cdk-deploy-change-set", ChangeSetType="CREATE",
        TemplateBody=json.dumps({"Resources": {"Incidents": TOPIC}, "Outputs": outputs}),
    )
    cloudformation.execute_change_set(StackName="exporter", ChangeSetName="cdk-deploy-change-set")
    (stack,) = cloudformation.describe_stacks(StackName="exporter")["Stacks"]
    topic = f"arn:aws:sns:{REGION}:123456789012:incidents"
    assert stack["StackStatus"] == "CREATE_COMPLETE" and stack["Outputs"][0]["OutputValue"] == topic
    importer = {"Copy": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/topic", "Type": "String", "Value": {"Fn::ImportValue": "incidents-topic"}}}}
    cloudformation.create_change_set(StackName="importer", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=json.dumps({"Resources": importer}))
    cloudformation.execute_change_set(StackName="importer", ChangeSetName="c")
    assert boto3.client("ssm", region_name=REGION).get_parameter(Name="/topic")["Parameter"]["Value"] == topic


def test_a_change_set_that_fails_rolls_its_stack_back_with_the_reason():
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    broken = {"Copy": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/x", "Type": "String", "Value": {"Fn::ImportValue": "absent"}}}}
    cloudformation.create_change_set(StackName="broken", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=json.dumps({"Resources": broken}))
    cloudformation.execute_change_set(StackName="broken", ChangeSetName="c")
    (stack,) = cloudformation.describe_stacks(StackName="broken")["Stacks"]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any(e["ResourceStatus"] == "CREATE_FAILED" for e in cloudformation.describe_stack_events(StackName="broken")["StackEvents"])


def test_a_change_set_the_stack_does_not_have_deletes_quietly_and_describes_as_not_found():
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    deploy({"Topic": TOPIC}, name="local")  # as `tenantkit deploy --local` creates it: no change set
    cloudformation.delete_change_set(StackName="local", ChangeSetName="cdk-deploy-change-set")  # the CDK CLI's first call
    with pytest.raises(cloudformation.exceptions.ChangeSetNotFoundException):
        cloudformation.describe_change_set(StackName="local", ChangeSetName="cdk-deploy-change-set")


def _change_set(cloudformation, stack: str, resources: dict, kind: str = "UPDATE", parameters: list | None = None) -> str:
    return cloudformation.create_change_set(
        StackName=stack, ChangeSetName="cdk-deploy-change-set", ChangeSetType=kind,
        TemplateBody=_cdk_template(resources), Parameters=parameters or [],
    )["Id"]


def test_change_sets_of_the_same_name_belong_to_their_own_stacks_and_go_once_one_ran():
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    for stack in ("dr", "replica"):  # two of a tenant's stacks in one region
        _change_set(cloudformation, stack, {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": stack}}}, "CREATE")
    described = cloudformation.describe_change_set(StackName="replica", ChangeSetName="cdk-deploy-change-set")
    assert described["StackName"] == "replica" and described["Changes"][0]["ResourceChange"]["Action"] == "Add"
    cloudformation.execute_change_set(StackName="replica", ChangeSetName="cdk-deploy-change-set")
    assert cloudformation.list_change_sets(StackName="replica")["Summaries"] == []
    with pytest.raises(cloudformation.exceptions.ChangeSetNotFoundException):
        cloudformation.describe_change_set(StackName="replica", ChangeSetName="cdk-deploy-change-set")
    assert cloudformation.describe_change_set(StackName="dr", ChangeSetName="cdk-deploy-change-set")["StackName"] == "dr"
    assert cloudformation.describe_stacks(StackName="dr")["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"


def test_an_update_change_set_on_a_directly_created_stack_names_the_properties_it_changes():
    boto3.client("ssm", region_name=REGION).put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value="30", Type="String")
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName="cdk", TemplateBody=_cdk_template({"Incidents": TOPIC}))
    renamed = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "incidents", "DisplayName": "Incidents"}}
    change_set = _change_set(cloudformation, "cdk", {"Incidents": renamed}, parameters=PREVIOUS_BOOTSTRAP_VERSION)
    (change,) = cloudformation.describe_change_set(ChangeSetName=change_set)["Changes"]
    topic = f"arn:aws:sns:{REGION}:123456789012:incidents"
    assert change["ResourceChange"]["Action"] == "Modify" and change["ResourceChange"]["PhysicalResourceId"] == topic
    assert [d["Target"]["Name"] for d in change["ResourceChange"]["Details"]] == ["DisplayName"]
    cloudformation.execute_change_set(ChangeSetName=change_set)
    assert cloudformation.describe_stacks(StackName="cdk")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert boto3.client("sns", region_name=REGION).get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == "Incidents"


def test_an_update_change_set_of_the_same_template_is_failed_with_no_changes():
    boto3.client("ssm", region_name=REGION).put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value="30", Type="String")
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName="cdk", TemplateBody=_cdk_template({"Incidents": TOPIC}))
    change_set = _change_set(cloudformation, "cdk", {"Incidents": TOPIC}, parameters=PREVIOUS_BOOTSTRAP_VERSION)
    described = cloudformation.describe_change_set(ChangeSetName=change_set)
    assert (described["Status"], described["ExecutionStatus"]) == ("FAILED", "UNAVAILABLE")
    assert described["StatusReason"].startswith("The submitted information didn't contain changes.")


KEY = {
    "Type": "AWS::KMS::Key", "DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain",
    "Properties": {"PendingWindowInDays": 7, "KeyPolicy": POLICY},
}
FAILING_CREATE = {
    "Key": KEY,
    "Alias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/tenant", "TargetKeyId": {"Ref": "Key"}}},
    "Marker": {  # a parameter of this name already exists: created after the key, it fails
        "Type": "AWS::SSM::Parameter", "DependsOn": "Alias",
        "Properties": {"Name": "/tenant/marker", "Type": "String", "Value": {"Ref": "Key"}},
    },
}


@pytest.mark.parametrize("method", ["create-stack", "change-set"])
def test_a_failed_first_create_rolls_back_and_the_retry_after_deleting_it_succeeds(method):
    ssm = boto3.client("ssm", region_name=REGION)
    ssm.put_parameter(Name="/tenant/marker", Value="taken", Type="String")
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    kms = boto3.client("kms", region_name=REGION)

    def create() -> str:
        if method == "create-stack":
            cloudformation.create_stack(StackName="tenant", TemplateBody=json.dumps({"Resources": FAILING_CREATE}))
        else:
            cloudformation.create_change_set(StackName="tenant", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=json.dumps({"Resources": FAILING_CREATE}))
            cloudformation.execute_change_set(StackName="tenant", ChangeSetName="c")
        return cloudformation.describe_stacks(StackName="tenant")["Stacks"][0]["StackStatus"]

    assert create() == "ROLLBACK_COMPLETE"
    statuses = [e["ResourceStatus"] for e in cloudformation.describe_stack_events(StackName="tenant")["StackEvents"]]
    assert statuses[:3] == ["ROLLBACK_COMPLETE", "ROLLBACK_IN_PROGRESS", "CREATE_FAILED"]  # newest first
    (key,) = kms.list_keys()["Keys"]
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert not [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/tenant"]

    cloudformation.delete_stack(StackName="tenant")  # what the CDK CLI and `deploy --local` do first
    ssm.delete_parameter(Name="/tenant/marker")
    assert create() == "CREATE_COMPLETE"
    (alias,) = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/tenant"]
    assert kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_a_failed_update_is_reported_on_the_stack_and_the_next_update_retries_it():
    boto3.client("ssm", region_name=REGION).put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value="30", Type="String")
    ssm = boto3.client("ssm", region_name=REGION)
    ssm.put_parameter(Name="/taken", Value="x", Type="String")
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName="cdk", TemplateBody=_cdk_template({"Incidents": TOPIC}))
    taken = {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/taken", "Type": "String", "Value": "y"}}
    updated = _cdk_template({"Incidents": TOPIC, "Taken": taken})
    cloudformation.update_stack(StackName="cdk", TemplateBody=updated, Parameters=PREVIOUS_BOOTSTRAP_VERSION)
    (stack,) = cloudformation.describe_stacks(StackName="cdk")["Stacks"]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE" and "ParameterAlreadyExists" in stack["StackStatusReason"]
    assert "Taken" not in cloudformation.get_template(StackName="cdk")["TemplateBody"]
    ssm.delete_parameter(Name="/taken")
    cloudformation.update_stack(StackName="cdk", TemplateBody=updated, Parameters=PREVIOUS_BOOTSTRAP_VERSION)
    assert cloudformation.describe_stacks(StackName="cdk")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert ssm.get_parameter(Name="/taken")["Parameter"]["Value"] == "y"


READ_ANYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def test_deleting_a_tenant_like_stack_removes_its_vpc_route_tables_and_roles():
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    network = _network(REGION)
    deploy({
        "Vpc": network["Vpc"], "Subnet0": network["Subnet0"],
        "Routes": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
        "Association": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"RouteTableId": {"Ref": "Routes"}, "SubnetId": {"Ref": "Subnet0"}}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust}},
        "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": READ_ANYTHING, "Roles": [{"Ref": "Role"}]}},
    }, name="tenant")
    delete("tenant")
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    assert [s["StackStatus"] for s in cloudformation.list_stacks()["StackSummaries"]] == ["DELETE_COMPLETE"]
    ec2 = boto3.client("ec2", region_name=REGION)
    assert [v["IsDefault"] for v in ec2.describe_vpcs()["Vpcs"]] == [True]
    iam = boto3.client("iam", region_name=REGION)
    assert iam.list_roles()["Roles"] == [] and iam.list_policies(Scope="Local")["Policies"] == []


def test_a_stack_whose_resources_cannot_be_deleted_stays_delete_failed():
    deploy({"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}, {"Vpc": {"Value": {"Ref": "Vpc"}}}, name="network")
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["false"]}])["Vpcs"][0]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.9.0/24")  # outside the stack: the VPC cannot go
    delete("network")
    (stack,) = boto3.client("cloudformation", region_name=REGION).describe_stacks(StackName="network")["Stacks"]
    assert stack["StackStatus"] == "DELETE_FAILED"
    assert "has dependencies and cannot be deleted" in stack["StackStatusReason"]


# --- cloudtrail ------------------------------------------------------------------------------

SELECTORS = [
    {"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
    {"Name": "objects", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::acme-data/"]}]},
]


def test_a_trail_is_in_the_cloudtrail_api_logging_validating_with_its_selectors_and_goes_with_its_stack():
    outputs = deploy({
        "Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "audit-logs"}},
        "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
            "TrailName": "audit", "S3BucketName": {"Ref": "Logs"}, "IsLogging": True, "EnableLogFileValidation": True,
            "IsMultiRegionTrail": False, "KMSKeyId": "arn:aws:kms:us-east-1:123456789012:key/k", "AdvancedEventSelectors": SELECTORS}},
    }, outputs={"Arn": {"Value": {"Fn::GetAtt": ["Trail", "Arn"]}}})
    cloudtrail = boto3.client("cloudtrail", region_name=REGION)
    (trail,) = cloudtrail.describe_trails()["trailList"]
    assert outputs["Arn"] == trail["TrailARN"] == f"arn:aws:cloudtrail:{REGION}:123456789012:trail/audit"
    assert (trail["S3BucketName"], trail["LogFileValidationEnabled"], trail["IsMultiRegionTrail"]) == ("audit-logs", True, False)
    assert trail["KmsKeyId"] == "arn:aws:kms:us-east-1:123456789012:key/k"
    assert cloudtrail.get_trail_status(Name="audit")["IsLogging"] is True
    assert cloudtrail.get_event_selectors(TrailName="audit")["AdvancedEventSelectors"] == SELECTORS
    delete()
    assert cloudtrail.describe_trails()["trailList"] == []


def test_a_trail_declared_not_logging_is_created_stopped():
    deploy({
        "Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "audit-logs"}},
        "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {"TrailName": "audit", "S3BucketName": {"Ref": "Logs"}, "IsLogging": False}},
    })
    cloudtrail = boto3.client("cloudtrail", region_name=REGION)
    assert cloudtrail.get_trail_status(Name="audit")["IsLogging"] is False
    assert cloudtrail.describe_trails()["trailList"][0]["LogFileValidationEnabled"] is False
