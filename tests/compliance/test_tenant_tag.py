from __future__ import annotations

from tenantkit.compliance import Compliance
from tenantkit.compliance.tenant_tag import every_resource_tagged, tag_property_from_cfn_lint

from .conftest import make_assembly


def test_every_taggable_resource_tagged_complies(assembly):
    assert every_resource_tagged(assembly).status is Compliance.COMPLIANT


def test_an_untagged_resource_is_non_compliant(primary):
    del primary["Resources"]["Db"]["Properties"]["Tags"]
    result = every_resource_tagged(make_assembly(primary))
    assert result.findings == ("tenant-acme-primary/Db: tenantkit:tenant is None, not 'acme'",)


def test_a_resource_tagged_for_another_tenant_is_non_compliant(primary):
    primary["Resources"]["Vault"]["Properties"]["BackupVaultTags"] = {"tenantkit:tenant": "globex"}
    (finding,) = every_resource_tagged(make_assembly(primary)).findings
    assert finding == "tenant-acme-primary/Vault: tenantkit:tenant is 'globex', not 'acme'"


def test_types_that_cannot_be_tagged_are_skipped():
    assert tag_property_from_cfn_lint("AWS::S3::BucketPolicy") is None
    assert tag_property_from_cfn_lint("Custom::VpcRestrictDefaultSG") is None
    assert tag_property_from_cfn_lint("AWS::Backup::BackupPlan") == "BackupPlanTags"


def test_a_list_tag_naming_another_tenant_is_non_compliant(primary):
    primary["Resources"]["Logs"]["Properties"]["Tags"] = [{"Key": "tenantkit:tenant", "Value": "globex"}]
    assert every_resource_tagged(make_assembly(primary)).findings == (
        "tenant-acme-primary/Logs: tenantkit:tenant is 'globex', not 'acme'",
    )


def test_other_tags_do_not_stand_for_the_tenant_tag(primary):
    primary["Resources"]["Logs"]["Properties"]["Tags"] = [{"Key": "tenant", "Value": "acme"}]
    assert every_resource_tagged(make_assembly(primary)).findings == (
        "tenant-acme-primary/Logs: tenantkit:tenant is None, not 'acme'",
    )


def test_the_types_own_tag_property_is_read(primary):
    # AWS::Backup::BackupPlan keeps its tags in BackupPlanTags: a Tags property does not count.
    plan = primary["Resources"]["Plan"]["Properties"]
    plan["Tags"] = plan.pop("BackupPlanTags")
    assert every_resource_tagged(make_assembly(primary)).findings == (
        "tenant-acme-primary/Plan: tenantkit:tenant is None, not 'acme'",
    )


def test_resources_of_every_stack_are_read():
    from .conftest import good_replica

    replica = good_replica()
    del replica["Resources"]["Replica"]["Properties"]["Tags"]
    assert every_resource_tagged(make_assembly(replica=replica)).findings == (
        "tenant-acme-replica/Replica: tenantkit:tenant is None, not 'acme'",
    )
