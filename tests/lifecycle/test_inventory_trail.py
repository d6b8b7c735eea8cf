"""inventory's audit trail check (issue 18 item 4), in-process moto: the region's trail missing,
stopped, not validating, or not recording the tenant's bucket is flagged; a sound trail is not.
The trail and selectors are the baseline stack's (`event_selectors` of the tenant's buckets)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from tenantkit.constructs.audit_trail import event_selectors
from tenantkit.lifecycle.inventory.model import Status
from tenantkit.lifecycle.inventory.trail import audit_trail, covers
from tenantkit.naming import AUDIT_TRAIL, names_for

REGION = "ca-central-1"
NAMES = names_for("maple-ca", "123456789012", REGION, "us-west-2")
OTHER = names_for("maple-ca-primary-x", "123456789012", REGION, "us-west-2")


@pytest.fixture
def session():
    with mock_aws():
        yield boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


def _trail(session, buckets, *, validating=True, logging=True):
    session.client("s3").create_bucket(Bucket="audit-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
    cloudtrail = session.client("cloudtrail")
    cloudtrail.create_trail(Name=AUDIT_TRAIL, S3BucketName="audit-logs", EnableLogFileValidation=validating)
    cloudtrail.put_event_selectors(TrailName=AUDIT_TRAIL, AdvancedEventSelectors=event_selectors(buckets)[0])
    if logging:
        cloudtrail.start_logging(Name=AUDIT_TRAIL)


def test_a_logging_validating_trail_recording_the_tenants_bucket_is_ok(session):
    _trail(session, [NAMES.data_bucket, OTHER.data_bucket])
    item = audit_trail(session, REGION, [NAMES.data_bucket])
    assert (item.status, item.problems) == (Status.OK, ())


def test_no_trail_in_the_region_is_missing(session):
    item = audit_trail(session, REGION, [NAMES.data_bucket])
    assert item.status is Status.MISSING


def test_a_stopped_trail_is_flagged(session):
    _trail(session, [NAMES.data_bucket], logging=False)
    assert audit_trail(session, REGION, [NAMES.data_bucket]).problems == ("stopped: not logging",)


def test_a_trail_not_validating_its_log_files_is_flagged(session):
    _trail(session, [NAMES.data_bucket], validating=False)
    assert audit_trail(session, REGION, [NAMES.data_bucket]).problems == ("log file validation off",)


def test_a_trail_recording_only_another_tenants_bucket_is_flagged_even_with_a_longer_name(session):
    _trail(session, [OTHER.data_bucket])
    assert audit_trail(session, REGION, [NAMES.data_bucket]).problems == (f"object events of {NAMES.data_bucket} not recorded",)


def test_selectors_for_every_bucket_cover_the_tenants_and_management_only_does_not():
    every = [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}]
    assert covers(every, NAMES.dr_bucket)
    assert not covers(event_selectors([])[0], NAMES.dr_bucket)
