"""`reinstate`: only an offboarded tenant, the next generation recorded in SSM (moto) and written
into its file (ends_on taken out, comments kept), and the file and record then agree for deploy."""

from __future__ import annotations

import shutil

import boto3
import pytest
from moto import mock_aws

from tenantkit.config import find_tenant
from tenantkit.lifecycle.state import State, StateError, StateStore
from tenantkit.lifecycle.state.service import names_of, reinstate, require_generation
from tests.conftest import EXAMPLE_CONFIGS


@pytest.fixture
def maple(tmp_path):
    shutil.copy(EXAMPLE_CONFIGS / "maple-ca.yaml", tmp_path / "maple-ca.yaml")
    with mock_aws():
        store = StateStore("aws:1", lambda region: boto3.client("ssm", region_name=region), tmp_path / ".tenantkit")
        yield find_tenant(tmp_path, "maple-ca"), store


def test_only_an_offboarded_tenant_is_reinstated(maple):
    loaded, store = maple
    before = loaded.source.read_text()
    for state in (None, State.RETRIEVAL_WINDOW, State.OFFBOARDING):
        if state is not None:
            store.move(names_of(loaded.config, ""), state, by="ops")
        with pytest.raises(StateError, match="maple-ca is .*only an offboarded tenant is reinstated"):
            reinstate(loaded.config, loaded.source, store, by="ops", reason="back")
    assert loaded.source.read_text() == before


@pytest.mark.parametrize("last", [State.OFFBOARDED, State.DESTROYED])
def test_reinstating_starts_generation_two_in_ssm_and_in_the_file(maple, last):
    loaded, store = maple
    names = names_of(loaded.config, "")
    for state in (State.OFFBOARDING, State.OFFBOARDED, State.DESTROYED)[: 2 if last is State.OFFBOARDED else 3]:
        store.move(names, state, by="ops", report="reports/maple-ca/destruction.json")
    before = loaded.source.read_text()
    record = reinstate(loaded.config, loaded.source, store, by="ops", reason="signed again")
    assert (record.state, record.generation, record.reason, record.report) == (State.ACTIVE, 2, "signed again", None)
    assert store.read(names).generation == 2
    after = find_tenant(loaded.source.parent, "maple-ca")
    assert after.config.generation == 2 and after.config.subscription.ends_on is None
    text = loaded.source.read_text()
    assert "generation: 2\n" in text and "ends_on:" not in text
    assert [line for line in before.splitlines() if "ends_on:" not in line] == [line for line in text.splitlines() if line != "generation: 2"]
    require_generation(record, after.config.generation)
    with pytest.raises(StateError, match="its file says generation 1, its recorded state generation 2"):
        require_generation(record, 1)
