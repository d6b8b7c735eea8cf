"""The tenant-isolation validation plugin fails a synth that breaks a rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.compliance import RuleResult
from tenantkit.config import load_tenants

EXAMPLES = Path(__file__).resolve().parents[2] / "tenant_configs"


def test_a_broken_rule_fails_the_synth(tmp_path, monkeypatch):
    from aws_cdk import App

    import tenantkit.compliance.validation as validation
    from tenantkit.compliance.nag import add_compliance_checks
    from tenantkit.stacks.app_context import tenant_app_context
    from tenantkit.stacks.tenant import add_tenant

    monkeypatch.setattr(
        validation, "check_tenant", lambda assembly: [RuleResult.of("always-fails", ["tenant-maple-ca-dr: no"])]
    )
    configs = [c for c in load_tenants([EXAMPLES]) if c.tenant_id == "maple-ca"]
    app = App(outdir=str(tmp_path), context=tenant_app_context(configs))
    add_tenant(app, configs[0])
    add_compliance_checks(app, configs, lint=False)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    assert "TenantIsolation" in (tmp_path / "validation-report.json").read_text()
