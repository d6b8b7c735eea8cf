"""The tenant's PostgreSQL instance: every promise of the issue, one test each."""

from __future__ import annotations

from aws_cdk.assertions import Match

DB = "DatabaseInstance02E622FB"
KEY_ARN = {"Fn::GetAtt": ["TenantKey28C6FA36", "Arn"]}


def _db(examples, tenant="maple-ca"):
    return examples.raw(f"tenant-{tenant}-primary")["Resources"][DB]


def _props(examples, tenant="maple-ca"):
    return _db(examples, tenant)["Properties"]


def _resources(examples, tenant="maple-ca"):
    return examples.raw(f"tenant-{tenant}-primary")["Resources"]


def test_logical_id_and_identifier_are_pinned(examples):
    assert _props(examples)["DBInstanceIdentifier"] == "tenantkit-maple-ca"


def test_engine_version_is_pinned_from_the_config(examples):
    props = _props(examples)
    assert (props["Engine"], props["EngineVersion"]) == ("postgres", "17.9")
    assert props["AutoMinorVersionUpgrade"] is False


def test_multi_az(examples):
    assert _props(examples)["MultiAZ"] is True


def test_storage_encrypted_with_the_tenant_key(examples):
    props = _props(examples)
    assert props["StorageEncrypted"] is True and props["KmsKeyId"] == KEY_ARN


def test_tls_is_forced_by_the_parameter_group(maple):
    maple.has_resource_properties(
        "AWS::RDS::DBParameterGroup",
        {"Family": "postgres17", "Parameters": {"rds.force_ssl": "1"}},
    )
    maple.has_resource_properties(
        "AWS::RDS::DBInstance", {"DBParameterGroupName": {"Ref": "DatabaseBaseParameterGroup6CCEEDC3"}}
    )


def test_deletion_protection_and_retention(examples):
    db = _db(examples)
    assert db["Properties"]["DeletionProtection"] is True
    assert (db["DeletionPolicy"], db["UpdateReplacePolicy"]) == ("RetainExceptOnCreate", "Retain")


def test_iam_authentication(examples):
    assert _props(examples)["EnableIAMDatabaseAuthentication"] is True


def test_master_password_is_a_generated_secret_resolved_at_deploy_time(examples):
    props = _props(examples)
    assert "ManageMasterUserPassword" not in props  # RDS refuses a cross-region replica of that
    password = props["MasterUserPassword"]
    (secret,) = [k for k, r in _resources(examples).items() if r["Type"] == "AWS::SecretsManager::Secret"]
    assert password == {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret}, ":SecretString:password::}}"]]}


def test_master_secret_is_under_the_tenant_key_and_replicated_under_the_dr_key(examples):
    config = examples.configs["maple-ca"]
    resources = _resources(examples)
    (secret,) = [r for r in resources.values() if r["Type"] == "AWS::SecretsManager::Secret"]
    props = secret["Properties"]
    assert props["Name"] == "tenantkit/maple-ca/db-master-user"
    assert props["KmsKeyId"] == KEY_ARN
    assert props["ReplicaRegions"] == [
        {"Region": config.secondary_region, "KmsKeyId": f"arn:aws:kms:{config.secondary_region}:111122223333:alias/tenantkit/maple-ca"}
    ]
    assert secret["DeletionPolicy"] == "RetainExceptOnCreate"
    (attachment,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::SecretsManager::SecretTargetAttachment"]
    assert attachment["TargetType"] == "AWS::RDS::DBInstance"
    assert attachment["TargetId"] == {"Ref": "DatabaseInstance02E622FB"}


def test_performance_insights_encrypted_with_the_tenant_key(examples):
    props = _props(examples)
    assert props["EnablePerformanceInsights"] is True
    assert props["PerformanceInsightsKMSKeyId"] == KEY_ARN


def test_enhanced_monitoring(examples):
    props = _props(examples)
    assert props["MonitoringInterval"] == 60
    assert props["MonitoringRoleArn"] == {"Fn::GetAtt": ["DatabaseBaseMonitoringRoleDB92C126", "Arn"]}


def test_postgresql_and_upgrade_logs_exported_to_encrypted_groups(examples, maple):
    assert _props(examples)["EnableCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    for log in ("postgresql", "upgrade"):
        maple.has_resource_properties(
            "AWS::Logs::LogGroup",
            {"LogGroupName": f"/aws/rds/instance/tenantkit-maple-ca/{log}", "KmsKeyId": KEY_ARN},
        )
    assert len(_db(examples)["DependsOn"]) == 2  # created encrypted before RDS would create them


def test_automated_backups_kept_35_days_with_tags_copied(examples):
    props = _props(examples)
    assert props["BackupRetentionPeriod"] == 35
    assert props["CopyTagsToSnapshot"] is True


def test_not_publicly_accessible_and_in_isolated_subnets(examples, maple):
    assert _props(examples)["PubliclyAccessible"] is False
    maple.has_resource_properties(
        "AWS::RDS::DBSubnetGroup",
        {"SubnetIds": [{"Ref": Match.string_like_regexp("NetworkVpcIsolatedSubnet1")}, {"Ref": Match.string_like_regexp("NetworkVpcIsolatedSubnet2")}]},
    )


def test_security_group_admits_only_the_rotation_function(maple):
    group_id = "DatabaseBaseSecurityGroup23D7989E"
    group = maple.find_resources("AWS::EC2::SecurityGroup")[group_id]
    assert "SecurityGroupIngress" not in group["Properties"]
    assert group["Properties"]["SecurityGroupEgress"][0]["Description"] == "Disallow all traffic"
    ingress = [
        rule["Properties"]
        for rule in maple.find_resources("AWS::EC2::SecurityGroupIngress").values()
        if rule["Properties"]["GroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}
    ]
    assert [(rule["SourceSecurityGroupId"], rule["FromPort"], rule["ToPort"]) for rule in ingress] == [
        ({"Fn::GetAtt": ["DatabaseRotationSecurityGroup17736B63", "GroupId"]}, 5432, 5432)
    ]
