from __future__ import annotations

import pytest

from tenantkit.compliance import Compliance, backup_is_hourly_and_copies_inside_zone
from tenantkit.compliance.hourly_backup import is_hourly

from .conftest import make_assembly


def _rule(primary):
    return primary["Resources"]["Plan"]["Properties"]["BackupPlan"]["BackupPlanRule"][0]


def test_hourly_plan_copying_inside_the_zone_complies(assembly):
    assert backup_is_hourly_and_copies_inside_zone(assembly).status is Compliance.COMPLIANT


@pytest.mark.parametrize(
    ("expression", "hourly"),
    [
        ("cron(0 * * * ? *)", True),
        ("cron(30 * * * ? *)", True),
        ("rate(1 hour)", True),
        ("cron(0 5 * * ? *)", False),
        ("cron(0 */2 * * ? *)", False),
        ("rate(12 hours)", False),
    ],
)
def test_hourly_schedules(expression, hourly):
    assert is_hourly(expression) is hourly


def test_a_daily_plan_is_non_compliant(primary):
    _rule(primary)["ScheduleExpression"] = "cron(0 5 * * ? *)"
    (finding,) = backup_is_hourly_and_copies_inside_zone(make_assembly(primary)).findings
    assert finding == "tenant-acme-primary/Plan: no snapshot rule runs hourly"


def test_an_hourly_continuous_rule_is_not_an_hourly_backup(primary):
    rule = _rule(primary)
    rule["EnableContinuousBackup"] = True
    (finding,) = backup_is_hourly_and_copies_inside_zone(make_assembly(primary)).findings
    assert finding == (
        "tenant-acme-primary/Plan: no snapshot rule runs hourly "
        "(rule Hourly is continuous backup: not an hourly snapshot)"
    )


def test_a_continuous_rule_beside_an_hourly_snapshot_rule_complies(primary):
    continuous = {**_rule(primary), "RuleName": "Continuous", "EnableContinuousBackup": True, "CopyActions": []}
    primary["Resources"]["Plan"]["Properties"]["BackupPlan"]["BackupPlanRule"].append(continuous)
    assert backup_is_hourly_and_copies_inside_zone(make_assembly(primary)).status is Compliance.COMPLIANT


def test_continuous_backup_set_to_false_is_a_snapshot_rule(primary):
    _rule(primary)["EnableContinuousBackup"] = False
    assert backup_is_hourly_and_copies_inside_zone(make_assembly(primary)).status is Compliance.COMPLIANT


def test_a_copy_outside_the_zone_is_non_compliant(primary):
    _rule(primary)["CopyActions"][0]["DestinationBackupVaultArn"] = "arn:aws:backup:eu-west-1:1:backup-vault:x"
    (finding,) = backup_is_hourly_and_copies_inside_zone(make_assembly(primary)).findings
    assert finding.endswith("copies to eu-west-1, outside the zone")


def test_a_plan_without_copies_is_non_compliant(primary):
    _rule(primary)["CopyActions"] = []
    assert not backup_is_hourly_and_copies_inside_zone(make_assembly(primary)).ok


def test_a_tenant_without_a_plan_is_non_compliant(primary):
    del primary["Resources"]["Plan"]
    result = backup_is_hourly_and_copies_inside_zone(make_assembly(primary))
    assert result.findings == ("the tenant has no backup plan",)


def test_a_plan_that_does_not_select_the_database_is_non_compliant(primary):
    selection = primary["Resources"]["Selection"]["Properties"]["BackupSelection"]
    selection["Resources"] = [{"Fn::GetAtt": ["Data", "Arn"]}]
    (finding,) = backup_is_hourly_and_copies_inside_zone(make_assembly(primary)).findings
    assert finding == "tenant-acme-primary/Plan: the plan's selections do not name the database Db"


def test_a_selection_of_another_plan_does_not_count(primary):
    primary["Resources"]["Selection"]["Properties"]["BackupPlanId"] = {"Ref": "SomeOtherPlan"}
    findings = backup_is_hourly_and_copies_inside_zone(make_assembly(primary)).findings
    assert "tenant-acme-primary/Plan: the plan's selections do not name the database Db" in findings
    assert "tenant-acme-primary/Plan: the plan's selections do not name the bucket Data" in findings


def test_one_hourly_rule_is_enough_when_another_tier_copies(primary):
    rules = primary["Resources"]["Plan"]["Properties"]["BackupPlan"]["BackupPlanRule"]
    copies = rules[0].pop("CopyActions")
    rules.append({"RuleName": "Daily", "ScheduleExpression": "cron(30 3 * * ? *)", "CopyActions": copies})
    assert backup_is_hourly_and_copies_inside_zone(make_assembly(primary)).status is Compliance.COMPLIANT
