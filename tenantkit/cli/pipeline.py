"""`tenantkit pipeline synth | deploy | diagram`: the fleet's rollout through CDK Pipelines.

Parse, call `tenantkit.rollout`, render. Exit 1 on bad input (one line per problem), on cdk-nag
findings, or when the deploy fails; 2 on a usage error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from tenantkit.cli import render
from tenantkit.cli.deploy import CDK_ARGS, CDK_FROM_PATH
from tenantkit.cli.options import CONFIG_DIR_OPTION, ROOT_OPTION
from tenantkit.cli.sandbox import STATE_DIR

OUT_OPTION = typer.Option(Path("cdk.out/pipeline"), "--out", "-o", help="Where the pipeline app is synthesized.")

pipeline_app = typer.Typer(name="pipeline", help="Roll the fleet out through CDK Pipelines (fleet.yaml `pipeline:`).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(pipeline_app)


@contextmanager
def _lines() -> Iterator[None]:
    from tenantkit.cli.errors import as_lines
    from tenantkit.rollout.plan import PlanError

    try:
        with as_lines():
            yield
    except PlanError as error:
        render.error(str(error))
        raise typer.Exit(1) from None


@pipeline_app.command()
def synth(out: Path = OUT_OPTION, directory: Path = CONFIG_DIR_OPTION, root: Path = ROOT_OPTION) -> None:
    """Synthesize one pipeline stack per residency (split where CodePipeline's quotas require),
    checked by cdk-nag; exit 1 on a finding."""
    from tenantkit.rollout.service import load_rollout, synth_pipelines

    with _lines():
        rollout = load_rollout(root, directory)
        result = synth_pipelines(rollout, out)
    for pipeline in rollout.plan.pipelines:
        typer.echo(
            f"{pipeline.stack_name}: {pipeline.account}/{pipeline.region}, {len(pipeline.tenant_ids)} tenant(s), "
            f"{pipeline.stage_count} stages, {pipeline.action_count} actions"
        )
    for finding in result.findings:
        render.error(finding)
    typer.echo(f"wrote {out} ({', '.join(result.stacks)})", err=True)
    raise typer.Exit(1 if result.findings else 0)


@pipeline_app.command()
def diagram(out: Path | None = typer.Option(None, "--out", "-o", help="File to write (default: stdout).", dir_okay=False),
            directory: Path = CONFIG_DIR_OPTION, root: Path = ROOT_OPTION) -> None:
    """The rollout plan as a Mermaid flowchart: pipelines, stages and their tenants."""
    from tenantkit.rollout import mermaid
    from tenantkit.rollout.service import load_rollout

    with _lines():
        text = mermaid(load_rollout(root, directory).plan)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


@pipeline_app.command()
def deploy(
    local: bool = typer.Option(False, "--local", help="Into the local sandbox (refused: see the message)."),
    out: Path = OUT_OPTION, directory: Path = CONFIG_DIR_OPTION, root: Path = ROOT_OPTION,
    cdk_from_path: bool = CDK_FROM_PATH, cdk_args: list[str] = CDK_ARGS,
) -> None:
    """Synthesize, then deploy the pipeline stacks with the pinned CDK CLI (the pipelines then deploy the tenants)."""
    from tenantkit.lifecycle.cdk_cli import find_cdk_cli, require_aws_credentials, run_streaming
    from tenantkit.rollout.service import deploy_pipelines, load_rollout, sandbox_gaps, sandbox_refusal, synth_pipelines

    with _lines():
        rollout = load_rollout(root, directory)
        if not local:  # said before a synth of minutes, not after it
            require_aws_credentials(cdk_args)
            cli = find_cdk_cli(STATE_DIR / "cdk-cli", from_path=cdk_from_path, echo=typer.echo)
        result = synth_pipelines(rollout, out)
    if result.findings:
        for finding in result.findings:
            render.error(finding)
        raise typer.Exit(1)
    if local:
        gaps = sandbox_gaps(out, result.stacks)
        render.error(sandbox_refusal(gaps) if gaps else "deploy --local of the pipeline stacks is not implemented")
        raise typer.Exit(1)
    code = deploy_pipelines(cli.argv, out, result.stacks, cdk_args, run_streaming, typer.echo)
    raise typer.Exit(0 if code == 0 else 1)
