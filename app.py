"""The CDK app of every tenant: what `cdk synth` and `cdk deploy 'tenant-acme-*'` run.

    cdk synth                       # every tenant in tenant_configs/
    cdk synth -c tenant=maple-ca    # one tenant's three stacks
    cdk deploy 'tenant-maple-ca-*'  # dr, then primary, then replica (stack dependencies)

cdk.json runs this file with `.venv/bin/python app.py`: the CDK CLI starts the app with a shell
from the project root, where a bare `python3` would be the system interpreter without our
dependencies (and `python` may not exist at all). If your virtualenv lives elsewhere, run
`cdk --app "<your python> app.py" ...`.

Environment and context are read here and nowhere else:
- `-c tenant=<id>` selects one tenant (default: all), and the baseline stacks (audit trail) of its
  accounts and regions, built from every tenant there;
- `-c tenant_configs=<dir>` reads tenant files from another directory (default tenant_configs/);
- every synth runs the cdk-nag packs, our tenant-isolation rules and cfn-lint (tenantkit.compliance.nag);
- real availability-zone names are seeded for tenants with an account (a `cdk context` lookup
  recorded in cdk.context.json wins), so no template carries CDK's `dummy1a` placeholders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tenantkit.jsii_node import ensure_jsii_node

ensure_jsii_node()

import aws_cdk as cdk  # noqa: E402  (jsii must start on the wheel's Node, set just above)

from tenantkit.compliance.nag import add_compliance_checks  # noqa: E402
from tenantkit.config import DEFAULT_CONFIG_DIR, ConfigError, load_tenants  # noqa: E402
from tenantkit.config.fleet import load_fleet  # noqa: E402
from tenantkit.stacks.app_context import tenant_app_context  # noqa: E402
from tenantkit.stacks.baseline import add_baselines  # noqa: E402
from tenantkit.stacks.extensions import ExtensionError, load_extensions  # noqa: E402
from tenantkit.stacks.tenant import add_tenant  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    app = cdk.App()
    selected = app.node.try_get_context("tenant")
    config_dir = Path(app.node.try_get_context("tenant_configs") or HERE / DEFAULT_CONFIG_DIR)
    try:
        configs = load_tenants([config_dir])
        settings = load_fleet(HERE)
        extensions = load_extensions(settings.extensions, HERE)
    except ConfigError as error:
        sys.exit(f"tenant or fleet files have problems:\n{error}")
    except ExtensionError as error:
        sys.exit(str(error))
    fleet = configs
    if selected:
        configs = [config for config in configs if config.tenant_id == selected]
        if not configs:
            sys.exit(f"{config_dir}: no tenant '{selected}'")
    for key, value in tenant_app_context(configs).items():
        if app.node.try_get_context(key) is None:  # cdk.json, cdk.context.json and -c win
            app.node.set_context(key, value)
    add_baselines(app, fleet, only_for=configs)  # the audit trail of each account and region
    for config in configs:
        add_tenant(app, config, extensions, operator_topics=settings.operator_topics(config.residency))
    add_compliance_checks(app, configs)
    app.synth()


if __name__ == "__main__":
    main()
