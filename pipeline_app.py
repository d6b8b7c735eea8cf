"""The rollout pipeline app: what the pipelines' synth step runs (`cdk synth --app "python3 pipeline_app.py"`)
and what `tenantkit pipeline synth` builds in-process.

Context is read here and nowhere else: `-c tenant_configs=<dir>` (default tenant_configs/); the
project root (fleet.yaml) is this file's directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tenantkit.jsii_node import ensure_jsii_node

ensure_jsii_node()

import aws_cdk as cdk  # noqa: E402  (jsii must start on the wheel's Node, set just above)

from tenantkit.config import DEFAULT_CONFIG_DIR, ConfigError  # noqa: E402
from tenantkit.rollout.app import add_pipeline_checks, add_pipelines  # noqa: E402
from tenantkit.rollout.plan import PlanError  # noqa: E402
from tenantkit.rollout.service import load_rollout  # noqa: E402
from tenantkit.stacks.app_context import tenant_app_context  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    app = cdk.App()
    config_dir = Path(app.node.try_get_context("tenant_configs") or HERE / DEFAULT_CONFIG_DIR)
    try:
        rollout = load_rollout(HERE, config_dir)
        extensions = rollout.extensions()  # fleet.yaml's, added to every tenant's stage
    except ConfigError as error:
        sys.exit(f"tenant files or fleet.yaml have problems:\n{error}")
    except PlanError as error:
        sys.exit(str(error))
    for key, value in tenant_app_context(rollout.configs).items():
        if app.node.try_get_context(key) is None:
            app.node.set_context(key, value)
    add_pipeline_checks(add_pipelines(app, rollout.configs, rollout.settings, rollout.plan, extensions))
    app.synth()


if __name__ == "__main__":
    main()
