"""The rollout plan: which pipelines, which stages, which tenants where. Pure, no aws_cdk.

One pipeline per residency, in a region of the residency's zone (fleet.yaml `pipeline.regions`,
default the primary region), so the artifact bucket that holds the templates (CIDRs, contacts)
stays in the zone. In each pipeline the tenants roll out in waves: first the `canary:` tenants of
that residency, then each `waves:` entry in order (its tenants of that residency), then the
residency's remaining tenants, sorted by id. A wave deploys as one or more CodePipeline stages
(CDK Pipelines waves) of at most `pipeline.max_parallel` tenants each, deployed in parallel.

CodePipeline's fixed quotas (AWS CodePipeline User Guide, "Quotas in AWS CodePipeline",
https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html, the table of quotas that
"are fixed and cannot be changed"):
- Number of stages in a pipeline: minimum of 2, maximum of 50;
- Number of actions in a stage: minimum of 1, maximum of 50 (and at most 50 parallel and 50
  sequential actions in a stage);
- Maximum number of actions per pipeline: 500.

What each piece adds, as aws_cdk.pipelines generates it (counted in the synthesized template by
tests/rollout/test_pipeline_app.py):
- every pipeline: the stages Source (1 action: the CodeStar connection), Build (1: the synth
  step), UpdatePipeline (1: self-mutation) and Assets (2: the tenant stacks' two file assets, the
  code of CDK's default-security-group custom resource and of the master password's rotation
  function, each the same for every tenant, so published once);
- every tenant: two actions per stack (Prepare: create a change set; Deploy: execute it), three
  stacks, so 6; plus 1 when `require_approval` adds the approval step before it;
- every stage: 1 action after its tenants, the `tenantkit inventory` step.

So a stage holds at most (50 - 1) // 7 = 7 tenants with approvals, 8 without; a pipeline at most
46 tenant stages and 497 actions. A residency that needs more gets further pipelines
(`tenantkit-pipeline-us-2`, ...); the canary wave is always in its first pipeline. CodePipeline
cannot make one pipeline wait for another: the later pipelines of a residency do not wait for its
canary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tenantkit.config.fleet_models import FleetSettings
from tenantkit.config.models import TenantConfig
from tenantkit.config.residency import Residency
from tenantkit.naming import pipeline_stack_name

MAX_STAGES_PER_PIPELINE = 50
MAX_ACTIONS_PER_STAGE = 50
MAX_ACTIONS_PER_PIPELINE = 500

FIXED_STAGES = ("Source", "Build", "UpdatePipeline", "Assets")
FIXED_ACTIONS = 5
"""One action in each fixed stage, two in Assets (the tenant stacks' two file assets)."""
ACTIONS_PER_STACK = 2
"""Prepare (create the change set) and Deploy (execute it)."""
STACKS_PER_TENANT = 3
INVENTORY_ACTIONS = 1
CANARY_WAVE = "canary"


class PlanError(Exception):
    """The fleet cannot be planned as configured; the message says what to change, in one line."""


@dataclass(frozen=True, kw_only=True)
class TenantStage:
    """One tenant's deployment in the pipeline: its three stacks, after its approval check."""

    tenant_id: str
    account: str | None
    regions: tuple[str, ...]
    approval: bool

    @property
    def actions(self) -> int:
        return STACKS_PER_TENANT * ACTIONS_PER_STACK + (1 if self.approval else 0)


@dataclass(frozen=True, kw_only=True)
class PipelineStage:
    """One CodePipeline stage (a CDK Pipelines wave): its tenants deploy in parallel, then the
    inventory step checks them."""

    name: str
    wave: str
    tenants: tuple[TenantStage, ...]

    @property
    def actions(self) -> int:
        return sum(tenant.actions for tenant in self.tenants) + INVENTORY_ACTIONS

    @property
    def codepipeline_name(self) -> str:
        """The stage's name in CodePipeline: CDK Pipelines names a wave of one Stage after that
        Stage (here the tenant id), a wave of several after the wave."""
        return self.tenants[0].tenant_id if len(self.tenants) == 1 else self.name

    @property
    def tenant_ids(self) -> tuple[str, ...]:
        return tuple(tenant.tenant_id for tenant in self.tenants)


@dataclass(frozen=True, kw_only=True)
class PipelinePlan:
    stack_name: str
    residency: Residency
    account: str
    region: str
    stages: tuple[PipelineStage, ...]

    @property
    def stage_count(self) -> int:
        return len(FIXED_STAGES) + len(self.stages)

    @property
    def action_count(self) -> int:
        return FIXED_ACTIONS + sum(stage.actions for stage in self.stages)

    @property
    def tenant_ids(self) -> tuple[str, ...]:
        return tuple(tenant_id for stage in self.stages for tenant_id in stage.tenant_ids)

    @property
    def regions(self) -> frozenset[str]:
        """Every region the pipeline deploys to (each gets CDK Pipelines' cross-region support stack)."""
        return frozenset(region for stage in self.stages for tenant in stage.tenants for region in tenant.regions)


@dataclass(frozen=True, kw_only=True)
class RolloutPlan:
    pipelines: tuple[PipelinePlan, ...]
    require_approval: bool


def plan_rollout(configs: Sequence[TenantConfig], settings: FleetSettings) -> RolloutPlan:
    """The pipelines, stages and tenants of the fleet's rollout. PlanError when fleet.yaml has no
    `pipeline:` section or names a tenant that does not exist."""
    if settings.pipeline is None:
        raise PlanError(
            "fleet.yaml: pipeline: not set; name the tooling account and the source "
            "(pipeline: {account, source: {repository, branch, connection_arn}})"
        )
    by_id = {config.tenant_id: config for config in configs}
    named = [*settings.canary, *(tenant_id for wave in settings.waves for tenant_id in wave.tenants)]
    unknown = sorted(set(named) - set(by_id))
    if unknown:
        raise PlanError(f"fleet.yaml: canary/waves: no tenant {', '.join(repr(t) for t in unknown)} among the tenant files")
    approval = settings.require_approval
    per_tenant = STACKS_PER_TENANT * ACTIONS_PER_STACK + (1 if approval else 0)
    per_stage = min(settings.pipeline.max_parallel, (MAX_ACTIONS_PER_STAGE - INVENTORY_ACTIONS) // per_tenant)
    pipelines: list[PipelinePlan] = []
    for residency in Residency:
        members = {tenant_id for tenant_id, config in by_id.items() if config.residency is residency}
        if not members:
            continue
        stages = [
            stage
            for wave, tenant_ids in _waves(residency, members, settings)
            for stage in _stages(wave, [_tenant_stage(by_id[t], approval) for t in tenant_ids], per_stage)
        ]
        for part, chunk in enumerate(_pipeline_parts(stages), start=1):
            pipelines.append(
                PipelinePlan(
                    stack_name=pipeline_stack_name(residency.value, part),
                    residency=residency,
                    account=settings.pipeline.account,
                    region=settings.pipeline.region_of(residency),
                    stages=tuple(chunk),
                )
            )
    return RolloutPlan(pipelines=tuple(pipelines), require_approval=approval)


def _waves(residency: Residency, members: set[str], settings: FleetSettings) -> list[tuple[str, list[str]]]:
    """The residency's waves in order, each with its tenants; empty waves left out."""
    waves = [(CANARY_WAVE, [t for t in settings.canary if t in members])]
    waves += [(wave.name, [t for t in wave.tenants if t in members]) for wave in settings.waves]
    placed = {tenant_id for _, tenant_ids in waves for tenant_id in tenant_ids}
    waves.append((residency.value, sorted(members - placed)))
    return [(name, tenant_ids) for name, tenant_ids in waves if tenant_ids]


def _tenant_stage(config: TenantConfig, approval: bool) -> TenantStage:
    return TenantStage(
        tenant_id=config.tenant_id, account=config.account, regions=tuple(config.regions), approval=approval
    )


def _stages(wave: str, tenants: list[TenantStage], per_stage: int) -> list[PipelineStage]:
    chunks = [tuple(tenants[i : i + per_stage]) for i in range(0, len(tenants), per_stage)]
    if len(chunks) == 1:
        return [PipelineStage(name=wave, wave=wave, tenants=chunks[0])]
    return [PipelineStage(name=f"{wave}.{n}", wave=wave, tenants=chunk) for n, chunk in enumerate(chunks, start=1)]


def _pipeline_parts(stages: list[PipelineStage]) -> list[list[PipelineStage]]:
    """The stages cut, in order, into pipelines within the stage and action quotas."""
    parts: list[list[PipelineStage]] = [[]]
    actions = FIXED_ACTIONS
    for stage in stages:
        full = len(FIXED_STAGES) + len(parts[-1]) + 1 > MAX_STAGES_PER_PIPELINE
        if parts[-1] and (full or actions + stage.actions > MAX_ACTIONS_PER_PIPELINE):
            parts.append([])
            actions = FIXED_ACTIONS
        parts[-1].append(stage)
        actions += stage.actions
    return parts
