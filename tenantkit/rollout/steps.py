"""The commands of the pipelines' shell steps (CodeBuild runs them with the repository checked out).
Pure: no aws_cdk, so tests can run them."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence

from tenantkit.lifecycle.cdk_cli import CDK_CLI_VERSION

PIPELINE_APP_COMMAND = "python3 pipeline_app.py"
"""How the synth step's `cdk synth` starts this app (pipeline_app.py at the project root)."""
INSTALL = ["python3 -m pip install --quiet -e ."]


def approval_commands(tenant_id: str) -> list[str]:
    """Fail unless the tenant's approval is valid (signed by a key fleet.yaml trusts, untouched)
    and covers its current templates; the failure is one line naming the tenant and the first
    changed section."""
    return [f"tenantkit review verify-approval {shlex.quote(tenant_id)} --current"]


def inventory_commands(tenants_by_role: Mapping[str, Sequence[str]]) -> list[str]:
    """Exit 1 (stop the rollout) when anything of these tenants is flagged. Each account's tenants
    are inventoried with the credentials of the read-only role given for that account (the CDK
    bootstrap's lookup role), assumed for this command only."""
    assume = (
        "credentials=$(aws sts assume-role --role-arn {role} --role-session-name tenantkit-inventory "
        "--query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text) && set -- $credentials && "
        "AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 AWS_SESSION_TOKEN=$3 tenantkit inventory {tenants}"
    )
    return [
        assume.format(role=shlex.quote(role), tenants=" ".join(shlex.quote(t) for t in tenant_ids))
        for role, tenant_ids in tenants_by_role.items()
    ]


def synth_commands() -> list[str]:
    """Check every tenant (its own assemblies in check.out), then synthesize the pipeline app into
    cdk.out, the synth step's output."""
    return [
        "tenantkit check --out check.out",
        f"npx --yes aws-cdk@{CDK_CLI_VERSION} synth --app {shlex.quote(PIPELINE_APP_COMMAND)} --output cdk.out",
    ]
