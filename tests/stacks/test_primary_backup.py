"""Hourly AWS Backup of the database and bucket, copied to the DR vault, failures reported."""

from __future__ import annotations

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
    assert {"BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"} <= set(notifications["BackupVaultEvents"])


def _rules(examples) -> dict[str, dict]:
    rules = _resources(examples)[PLAN]["Properties"]["BackupPlan"]["BackupPlanRule"]
    return {rule["RuleName"]: rule for rule in rules}


def test_tiers_keep_what_the_config_says(examples):
    backup = examples.configs["maple-ca"].backup
    rules = _rules(examples)
    assert rules["Hourly"]["ScheduleExpression"] == "cron(0 * * * ? *)"
    assert rules["Hourly"]["Lifecycle"] == {"DeleteAfterDays": backup.hourly_retention_days}
    assert rules["Daily"]["Lifecycle"] == {"DeleteAfterDays": backup.retention_days}
    assert rules["Continuous"]["EnableContinuousBackup"] is True
    assert rules["Continuous"]["Lifecycle"] == {"DeleteAfterDays": min(35, backup.retention_days)}
    for rule in rules.values():
        assert rule["TargetBackupVault"] == {"Fn::GetAtt": [VAULT, "BackupVaultName"]}


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
    assert "CopyActions" not in rules["Hourly"]


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
