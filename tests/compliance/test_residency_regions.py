from __future__ import annotations

from tenantkit.compliance import Compliance, regions_inside_residency_zone

from .conftest import make_assembly


def test_everything_inside_the_zone_complies(assembly):
    assert regions_inside_residency_zone(assembly).status is Compliance.COMPLIANT


def test_a_stack_deployed_outside_the_zone_is_non_compliant():
    result = regions_inside_residency_zone(make_assembly(primary_region="eu-west-1"))
    assert "tenant-acme-primary: deployed to eu-west-1, outside the zone" in result.findings


def test_an_arn_naming_a_region_outside_the_zone_is_non_compliant(primary):
    plan = primary["Resources"]["Plan"]["Properties"]["BackupPlan"]["BackupPlanRule"][0]
    plan["CopyActions"][0]["DestinationBackupVaultArn"] = "arn:aws:backup:ca-central-1:1:backup-vault:x"
    result = regions_inside_residency_zone(make_assembly(primary))
    assert result.findings == ("tenant-acme-primary: names region ca-central-1, outside the zone",)


def test_an_availability_zone_outside_the_zone_is_non_compliant(primary):
    primary["Resources"]["Subnet"] = {"Type": "AWS::EC2::Subnet", "Properties": {"AvailabilityZone": "eu-central-1a"}}
    assert not regions_inside_residency_zone(make_assembly(primary)).ok
