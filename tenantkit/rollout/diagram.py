"""The rollout plan as a Mermaid flowchart (`tenantkit pipeline diagram`), for the README and reviews."""

from __future__ import annotations

import re

from tenantkit.rollout.plan import FIXED_STAGES, RolloutPlan


def _node(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))


def mermaid(plan: RolloutPlan) -> str:
    """One subgraph per pipeline (stack name, account and region), its stages left to right; each
    stage lists its tenants, deployed in parallel, then checked by `tenantkit inventory`."""
    lines = ["flowchart LR"]
    for pipeline in plan.pipelines:
        lines.append(f'  subgraph {_node(pipeline.stack_name)}["{pipeline.stack_name} ({pipeline.account}, {pipeline.region})"]')
        lines.append("    direction LR")
        nodes = []
        for fixed in FIXED_STAGES:
            node = _node(pipeline.stack_name, fixed)
            lines.append(f'    {node}["{fixed}"]')
            nodes.append(node)
        for stage in pipeline.stages:
            node = _node(pipeline.stack_name, "stage", stage.name)
            gate = "approval, " if plan.require_approval else ""
            tenants = "<br/>".join(stage.tenant_ids)
            lines.append(f'    {node}["{stage.name}<br/>{tenants}<br/><i>{gate}deploy, inventory</i>"]')
            nodes.append(node)
        lines.append("    " + " --> ".join(nodes))
        lines.append("  end")
    return "\n".join(lines) + "\n"
