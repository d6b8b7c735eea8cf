"""The real AWS CDK CLI (the pinned version, default change-set deploys) deploys a tenant's
synthesized stacks into the sandbox server, in the tenant's own account.

No `cdk bootstrap`: the environments are seeded as `tenantkit deploy --local` seeds them
(`deploy_local.prepare_environment`). The CLI is installed once under `<repo>/.tenantkit/cdk-cli`
(git-ignored, kept between runs); the test is skipped only when npm cannot install it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import boto3
import pytest

from tenantkit.lifecycle.cdk_cli import CdkCliError, find_cdk_cli, node_environment
from tenantkit.lifecycle.deploy_local import prepare_environment
from tenantkit.lifecycle.fleet import sandbox_sessions
from tenantkit.naming import stack_names
from tenantkit.sandbox import start_sandbox, stop_sandbox
from tenantkit.synth import synth_directory

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TENANT = "maple-ca"
ACCOUNT = "111122223333"
REGIONS = {"tenant-maple-ca-dr": "ca-west-1", "tenant-maple-ca-primary": "ca-central-1", "tenant-maple-ca-replica": "ca-west-1"}
DEPLOY_TIMEOUT_S = 900


@pytest.fixture(scope="module")
def cdk_cli():
    try:
        return find_cdk_cli(ROOT / ".tenantkit" / "cdk-cli", echo=lambda _line: None)
    except CdkCliError as error:
        pytest.skip(f"the AWS CDK CLI could not be installed from the npm registry: {error}")


@pytest.fixture
def sandbox(tmp_path):
    state_dir = tmp_path / ".tenantkit"
    status, _ = start_sandbox(state_dir)
    yield status
    stop_sandbox(state_dir)


def _tenant_credentials(endpoint: str) -> dict[str, str]:
    """Credentials of a role in the tenant's account: moto acts in the account of an assumed role."""
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer", RoleSessionName="cdk")["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }


def test_cdk_deploy_with_change_sets_creates_the_tenant_stacks(cdk_cli, sandbox, tmp_path):
    (synthesized,) = synth_directory(ROOT / "tenant_configs", [TENANT], tmp_path / "cdk.out", cache=None)
    assert synthesized.assembly_dir is not None, synthesized.error
    session_for = sandbox_sessions(sandbox.endpoint, ACCOUNT)
    for region in set(REGIONS.values()):
        prepare_environment(session_for(region), account=ACCOUNT, region=region)

    environment = {key: value for key, value in node_environment().items() if not key.startswith("AWS_")}
    environment |= _tenant_credentials(sandbox.endpoint) | {
        "AWS_ENDPOINT_URL": f"http://localhost:{sandbox.port}",  # moto reads TemplateURLs on localhost only
        "AWS_REGION": "ca-central-1",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "NO_PROXY": "localhost,127.0.0.1",
    }
    command = [
        *cdk_cli.argv, "deploy", "--app", str(synthesized.assembly_dir), *stack_names(TENANT),
        "--require-approval", "never", "--progress", "events", "--no-notices", "--no-version-reporting",
    ]
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=DEPLOY_TIMEOUT_S)

    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    for stack, region in REGIONS.items():
        cloudformation = session_for(region).client("cloudformation")
        (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
        assert described["StackStatus"] == "CREATE_COMPLETE", f"{stack}: {described['StackStatus']}\n{output[-3000:]}"
