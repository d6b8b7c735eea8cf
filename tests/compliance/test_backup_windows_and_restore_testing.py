"""Deploy-time constraints on AWS Backup the linters miss: start windows of an hour or more, and
restore testing names of letters, digits and underscores (each rule cites its AWS source)."""

from __future__ import annotations

import copy

import pytest

from tenantkit.compliance import RULES, Compliance
from tenantkit.compliance.backup_start_window import backup_start_windows_are_an_hour_or_more
from tenantkit.compliance.restore_testing_names import restore_testing_names_are_valid

from .conftest import make_assembly

RESTORE_PLAN = {
    "Type": "AWS::Backup::RestoreTestingPlan",
    "Properties": {
        "RestoreTestingPlanName": "tk_acme_restores",
        "ScheduleExpression": "cron(0 5 ? * SUN *)",
        "StartWindowHours": 8,
        "RecoveryPointSelection": {"Algorithm": "LATEST_WITHIN_WINDOW", "IncludeVaults": ["*"], "RecoveryPointTypes": ["SNAPSHOT"]},
    },
}
RESTORE_SELECTION = {
    "Type": "AWS::Backup::RestoreTestingSelection",
    "Properties": {
        "RestoreTestingPlanName": {"Ref": "RestorePlan"},
        "RestoreTestingSelectionName": "database",
        "ProtectedResourceType": "RDS",
        "IamRoleArn": "arn:aws:iam::111122223333:role/restore",
    },
}


def test_both_rules_run_with_every_tenant_check():
    assert {restore_testing_names_are_valid, backup_start_windows_are_an_hour_or_more} <= set(RULES)


@pytest.fixture
def tested(primary):
    primary["Resources"]["RestorePlan"] = copy.deepcopy(RESTORE_PLAN)
    primary["Resources"]["RestoreSelection"] = copy.deepcopy(RESTORE_SELECTION)
    return primary


def test_names_of_letters_digits_and_underscores_comply(tested):
    assert restore_testing_names_are_valid(make_assembly(tested)).status is Compliance.COMPLIANT


def test_no_restore_testing_is_not_applicable(primary):
    assert restore_testing_names_are_valid(make_assembly(primary)).status is Compliance.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("resource", "prop", "name"),
    [
        ("RestorePlan", "RestoreTestingPlanName", "tk-acme-restores"),
        ("RestorePlan", "RestoreTestingPlanName", "x" * 51),
        ("RestorePlan", "RestoreTestingPlanName", ""),
        ("RestoreSelection", "RestoreTestingSelectionName", "data-base"),
        ("RestoreSelection", "RestoreTestingPlanName", "tk acme"),
    ],
)
def test_a_name_aws_backup_refuses_is_non_compliant(tested, resource, prop, name):
    tested["Resources"][resource]["Properties"][prop] = name
    (finding,) = restore_testing_names_are_valid(make_assembly(tested)).findings
    assert finding.startswith(f"tenant-acme-primary/{resource}: {prop} ")
    assert "letters, digits or underscores" in finding


def test_a_missing_name_is_non_compliant(tested):
    del tested["Resources"]["RestoreSelection"]["Properties"]["RestoreTestingSelectionName"]
    (finding,) = restore_testing_names_are_valid(make_assembly(tested)).findings
    assert finding == "tenant-acme-primary/RestoreSelection: RestoreTestingSelectionName is missing"


def _rule(primary):
    return primary["Resources"]["Plan"]["Properties"]["BackupPlan"]["BackupPlanRule"][0]


def test_an_hour_start_window_complies(tested):
    _rule(tested)["StartWindowMinutes"] = 60
    assert backup_start_windows_are_an_hour_or_more(make_assembly(tested)).status is Compliance.COMPLIANT


def test_no_start_window_complies(primary):
    assert backup_start_windows_are_an_hour_or_more(make_assembly(primary)).status is Compliance.COMPLIANT


def test_a_backup_rule_starting_within_less_than_an_hour_is_non_compliant(primary):
    _rule(primary)["StartWindowMinutes"] = 30
    (finding,) = backup_start_windows_are_an_hour_or_more(make_assembly(primary)).findings
    assert finding == "tenant-acme-primary/Plan: rule Hourly: StartWindowMinutes 30 is under 60"


def test_a_restore_test_starting_within_less_than_an_hour_is_non_compliant(tested):
    tested["Resources"]["RestorePlan"]["Properties"]["StartWindowHours"] = 0
    (finding,) = backup_start_windows_are_an_hour_or_more(make_assembly(tested)).findings
    assert finding == "tenant-acme-primary/RestorePlan: StartWindowHours 0 is under 1"


def test_no_backup_or_restore_testing_plan_is_not_applicable(primary):
    del primary["Resources"]["Plan"]
    assert backup_start_windows_are_an_hour_or_more(make_assembly(primary)).status is Compliance.NOT_APPLICABLE
