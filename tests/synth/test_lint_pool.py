"""cfn-lint workers: a broken pool costs speed, never findings, and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.config import TenantConfig, load_tenants
from tenantkit.synth import lint_pool, synth_tenants
from tests.conftest import EXAMPLE_CONFIGS, wrap_add_tenant
from tests.synth.crashing_linter import crash


@pytest.fixture(scope="module")
def maple() -> TenantConfig:
    (config,) = [c for c in load_tenants([EXAMPLE_CONFIGS]) if c.tenant_id == "maple-ca"]
    return config


def test_lint_workers_follow_the_cpus_available(monkeypatch):
    monkeypatch.delattr(lint_pool.os, "process_cpu_count", raising=False)
    monkeypatch.setattr(lint_pool.os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    assert lint_pool.lint_workers() == 3
    monkeypatch.setattr(lint_pool.os, "sched_getaffinity", lambda _pid: set(range(64)), raising=False)
    assert lint_pool.lint_workers() == lint_pool.MAX_LINT_WORKERS
    monkeypatch.setattr(lint_pool.os, "process_cpu_count", lambda: None, raising=False)
    monkeypatch.setattr(lint_pool.os, "cpu_count", lambda: None)
    assert lint_pool.lint_workers() == 1


@pytest.mark.slow
def test_a_broken_linter_pool_falls_back_to_cfn_lint_as_shipped(tmp_path: Path, maple, monkeypatch):
    """The worker dies (BrokenProcessPool): the tenant is linted in this process with cfn-lint
    as shipped, the findings are those of a healthy run, and one warning line says so."""

    def add_tenant_with_a_lint_finding(real_add_tenant, app, config):
        from aws_cdk import CfnResource

        stacks = real_add_tenant(app, config)
        CfnResource(stacks.primary, "Misspelt", type="AWS::SNS::Topic", properties={"TopicNam": "x"})
        return stacks

    wrap_add_tenant(monkeypatch, add_tenant_with_a_lint_finding)
    (healthy,) = synth_tenants([maple], tmp_path / "healthy", workers=1)

    monkeypatch.setattr(lint_pool, "LINT_JOB", crash)
    warnings: list[str] = []
    (fallback,) = synth_tenants([maple], tmp_path / "broken", workers=1, on_warning=warnings.append)

    assert fallback.findings == healthy.findings
    assert any(f.startswith("cfn-lint tenant-maple-ca-primary: E3002") for f in fallback.findings)
    (warning,) = warnings
    assert warning.startswith("cfn-lint worker failed (BrokenProcessPool")
    assert warning.endswith("linting in this process with cfn-lint as shipped")
    assert "\n" not in warning


def test_the_synth_and_compliance_packages_import_without_aws_cdk():
    """A fully cached run must not start jsii: neither package may import it at module level."""
    import subprocess
    import sys

    probe = (
        "import sys, tenantkit.synth, tenantkit.compliance, tenantkit.compliance.cfn_lint; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii', 'cdk_nag', 'cfnlint')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout
