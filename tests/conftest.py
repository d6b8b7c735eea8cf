"""Shared fixtures: a minimal valid tenant, and a way to write tenant files."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

# Tests never talk to real AWS: dummy credentials before any client can exist.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        # moto builds each region's EC2 backend with ~1,100 default AMIs (about 1 s a region);
        # offboarding's discovery asks every enabled region, so a test paid that some 30 times.
        # No tenant resource uses an AMI. Inherited by the sandbox servers tests start.
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }
)
os.environ.pop("AWS_PROFILE", None)

# jsii must run on the wheel's Node 24, never the system Node: set before any aws_cdk import.
from tenantkit.jsii_node import ensure_jsii_node

ensure_jsii_node()

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIGS = REPO_ROOT / "tenant_configs"

MINIMAL_TENANT: dict[str, Any] = {
    "tenant_id": "acme-corp",
    "display_name": "Acme Corp (fictional)",
    "residency": "us",
    "contacts": {"security_email": "security@acme.example"},
    "access": {
        "allowed_cidrs": ["192.0.2.0/24", "2001:db8::/48"],
        "allowed_countries": ["US", "CA"],
    },
}


@pytest.fixture
def tenant_data() -> dict[str, Any]:
    """A fresh, mutable copy of a minimal valid tenant."""
    return copy.deepcopy(MINIMAL_TENANT)


@pytest.fixture
def write_tenant(tmp_path: Path) -> Callable[..., Path]:
    """Write a tenant file (a dict as YAML, or raw text) into tmp_path/tenant_configs/."""
    directory = tmp_path / "tenant_configs"
    directory.mkdir()

    def write(content: dict[str, Any] | str | bytes, name: str | None = None) -> Path:
        if isinstance(content, dict):
            name = name or f"{content.get('tenant_id', 'tenant')}.yaml"
            content = yaml.safe_dump(content, sort_keys=False)
        path = directory / (name or "tenant.yaml")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


def wrap_add_tenant(monkeypatch: pytest.MonkeyPatch, change: Callable[..., Any]) -> None:
    """Make every tenant app built during the test go through `change(real_add_tenant, app,
    config)` (to add a finding, or fail one tenant); the extensions and keywords (the operator
    channel), if any, still reach the real one."""
    import tenantkit.stacks.tenant as tenant_module

    real_add_tenant = tenant_module.add_tenant
    monkeypatch.setattr(
        tenant_module,
        "add_tenant",
        lambda app, config, extensions=(), **keywords: change(
            lambda app, config: real_add_tenant(app, config, extensions, **keywords), app, config
        ),
    )


def with_cdk_warning(message: str) -> Callable[..., Any]:
    """A `wrap_add_tenant` change: a CDK warning annotation on the tenant's primary stack."""

    def change(real_add_tenant: Callable[..., Any], app: Any, config: Any) -> Any:
        from aws_cdk import Annotations

        stacks = real_add_tenant(app, config)
        Annotations.of(stacks.primary).add_warning_v2("tenantkit:test", message)
        return stacks

    return change


@pytest.fixture(autouse=True, scope="session")
def _shared_botocore_models():
    """botocore's JSON service models parsed once per test process, not once per session (moto
    resets boto3's default session at every `mock_aws()`; see tests/botocore_models.py)."""
    from tests.botocore_models import shared_botocore_loader

    with shared_botocore_loader():
        yield


@pytest.fixture
def moto_with_extensions():
    """In-process moto with tenantkit's emulator extensions (installed before the mock starts)."""
    from moto import mock_aws

    from tenantkit.sandbox.extensions import install

    install()
    with mock_aws():
        yield


@pytest.fixture(scope="session")
def example_assemblies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example tenant of tenant_configs/ synthesized as `tenantkit synth` does (one app per
    tenant, the examples as the fleet, cfn-lint left to the tests that lint), each into
    `<dir>/<tenant-id>/`, and their baseline stacks into `<dir>/_baseline/`. Read-only: tests
    that edit a template edit a copy.

    Synthesized once per run, not once per consumer nor per xdist worker: the first worker to get
    here synthesizes under a lock in the directory all workers share; the others wait for it and
    read the same files (pytest-xdist's documented pattern for a session fixture run once)."""
    import fcntl

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's directory, the parent of every worker's
    outdir = shared / "example-assemblies"
    with open(shared / "example-assemblies.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (outdir / ".complete").is_file():
            _synthesize_examples(outdir)
            (outdir / ".complete").touch()
    return outdir


def _synthesize_examples(outdir: Path) -> None:
    import shutil

    from tenantkit.config import load_tenants
    from tenantkit.synth import synth_tenants
    from tenantkit.synth.baseline import synth_baselines

    shutil.rmtree(outdir, ignore_errors=True)  # what a worker that failed here left
    configs = load_tenants([EXAMPLE_CONFIGS])
    results = synth_tenants(configs, outdir, lint=False)
    assert [result.error for result in results if result.error] == []
    baseline = synth_baselines(configs, configs, outdir, lint=False)
    assert baseline.error is None, baseline.error


SYNTHESIZING_FIXTURES = frozenset(
    {"examples", "maple", "reviews", "weakened", "varied", "assembly_dir", "templates", "example_assemblies"}
)
"""Fixtures that synthesize tenants' CDK stacks (seconds each): a test using one is `slow`, so
`pytest -m "not slow"` runs what synthesizes and deploys nothing."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SYNTHESIZING_FIXTURES & set(getattr(item, "fixturenames", ())) and "slow" not in item.keywords:
            item.add_marker(pytest.mark.slow)
    # Modules with a slow test run first (each keeps its order): xdist's loadscope hands modules
    # out in this order, so the long ones start early and the quick ones fill the end, instead of a
    # sandbox module starting last while the other worker idles.
    slow_modules = {item.nodeid.split("::", 1)[0] for item in items if "slow" in item.keywords}
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in slow_modules)
