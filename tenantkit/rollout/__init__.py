"""Rollout through CDK Pipelines: the plan (pure), the pipeline app, and the services behind
`tenantkit pipeline synth | deploy | diagram`."""

from tenantkit.rollout.diagram import mermaid
from tenantkit.rollout.plan import PlanError, RolloutPlan, plan_rollout

__all__ = ["PlanError", "RolloutPlan", "mermaid", "plan_rollout"]
