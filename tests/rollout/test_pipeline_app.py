"""The pipeline app synthesized ONCE for the examples and 60 generated tenants: waves, stages,
actions per stage, every tenant's stacks in their regions, nag-clean; and why the sandbox
cannot hold it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tenantkit.config.residency import POLICIES
from tenantkit.naming import bootstrap_lookup_role_arn, stack_names
from tenantkit.rollout.plan import MAX_ACTIONS_PER_PIPELINE, MAX_ACTIONS_PER_STAGE, MAX_STAGES_PER_PIPELINE
from tenantkit.rollout.service import (
    PipelineSynthResult,
    Rollout,
    load_rollout,
    sandbox_gaps,
    sandbox_refusal,
    synth_pipelines,
)
from tests.rollout.fleet import FLEET, write_fleet

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Rollout, PipelineSynthResult]:
    root = tmp_path_factory.mktemp("fleet")
    directory = write_fleet(root, 60, FLEET + "require_approval: true\n")
    rollout = load_rollout(root, directory)
    return rollout, synth_pipelines(rollout, root / "cdk.out" / "pipeline")


def template(result: PipelineSynthResult, stack: str) -> dict[str, Any]:
    return json.loads((result.outdir / f"{stack}.template.json").read_text())


def pipeline_stages(result: PipelineSynthResult, stack: str) -> list[dict[str, Any]]:
    (pipeline,) = [r for r in template(result, stack)["Resources"].values() if r["Type"] == "AWS::CodePipeline::Pipeline"]
    return pipeline["Properties"]["Stages"]


def test_nag_clean(synthesized) -> None:
    _, result = synthesized
    assert result.findings == ()


def test_stages_and_actions_as_planned(synthesized) -> None:
    rollout, result = synthesized
    for planned in rollout.plan.pipelines:
        stages = pipeline_stages(result, planned.stack_name)
        assert [s["Name"] for s in stages] == ["Source", "Build", "UpdatePipeline", "Assets", *(s.codepipeline_name for s in planned.stages)]
        assert sum(len(s["Actions"]) for s in stages) == planned.action_count <= MAX_ACTIONS_PER_PIPELINE
        assert len(stages) == planned.stage_count <= MAX_STAGES_PER_PIPELINE
        for stage, plan in zip(stages[4:], planned.stages, strict=True):
            names = {a["Name"] for a in stage["Actions"]}
            assert len(stage["Actions"]) == plan.actions <= MAX_ACTIONS_PER_STAGE
            for tenant_id in plan.tenant_ids:
                prefix = "" if len(plan.tenants) == 1 else f"{tenant_id}."  # CDK Pipelines' action names
                assert f"{prefix}Approval" in names
                for stack in stack_names(tenant_id):
                    assert {f"{prefix}{stack}.Prepare", f"{prefix}{stack}.Deploy"} <= names
            assert "Inventory" in names
            last = max(a["RunOrder"] for a in stage["Actions"])
            assert [a["Name"] for a in stage["Actions"] if a["RunOrder"] == last] == ["Inventory"]


def test_every_tenant_stack_deploys_in_its_regions(synthesized) -> None:
    rollout, result = synthesized
    for planned in rollout.plan.pipelines:
        zone = POLICIES[planned.residency].zone
        deploys = [a for s in pipeline_stages(result, planned.stack_name)[4:] for a in s["Actions"] if a["Name"].endswith(".Deploy")]
        # CodePipeline writes an action's Region only when it differs from the pipeline's
        regions = {a["Name"].rsplit(".", 2)[-2]: a.get("Region", planned.region) for a in deploys}
        for config in rollout.configs:
            if config.residency is not planned.residency:
                continue
            dr, primary, replica = stack_names(config.tenant_id)
            assert (regions[dr], regions[primary], regions[replica]) == (config.secondary_region, config.primary_region, config.secondary_region)
            assert {regions[dr], regions[primary]} <= zone


def test_artifact_buckets_are_encrypted_and_in_the_zone(synthesized) -> None:
    rollout, result = synthesized
    manifest = json.loads((result.outdir / "manifest.json").read_text())["artifacts"]
    for stack in result.stacks:
        region = manifest[stack]["environment"].rsplit("/", 1)[1]
        residency = next(p.residency for p in rollout.plan.pipelines if stack == p.stack_name or region in p.regions | {p.region})
        assert region in POLICIES[residency].zone, stack
        buckets = [r for r in template(result, stack)["Resources"].values() if r["Type"] == "AWS::S3::Bucket"]
        assert buckets, stack
        for bucket in buckets:
            (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"


def test_the_sandbox_refuses_the_pipeline_stacks_and_says_why(synthesized) -> None:
    _, result = synthesized
    gaps = sandbox_gaps(result.outdir, result.stacks)
    assert set(gaps) == {"AWS::CodePipeline::Pipeline", "AWS::CodeBuild::Project"}
    assert gaps["AWS::CodePipeline::Pipeline"] == 3  # one per residency for 64 tenants
    message = sandbox_refusal(gaps)
    assert "has no model for AWS::CodeBuild::Project (" in message and "AWS::CodePipeline::Pipeline (3)" in message


def test_inventory_steps_may_assume_only_their_tenants_lookup_roles(synthesized) -> None:
    rollout, result = synthesized
    for planned in rollout.plan.pipelines:
        expected = {
            bootstrap_lookup_role_arn(config.account or planned.account, config.primary_region)
            for config in rollout.configs
            if config.residency is planned.residency
        }
        granted = set()
        for resource in template(result, planned.stack_name)["Resources"].values():
            if resource["Type"] != "AWS::IAM::Policy":
                continue
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                granted |= {r for r in resources if isinstance(r, str) and "lookup-role" in r}
        assert granted == expected, planned.stack_name
