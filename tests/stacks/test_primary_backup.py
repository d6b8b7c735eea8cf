"""Hourly AWS Backup of the database and bucket, copied to the DR vault, failures reported."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match

VAULT = "BackupVault68B95C06"
PLAN = "BackupPlan14914BEB"


def _resources(examples):
    return examples.raw("tenant-maple-ca-primary")["Resources"]


def test_vault_is_encrypted_with_the_tenant_key_and_retained(examples):
    vault = _resources(examples)[VAULT]
    assert vault["Properties"]["BackupVaultName"] == "tenantkit-maple-ca"
    assert vault["Properties"]["EncryptionKeyArn"] == {"Fn::GetAtt": ["TenantKey28C6FA36", "Arn"]}
    assert vault["DeletionPolicy"] == "RetainExceptOnCreate"


def test_vault_reports_failed_backup_and_copy_jobs_to_the_incident_topic(examples):
    notifications = _resources(examples)[VAULT]["Properties"]["Notifications"]
    assert notifications["SNSTopicArn"] == {"Ref": "IncidentsTopic1CF18B78"}
    assert {"BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RESTORE_JOB_STARTED", "RESTORE_JOB_COMPLETED"} <= set(
        notifications["BackupVaultEvents"]
    )


def _rules(examples) -> dict[str, dict]:
    rules = _resources(examples)[PLAN]["Properties"]["BackupPlan"]["BackupPlanRule"]
    return {rule["RuleName"]: rule for rule in rules}


def test_tiers_keep_what_the_config_says(examples):
    backup = examples.configs["maple-ca"].backup
    rules = _rules(examples)
    assert rules["Hourly"]["ScheduleExpression"] == "cron(30 * * * ? *)"
    assert "EnableContinuousBackup" not in rules["Hourly"]  # a periodic snapshot, not continuous
    assert rules["Hourly"]["Lifecycle"] == {"DeleteAfterDays": backup.hourly_retention_days}
    assert rules["Daily"]["Lifecycle"] == {"DeleteAfterDays": backup.retention_days}
    assert rules["Continuous"]["EnableContinuousBackup"] is True
    assert rules["Continuous"]["Lifecycle"] == {"DeleteAfterDays": min(35, backup.retention_days)}
    for rule in rules.values():
        assert rule["TargetBackupVault"] == {"Fn::GetAtt": [VAULT, "BackupVaultName"]}


def test_the_hourly_tier_is_staggered_from_the_continuous_rule(examples):
    rules = _rules(examples)
    assert rules["Continuous"]["ScheduleExpression"] == "cron(0 1 * * ? *)"
    hourly_minute = rules["Hourly"]["ScheduleExpression"].split()[0].removeprefix("cron(")
    continuous_minute = rules["Continuous"]["ScheduleExpression"].split()[0].removeprefix("cron(")
    assert hourly_minute != continuous_minute
    assert all(rule["StartWindowMinutes"] >= 60 for rule in rules.values())


def test_retained_snapshots_stay_within_the_rds_quota(examples):
    rules = _rules(examples)
    hourly = 24 * rules["Hourly"]["Lifecycle"]["DeleteAfterDays"]
    assert hourly + rules["Daily"]["Lifecycle"]["DeleteAfterDays"] <= 100


def test_the_daily_tier_is_copied_to_the_dr_vault(examples):
    backup = examples.configs["maple-ca"].backup
    rules = _rules(examples)
    assert rules["Daily"]["CopyActions"] == [
        {
            "DestinationBackupVaultArn": "arn:aws:backup:ca-west-1:111122223333:backup-vault:tenantkit-maple-ca-dr",
            "Lifecycle": {"DeleteAfterDays": backup.copy_retention_days},
        }
    ]



def test_the_hourly_tier_is_copied_to_the_dr_vault_as_the_config_says(examples):
    for tenant_id, config in examples.configs.items():
        plan = next(
            resource for resource in examples.raw(f"tenant-{tenant_id}-primary")["Resources"].values()
            if resource["Type"] == "AWS::Backup::BackupPlan"
        )
        hourly = next(rule for rule in plan["Properties"]["BackupPlan"]["BackupPlanRule"] if rule["RuleName"] == "Hourly")
        if config.backup.copy_hourly:
            (copy,) = hourly["CopyActions"]
            destination = json.dumps(copy["DestinationBackupVaultArn"])  # a Fn::Join without an account
            assert f"arn:aws:backup:{config.secondary_region}:" in destination
            assert f':backup-vault:tenantkit-{tenant_id}-dr"' in destination
            assert copy["Lifecycle"] == {"DeleteAfterDays": config.backup.hourly_retention_days}
        else:
            assert "CopyActions" not in hourly


def test_restore_testing_restores_the_latest_points_of_the_primary_vault_on_the_config_schedule(examples):
    from tenantkit.constructs.restore_testing import SCHEDULES

    config = examples.configs["maple-ca"]
    resources = _resources(examples)
    (plan_id,) = [key for key, r in resources.items() if r["Type"] == "AWS::Backup::RestoreTestingPlan"]
    plan = resources[plan_id]["Properties"]
    assert plan["RestoreTestingPlanName"] == "tk_maple_ca_restores"
    assert plan["ScheduleExpression"] == SCHEDULES[config.backup.restore_testing]
    assert plan["RecoveryPointSelection"]["IncludeVaults"] == [{"Fn::GetAtt": [VAULT, "BackupVaultArn"]}]
    selections = {r["Properties"]["ProtectedResourceType"]: r["Properties"] for r in resources.values()
                  if r["Type"] == "AWS::Backup::RestoreTestingSelection"}
    assert set(selections) == {"RDS", "S3"}
    for selection in selections.values():
        assert selection["RestoreTestingPlanName"] == {"Ref": plan_id}
    assert selections["S3"]["ProtectedResourceArns"] == [{"Fn::GetAtt": ["DataBucketBD860FE1", "Arn"]}]
    overrides = selections["RDS"]["RestoreMetadataOverrides"]
    assert overrides["dbsubnetgroupname"] == {"Ref": "DatabaseBaseSubnetGroup371A6786"}
    assert "DatabaseBaseSecurityGroup23D7989E" in str(overrides["vpcsecuritygroupids"])


def test_selection_names_the_database_and_the_bucket_explicitly(maple):
    maple.has_resource_properties(
        "AWS::Backup::BackupSelection",
        {
            "BackupPlanId": {"Fn::GetAtt": [PLAN, "BackupPlanId"]},
            "BackupSelection": Match.object_like(
                {
                    "Resources": [
                        {
                            "Fn::Join": [
                                "",
                                [
                                    "arn:aws:rds:ca-central-1:111122223333:db:",
                                    {"Ref": "DatabaseInstance02E622FB"},
                                ],
                            ]
                        },
                        {"Fn::GetAtt": ["DataBucketBD860FE1", "Arn"]},
                    ],
                }
            ),
        },
    )
    selection = next(iter(maple.find_resources("AWS::Backup::BackupSelection").values()))
    assert "ListOfTags" not in selection["Properties"]["BackupSelection"]
