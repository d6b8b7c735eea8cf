"""The order of destruction, read from the AWS calls offboarding actually sends while it destroys
a whole tenant (in-process moto with tenantkit's emulator extensions): every copy of the data
(databases, snapshots, recovery points, objects, buckets) destroyed before either KMS key is
scheduled for deletion; the replica before the primary database; the web ACL before its IP sets;
the stacks replica, then primary, then dr. One destruction serves every test of this module."""

from __future__ import annotations

import pytest
from moto import mock_aws

from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover
from tenantkit.sandbox.extensions import install
from tests.lifecycle import offboarding_tenant as tenant
from tests.lifecycle.offboarding_tenant import NAMES, TENANT, Calls

DATA_DELETES = ("DeleteDBInstance", "DeleteDBSnapshot", "DeleteRecoveryPoint", "DeleteObjects", "DeleteBucket")


@pytest.fixture(scope="module")
def calls(tmp_path_factory) -> Calls:
    install()
    with mock_aws():
        tenant.whole_tenant()
        recorded = Calls()
        scope = tenant.recording_scope(recorded)
        journal = Journal.open(tmp_path_factory.mktemp("order") / f"{TENANT}.json", tenant_id=TENANT, environment="test")
        destroy(scope, journal, discover(scope))
        return recorded


def test_every_copy_of_the_data_is_destroyed_before_any_key_is_scheduled_for_deletion(calls):
    scheduled = calls.index("ScheduleKeyDeletion")
    assert len(scheduled) == 2  # both regions' keys
    for operation in DATA_DELETES:
        sent = calls.index(operation)
        assert sent, f"no {operation} was sent"
        assert max(sent) < min(scheduled), f"{operation} sent after a key was scheduled for deletion"
    deleted_buckets = {calls.made[i][3]["Bucket"] for i in calls.index("DeleteBucket")}
    assert deleted_buckets == {NAMES.data_bucket, NAMES.dr_bucket, NAMES.access_log_bucket, NAMES.dr_access_log_bucket}


def test_the_replica_is_deleted_before_the_primary_database(calls):
    (replica,) = calls.index("DeleteDBInstance", DBInstanceIdentifier=NAMES.replica_db_instance)
    (primary,) = calls.index("DeleteDBInstance", DBInstanceIdentifier=f'"{NAMES.db_instance}"')
    assert replica < primary


def test_the_web_acl_is_deleted_before_its_ip_sets(calls):
    (acl,) = calls.index("DeleteWebACL")
    ip_sets = calls.index("DeleteIPSet")
    assert len(ip_sets) == 2 and acl < min(ip_sets)


def test_the_stacks_are_deleted_replica_then_primary_then_dr_and_before_the_keys(calls):
    deleted = [calls.made[i][3]["StackName"] for i in calls.index("DeleteStack")]
    order = [NAMES.replica_stack, NAMES.primary_stack, NAMES.dr_stack]
    assert [next(name for name in order if f"/{name}/" in arn) for arn in deleted] == order
    assert max(calls.index("DeleteStack")) < min(calls.index("ScheduleKeyDeletion"))
