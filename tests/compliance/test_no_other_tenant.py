from __future__ import annotations

from tenantkit.compliance import Compliance, names_no_other_tenant

from .conftest import make_assembly


def test_templates_naming_only_this_tenant_comply(assembly):
    assert names_no_other_tenant(assembly).status is Compliance.COMPLIANT


def test_a_resource_naming_another_tenant_is_non_compliant(primary):
    primary["Resources"]["Logs"]["Properties"]["LogGroupName"] = "/tenantkit/globex/vpc-flow-logs"
    result = names_no_other_tenant(make_assembly(primary))
    assert result.findings == ("tenant-acme-primary/Logs: names tenant 'globex'",)


def test_an_output_naming_another_tenant_is_non_compliant(primary):
    primary["Outputs"]["Arn"]["Value"] = "arn:aws:sns:us-east-1:1:tenantkit-acme-eu-incidents"
    result = names_no_other_tenant(make_assembly(primary))
    assert result.findings == ("tenant-acme-primary: an output names tenant 'acme-eu'",)


def test_a_longer_other_id_that_starts_with_this_tenants_id_is_not_found_in_its_names():
    # This tenant is acme; its names (tenantkit-acme-...) do not name tenant acme-eu.
    assert names_no_other_tenant(make_assembly(others=frozenset({"acme-eu"}))).status is Compliance.COMPLIANT


def test_an_other_id_that_is_a_fragment_of_this_tenants_id_is_not_a_match():
    # `acm` and `cme` occur inside `acme` but are not bounded like an id.
    assert names_no_other_tenant(make_assembly(others=frozenset({"acm", "cme"}))).status is Compliance.COMPLIANT


def test_alone_in_the_fleet_the_rule_does_not_apply():
    assert names_no_other_tenant(make_assembly(others=frozenset())).status is Compliance.NOT_APPLICABLE


def test_a_shorter_other_id_inside_this_tenants_own_id_is_not_a_match():
    from tenantkit.compliance import StackTemplate, TenantAssembly

    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "tenantkit-acme-eu-incidents"}}}}
    assembly = TenantAssembly(
        tenant_id="acme-eu",
        zone=frozenset({"eu-west-1"}),
        stacks=(StackTemplate("tenant-acme-eu-primary", "eu-west-1", template),),
        other_tenant_ids=frozenset({"acme"}),
    )
    assert names_no_other_tenant(assembly).status is Compliance.COMPLIANT


def test_another_tenant_inside_an_intrinsic_function_is_found(primary):
    arn = {"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "AWS::AccountId"}, "-globex-data"]]}
    primary["Resources"]["Policy"]["Properties"]["PolicyDocument"] = {"Statement": [{"Resource": [arn]}]}
    result = names_no_other_tenant(make_assembly(primary))
    assert result.findings == ("tenant-acme-primary/Policy: names tenant 'globex'",)


def test_another_tenant_in_a_tag_is_found(primary):
    primary["Resources"]["Db"]["Properties"]["Tags"] = [{"Key": "tenantkit:tenant", "Value": "globex"}]
    assert names_no_other_tenant(make_assembly(primary)).findings == ("tenant-acme-primary/Db: names tenant 'globex'",)


def test_another_tenant_in_the_dr_stack_is_found():
    from .conftest import good_dr

    dr = good_dr()
    dr["Resources"]["DrKeyAlias"]["Properties"]["AliasName"] = "alias/tenantkit/globex"
    assert names_no_other_tenant(make_assembly(dr=dr)).findings == ("tenant-acme-dr/DrKeyAlias: names tenant 'globex'",)
