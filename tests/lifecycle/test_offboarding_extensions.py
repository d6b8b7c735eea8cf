"""An extension's resource that outlives its stack (a queue the application makes at run time, say)
is found by the finder the extension declares in fleet.yaml and destroyed by its destroyer, in the
journaled, verified offboarding run (`tenantkit.lifecycle.offboarding.extensions`), under
in-process moto; the neighbour whose id begins the same is kept. The finder and destroyer below
are a test extension's (tests/lifecycle/archive_extension.py), loaded through fleet.yaml's entry as
a user's would be."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws
from pydantic import ValidationError

from tenantkit.config.fleet_models import Extension, ExtensionImportError, FleetSettings
from tenantkit.lifecycle.offboarding.extensions import KIND, load_offboarding
from tenantkit.lifecycle.offboarding.resources import OffboardingBlocked, Scope
from tenantkit.lifecycle.offboarding.run import Journal, destroy, discover, verify
from tenantkit.naming import TenantNames
from tests.conftest import REPO_ROOT
from tests.lifecycle import offboarding_tenant as tenant
from tests.lifecycle.archive_extension import QUEUE

HERE = "tests.lifecycle.archive_extension"
ENTRY = {"callable": f"{HERE}:add_nothing", "finder": f"{HERE}:find_archive_queue", "destroyer": f"{HERE}:delete_archive_queue"}
NAMES = TenantNames(tenant_id="acme", account="123456789012", primary_region="us-east-1", secondary_region="us-west-2")
NEIGHBOUR = TenantNames(**{**NAMES.__dict__, "tenant_id": "acme-x"})


@pytest.fixture
def aws():
    from tenantkit.sandbox.extensions import install

    install()  # the APIs discovery calls that plain moto lacks (ListBackupJobs...)
    with mock_aws():
        for names in (NAMES, NEIGHBOUR):
            for region in (names.primary_region, names.secondary_region):
                boto3.client("sqs", region_name=region).create_queue(QueueName=names.extension_resource(QUEUE))
        yield


def _queues(region: str) -> set[str]:
    return {url.rsplit("/", 1)[-1] for url in boto3.client("sqs", region_name=region).list_queues().get("QueueUrls", [])}


def _scope(extensions: tuple[Any, ...]) -> Scope:
    return Scope(NAMES, tenant.sessions(), extensions=extensions)  # one shared boto3 session: not one per client


def test_the_declared_finder_finds_and_the_destroyer_destroys_in_a_verified_run_and_the_neighbours_stay(aws, tmp_path):
    settings = FleetSettings.model_validate({"extensions": [ENTRY]})
    scope = _scope(load_offboarding(settings.extensions, REPO_ROOT))
    found = discover(scope)
    mine = [(t.kind, t.region, t.name, t.extra["extension"]) for t in found.targets if t.kind == KIND]
    assert mine == [(KIND, region, NAMES.extension_resource(QUEUE), ENTRY["callable"]) for region in scope.regions]
    journal = Journal.open(tmp_path / "acme.json", tenant_id="acme", environment="sandbox")
    destroy(scope, journal, found)
    assert verify(scope, journal).ok
    for region in scope.regions:
        assert _queues(region) == {NEIGHBOUR.extension_resource(QUEUE)}


def test_without_a_finder_the_resource_is_not_offboardings_and_stays(aws):
    settings = FleetSettings.model_validate({"extensions": [{"callable": ENTRY["callable"]}]})
    assert load_offboarding(settings.extensions, REPO_ROOT) == ()
    assert [t for t in discover(_scope(())).targets if t.kind == KIND] == []


def test_a_journaled_find_whose_extension_is_gone_from_fleet_yaml_blocks_in_one_line(aws, tmp_path):
    settings = FleetSettings.model_validate({"extensions": [ENTRY]})
    found = discover(_scope(load_offboarding(settings.extensions, REPO_ROOT)))
    journal = Journal.open(tmp_path / "acme.json", tenant_id="acme", environment="sandbox")
    with pytest.raises(OffboardingBlocked, match=rf"found by extension {ENTRY['callable']}, which fleet.yaml no longer declares"):
        destroy(_scope(()), journal, found)


def test_a_finder_without_a_destroyer_is_refused_naming_both():
    with pytest.raises(ValidationError, match="finder and destroyer go together"):
        Extension.model_validate({"callable": ENTRY["callable"], "finder": ENTRY["finder"]})


def test_a_finder_that_cannot_be_imported_is_one_line_naming_the_entry():
    settings = FleetSettings.model_validate({"extensions": [{**ENTRY, "finder": f"{HERE}:no_such_finder"}]})
    with pytest.raises(ExtensionImportError, match=rf"^fleet.yaml: extensions.0.finder: module '{HERE}' has no function 'no_such_finder'$"):
        load_offboarding(settings.extensions, REPO_ROOT)
