"""The synth service: one result per tenant, failures contained, findings reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.compliance.assembly import validation_findings
from tenantkit.config import TenantConfig, load_tenants
from tenantkit.naming import stack_names
from tenantkit.synth import synth_tenants
from tests.conftest import with_cdk_warning, wrap_add_tenant

EXAMPLES = Path(__file__).resolve().parents[2] / "tenant_configs"


@pytest.fixture(scope="module")
def maple() -> TenantConfig:
    (config,) = [c for c in load_tenants([EXAMPLES]) if c.tenant_id == "maple-ca"]
    return config


def _renamed(config: TenantConfig, tenant_id: str) -> TenantConfig:
    return TenantConfig.model_validate({**config.model_dump(mode="json"), "tenant_id": tenant_id})


def test_a_failing_tenant_does_not_stop_the_others(tmp_path, maple, monkeypatch):
    def add_tenant(real_add_tenant, app, config):
        if config.tenant_id == "broken-one":
            raise ValueError("props problem for broken-one")
        return real_add_tenant(app, config)

    wrap_add_tenant(monkeypatch, add_tenant)
    progress: list[str] = []
    broken = _renamed(maple, "broken-one")
    results = synth_tenants([broken, maple], tmp_path, on_progress=progress.append, lint=False)

    assert [r.tenant_id for r in results] == ["broken-one", "maple-ca"] == progress
    assert results[0].error == "ValueError: props problem for broken-one" and not results[0].ok
    assert results[1].ok, results[1].findings
    assert results[1].stacks == stack_names("maple-ca")
    assert results[1].resources > 50
    assert (tmp_path / "maple-ca" / "tenant-maple-ca-primary.template.json").is_file()


def test_an_unacknowledged_cdk_nag_finding_fails_the_tenant(tmp_path, maple, monkeypatch):
    import tenantkit.constructs._acknowledge as acknowledge_module

    class IgnoreAcknowledgments:
        @staticmethod
        def of(_scope):
            return IgnoreAcknowledgments()

        def acknowledge(self, *_rules):
            pass

    monkeypatch.setattr(acknowledge_module, "Validations", IgnoreAcknowledgments)
    (result,) = synth_tenants([maple], tmp_path, lint=False)

    assert result.error is None and not result.ok
    assert any(f.startswith("AwsSolutions-RDS11 at tenant-maple-ca-primary/Database/Instance") for f in result.findings)


def test_a_broken_isolation_rule_is_a_finding(tmp_path, maple, monkeypatch):
    import tenantkit.compliance.validation as validation
    from tenantkit.compliance import RuleResult

    def check_tenant(assembly):
        return [RuleResult.of("always-fails", ["tenant-maple-ca-primary/DataBucketBD860FE1: found it"])]

    monkeypatch.setattr(validation, "check_tenant", check_tenant)
    (result,) = synth_tenants([maple], tmp_path, lint=False)
    (finding,) = result.findings
    assert finding.startswith("always-fails at ")
    assert finding.endswith("tenant-maple-ca-primary/DataBucketBD860FE1: found it")


def test_example_tenant_is_cfn_lint_clean(tmp_path, maple):
    (result,) = synth_tenants([maple], tmp_path, lint=True)
    assert result.ok, result.findings


def test_nag_findings_are_read_from_the_validation_report(tmp_path):
    report = tmp_path / "validation-report.json"
    report.write_text(
        '{"pluginReports": [{"pluginName": "AwsSolutions", "violations": [{"ruleName": "AwsSolutions-S1",'
        ' "description": "The S3 Bucket has server access logs disabled.\\nmore", "violatingConstructs":'
        ' [{"constructPath": "s/B/Resource"}]}]}]}'
    )
    assert validation_findings(tmp_path) == [
        "AwsSolutions-S1 at s/B/Resource: The S3 Bucket has server access logs disabled."
    ]


def test_a_cdk_warning_is_a_finding(tmp_path, maple, monkeypatch):
    """What `cdk synth` would print as a warning is a finding, with the construct's path."""
    wrap_add_tenant(monkeypatch, with_cdk_warning("something to object to"))
    (result,) = synth_tenants([maple], tmp_path, lint=False)
    assert not result.ok
    (finding,) = result.findings
    assert finding.startswith("CDK warning at /tenant-maple-ca-primary: something to object to")


def test_cross_stack_reference_strength_is_chosen_not_defaulted(tmp_path, maple, monkeypatch):
    """Without the explicit strong-reference flag, CDK warns on the replica stack (which reads
    the DR key from the dr stack); tenantkit sets it, so there is nothing to warn about."""
    from tenantkit.stacks import app_context

    (result,) = synth_tenants([maple], tmp_path / "with", lint=False)
    assert result.ok, result.findings
    flags = {k: v for k, v in app_context.feature_flags().items() if k != "@aws-cdk/core:defaultCrossStackReferences"}
    monkeypatch.setattr(app_context, "feature_flags", lambda: flags)
    (result,) = synth_tenants([maple], tmp_path / "without", lint=False)
    assert any("cross-stack-reference strength" in f for f in result.findings), result.findings


@pytest.mark.parametrize(
    ("tenant_ids", "whole_fleet"),
    [((), False), (("maple-ca",), False), (("maple-ca",), True)],
    ids=["every tenant", "one tenant", "one tenant of a shard"],
)
def test_cached_templates_asks_the_cache_for_the_entries_the_synth_would_restore(tmp_path, monkeypatch, tenant_ids, whole_fleet):
    """deploy's unchanged check reads the very entries `synth_directory` restores: same keys for
    the same request (the isolation rules' fleet is a key part), nothing synthesized or restored."""
    from tenantkit.config import validate_paths
    from tenantkit.synth import SynthCache, cached_templates, synth_directory
    from tenantkit.synth.cache import CachedTenant

    cache = SynthCache(tmp_path / "cache", project_dir=tmp_path)
    restored: list[tuple[str, str]] = []
    read: list[tuple[str, str]] = []

    def restore(tenant_id, key, _assembly_dir):
        restored.append((tenant_id, key))
        return CachedTenant(stack_names(tenant_id), 1, ())

    def templates(tenant_id, key):
        read.append((tenant_id, key))
        return ((f"tenant-{tenant_id}-primary", "us-east-1", tenant_id),) if tenant_id != "northwind-us" else None

    monkeypatch.setattr(cache, "restore", restore)
    monkeypatch.setattr(cache, "templates", templates)
    synth_directory(EXAMPLES, list(tenant_ids), tmp_path / "out", cache=cache, whole_fleet=whole_fleet, root=tmp_path)
    asked = list(restored)
    found = cached_templates(validate_paths([EXAMPLES]).configs, list(tenant_ids), cache, whole_fleet=whole_fleet, root=tmp_path)
    assert read == asked and asked
    assert restored == asked  # nothing restored by the check
    assert set(found) == {tenant_id for tenant_id, _ in asked} - {"northwind-us"}
