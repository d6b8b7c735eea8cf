"""The rollout pipelines build each tenant's stage with fleet.yaml's `extensions:` (the example SQS
extension here), as app.py and `tenantkit synth` build its stacks; a bad entry is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tenantkit.config import load_tenants
from tenantkit.naming import names_for
from tenantkit.rollout.plan import PlanError
from tenantkit.rollout.service import load_rollout, synth_pipelines
from tests.rollout.fleet import FLEET, write_fleet

EXTENSION = "extensions:\n  - callable: examples.extensions.sqs_queue:add_queue\n    stack: primary\n"
QUEUES = ("jobs", "jobs-dlq")  # examples/extensions/sqs_queue.py


def _stage_templates(outdir: Path, tenant_id: str) -> dict[str, dict]:
    """stack id (`tenant-<id>-primary`...) -> template, of the tenant's Stage (CDK writes a Stage as
    a nested assembly, its stacks named `<stage>-<id>` by CloudFormation)."""
    (stage,) = outdir.glob(f"assembly-*{tenant_id}")
    manifest = json.loads((stage / "manifest.json").read_text())
    return {
        artifact["displayName"].rsplit("/", 1)[-1]: json.loads((stage / artifact["properties"]["templateFile"]).read_text())
        for artifact in manifest["artifacts"].values()
        if artifact["type"] == "aws:cloudformation:stack"
    }


def _queue_names(template: dict) -> set[str]:
    return {r["Properties"]["QueueName"] for r in template["Resources"].values() if r["Type"] == "AWS::SQS::Queue"}


@pytest.mark.slow
def test_every_tenant_stage_has_the_extension_in_its_primary_stack_only(tmp_path: Path) -> None:
    directory = write_fleet(tmp_path, 0, FLEET + EXTENSION)
    result = synth_pipelines(load_rollout(tmp_path, directory), tmp_path / "cdk.out")
    assert result.findings == ()
    for config in load_tenants([directory]):
        names = names_for(config.tenant_id, config.account or "", config.primary_region, config.secondary_region)
        templates = _stage_templates(tmp_path / "cdk.out", config.tenant_id)
        assert _queue_names(templates[names.primary_stack]) == {names.extension_resource(queue) for queue in QUEUES}
        assert _queue_names(templates[names.dr_stack]) == _queue_names(templates[names.replica_stack]) == set()


def test_a_fleet_without_extensions_loads_none(tmp_path: Path) -> None:
    directory = write_fleet(tmp_path, 0)
    assert load_rollout(tmp_path, directory).extensions() == ()


def test_an_extension_that_cannot_be_imported_is_one_line_naming_the_entry(tmp_path: Path) -> None:
    directory = write_fleet(tmp_path, 0, FLEET + EXTENSION.replace("sqs_queue:add_queue", "no_such_module:add_queue"))
    with pytest.raises(PlanError, match=r"^fleet.yaml: extensions.0.callable: cannot import 'examples.extensions.no_such_module'"):
        load_rollout(tmp_path, directory).extensions()
