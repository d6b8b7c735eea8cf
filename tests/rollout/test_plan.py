"""The rollout plan (pure, no CDK): every tenant once, canary first, inside the quotas and the zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.config import load_fleet, load_tenants
from tenantkit.config.residency import POLICIES
from tenantkit.rollout import PlanError, plan_rollout
from tenantkit.rollout.diagram import mermaid
from tenantkit.rollout.plan import (
    CANARY_WAVE,
    MAX_ACTIONS_PER_PIPELINE,
    MAX_ACTIONS_PER_STAGE,
    MAX_STAGES_PER_PIPELINE,
    RolloutPlan,
)
from tests.rollout.fleet import FLEET, write_fleet

CANARY = ["northwind-us", "maple-ca"]


def plan_for(tmp_path: Path, generated: int, fleet: str = FLEET) -> tuple[RolloutPlan, dict]:
    directory = write_fleet(tmp_path, generated, fleet)
    configs = {c.tenant_id: c for c in load_tenants([directory])}
    return plan_rollout(list(configs.values()), load_fleet(tmp_path)), configs


def assert_sound(plan: RolloutPlan, configs: dict, canary: list[str]) -> None:
    placed = [t for pipeline in plan.pipelines for t in pipeline.tenant_ids]
    assert sorted(placed) == sorted(configs), "every tenant exactly once"
    for pipeline in plan.pipelines:
        policy = POLICIES[pipeline.residency]
        assert policy.allows(pipeline.region), pipeline.stack_name
        assert pipeline.stage_count <= MAX_STAGES_PER_PIPELINE
        assert pipeline.action_count <= MAX_ACTIONS_PER_PIPELINE
        for stage in pipeline.stages:
            assert stage.actions <= MAX_ACTIONS_PER_STAGE, stage.name
            for tenant in stage.tenants:
                config = configs[tenant.tenant_id]
                assert config.residency is pipeline.residency
                assert set(config.regions) <= policy.zone
        canary_here = [t for t in canary if configs[t].residency is pipeline.residency]
        first_of_residency = pipeline.stack_name == f"tenantkit-pipeline-{pipeline.residency.value}"
        if canary_here and first_of_residency:
            assert pipeline.stages[0].wave == CANARY_WAVE
            assert list(pipeline.stages[0].tenant_ids) == canary_here
        assert all(stage.wave != CANARY_WAVE for stage in pipeline.stages[1:])


def test_examples_and_60_generated_tenants(tmp_path: Path) -> None:
    plan, configs = plan_for(tmp_path, 60)
    assert len(configs) == 64
    assert_sound(plan, configs, CANARY)
    assert [p.stack_name for p in plan.pipelines] == ["tenantkit-pipeline-us", "tenantkit-pipeline-ca", "tenantkit-pipeline-de"]
    assert {p.residency.value: p.region for p in plan.pipelines} == {"us": "us-east-1", "ca": "ca-central-1", "de": "eu-central-1"}
    for pipeline in plan.pipelines:  # default max_parallel 5, no approval: 6 actions a tenant, 1 inventory
        assert all(len(stage.tenants) <= 5 for stage in pipeline.stages)
        assert all(stage.actions == 6 * len(stage.tenants) + 1 for stage in pipeline.stages)
        rest = [s for s in pipeline.stages if s.wave != CANARY_WAVE]
        assert {s.wave for s in rest} == {pipeline.residency.value}
        expected = sorted(t for t, c in configs.items() if c.residency is pipeline.residency and t not in CANARY)
        assert [t for s in rest for t in s.tenant_ids] == expected


@pytest.mark.parametrize(("approval", "per_stage"), [(False, 8), (True, 7)])
def test_stages_are_split_at_fifty_actions(tmp_path: Path, approval: bool, per_stage: int) -> None:
    fleet = FLEET.replace('  account: "999988887777"\n', '  account: "999988887777"\n  max_parallel: 50\n')
    fleet += f"require_approval: {'true' if approval else 'false'}\n"
    plan, configs = plan_for(tmp_path, 60, fleet)
    assert_sound(plan, configs, CANARY)
    us = plan.pipelines[0]
    assert max(len(stage.tenants) for stage in us.stages) == per_stage
    assert [s.name for s in us.stages if s.wave == "us"][:2] == ["us.1", "us.2"]
    assert all(t.approval is approval for s in us.stages for t in s.tenants)


def test_a_residency_too_large_for_one_pipeline_gets_several(tmp_path: Path) -> None:
    plan, configs = plan_for(tmp_path, 300, FLEET + "require_approval: true\n")
    assert_sound(plan, configs, CANARY)
    us = [p for p in plan.pipelines if p.residency.value == "us"]
    us_tenants = [t for t, c in configs.items() if c.residency.value == "us"]
    assert len(us_tenants) * 7 > MAX_ACTIONS_PER_PIPELINE  # 7 actions a tenant with approvals
    assert len(us) >= 2
    for full, following in zip(us, us[1:], strict=False):  # a pipeline is cut only when the next stage does not fit
        too_many_actions = full.action_count + following.stages[0].actions > MAX_ACTIONS_PER_PIPELINE
        assert too_many_actions or full.stage_count == MAX_STAGES_PER_PIPELINE
    assert [p.stack_name for p in us] == ["tenantkit-pipeline-us"] + [f"tenantkit-pipeline-us-{n}" for n in range(2, len(us) + 1)]
    assert us[0].stages[0].tenant_ids == ("northwind-us",)


def test_waves_from_fleet_yaml_come_after_the_canary_in_order(tmp_path: Path) -> None:
    fleet = FLEET + "waves:\n  - name: early\n    tenants: [gen-003, gen-000]\n  - name: late\n    tenants: [gen-006]\n"
    plan, configs = plan_for(tmp_path, 12, fleet)
    assert_sound(plan, configs, CANARY)
    us = plan.pipelines[0]
    assert [(s.name, s.tenant_ids) for s in us.stages[:3]] == [
        ("canary", ("northwind-us",)), ("early", ("gen-003", "gen-000")), ("late", ("gen-006",)),
    ]
    assert "gen-003" not in us.stages[3].tenant_ids


def test_pipeline_regions_from_fleet_yaml(tmp_path: Path) -> None:
    fleet = FLEET.replace('  account: "999988887777"\n', '  account: "999988887777"\n  regions: {us: us-west-2, de: eu-west-1}\n')
    plan, _ = plan_for(tmp_path, 0, fleet)
    assert {p.residency.value: p.region for p in plan.pipelines} == {"us": "us-west-2", "ca": "ca-central-1", "de": "eu-west-1"}


def test_no_pipeline_section_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="fleet.yaml: pipeline: not set"):
        plan_for(tmp_path, 0, "canary: [maple-ca]\n")


def test_an_unknown_canary_tenant_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="no tenant 'nobody-here'"):
        plan_for(tmp_path, 0, FLEET.replace("maple-ca]", "maple-ca, nobody-here]"))


def test_the_diagram_of_the_examples(tmp_path: Path) -> None:
    plan, configs = plan_for(tmp_path, 0)
    text = mermaid(plan)
    assert text.startswith("flowchart LR\n")
    for pipeline in plan.pipelines:
        assert f'subgraph {pipeline.stack_name.replace("-", "_")}["{pipeline.stack_name} (999988887777, {pipeline.region})"]' in text
    assert 'tenantkit_pipeline_ca_stage_canary["canary<br/>maple-ca<br/><i>deploy, inventory</i>"]' in text
    assert 'tenantkit_pipeline_ca_stage_ca["ca<br/>polar-cg<br/><i>deploy, inventory</i>"]' in text
    assert "tenantkit_pipeline_ca_Assets --> tenantkit_pipeline_ca_stage_canary --> tenantkit_pipeline_ca_stage_ca" in text
    assert 'tenantkit_pipeline_de_stage_de["de<br/>rhein-de<br/>' in text
    assert all(tenant in text for tenant in configs)
