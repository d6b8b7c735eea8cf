"""Tenant states: the transitions allowed and refused, the record in SSM (moto) winning over the
local copy, and the refusal of a closed tenant naming its report."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from tenantkit.lifecycle.state import (
    CLOSED,
    TRANSITIONS,
    State,
    StateError,
    StateStore,
    TenantState,
    require_open,
    transition,
)
from tenantkit.naming import names_for

NAMES = names_for("acme-corp", "123456789012", "ca-central-1", "ca-west-1")
OTHER = names_for("acme-corp-x", "123456789012", "ca-central-1", "ca-west-1")


@pytest.fixture
def store(tmp_path):
    with mock_aws():
        yield StateStore("aws:123456789012", lambda region: boto3.client("ssm", region_name=region), tmp_path)


def test_the_lifecycle_in_order_then_reinstated_as_generation_two():
    record = TenantState(tenant_id="acme-corp")
    for to in (State.RETRIEVAL_WINDOW, State.OFFBOARDING, State.OFFBOARDED, State.DESTROYED):
        record = transition(record, to, by="ops", report="reports/acme-corp/r.json" if to is State.OFFBOARDED else None)
        assert record.state is to and record.generation == 1
    assert record.report == "reports/acme-corp/r.json"  # kept from offboarded to destroyed
    record = transition(record, State.ACTIVE, by="ops", reason="customer came back")
    assert (record.state, record.generation, record.reason, record.report) == (State.ACTIVE, 2, "customer came back", None)


@pytest.mark.parametrize(
    ("start", "to"),
    [(s, t) for s in State for t in State if t is not s and t not in TRANSITIONS[s]],
)
def test_every_move_not_listed_is_refused_naming_tenant_and_state(start, to):
    with pytest.raises(StateError, match=rf"^acme-corp is {start.value}.*cannot become {to.value}"):
        transition(TenantState(tenant_id="acme-corp", state=start), to, by="ops", reason="r")


def test_reinstating_needs_a_reason():
    with pytest.raises(StateError, match="reinstating needs a reason"):
        transition(TenantState(tenant_id="acme-corp", state=State.OFFBOARDED), State.ACTIVE, by="ops", reason="  ")


def test_leaving_failed_over_keeps_the_generation():
    record = transition(TenantState(tenant_id="acme-corp", state=State.FAILED_OVER, generation=3), State.ACTIVE, by="ops")
    assert (record.state, record.generation) == (State.ACTIVE, 3)


def test_setting_the_state_a_tenant_has_changes_nothing():
    record = TenantState(tenant_id="acme-corp", state=State.OFFBOARDING, since="2026-01-01T00:00:00Z", by="a")
    assert transition(record, State.OFFBOARDING, by="b") == record


@pytest.mark.parametrize("state", list(State))
def test_deploy_is_refused_exactly_when_destruction_began(state):
    record = TenantState(tenant_id="acme-corp", state=state, report="reports/acme-corp/r.json")
    if state in CLOSED:
        with pytest.raises(StateError, match=r"acme-corp is .*report reports/acme-corp/r.json.*deploy refused"):
            require_open(record, "deploy")
    else:
        require_open(record, "deploy")


def test_no_record_reads_as_active_generation_one(store):
    record = store.read(NAMES)
    assert (record.state, record.generation, record.recorded) == (State.ACTIVE, 1, False)


def test_a_move_is_recorded_in_ssm_in_the_primary_region_and_cached(store, tmp_path):
    store.move(NAMES, State.OFFBOARDING, by="ops", reason="forced: contract ended")
    raw = boto3.client("ssm", region_name="ca-central-1").get_parameter(Name="/tenantkit/acme-corp/state")["Parameter"]["Value"]
    assert TenantState.from_json(raw, "acme-corp").state is State.OFFBOARDING
    assert store.cached("acme-corp").state is State.OFFBOARDING
    assert store.read(OTHER).recorded is False  # another tenant's record is never this one's


def test_the_ssm_copy_wins_over_the_local_copy(store):
    store.move(NAMES, State.RETRIEVAL_WINDOW, by="ops")
    other_operator = StateStore(store.environment, store.ssm_for, store.state_dir / "elsewhere")
    other_operator.move(NAMES, State.OFFBOARDING, by="other")
    assert store.cached("acme-corp").state is State.RETRIEVAL_WINDOW  # stale until read
    assert store.read(NAMES).state is State.OFFBOARDING
    assert store.cached("acme-corp").state is State.OFFBOARDING


def test_a_refused_move_writes_nothing(store):
    store.move(NAMES, State.RETRIEVAL_WINDOW, by="ops")
    with pytest.raises(StateError, match="acme-corp is retrieval-window.*cannot become offboarded"):
        store.move(NAMES, State.OFFBOARDED, by="ops")
    assert store.read(NAMES).state is State.RETRIEVAL_WINDOW


def test_an_unreadable_ssm_is_an_error_not_a_guess(tmp_path):
    with mock_aws():
        denied = boto3.client("ssm", region_name="ca-central-1", endpoint_url="http://127.0.0.1:9", config=Config(retries={"max_attempts": 1}))
        store = StateStore("aws:1", lambda region: denied, tmp_path)
        with pytest.raises(StateError, match="acme-corp: cannot read its state"):
            store.read(NAMES)


def test_the_state_is_copied_to_the_secondary_region(store):
    store.move(NAMES, State.OFFBOARDING, by="ops", reason="r")
    for region in (NAMES.primary_region, NAMES.secondary_region):
        raw = boto3.client("ssm", region_name=region).get_parameter(Name=NAMES.state_parameter)["Parameter"]["Value"]
        assert TenantState.from_json(raw, "acme-corp").state is State.OFFBOARDING


def test_in_an_outage_of_the_primary_region_only_a_failover_reads_the_secondary_copy(tmp_path):
    with mock_aws():
        live = StateStore("aws:1", lambda region: boto3.client("ssm", region_name=region), tmp_path / "a")
        live.move(NAMES, State.RETRIEVAL_WINDOW, by="ops")
        down = boto3.client("ssm", region_name=NAMES.primary_region, endpoint_url="http://127.0.0.1:9", config=Config(retries={"max_attempts": 1}))

        def ssm_for(region):
            return down if region == NAMES.primary_region else boto3.client("ssm", region_name=region)

        store = StateStore("aws:1", ssm_for, tmp_path / "b")
        with pytest.raises(StateError, match=f"acme-corp: cannot read its state .* in {NAMES.primary_region}"):
            store.read(NAMES)  # a deploy never guesses
        assert store.read(NAMES, outage=True).state is State.RETRIEVAL_WINDOW
        nowhere = StateStore("aws:1", lambda region: down, tmp_path / "c")
        with pytest.raises(StateError, match=f"nor its copy in {NAMES.secondary_region}"):
            nowhere.read(NAMES, outage=True)
