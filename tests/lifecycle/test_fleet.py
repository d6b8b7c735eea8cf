"""Several tenants deployed at once: each in order, one failure never stops the others."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from tenantkit.lifecycle import fleet
from tenantkit.lifecycle.deploy_local import StackOutcome

from .test_deploy_local import _template, stacks_of, template_digests, write_assembly


@dataclass
class Synthesized:
    """What the synth service returns for a tenant, as far as deploying needs it."""

    tenant_id: str
    assembly_dir: Path | None
    error: str | None = None
    findings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None and not self.findings

    @property
    def stacks(self) -> tuple[str, ...]:
        return stacks_of(self.tenant_id)


@pytest.fixture
def aws(monkeypatch):
    with mock_aws():
        # In-process moto: sessions without an endpoint reach the mock.
        real = fleet.EndpointSession
        monkeypatch.setattr(fleet, "EndpointSession", lambda session, endpoint, region=None, lock=None, **kw: real(session, None, region, lock, **kw))
        yield


def test_tenants_deploy_in_parallel_and_a_failure_stays_with_its_tenant(aws, tmp_path):
    good = write_assembly(tmp_path / "good", {name: _template(f"data-{name}") for name in stacks_of("good")})
    broken = {name: _template(f"data-{name}") for name in stacks_of("bad")}
    broken["tenant-bad-dr"]["Resources"]["Subnet"] = {
        "Type": "AWS::EC2::Subnet",
        "Properties": {"VpcId": "vpc-00000000", "CidrBlock": "10.0.0.0/24"},
    }
    bad = write_assembly(tmp_path / "bad", broken)
    seen = []
    results = fleet.deploy_synthesized(
        [
            Synthesized("bad", bad),
            Synthesized("good", good),
            Synthesized("unsynthesized", None, error="ValueError: boom"),
        ],
        {"bad": None, "good": None, "unsynthesized": None},
        endpoint="http://localhost:5000",
        port=5000,
        concurrency=3,
        on_progress=lambda tenant, result: seen.append((tenant, result is None)),
    )
    assert [r.tenant_id for r in results] == ["bad", "good", "unsynthesized"]
    assert not results[0].ok and results[0].stacks[0].outcome is StackOutcome.FAILED
    assert results[1].ok, results[1]
    assert not results[2].ok and results[2].stacks[0].reasons == ("ValueError: boom",)
    assert sorted(seen) == sorted([(t, started) for t in ("bad", "good", "unsynthesized") for started in (True, False)])
    assert boto3.client("s3", region_name="us-east-1").head_bucket(Bucket="data-tenant-good-primary")


def test_a_tenant_with_an_account_deploys_as_that_account(aws):
    sessions = fleet.sandbox_sessions("http://localhost:5000", "111122223333")
    identity = sessions("us-east-1").client("sts").get_caller_identity()
    assert identity["Account"] == "111122223333"


def test_tenants_of_one_account_prepare_its_environment_at_the_same_time(aws):
    from concurrent.futures import ThreadPoolExecutor

    from tenantkit.lifecycle.deploy_local import prepare_environment

    session = boto3.Session(region_name="us-west-2")
    with ThreadPoolExecutor(max_workers=8) as pool:
        buckets = set(pool.map(lambda _: prepare_environment(session, account="123456789012", region="us-west-2"), range(8)))
    assert buckets == {"cdk-hnb659fds-assets-123456789012-us-west-2"}


def test_the_regions_of_one_account_share_one_boto3_session():
    """Each service model is loaded once per account, not once per region (0.25 s per client)."""
    sessions = fleet.sandbox_sessions("http://localhost:5000", None)
    east, west = sessions("us-east-1"), sessions("us-west-2")
    assert east._session is west._session
    assert (east.region_name, west.region_name) == ("us-east-1", "us-west-2")
    client = west.client("s3")
    assert client.meta.region_name == "us-west-2" and client.meta.endpoint_url == "http://localhost:5000"


def test_only_tenants_deployed_with_their_templates_are_found_unchanged(aws, tmp_path, monkeypatch):
    deployed = {}
    for tenant in ("first", "second"):
        deployed[tenant] = write_assembly(tmp_path / tenant, {name: _template(f"data-{name}") for name in stacks_of(tenant)})
    fleet.deploy_synthesized(
        [Synthesized(tenant, assembly) for tenant, assembly in deployed.items()],
        {"first": None, "second": None}, endpoint="http://localhost:5000", port=5000, concurrency=1,
    )
    never = write_assembly(tmp_path / "never", {name: _template(f"data-{name}") for name in stacks_of("never")})
    listings = []
    real_stacks_in = fleet.stacks_in
    monkeypatch.setattr(fleet, "stacks_in", lambda client: listings.append(client.meta.region_name) or real_stacks_in(client))
    found = fleet.unchanged_tenants(
        {
            "first": template_digests(deployed["first"], stacks_of("first")),
            "second": template_digests(deployed["second"], stacks_of("second")),
            "never": template_digests(never, stacks_of("never")),
        },
        {"first": None, "second": None, "never": None},
        endpoint="http://localhost:5000",
        concurrency=2,
    )
    assert sorted(found) == ["first", "second"]
    assert sorted(listings) == ["us-east-1", "us-west-2"]  # one listing per account and region, not one call per stack
    assert [s.outcome for s in found["first"].stacks] == [StackOutcome.UNCHANGED] * 2


def test_sessions_of_the_sandboxs_default_account_share_their_clients():
    """One client per service and region for the process (a client per tenant cost 0.1 s each)."""
    first = fleet.sandbox_sessions("http://localhost:5000", None)("us-east-1").client("cloudformation")
    again = fleet.sandbox_sessions("http://localhost:5000", fleet.SANDBOX_ACCOUNT)("us-east-1").client("cloudformation")
    other_region = fleet.sandbox_sessions("http://localhost:5000", None)("us-west-2").client("cloudformation")
    other_endpoint = fleet.sandbox_sessions("http://localhost:5001", None)("us-east-1").client("cloudformation")
    assert first is again
    assert other_region is not first and other_endpoint is not first
    assert other_endpoint.meta.endpoint_url == "http://localhost:5001"


def test_an_accounts_role_is_assumed_once_within_a_remembering_block_and_anew_outside(aws):
    with fleet.remembering_sessions():
        first = fleet.sandbox_sessions("http://localhost:5000", "111122223333")
        again = fleet.sandbox_sessions("http://localhost:5000", "111122223333")
        other = fleet.sandbox_sessions("http://localhost:5000", "444455556666")
        assert again is first
        assert other is not first
        assert other("us-east-1").client("sts").get_caller_identity()["Account"] == "444455556666"
    after = fleet.sandbox_sessions("http://localhost:5000", "111122223333")
    assert after is not first
    assert after("us-east-1").credentials().access_key != first("us-east-1").credentials().access_key
    assert after("us-east-1").client("sts").get_caller_identity()["Account"] == "111122223333"
