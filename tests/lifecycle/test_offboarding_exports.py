"""Offboarding's plan (and so its report) names the tenant's exports: `tenantkit export` folders of
the data bucket, destroyed with it. Only `exports/<name>/manifest.json` is an export."""

from __future__ import annotations

import boto3
from moto import mock_aws

from tenantkit.lifecycle.offboarding.resources import Scope, _find_buckets
from tests.lifecycle import offboarding_tenant as tenant
from tests.lifecycle.offboarding_tenant import NAMES, PRIMARY


def test_the_data_bucket_target_counts_its_exports():
    with mock_aws():
        tenant.bucket(PRIMARY, NAMES.data_bucket)
        s3 = boto3.client("s3", region_name=PRIMARY)
        for key in (
            "exports/handback/manifest.json", "exports/handback/database/tkx/export_info_tkx.json",
            "exports/e20261207/manifest.json", "exports/e20261207/manifest.json",  # two versions, one export
            "exports/manifest.json", "exports/x/y/manifest.json", "restores/r1/manifest.json", "data/exports/z/manifest.json",
        ):  # fmt: skip
            s3.put_object(Bucket=NAMES.data_bucket, Key=key, Body=b"{}")
        (target,) = _find_buckets(Scope(NAMES, tenant.sessions()))
        assert target.name == NAMES.data_bucket and target.counts == {"object_versions": 8, "delete_markers": 0, "exports": 2}


def test_a_bucket_without_exports_has_no_export_count():
    with mock_aws():
        tenant.bucket(PRIMARY, NAMES.data_bucket, versions=2)
        (target,) = _find_buckets(Scope(NAMES, tenant.sessions()))
        assert "exports" not in target.counts
