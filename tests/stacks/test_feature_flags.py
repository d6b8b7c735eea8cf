"""Every CDK feature flag is set on purpose: aws-cdk-lib's recommended value, or a written reason."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from tenantkit.stacks.app_context import FLAG_DEVIATIONS, feature_flags, tenant_app_context

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def recommended() -> dict:
    """aws-cdk-lib's own recommended-feature-flags.json, read from the installed jsii bundle."""
    import aws_cdk

    (bundle,) = Path(aws_cdk.__file__).parent.glob("_jsii/aws-cdk-lib@*.jsii.tgz")
    with tarfile.open(bundle) as archive:
        member = archive.extractfile("package/recommended-feature-flags.json")
        assert member is not None
        return json.load(member)


def test_every_flag_aws_cdk_lib_knows_is_set(recommended):
    missing = sorted(set(recommended) - set(feature_flags()))
    assert not missing, f"unset flags (upgrade of aws-cdk-lib?): {missing}"


def test_values_are_recommended_unless_a_reason_is_written(recommended):
    differing = {k for k, v in feature_flags().items() if recommended.get(k) != v}
    assert differing == set(FLAG_DEVIATIONS)
    for flag, (value, reason) in FLAG_DEVIATIONS.items():
        assert feature_flags()[flag] == value
        assert len(reason) > 40, f"{flag}: the reason must say why"


def test_cdk_json_carries_the_same_flags_for_the_cdk_cli():
    context = json.loads((REPO / "cdk.json").read_text())["context"]
    assert context == dict(feature_flags())


def test_the_app_context_starts_from_the_flags_and_keeps_what_the_user_set():
    context = tenant_app_context([], existing={"@aws-cdk/aws-iam:minimizePolicies": False})
    assert "@aws-cdk/aws-iam:minimizePolicies" not in context
    assert context["@aws-cdk/core:defaultCrossStackReferences"] == "strong"
    assert context["@aws-cdk/core:explicitStackTags"] is True
