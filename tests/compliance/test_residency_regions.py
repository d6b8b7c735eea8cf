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


def test_an_output_naming_a_region_outside_the_zone_is_non_compliant(primary):
    primary["Outputs"]["Arn"]["Value"] = {"Fn::Join": ["", ["arn:aws:sns:eu-west-1:", {"Ref": "AWS::AccountId"}, ":x"]]}
    result = regions_inside_residency_zone(make_assembly(primary))
    assert result.findings == ("tenant-acme-primary: names region eu-west-1, outside the zone",)


def test_a_region_inside_an_intrinsic_function_is_found(primary):
    primary["Resources"]["Policy"]["Properties"]["PolicyDocument"] = {
        "Statement": [{"Resource": {"Fn::Join": ["", ["arn:aws:s3:::x-", {"Ref": "AWS::AccountId"}, "-ap-south-1"]]}}]
    }
    result = regions_inside_residency_zone(make_assembly(primary))
    assert result.findings == ("tenant-acme-primary: names region ap-south-1, outside the zone",)


def test_each_stack_is_held_to_the_zone():
    from .conftest import good_dr

    dr = good_dr()
    dr["Resources"]["DrBucket"]["Properties"]["BucketName"] = "acme-dr-1-eu-central-1"
    result = regions_inside_residency_zone(make_assembly(dr=dr))
    assert result.findings == ("tenant-acme-dr: names region eu-central-1, outside the zone",)
