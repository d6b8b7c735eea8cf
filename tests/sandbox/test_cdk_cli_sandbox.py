"""The real AWS CDK CLI (the pinned version, default change-set deploys) deploys a tenant's
synthesized stacks into the sandbox server, in the tenant's own account.

No `cdk bootstrap`: the environments are seeded as `tenantkit deploy --local` seeds them
(`deploy_local.prepare_environment`). The CLI is installed once under `<repo>/.tenantkit/cdk-cli`
(git-ignored, kept between runs); the test is skipped only when npm cannot install it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tenantkit.lifecycle.cdk_cli import CdkCliError, find_cdk_cli, node_environment
from tenantkit.lifecycle.deploy_local import prepare_environment
from tenantkit.lifecycle.fleet import sandbox_sessions
from tenantkit.naming import stack_names
from tenantkit.sandbox import start_sandbox, stop_sandbox
from tenantkit.synth import SynthCache, synth_directory

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


@pytest.fixture(scope="module")
def synth_pool(tmp_path_factory):
    """Synth cache entries shared by this module's tests: each project starts with every entry the
    module has and gives back what it synthesized, so no test synthesizes a tenant configuration
    another already did (an entry is keyed by all that shapes a synth: tenantkit/synth/cache.py)."""
    return tmp_path_factory.mktemp("synth-pool") / "cache"


def _merge_entries(source: Path, target: Path) -> None:
    """Copy `source`'s cache entries (`<tenant>/<key>/`) that `target` lacks into it."""
    tenants = [tenant for tenant in source.glob("*") if tenant.is_dir() and not tenant.name.startswith(".tmp-")]  # not a store under way
    for entry in (path for tenant in tenants for path in tenant.iterdir() if path.is_dir()):
        if not (target / entry.parent.name / entry.name).exists():
            shutil.copytree(entry, target / entry.parent.name / entry.name)


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


def test_cdk_deploy_with_change_sets_creates_the_tenant_stacks(cdk_cli, sandbox, synth_pool, tmp_path):
    cache = SynthCache(synth_pool, project_dir=ROOT)
    (synthesized,) = synth_directory(ROOT / "tenant_configs", [TENANT], tmp_path / "cdk.out", cache=cache)
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


# --- the README's block, run as written, twice; and `deploy --local` and `cdk deploy` taking turns ---

STACKS = " ".join(stack_names(TENANT))
ADDED_CIDRS = ["203.0.113.0/24", "192.0.2.0/25"]
"""Documentation ranges (RFC 5737) added to the tenant's allow list, one per update."""


def _readme_cdk_cli_block() -> str:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### With the CDK CLI", 1)[1].split("\n### ", 1)[0]
    return next(block for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S) if "sandbox up" in block)


@pytest.fixture
def project(tmp_path, cdk_cli, synth_pool):
    """A project directory as the README's reader has it: the tenant files, cdk.json, app.py (the
    CDK app `cdk deploy -c tenant=...` runs: the baseline stacks), `.venv`, and the pinned CLI
    already installed (linked, so it is not installed again); its synth cache starts with the
    module's entries (`synth_pool`)."""
    shutil.copytree(ROOT / "tenant_configs", tmp_path / "tenant_configs")
    shutil.copy(ROOT / "app.py", tmp_path / "app.py")
    settings = json.loads((ROOT / "cdk.json").read_text()) | {"notices": False}  # no notices fetched from the internet
    (tmp_path / "cdk.json").write_text(json.dumps(settings))
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1])
    (tmp_path / ".tenantkit").mkdir()
    (tmp_path / ".tenantkit" / "cdk-cli").symlink_to(ROOT / ".tenantkit" / "cdk-cli")
    _merge_entries(synth_pool, tmp_path / ".tenantkit" / "cache")
    yield tmp_path
    stop_sandbox(tmp_path / ".tenantkit", discard=True)
    _merge_entries(tmp_path / ".tenantkit" / "cache", synth_pool)


def _bash(project: Path, script: str) -> str:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "CDK"))}
    environment |= {"CDK_DISABLE_CLI_TELEMETRY": "true", "NO_PROXY": "localhost,127.0.0.1"}
    completed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=project, env=environment, capture_output=True, text=True, timeout=DEPLOY_TIMEOUT_S
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    return output


def _allow(project: Path, cidr: str) -> None:
    """Add `cidr` to the tenant file's allow list, as an operator would edit it."""
    path = project / "tenant_configs" / f"{TENANT}.yaml"
    text = path.read_text()
    assert "  allowed_cidrs:\n" in text
    path.write_text(text.replace("  allowed_cidrs:\n", f'  allowed_cidrs:\n    - "{cidr}"\n', 1))


def _declared_ipv4(project: Path) -> set[str]:
    from tenantkit.config import find_tenant

    config = find_tenant(project / "tenant_configs", TENANT).config
    return {str(n) for n in map(ipaddress.ip_network, config.access.allowed_cidrs) if n.version == 4}


def _deployed(project: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Each stack's status, and the IPv4 allow list of each region's WAF IP set."""
    from tenantkit.sandbox import sandbox_status

    session_for = sandbox_sessions(sandbox_status(project / ".tenantkit").endpoint, ACCOUNT)
    statuses = {
        stack: session_for(region).client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        for stack, region in REGIONS.items()
    }
    addresses = {}
    for region in set(REGIONS.values()):
        waf = session_for(region).client("wafv2")
        (ip_set,) = [s for s in waf.list_ip_sets(Scope="REGIONAL")["IPSets"] if s["Name"].endswith("-ipv4")]
        addresses[region] = set(waf.get_ip_set(Name=ip_set["Name"], Scope="REGIONAL", Id=ip_set["Id"])["IPSet"]["Addresses"])
    return statuses, addresses


def test_the_readme_cdk_cli_block_creates_then_updates_with_a_change_set_diff_between_and_survives_down(project):
    block = _readme_cdk_cli_block()
    _bash(project, block)
    assert _deployed(project)[0] == dict.fromkeys(REGIONS, "CREATE_COMPLETE")

    _allow(project, ADDED_CIDRS[0])
    diff = _bash(project, f'.venv/bin/tenantkit synth {TENANT}\neval "$(.venv/bin/tenantkit sandbox env {TENANT})"\n'
                          f"$TENANTKIT_CDK diff --app cdk.out/{TENANT} {STACKS}")
    assert "Could not create a change set" not in diff, diff[-4000:]
    assert f'[+]   "{ADDED_CIDRS[0]}"' in diff, diff[-4000:]

    second = _bash(project, block)  # the same block: `sandbox up` finds the sandbox running
    statuses, addresses = _deployed(project)
    assert statuses == {"tenant-maple-ca-dr": "UPDATE_COMPLETE", "tenant-maple-ca-primary": "UPDATE_COMPLETE",
                        "tenant-maple-ca-replica": "CREATE_COMPLETE"}, second[-4000:]  # the replica did not change
    assert addresses == dict.fromkeys(set(REGIONS.values()), _declared_ipv4(project))

    _bash(project, ".venv/bin/tenantkit sandbox down\n.venv/bin/tenantkit sandbox up")
    assert _deployed(project) == (statuses, addresses)
    unchanged = _bash(project, f'eval "$(.venv/bin/tenantkit sandbox env {TENANT})"\n'
                               f"$TENANTKIT_CDK diff --app cdk.out/{TENANT} {STACKS}")
    assert "Number of stacks with differences: 0" in unchanged, unchanged[-4000:]


def test_deploy_local_and_cdk_deploy_update_each_others_stacks(project):
    _bash(project, f".venv/bin/tenantkit sandbox up\n.venv/bin/tenantkit deploy {TENANT} --local")
    assert _deployed(project)[0] == dict.fromkeys(REGIONS, "CREATE_COMPLETE")

    _allow(project, ADDED_CIDRS[0])  # the CDK CLI updates what `deploy --local` created
    output = _bash(project, f'.venv/bin/tenantkit synth {TENANT}\neval "$(.venv/bin/tenantkit sandbox env {TENANT})"\n'
                            f"$TENANTKIT_CDK deploy --app cdk.out/{TENANT} {STACKS} --require-approval never")
    statuses, addresses = _deployed(project)
    assert statuses["tenant-maple-ca-primary"] == "UPDATE_COMPLETE", output[-4000:]
    assert addresses == dict.fromkeys(set(REGIONS.values()), _declared_ipv4(project))

    _allow(project, ADDED_CIDRS[1])  # and `deploy --local` updates what the CDK CLI last changed
    output = _bash(project, f".venv/bin/tenantkit deploy {TENANT} --local")
    statuses, addresses = _deployed(project)
    assert statuses["tenant-maple-ca-primary"] == "UPDATE_COMPLETE", output[-4000:]
    assert addresses == dict.fromkeys(set(REGIONS.values()), _declared_ipv4(project))
    assert set(ADDED_CIDRS) <= _declared_ipv4(project)
