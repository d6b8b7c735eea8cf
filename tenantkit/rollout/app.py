"""The pipeline app: one `aws_cdk.pipelines.CodePipeline` stack per planned pipeline.

Each pipeline builds the repository fleet.yaml names (a CodeStar Connections source), runs
`tenantkit check` and then `cdk synth` of this app (pipeline_app.py) in its synth step, updates
itself, publishes the tenant stacks' assets, and then deploys its stages in order. A stage is a
CDK Pipelines wave: each of its tenants is a `Stage` holding the tenant's three stacks, built by
`add_tenant` exactly as app.py builds them (fleet.yaml's `extensions:` included), deployed in parallel; before each tenant, with
`require_approval`, a step checks the tenant's recorded review approval; after the stage, a step
runs `tenantkit inventory` for the stage's tenants and stops the rollout on a flag.

cdk-nag's packs (tenantkit.compliance.nag.PACKS) check the pipeline stacks and CDK Pipelines'
cross-region support stacks; the tenant stacks are checked by `tenantkit check`, in the synth step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from aws_cdk import App, CfnResource, Environment, Stack, Stage, Validations, pipelines
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_iam as iam
from constructs import Construct

from tenantkit.compliance.nag import PACKS
from tenantkit.config.fleet_models import FleetSettings
from tenantkit.config.models import TenantConfig
from tenantkit.constructs._acknowledge import acknowledge, finding_text
from tenantkit.naming import bootstrap_lookup_role_arn
from tenantkit.rollout.plan import PipelinePlan, RolloutPlan
from tenantkit.rollout.steps import INSTALL, approval_commands, inventory_commands, synth_commands
from tenantkit.stacks.extensions import LoadedExtension
from tenantkit.stacks.tenant import add_tenant

BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0


def add_pipelines(
    app: App, configs: Sequence[TenantConfig], settings: FleetSettings, plan: RolloutPlan, extensions: Sequence[LoadedExtension] = ()
) -> list[Stack]:
    """Add one pipeline stack per planned pipeline to `app`, with its tenants' stages; return the
    stacks. Each tenant's stage gets fleet.yaml's `extensions` (loaded), as app.py's stacks do."""
    assert settings.pipeline is not None  # plan_rollout refused it otherwise
    by_id = {config.tenant_id: config for config in configs}
    stacks = []
    for pipeline_plan in plan.pipelines:
        stack = Stack(
            app,
            pipeline_plan.stack_name,
            env=Environment(account=pipeline_plan.account, region=pipeline_plan.region),
            description=f"tenantkit rollout pipeline, residency {pipeline_plan.residency.value} ({pipeline_plan.region})",
            termination_protection=True,
        )
        _add_pipeline(stack, pipeline_plan, by_id, settings, plan.require_approval, extensions)
        stacks.append(stack)
    for stack in stacks:  # the support stacks exist once every pipeline is built
        _acknowledge_generated(app, stack)
    return stacks


def _add_pipeline(
    stack: Stack, plan: PipelinePlan, by_id: dict[str, TenantConfig], settings: FleetSettings, approval: bool,
    extensions: Sequence[LoadedExtension],
) -> None:
    source_settings = settings.pipeline.source  # type: ignore[union-attr]
    source = pipelines.CodePipelineSource.connection(
        source_settings.repository, source_settings.branch, connection_arn=source_settings.connection_arn
    )

    def step(id: str, commands: list[str]) -> pipelines.ShellStep:
        return pipelines.ShellStep(id, input=source, install_commands=INSTALL, commands=commands)

    def inventory(tenant_ids: tuple[str, ...]) -> pipelines.CodeBuildStep:
        roles: dict[str, list[str]] = {}
        for tenant_id in tenant_ids:
            config = by_id[tenant_id]
            role = bootstrap_lookup_role_arn(config.account or plan.account, config.primary_region)
            roles.setdefault(role, []).append(tenant_id)
        return pipelines.CodeBuildStep(
            "Inventory", input=source, install_commands=INSTALL, commands=inventory_commands(roles),
            role_policy_statements=[iam.PolicyStatement(actions=["sts:AssumeRole"], resources=sorted(roles))],
        )

    pipeline = pipelines.CodePipeline(
        stack,
        "Pipeline",
        pipeline_name=plan.stack_name,
        synth=pipelines.ShellStep(
            "Synth", input=source, install_commands=INSTALL, commands=synth_commands(), primary_output_directory="cdk.out"
        ),
        cross_account_keys=True,  # encrypts the artifact buckets with KMS keys, the cross-region ones too
        enable_key_rotation=True,
        code_build_defaults=pipelines.CodeBuildOptions(build_environment=codebuild.BuildEnvironment(build_image=BUILD_IMAGE)),
    )
    for planned in plan.stages:
        wave = pipeline.add_wave(planned.name, post=[inventory(planned.tenant_ids)])
        for tenant in planned.tenants:
            config = by_id[tenant.tenant_id]
            stage = Stage(cast(Construct, stack.node.scope), config.tenant_id, env=Environment(account=config.account or plan.account))
            add_tenant(stage, config, extensions, operator_topics=settings.operator_topics(config.residency))
            wave.add_stage(stage, pre=[step("Approval", approval_commands(config.tenant_id))] if tenant.approval else [])
    pipeline.build_pipeline()


def add_pipeline_checks(stacks: Sequence[Stack]) -> None:
    """cdk-nag's packs on the pipeline stacks (and the support stacks CDK Pipelines adds to them)."""
    for stack in stacks:
        Validations.of(stack).add_plugins(*(pack(stack) for pack in PACKS))


_GENERATED_FINDINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "AWS::IAM::Policy": (
        ("NIST.800.53.R5-IAMNoInlinePolicy", "HIPAA.Security-IAMNoInlinePolicy", "PCI.DSS.321-IAMNoInlinePolicy"),
        "Generated by aws_cdk.pipelines for this pipeline's own roles, one policy per role, used by "
        "nothing else. Its wildcards are scoped by name: CodeBuild log streams and report groups "
        "created per build under the project's name (`<project>:*`, `<project>-*`), the CDK "
        "bootstrap roles of the target accounts the deploy and asset actions assume (`role/*` in "
        "the pipeline account, whose names hold the target account), and read-only calls that "
        "take no resource (`*`).",
    ),
    "AWS::S3::Bucket": (
        (
            "AwsSolutions-S1", "NIST.800.53.R5-S3BucketLoggingEnabled", "HIPAA.Security-S3BucketLoggingEnabled",
            "PCI.DSS.321-S3BucketLoggingEnabled", "NIST.800.53.R5-S3BucketReplicationEnabled",
            "HIPAA.Security-S3BucketReplicationEnabled", "PCI.DSS.321-S3BucketReplicationEnabled",
            "NIST.800.53.R5-S3BucketVersioningEnabled", "HIPAA.Security-S3BucketVersioningEnabled",
            "PCI.DSS.321-S3BucketVersioningEnabled",
        ),
        "CodePipeline's artifact store (or its replica for deployments in this region): build "
        "output that every run reproduces from the repository. Every object is encrypted with the "
        "pipeline's KMS key, so each read is a kms:Decrypt in CloudTrail, and the bucket policy "
        "(generated with it) admits only the pipeline's roles over TLS. It is not replicated nor "
        "versioned on purpose: each copy or kept version would be one more copy of the tenants' "
        "templates (CIDRs, contacts) to keep inside the residency zone and to destroy.",
    ),
    "AWS::CodeBuild::Project": (
        ("HIPAA.Security-CodeBuildProjectSourceRepoUrl", "PCI.DSS.321-CodeBuildProjectSourceRepoUrl"),
        "The project's source is CODEPIPELINE: it gets the repository as an artifact from the "
        "pipeline's CodeStar Connections source action (an app installation, no credentials in a "
        "URL); it never clones a repository URL itself.",
    ),
}
"""cdk-nag findings on what aws_cdk.pipelines generates, by resource type: the rules and why they
are accepted."""


def _acknowledge_generated(app: App, stack: Stack) -> None:
    """Acknowledge the findings above on each generated resource of the pipeline stack and of the
    cross-region support stacks CDK Pipelines added to the app (never inside a tenant's Stage)."""
    support = [child for child in app.node.children if isinstance(child, Stack) and child.node.id.startswith("cross-region-stack-")]
    for scope in (stack, *support):
        for construct in scope.node.find_all():
            if isinstance(construct, CfnResource) and construct.cfn_resource_type in _GENERATED_FINDINGS:
                rules, reason = _GENERATED_FINDINGS[construct.cfn_resource_type]
                if isinstance(construct, iam.CfnPolicy):
                    rules = (*rules, *_wildcard_findings(construct))
                acknowledge(construct, rules, reason)


def _wildcard_findings(policy: iam.CfnPolicy) -> list[str]:
    """AwsSolutions-IAM5 finding ids, one per wildcard action or resource the policy holds now: a
    wildcard CDK Pipelines adds in a later release is reported, not silently accepted."""
    document = Stack.of(policy).resolve(policy.policy_document)
    findings = []
    for statement in document.get("Statement", []):
        for kind, key in (("Action", "Action"), ("Resource", "Resource")):
            values = statement.get(key, [])
            for value in values if isinstance(values, list) else [values]:
                try:
                    text = finding_text(policy, value)
                except ValueError:  # a shape cdk-nag's rendering is not known for: left to be reported
                    continue
                if "*" in text:
                    findings.append(f"AwsSolutions-IAM5[{kind}::{text}]")
    return findings
