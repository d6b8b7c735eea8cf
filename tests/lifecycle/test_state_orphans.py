"""Orphans: tenants deployed without a file, found by exact stack names and by the tenant tag
(moto), never by a prefix; keys pending deletion (what offboarding leaves) are not deployments."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from tenantkit.lifecycle.state.orphans import find_orphans
from tenantkit.naming import TAG_TENANT, stack_names
from tests.lifecycle.offboarding_tenant import hooked_sessions, sessions, shared_session

TEMPLATE = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})


@pytest.fixture
def account():
    with mock_aws():
        yield sessions()  # one boto3 session for the run: a new one per region loaded every service model again


def _stack(region, name, tenant=None):
    tags = [{"Key": TAG_TENANT, "Value": tenant}] if tenant else []
    boto3.client("cloudformation", region_name=region).create_stack(StackName=name, TemplateBody=TEMPLATE, Tags=tags)


def test_a_stack_of_a_tenant_without_a_file_is_an_orphan_and_a_prefix_is_not_ownership(account):
    _stack("us-east-1", "tenant-acme-primary")
    _stack("us-east-1", "tenant-acmex-dr")  # starts with acme's prefix: tenant acmex's, not acme's
    _stack("us-east-1", "tenant-acme-extra")  # not a name tenantkit gives
    orphans = find_orphans(account, "123456789012", ["us-east-1", "us-west-2"], known={"acme"})
    assert [(o.tenant_id, o.evidence) for o in orphans] == [("acmex", "stack tenant-acmex-dr")]
    assert orphans[0].describe() == "acmex: deployed (stack tenant-acmex-dr in 123456789012 us-east-1) but no tenant file"


def test_a_resource_tagged_with_an_unknown_tenant_is_an_orphan(account):
    arn = boto3.client("sns", region_name="ca-central-1").create_topic(Name="t", Tags=[{"Key": TAG_TENANT, "Value": "ghost"}])["TopicArn"]
    (orphan,) = find_orphans(account, "123456789012", ["ca-central-1"], known={"acme"})
    assert (orphan.tenant_id, orphan.evidence, orphan.region) == ("ghost", arn, "ca-central-1")
    assert find_orphans(account, "123456789012", ["ca-central-1"], known={"ghost"}) == []


def test_a_key_pending_deletion_is_not_a_deployment(account):
    kms = boto3.client("kms", region_name="us-east-1")
    key = kms.create_key(Tags=[{"TagKey": TAG_TENANT, "TagValue": "gone"}])["KeyMetadata"]["KeyId"]
    assert [o.tenant_id for o in find_orphans(account, "123456789012", ["us-east-1"], known=set())] == ["gone"]
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=30)
    assert find_orphans(account, "123456789012", ["us-east-1"], known=set()) == []


# --- against AWS (moto): states and orphans in every account of the fleet ---------------------

DEFAULT_ACCOUNT = "123456789012"  # moto's: the default credentials act in it


def _in_account(account: str) -> boto3.Session:
    """A session acting in another account, as its operators would (moto's STS)."""
    role = f"arn:aws:iam::{account}:role/operator"
    credentials = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="other")["Credentials"]
    return boto3.Session(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


def _configs(directory):
    from tenantkit.config import validate_paths

    return validate_paths([directory]).configs


def _refusing(refusals: dict[tuple[str, str], str]):
    """Sessions (any account) whose clients answer the named operation in the named region
    (`("eu-central-1", "GetResources"): "AccessDenied"`) with that AWS error, injected at botocore's
    before-call boundary (moto cannot deny a call by region); every other call goes to moto."""
    from botocore.awsrequest import AWSResponse

    def refuse_in(client, _service: str, region: str) -> None:
        def answer(model, **_):
            code = refusals.get((region, model.name))
            if code is None:
                return None
            return AWSResponse("https://refused.example", 403, {}, None), {
                "Error": {"Code": code, "Message": f"{code} (injected)"},
                "ResponseMetadata": {"HTTPStatusCode": 403},
            }

        client.meta.events.register("before-call", answer)

    session_for = hooked_sessions(refuse_in)  # one shared boto3 session, not a new one per region and call
    return lambda _account: session_for


def test_aws_survey_reads_each_state_in_its_account_and_finds_orphans_by_stack_and_by_tag(tmp_path):
    from tenantkit.config import find_tenant
    from tenantkit.lifecycle.state import State, StateStore, TenantState
    from tenantkit.lifecycle.state.orphans import aws_survey
    from tenantkit.lifecycle.state.service import names_of
    from tests.conftest import EXAMPLE_CONFIGS

    with mock_aws():
        maple = find_tenant(EXAMPLE_CONFIGS, "maple-ca").config
        other = _in_account(maple.account)
        StateStore("elsewhere", lambda region: other.client("ssm", region_name=region), tmp_path / "elsewhere").write(
            names_of(maple, maple.account), TenantState(tenant_id="maple-ca", state=State.OFFBOARDED, report="reports/maple-ca/x.json")
        )
        ghost_stack = stack_names("ghost")[1]
        other.client("cloudformation", region_name="ca-central-1").create_stack(StackName=ghost_stack, TemplateBody=TEMPLATE)
        stray = boto3.client("sns", region_name="eu-central-1").create_topic(Name="t", Tags=[{"Key": TAG_TENANT, "Value": "stray"}])["TopicArn"]

        found = aws_survey(shared_session(), _configs(EXAMPLE_CONFIGS), tmp_path)

    assert found.unchecked == []
    assert found.states["maple-ca"].state is State.OFFBOARDED and found.states["maple-ca"].report == "reports/maple-ca/x.json"
    assert found.states["northwind-us"].state is State.ACTIVE and not found.states["northwind-us"].recorded
    assert [(o.tenant_id, o.account, o.region, o.evidence) for o in found.orphans] == [
        ("ghost", maple.account, "ca-central-1", f"stack {ghost_stack}"),
        ("stray", DEFAULT_ACCOUNT, "eu-central-1", stray),
    ]
    assert not found.ok


@pytest.mark.parametrize(
    ("with_file", "deployed", "orphan"),
    [("acme", "acme-primary-x", "acme-primary-x"), ("acme-x", "acme", "acme")],  # ("acme-primary-x" cannot have a file: reserved word)
)
def test_aws_survey_never_confuses_acme_with_acme_primary_x(tmp_path, write_tenant, tenant_data, with_file, deployed, orphan):
    from tenantkit.lifecycle.state.orphans import aws_survey

    write_tenant({**tenant_data, "tenant_id": with_file})
    with mock_aws():
        for name in (*stack_names(with_file), stack_names(deployed)[1]):
            _stack("us-east-1", name)
        sns = boto3.client("sns", region_name="us-east-1")
        sns.create_topic(Name="own", Tags=[{"Key": TAG_TENANT, "Value": with_file}])
        found = aws_survey(shared_session(), _configs(tmp_path / "tenant_configs"), tmp_path)
    assert [(o.tenant_id, o.evidence) for o in found.orphans] == [(orphan, f"stack {stack_names(deployed)[1]}")]
    assert found.unchecked == [] and found.states[with_file].recorded is False


def test_a_region_or_state_that_cannot_be_read_is_could_not_check_never_active(tmp_path):
    from tenantkit.lifecycle.state.orphans import survey
    from tests.conftest import EXAMPLE_CONFIGS

    configs = [c for c in _configs(EXAMPLE_CONFIGS) if c.account is None]  # northwind-us, rhein-de
    northwind = next(c for c in configs if c.tenant_id == "northwind-us")
    with mock_aws():
        _stack("us-west-2", stack_names("ghost")[0])
        refusing = _refusing({("eu-central-1", "GetResources"): "AccessDenied", (northwind.primary_region, "GetParameter"): "AccessDenied"})
        found = survey(refusing, DEFAULT_ACCOUNT, configs, tmp_path, lambda account: f"aws:{account}")

    assert [o.tenant_id for o in found.orphans] == ["ghost"]  # the other regions were read
    lines = [line.describe() for line in found.unchecked]
    assert lines[0].startswith(f"could not check {DEFAULT_ACCOUNT} eu-central-1: ") and "AccessDenied" in lines[0]
    assert lines[1].startswith("could not check the state of northwind-us: ") and "AccessDenied" in lines[1]
    assert len(lines) == 2
    phrases = found.state_phrases(c.tenant_id for c in configs)
    assert phrases == {"northwind-us": "could not check", "rhein-de": "active"}
