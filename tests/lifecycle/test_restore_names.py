"""Restore names are exact: a restore's identifier and folder can never be another tenant's, nor
another restore's, and a restore is recognised only by its whole identifier and its tags."""

from __future__ import annotations

import pytest

from tenantkit.lifecycle.restore.database import is_restore
from tenantkit.naming import TAG_RESTORE, TAG_TENANT, names_for, restore_of_db_instance


def _names(tenant_id: str):
    return names_for(tenant_id, "123456789012", "us-east-1", "us-west-2")


def test_a_restore_instance_is_tkrestore_tenant_name_and_parses_back():
    identifier = _names("acme").restore_db_instance("before")
    assert identifier == "tkrestore-acme-before"
    assert restore_of_db_instance(identifier) == ("acme", "before")


def test_the_longest_tenant_id_and_name_fit_rds_identifiers():
    identifier = _names("a" * 30).restore_db_instance("b" * 22)
    assert len(identifier) == 63 and restore_of_db_instance(identifier) == ("a" * 30, "b" * 22)


@pytest.mark.parametrize("name", ["", "Before", "my-restore", "1st", "b" * 23, "a/b", "restore_1"])
def test_a_name_that_could_blur_the_tenant_or_the_folder_is_refused(name):
    with pytest.raises(ValueError, match="not a restore name"):
        _names("acme").restore_db_instance(name)
    with pytest.raises(ValueError, match="not a restore name"):
        _names("acme").restore_prefix(name)


def test_no_restore_name_is_another_tenants_resource_or_restore():
    """`acme`'s restore `x` vs tenant `acme-x`: its live instances start `tenantkit-`, and its
    restores parse to tenant `acme-x`."""
    mine = _names("acme").restore_db_instance("x")
    other = _names("acme-x")
    assert mine not in (other.db_instance, other.replica_db_instance, other.restore_db_instance("x"))
    assert restore_of_db_instance(other.restore_db_instance("y")) == ("acme-x", "y")
    assert restore_of_db_instance(other.db_instance) is None and restore_of_db_instance(other.replica_db_instance) is None


def test_the_folder_ends_with_a_slash_so_no_restore_prefixes_another():
    names = _names("acme")
    assert names.restore_prefix("x") == "restores/x/" and not names.restore_prefix("x2").startswith(names.restore_prefix("x"))


def _instance(identifier: str, tenant: str, restore: str) -> dict:
    return {"DBInstanceIdentifier": identifier, "TagList": [{"Key": TAG_TENANT, "Value": tenant}, {"Key": TAG_RESTORE, "Value": restore}]}


@pytest.mark.parametrize(
    ("instance", "tenant", "name", "expected"),
    [
        (_instance("tkrestore-acme-x", "acme", "x"), "acme", "x", True),
        (_instance("tkrestore-acme-x", "acme", "x"), "acme", None, True),
        (_instance("tkrestore-acme-x2", "acme", "x2"), "acme", "x", False),  # a longer name is not x
        (_instance("tkrestore-acme-x-y", "acme-x", "y"), "acme", None, False),  # tenant acme-x's restore
        (_instance("tkrestore-acme-x", "acme", "other"), "acme", "x", False),  # tags disagree
        (_instance("tkrestore-acme-x", "acme-x", "x"), "acme", "x", False),  # tagged for another tenant
        (_instance("tenantkit-acme", "acme", "x"), "acme", None, False),  # the live instance
    ],
)
def test_a_restore_is_recognised_by_its_whole_identifier_and_tags(instance, tenant, name, expected):
    assert is_restore(instance, tenant, name) is expected
