"""The rollout services behind `tenantkit pipeline`: plan, synthesize, check what the sandbox can
hold, deploy with the pinned CDK CLI. No typer or rich here."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenantkit.config import load_fleet, load_tenants
from tenantkit.config.fleet_models import FleetSettings
from tenantkit.config.models import TenantConfig
from tenantkit.rollout.plan import PlanError, RolloutPlan, plan_rollout

_FAIL_SYNTH_ON_VALIDATION_ERRORS = "@aws-cdk/core:failSynthOnValidationErrors"


@dataclass(frozen=True)
class Rollout:
    configs: tuple[TenantConfig, ...]
    settings: FleetSettings
    plan: RolloutPlan
    root: Path = Path(".")
    """The project root: fleet.yaml's directory, where its `extensions:` modules are looked up first."""

    def extensions(self) -> tuple[Any, ...]:
        """fleet.yaml's `extensions:`, imported (LoadedExtension), for every tenant stage; PlanError
        (one line naming the fleet.yaml entry) for one that cannot be imported."""
        from tenantkit.stacks.extensions import ExtensionError, load_extensions

        try:
            return load_extensions(self.settings.extensions, self.root)
        except ExtensionError as error:
            raise PlanError(str(error)) from None


@dataclass(frozen=True)
class PipelineSynthResult:
    outdir: Path
    stacks: tuple[str, ...]
    """The pipeline stacks, then CDK Pipelines' cross-region support stacks."""
    findings: tuple[str, ...]
    """Unacknowledged cdk-nag findings on those stacks."""


def load_rollout(root: Path, config_dir: Path) -> Rollout:
    """The tenants, fleet.yaml and the plan; ConfigError or PlanError when they cannot be had."""
    configs = tuple(load_tenants([config_dir]))
    settings = load_fleet(root)
    return Rollout(configs=configs, settings=settings, plan=plan_rollout(configs, settings), root=root)


def synth_pipelines(rollout: Rollout, outdir: Path) -> PipelineSynthResult:
    """Synthesize the pipeline app into `outdir` (emptied first) with cdk-nag on the pipeline stacks."""
    from tenantkit.jsii_node import ensure_jsii_node

    ensure_jsii_node()
    from aws_cdk import App

    from tenantkit.compliance.assembly import validation_findings
    from tenantkit.rollout.app import add_pipeline_checks, add_pipelines
    from tenantkit.stacks.app_context import tenant_app_context

    shutil.rmtree(outdir, ignore_errors=True)
    context = {**tenant_app_context(rollout.configs), _FAIL_SYNTH_ON_VALIDATION_ERRORS: False}
    app = App(outdir=str(outdir), context=context)
    stacks = add_pipelines(app, rollout.configs, rollout.settings, rollout.plan, rollout.extensions())
    add_pipeline_checks(stacks)
    app.synth()
    names = [stack.stack_name for stack in stacks]
    names += sorted(path.name.removesuffix(".template.json") for path in outdir.glob("cross-region-stack-*.template.json"))
    return PipelineSynthResult(outdir=outdir, stacks=tuple(names), findings=tuple(validation_findings(outdir)))


def sandbox_gaps(outdir: Path, stacks: Sequence[str]) -> dict[str, int]:
    """Resource types of the synthesized stacks that the sandbox's CloudFormation (moto with
    tenantkit's extensions) has no model for, with how many resources of each: moto would skip
    them and report the stack created all the same."""
    from moto.cloudformation.parsing import get_model_map

    from tenantkit.sandbox.extensions import install

    install()
    known = get_model_map()
    missing: Counter[str] = Counter()
    for stack in stacks:
        template = json.loads((outdir / f"{stack}.template.json").read_text(encoding="utf-8"))
        missing.update(r["Type"] for r in template.get("Resources", {}).values() if r["Type"] not in known)
    return dict(sorted(missing.items()))


def sandbox_refusal(gaps: dict[str, int]) -> str:
    listed = ", ".join(f"{kind} ({count})" for kind, count in gaps.items())
    return (
        "the sandbox cannot deploy the pipeline stacks as synthesized: its CloudFormation (moto 5.2.5 "
        f"with tenantkit's extensions) has no model for {listed}; it would skip them and report the "
        "stacks created without a pipeline. Deploy to AWS (without --local), or review "
        "`tenantkit pipeline synth` output"
    )


def deploy_command(cli_argv: Sequence[str], outdir: Path, stacks: Sequence[str], extra: Sequence[str] = ()) -> list[str]:
    """`cdk deploy` of the synthesized pipeline stacks, from the assembly as it is."""
    return [*cli_argv, "deploy", "--app", str(outdir), *stacks, *extra]


def deploy_pipelines(
    cli_argv: Sequence[str], outdir: Path, stacks: Sequence[str], extra: Sequence[str],
    run: Callable[[Sequence[str], dict[str, str], Callable[[str], None]], int], echo: Callable[[str], None],
) -> int:
    from tenantkit.lifecycle.cdk_cli import node_environment

    return run(deploy_command(cli_argv, outdir, stacks, extra), node_environment(), echo)


__all__ = ["PlanError", "Rollout", "load_rollout", "synth_pipelines", "sandbox_gaps", "sandbox_refusal", "deploy_pipelines"]
