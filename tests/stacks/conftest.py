"""One synthesis of the four example tenants, shared by every test in tests/stacks/.

The app is built exactly as app.py builds it (seeded AZ context, cdk-nag packs); if any cdk-nag
finding were unacknowledged, `app.synth()` would raise here and every test would error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tenantkit.config import TenantConfig, load_tenants

EXAMPLES = Path(__file__).resolve().parents[2] / "tenant_configs"


@dataclass
class SynthesizedTenants:
    configs: dict[str, TenantConfig]
    app: object  # aws_cdk.App
    assembly: object  # aws_cdk.cx_api.CloudAssembly
    stacks: dict[str, object]  # tenant id -> TenantStacks
    _templates: dict

    def template(self, stack_name: str):
        """An `aws_cdk.assertions.Template` of one synthesized stack (built once, cached)."""
        from aws_cdk.assertions import Template

        if stack_name not in self._templates:
            self._templates[stack_name] = Template.from_json(
                self.assembly.get_stack_by_name(stack_name).template
            )
        return self._templates[stack_name]

    def raw(self, stack_name: str) -> dict:
        return self.assembly.get_stack_by_name(stack_name).template


def synthesize(directory: Path, outdir: Path) -> SynthesizedTenants:
    """Every tenant of `directory` in one app built as app.py builds it (seeded AZ context,
    cdk-nag packs, our rules): any unacknowledged finding makes `app.synth()` raise."""
    from aws_cdk import App

    from tenantkit.compliance.nag import add_compliance_checks
    from tenantkit.stacks.app_context import tenant_app_context
    from tenantkit.stacks.tenant import add_tenant

    configs = load_tenants([directory])
    app = App(outdir=str(outdir), context=tenant_app_context(configs), analytics_reporting=False)
    stacks = {config.tenant_id: add_tenant(app, config) for config in configs}
    add_compliance_checks(app, configs, lint=False)  # cfn-lint: tests/compliance, synth service
    return SynthesizedTenants(
        configs={config.tenant_id: config for config in configs},
        app=app,
        assembly=app.synth(),
        stacks=stacks,
        _templates={},
    )


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedTenants:
    return synthesize(EXAMPLES, tmp_path_factory.mktemp("cdk.out"))


@pytest.fixture(scope="session")
def maple(examples: SynthesizedTenants):
    """maple-ca: Canadian, account known, IPv4 + IPv6 allow-list, roaming allowed."""
    return examples.template("tenant-maple-ca-primary")
