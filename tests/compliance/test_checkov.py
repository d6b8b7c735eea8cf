"""checkov, as security leads run it, finds nothing in the templates of every example and varied
tenant and of their baseline stacks: each real finding was fixed; each that does not apply is skipped on its resource with the
reason (`tenantkit.constructs._checkov.skip_checkov`, called by the construct that owns it).

checkov lives in its own virtualenv (`.venv-checkov/`, installed by the README's test command):
its pins (boto3==1.35.49, packaging<24, networkx<2.7) conflict with tenantkit's and pytest's.
It runs offline (`--skip-download`, `BC_SKIP_MAPPING`), once over every template.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CONFIGS, REPO_ROOT

VARIED = REPO_ROOT / "tests" / "fixtures" / "varied_tenants"
INSTALL = "python3 -m venv .venv-checkov && .venv-checkov/bin/pip install -q --require-hashes -r requirements/checkov.lock"


def _checkov() -> str | None:
    for candidate in (os.environ.get("CHECKOV"), REPO_ROOT / ".venv-checkov" / "bin" / "checkov"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("checkov")


CHECKOV = _checkov()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHECKOV is None, reason=f"checkov is not installed: {INSTALL}"),
]


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> list[Path]:
    from aws_cdk import App

    from tenantkit.config import load_tenants
    from tenantkit.stacks.app_context import tenant_app_context
    from tenantkit.stacks.baseline import add_baselines
    from tenantkit.stacks.tenant import add_tenant

    configs = load_tenants([path for path in (EXAMPLE_CONFIGS, VARIED) if path.is_dir()])
    outdir = tmp_path_factory.mktemp("checkov")
    app = App(outdir=str(outdir), context=tenant_app_context(configs), analytics_reporting=False)
    for config in configs:
        add_tenant(app, config)
    add_baselines(app, configs)  # the audit trail of each account and region, as synth writes it
    app.synth()
    return sorted(outdir.glob("*.template.json"))


def test_checkov_reports_no_failed_check(templates: list[Path]) -> None:
    assert len(templates) >= 12, templates
    command = [CHECKOV, "--framework", "cloudformation", "--compact", "--quiet", "-o", "json", "--skip-download"]
    for template in templates:
        command += ["-f", str(template)]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=900, env={**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    )
    assert result.returncode in (0, 1), f"checkov crashed (exit {result.returncode}):\n{result.stderr[-3000:]}"
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    parsed = sum(report.get("summary", {}).get("resource_count", 0) for report in reports)
    assert parsed > 300, f"checkov parsed only {parsed} resources"
    failed = [check for report in reports for check in report.get("results", {}).get("failed_checks", [])]
    assert not failed, "\n".join(
        f"{c['check_id']} {c['check_name']}: {c['resource']} ({Path(c['file_path']).name})" for c in failed
    )


def test_every_skip_gives_its_reason(templates: list[Path]) -> None:
    skips = [
        skip
        for template in templates
        for resource in json.loads(template.read_text())["Resources"].values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    assert all(len(skip.get("comment", "")) > 40 for skip in skips), skips
