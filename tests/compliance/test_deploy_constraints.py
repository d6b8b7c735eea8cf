"""The deploy-time constraint rules on small hand-made templates, table-driven: a good shape per
rule, then broken copies, each finding asserted to name the resource to fix."""

from __future__ import annotations

import pytest

from tenantkit.compliance import Compliance
from tenantkit.compliance.backup_start_window import backup_start_windows_are_an_hour_or_more
from tenantkit.compliance.deploy_rules import (
    DEPLOY_RULES,
    key_policies_keep_deployer_and_let_services_in,
    replica_sources_allow_replicas,
    replicas_set_only_their_own_properties,
    retained_resources_retain_except_on_create,
    s3_replication_names_key_arns,
    secrets_are_named_attached_and_replicated_validly,
    waf_associations_join_this_region,
    waf_logs_go_to_valid_log_groups,
)
from tenantkit.compliance.restore_testing_names import restore_testing_names_are_valid

from .conftest import make_assembly

ACCOUNT = {"Ref": "AWS::AccountId"}
ACCOUNT_ROOT = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", ACCOUNT, ":root"]]}
DR_KEY = {"Fn::ImportValue": "tenant-acme-dr:DrKeyArn"}


def tenant(primary=None, dr=None, replica=None):
    """An assembly of these resources: primary in us-east-1, dr and replica in us-west-2."""
    return make_assembly(*({"Resources": resources or {}} for resources in (primary, dr, replica)))


def without(resources, logical_id, *names):
    """The resources, with these properties removed from one of them."""
    properties = resources[logical_id]["Properties"]
    resources[logical_id]["Properties"] = {k: v for k, v in properties.items() if k not in names}
    return resources


# RDS: a source in the primary stack, its cross-region read replica in the replica stack.


def source(**properties):
    defaults = {"DBInstanceIdentifier": "tenantkit-acme", "BackupRetentionPeriod": 35}
    return {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {**defaults, **properties}}}


def replica(**properties):
    arn = {"Fn::Join": ["", ["arn:aws:rds:us-east-1:", ACCOUNT, ":db:tenantkit-acme"]]}
    defaults = {"SourceDBInstanceIdentifier": arn, "SourceRegion": "us-east-1", "KmsKeyId": DR_KEY}
    resource = {"Type": "AWS::RDS::DBInstance", "Properties": {**defaults, **properties}}
    return {"Replica": {**resource, "DeletionPolicy": "Retain"}}


def retained(policy):
    return {
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": policy,
            "UpdateReplacePolicy": "Retain",
        }
    }


def waf_logging(destination, group_name="aws-waf-logs-tenantkit-acme"):
    return {
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": group_name}},
        "Logging": {
            "Type": "AWS::WAFv2::LoggingConfiguration",
            "Properties": {"LogDestinationConfigs": [destination]},
        },
    }


def log_group_arn(name):
    return {"Fn::Join": ["", ["arn:aws:logs:us-east-1:", ACCOUNT, f":log-group:{name}"]]}


def replicating_bucket(key, metrics=None, **rule):
    destination = {
        "Bucket": "arn:aws:s3:::acme-dr",
        "EncryptionConfiguration": {"ReplicaKmsKeyID": key},
        "Metrics": metrics or {"Status": "Enabled", "EventThreshold": {"Minutes": 15}},
        "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
    }
    selection = {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    rule = {"Id": "to-dr", "Destination": destination, "SourceSelectionCriteria": selection, **rule}
    return {
        "Key": {"Type": "AWS::KMS::Key"},
        "Data": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"ReplicationConfiguration": {"Rules": [rule]}},
        },
    }


def secret(name="tenantkit/acme/database", replicas=None, target_type="AWS::RDS::DBInstance"):
    dr_key = "arn:aws:kms:us-west-2:111122223333:key/dr"
    attachment = {
        "SecretId": {"Ref": "Secret"},
        "TargetId": {"Ref": "Db"},
        "TargetType": target_type,
    }
    secret_properties = {
        "Name": name,
        "ReplicaRegions": replicas or [{"Region": "us-west-2", "KmsKeyId": dr_key}],
    }
    return {
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": secret_properties},
        "Attachment": {
            "Type": "AWS::SecretsManager::SecretTargetAttachment",
            "Properties": attachment,
        },
    }


def allow(principal, actions, condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": actions, "Resource": "*"}
    return {**statement, **({"Condition": condition} if condition else {})}


ADMIN = allow({"AWS": ACCOUNT_ROOT}, ["kms:Create*", "kms:Describe*", "kms:Put*"])
LOGS = allow(
    {"Service": "logs.us-east-1.amazonaws.com"},
    ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
    {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": [
                "arn:aws:logs:us-east-1:1:log-group:/tenantkit/acme/*"
            ]
        }
    },
)
PUBLISHERS = allow(
    {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]},
    ["kms:Decrypt", "kms:GenerateDataKey*"],
)
EXEC_ROLE_PATTERN = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"


def keyed(*statements, group_name="/tenantkit/acme/flow-logs"):
    """A key, a log group and a topic encrypted with it; an alarm and an event rule publish to it."""
    key = {"Fn::GetAtt": ["Key", "Arn"]}
    policy = {"Version": "2012-10-17", "Statement": list(statements or (ADMIN, LOGS, PUBLISHERS))}
    return {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": policy}},
        "Logs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": group_name, "KmsKeyId": key},
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": key}},
        "Alarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {"AlarmActions": [{"Ref": "Topic"}]},
        },
        "Rule": {
            "Type": "AWS::Events::Rule",
            "Properties": {"Targets": [{"Arn": {"Ref": "Topic"}, "Id": "t"}]},
        },
    }


STAGE = "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/prod"


def association(resource_arn=STAGE, web_acl=None, scope="REGIONAL"):
    properties = {
        "ResourceArn": resource_arn,
        "WebACLArn": web_acl or {"Fn::GetAtt": ["Acl", "Arn"]},
    }
    return {
        "Acl": {"Type": "AWS::WAFv2::WebACL", "Properties": {"Scope": scope}},
        "Association": {"Type": "AWS::WAFv2::WebACLAssociation", "Properties": properties},
    }


def edited(resources, change):
    """The resources after `change(resources)`: one weakening of a good shape."""
    change(resources)
    return resources


def plain_replica(source_id, **properties):
    """A same-region read replica of the primary stack, naming its source as given."""
    props = {"SourceDBInstanceIdentifier": source_id, **properties}
    return {"Replica": {"Type": "AWS::RDS::DBInstance", "Properties": props}}


def rtc_minutes(resources, minutes):
    rule = resources["Data"]["Properties"]["ReplicationConfiguration"]["Rules"][0]
    rule["Destination"]["ReplicationTime"]["Time"]["Minutes"] = minutes


def sse_s3_replication():
    """A replicating bucket whose rule neither re-encrypts with KMS nor uses RTC."""
    rule = {"Id": "to-dr", "Destination": {"Bucket": "arn:aws:s3:::acme-dr"}}
    return {"Data": {"Type": "AWS::S3::Bucket", "Properties": {"ReplicationConfiguration": {"Rules": [rule]}}}}


def vault_notifying(resources):
    resources["Vault"] = {
        "Type": "AWS::Backup::BackupVault",
        "Properties": {"Notifications": {"SNSTopicArn": {"Ref": "Topic"}, "BackupVaultEvents": ["BACKUP_JOB_FAILED"]}},
    }


def alarm_on_ok_only(resources):
    resources["Alarm"]["Properties"] = {"OKActions": [{"Ref": "Topic"}]}


def bypassing(resources):
    resources["Key"]["Properties"]["BypassPolicyLockoutSafetyCheck"] = True


def stage_of_this_stack(resources):
    resources["Stage"] = {"Type": "AWS::ApiGateway::Stage"}
    resources["Association"]["Properties"]["ResourceArn"] = {"Ref": "Stage"}


COMPLIANT = [
    pytest.param(replica_sources_allow_replicas, tenant(source(), replica=replica()), id="source"),
    pytest.param(replicas_set_only_their_own_properties, tenant(replica=replica()), id="replica"),
    pytest.param(
        retained_resources_retain_except_on_create,
        tenant(retained("RetainExceptOnCreate"), replica=replica()),
        id="retain-except-on-create, replica keeps Retain",
    ),
    *(
        pytest.param(waf_logs_go_to_valid_log_groups, tenant(waf_logging(destination)), id=name)
        for name, destination in [
            ("waf log group by Fn::Join", log_group_arn("aws-waf-logs-tenantkit-acme")),
            (
                "waf log group by Fn::Sub",
                {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:1:log-group:${Logs}"},
            ),
            ("waf logs to S3", "arn:aws:s3:::aws-waf-logs-acme"),
        ]
    ),
    *(
        pytest.param(s3_replication_names_key_arns, tenant(replicating_bucket(key)), id=name)
        for name, key in [
            (
                "key ARN",
                "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ),
            (
                "key ARN by Fn::Join",
                {"Fn::Join": ["", ["arn:aws:kms:us-west-2:", ACCOUNT, ":key/1234abcd"]]},
            ),
            ("imported key", DR_KEY),
            ("cross-region reference", "{{resolve:ssm:/cdk/exports/tenant-acme-primary/DrKeyArn}}"),
            ("Fn::GetAtt key Arn", {"Fn::GetAtt": ["Key", "Arn"]}),
        ]
    ),
    pytest.param(secrets_are_named_attached_and_replicated_validly, tenant(secret()), id="secret"),
    *(
        pytest.param(
            key_policies_keep_deployer_and_let_services_in,
            tenant(keyed(deployer, LOGS, PUBLISHERS)),
            id=name,
        )
        for name, deployer in [
            ("account root keeps kms:Put*", ADMIN),
            (
                "exec role keeps kms:*",
                allow(
                    {"AWS": "arn:aws:iam::1:role/cdk-hnb659fds-cfn-exec-role-1-us-east-1"}, "kms:*"
                ),
            ),
            (
                "root limited to the exec role",
                allow(
                    {"AWS": ACCOUNT_ROOT},
                    "kms:PutKeyPolicy",
                    {"ArnLike": {"aws:PrincipalArn": EXEC_ROLE_PATTERN}},
                ),
            ),
        ]
    ),
    *(
        pytest.param(waf_associations_join_this_region, tenant(association(arn)), id=name)
        for name, arn in [
            ("API Gateway stage", STAGE),
            (
                "stage by Fn::Join",
                {
                    "Fn::Join": [
                        "",
                        ["arn:aws:apigateway:", {"Ref": "AWS::Region"}, "::/restapis/a/stages/p"],
                    ]
                },
            ),
            (
                "load balancer",
                "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/acme/50dc6c495c0c9188",
            ),
        ]
    ),
    # Branches of each rule beyond its good shape.
    pytest.param(
        replica_sources_allow_replicas,
        tenant(source(DBInstanceIdentifier="TenantKit-Acme"), replica=replica()),
        id="source identifier matched case-insensitively",
    ),
    pytest.param(
        replicas_set_only_their_own_properties,
        tenant(plain_replica("arn:aws:rds:us-east-1:1:db:tenantkit-acme")),
        id="same-region replica needs no SourceRegion or key",
    ),
    pytest.param(
        s3_replication_names_key_arns,
        tenant(replicating_bucket("arn:aws:kms:us-west-2:111122223333:alias/tenantkit/acme")),
        id="alias ARN (accepted, see the rule)",
    ),
    pytest.param(s3_replication_names_key_arns, tenant(sse_s3_replication()), id="no KMS re-encryption, no RTC"),
    pytest.param(
        key_policies_keep_deployer_and_let_services_in,
        tenant(edited(keyed(LOGS, PUBLISHERS), bypassing)),
        id="lockout check bypassed",
    ),
    pytest.param(
        waf_associations_join_this_region,
        tenant(edited(association(), stage_of_this_stack)),
        id="a resource of this stack by Ref",
    ),
]


@pytest.mark.parametrize(("rule", "assembly"), COMPLIANT)
def test_compliant_templates(rule, assembly):
    result = rule(assembly)
    assert result.status is Compliance.COMPLIANT, result


def cases(rule, prefix, *table):
    """Non-compliant cases of one rule: (primary-stack resources, the finding after `prefix`)."""
    return [
        pytest.param(rule, tenant(resources), prefix + expected, id=expected)
        for resources, expected in table
    ]


NON_COMPLIANT = [
    pytest.param(
        replica_sources_allow_replicas,
        tenant(source(ManageMasterUserPassword=True), replica=replica()),
        "tenant-acme-primary/Db: ManageMasterUserPassword is on, so RDS refuses to create the read "
        "replica tenant-acme-replica/Replica",
        id="source with an RDS-managed password",
    ),
    pytest.param(
        replica_sources_allow_replicas,
        tenant(source(BackupRetentionPeriod=0), replica=replica()),
        "tenant-acme-primary/Db: BackupRetentionPeriod 0 disables automated backups",
        id="source without backups",
    ),
    pytest.param(
        replica_sources_allow_replicas,
        tenant(replica=replica()),
        "tenant-acme-replica/Replica: its source 'tenantkit-acme' is no DB instance of the tenant's stacks",
        id="unknown source",
    ),
    *(
        pytest.param(
            replicas_set_only_their_own_properties,
            tenant(replica=replica(**{name: 1})),
            f"tenant-acme-replica/Replica: a read replica inherits {name} from its source; remove it",
            id=f"replica sets {name}",
        )
        for name in (
            "BackupRetentionPeriod",
            "DBName",
            "MasterUsername",
            "ManageMasterUserPassword",
            "StorageEncrypted",
        )
    ),
    pytest.param(
        replicas_set_only_their_own_properties,
        tenant(replica=without(replica(), "Replica", "SourceRegion")),
        "tenant-acme-replica/Replica: the source is in us-east-1; set SourceRegion: us-east-1",
        id="cross-region replica without SourceRegion",
    ),
    pytest.param(
        replicas_set_only_their_own_properties,
        tenant(replica=without(replica(), "Replica", "KmsKeyId")),
        "tenant-acme-replica/Replica: an encrypted cross-region replica needs a KmsKeyId of a key in us-west-2",
        id="cross-region replica without a key",
    ),
    pytest.param(
        replicas_set_only_their_own_properties,
        tenant(replica=replica(KmsKeyId="arn:aws:kms:us-east-1:1:key/k")),
        "tenant-acme-replica/Replica: KmsKeyId is a key in us-east-1; use a key in us-west-2",
        id="cross-region replica with the source region's key",
    ),
    pytest.param(
        retained_resources_retain_except_on_create,
        tenant(dr=retained("Retain")),
        "tenant-acme-dr/Bucket: DeletionPolicy Retain keeps it when its first create rolls back",
        id="retained bucket",
    ),
    *cases(
        waf_logs_go_to_valid_log_groups,
        "tenant-acme-primary/Logging: ",
        (waf_logging({"Fn::GetAtt": ["Logs", "Arn"]}), "Fn::GetAtt Logs.Arn ends in ':*'"),
        (
            waf_logging("arn:aws:logs:us-east-1:1:log-group:aws-waf-logs-x:*"),
            "'arn:aws:logs:us-east-1:1:log-group:aws-waf-logs-x:*' ends in ':*'; drop it",
        ),
        (
            waf_logging(log_group_arn("${Logs}"), "waf-logs-x"),
            "log group 'waf-logs-x' does not start with 'aws-waf-logs-'",
        ),
    ),
    *cases(
        s3_replication_names_key_arns,
        "tenant-acme-primary/Data: rule to-dr: ReplicaKmsKeyID ",
        (replicating_bucket("alias/acme"), "'alias/acme' is an alias name; use the key ARN"),
        (replicating_bucket({"Ref": "Key"}), "is the key ID of Key; use Fn::GetAtt [Key, Arn]"),
    ),
    pytest.param(
        s3_replication_names_key_arns,
        tenant(replicating_bucket(DR_KEY, SourceSelectionCriteria={})),
        "tenant-acme-primary/Data: rule to-dr: SourceSelectionCriteria.SseKmsEncryptedObjects.Status is not Enabled",
        id="SSE-KMS replication not selecting SSE-KMS objects",
    ),
    pytest.param(
        s3_replication_names_key_arns,
        tenant(replicating_bucket(DR_KEY, metrics={"Status": "Enabled"})),
        "tenant-acme-primary/Data: rule to-dr: Replication Time Control needs Metrics Status Enabled",
        id="RTC without 15-minute metrics",
    ),
    *cases(
        secrets_are_named_attached_and_replicated_validly,
        "tenant-acme-primary/",
        (
            secret(name="db-master-abc123"),
            "Secret: Name 'db-master-abc123' ends like Secrets Manager's",
        ),
        (
            secret(replicas=[{"Region": "us-west-2"}]),
            "Secret: the replica in us-west-2 has no KmsKeyId",
        ),
        (
            secret(replicas=[{"Region": "us-east-1", "KmsKeyId": "k"}]),
            "Secret: replica region us-east-1 is the secret's own region",
        ),
        (
            secret(replicas=[{"Region": "eu-west-1", "KmsKeyId": "k"}]),
            "Secret: replica region eu-west-1 lies outside the tenant's zone",
        ),
        (
            secret(replicas=[{"Region": "us-west-2", "KmsKeyId": "arn:aws:kms:us-east-1:1:key/k"}]),
            "Secret: the replica in us-west-2 uses a key in us-east-1",
        ),
        (
            secret(target_type="AWS::RDS::Instance"),
            "Attachment: TargetType 'AWS::RDS::Instance' is",
        ),
        (
            {**secret(), "Again": secret()["Attachment"]},
            "Again: secret ${Secret} already has a target attachment; a secret takes only one",
        ),
    ),
    *(
        pytest.param(
            key_policies_keep_deployer_and_let_services_in,
            tenant(keyed(deployer, LOGS, PUBLISHERS)),
            "tenant-acme-primary/Key: no Allow of kms:PutKeyPolicy",
            id=name,
        )
        for name, deployer in [
            ("no kms:PutKeyPolicy", allow({"AWS": ACCOUNT_ROOT}, ["kms:Describe*", "kms:Enable*"])),
            (
                "only via a service",
                allow(
                    {"AWS": ACCOUNT_ROOT},
                    "kms:*",
                    {"StringEquals": {"kms:ViaService": "rds.us-east-1.amazonaws.com"}},
                ),
            ),
            (
                "only for another role",
                allow(
                    {"AWS": ACCOUNT_ROOT},
                    "kms:*",
                    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}},
                ),
            ),
            (
                "as the exec role, but only via a service",
                allow(
                    {"AWS": ACCOUNT_ROOT},
                    "kms:*",
                    {
                        "ArnLike": {"aws:PrincipalArn": EXEC_ROLE_PATTERN},
                        "StringEquals": {"kms:ViaService": "rds.us-east-1.amazonaws.com"},
                    },
                ),
            ),
        ]
    ),
    pytest.param(
        key_policies_keep_deployer_and_let_services_in,
        tenant(keyed(group_name="/aws/rds/instance/tenantkit-acme/postgresql")),
        "tenant-acme-primary/Key: log group Logs (/aws/rds/instance/tenantkit-acme/postgresql) is not covered",
        id="log group outside the logs condition",
    ),
    pytest.param(
        key_policies_keep_deployer_and_let_services_in,
        tenant(
            keyed(
                ADMIN,
                LOGS,
                allow(
                    {"Service": "cloudwatch.amazonaws.com"}, ["kms:Decrypt", "kms:GenerateDataKey*"]
                ),
            )
        ),
        "tenant-acme-primary/Key: events.amazonaws.com publishes to topic Topic but is not allowed "
        "kms:GenerateDataKey, kms:Decrypt",
        id="publisher left out",
    ),
    *cases(
        waf_associations_join_this_region,
        "tenant-acme-primary/Association: ",
        (
            association("arn:aws:apigateway:us-west-2::/restapis/a/stages/p"),
            "ResourceArn is in 'us-west-2', not the stack's region us-east-1",
        ),
        (
            association("arn:aws:apigateway:us-east-1:1:/restapis/a/stages/p"),
            "an API Gateway stage ARN has no account",
        ),
        (
            association(web_acl="arn:aws:wafv2:us-east-1:1:regional/webacl/x/1"),
            "WebACLArn 'arn:aws:wafv2:",
        ),
        (association(scope="CLOUDFRONT"), "web ACL Acl is not REGIONAL"),
    ),
    # Branches of each rule beyond the cases above.
    pytest.param(
        replica_sources_allow_replicas,
        tenant({**source(ManageMasterUserPassword="true"), **plain_replica("TENANTKIT-ACME")}),
        "tenant-acme-primary/Db: ManageMasterUserPassword is on, so RDS refuses to create the read "
        "replica tenant-acme-primary/Replica",
        id="source named by identifier, password managed as the string 'true'",
    ),
    *(
        pytest.param(
            replicas_set_only_their_own_properties,
            tenant(replica=replica(**{name: "x"})),
            f"tenant-acme-replica/Replica: a read replica inherits {name} from its source; remove it",
            id=f"replica sets {name}",
        )
        for name in ("MasterUserPassword", "PreferredBackupWindow", "DBSnapshotIdentifier")
    ),
    *cases(
        waf_logs_go_to_valid_log_groups,
        "tenant-acme-primary/Logging: ",
        (
            waf_logging("arn:aws:logs:us-east-1:1:log-group:waf-logs-x"),
            "log group 'waf-logs-x' does not start with 'aws-waf-logs-'",
        ),
        (waf_logging("arn:aws:logs:us-east-1:log-group"), "'arn:aws:logs:us-east-1:log-group' is not a log group ARN"),
    ),
    *cases(
        s3_replication_names_key_arns,
        "tenant-acme-primary/Data: rule to-dr: ",
        (replicating_bucket("1234abcd-12ab"), "ReplicaKmsKeyID '1234abcd-12ab' is not recognisably a KMS key ARN"),
        (edited(replicating_bucket(DR_KEY), lambda r: rtc_minutes(r, 10)), "ReplicationTime.Time.Minutes must be 15"),
        (
            replicating_bucket(DR_KEY, metrics={"Status": "Enabled", "EventThreshold": {"Minutes": 10}}),
            "Replication Time Control needs Metrics Status Enabled with EventThreshold.Minutes 15",
        ),
    ),
    *cases(
        key_policies_keep_deployer_and_let_services_in,
        "tenant-acme-primary/Key: ",
        (
            keyed({**ADMIN, "Effect": "Deny"}, LOGS, PUBLISHERS),
            "no Allow of kms:PutKeyPolicy to the account root or the CDK cfn-exec role",
        ),
        (
            keyed(ADMIN, {**LOGS, "Principal": {"Service": "logs.us-west-2.amazonaws.com"}}, PUBLISHERS),
            "log group Logs (/tenantkit/acme/flow-logs) is not covered by an Allow for logs.us-east-1.amazonaws.com",
        ),
        (
            edited(keyed(), vault_notifying),
            "backup.amazonaws.com publishes to topic Topic but is not allowed kms:GenerateDataKey, kms:Decrypt",
        ),
        (
            edited(keyed(ADMIN, LOGS, allow({"Service": "events.amazonaws.com"}, "kms:*")), alarm_on_ok_only),
            "cloudwatch.amazonaws.com publishes to topic Topic but is not allowed kms:GenerateDataKey, kms:Decrypt",
        ),
    ),
    *cases(
        waf_associations_join_this_region,
        "tenant-acme-primary/Association: ",
        (
            association({"Ref": "NotInThisStack"}),
            "ResourceArn '${NotInThisStack}' is neither an ARN nor a resource of this stack",
        ),
        (association(web_acl={"Ref": "Acl"}), "WebACLArn '${Acl}' is not the Fn::GetAtt Arn of a web ACL"),
    ),
]


@pytest.mark.parametrize(("rule", "assembly", "expected"), NON_COMPLIANT)
def test_non_compliant_templates_name_the_resource_to_fix(rule, assembly, expected):
    result = rule(assembly)
    assert result.status is Compliance.NON_COMPLIANT, result
    (finding,) = result.findings
    assert finding.startswith(expected), finding


NOT_APPLICABLE = [
    pytest.param(
        replica_sources_allow_replicas,
        tenant(source(ManageMasterUserPassword=True)),
        id="no replica",
    ),
    pytest.param(
        replicas_set_only_their_own_properties, tenant(source(DBName="app")), id="no replica to set"
    ),
    pytest.param(
        retained_resources_retain_except_on_create,
        tenant({"Topic": {"Type": "AWS::SNS::Topic"}}, replica=replica()),
        id="no deletion policy but a replica's",
    ),
    pytest.param(waf_logs_go_to_valid_log_groups, tenant(), id="no WAF logging"),
    pytest.param(
        s3_replication_names_key_arns,
        tenant({"Data": {"Type": "AWS::S3::Bucket"}}),
        id="no replication",
    ),
    pytest.param(secrets_are_named_attached_and_replicated_validly, tenant(), id="no secret"),
    pytest.param(key_policies_keep_deployer_and_let_services_in, tenant(), id="no key"),
    pytest.param(waf_associations_join_this_region, tenant(), id="no association"),
]


@pytest.mark.parametrize(("rule", "assembly"), NOT_APPLICABLE)
def test_rules_do_not_apply_without_their_resources(rule, assembly):
    assert rule(assembly).status is Compliance.NOT_APPLICABLE


TESTED_ELSEWHERE = {restore_testing_names_are_valid, backup_start_windows_are_an_hour_or_more}
"""The AWS Backup rules, each with its cases in test_backup_windows_and_restore_testing.py."""


def test_every_deploy_rule_is_tested_and_named_once():
    tested = {param.values[0] for param in COMPLIANT + NON_COMPLIANT + NOT_APPLICABLE}
    names = [rule(tenant()).rule for rule in DEPLOY_RULES]
    assert tested | TESTED_ELSEWHERE == set(DEPLOY_RULES) and len(set(names)) == len(names) == 10
