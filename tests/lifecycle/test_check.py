"""`tenantkit check`: every step for every tenant, a broken tenant file reported as its own case,
JUnit XML with one test case per tenant and step."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ElementTree

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.lifecycle.baseline_local import BASELINE_RESULT
from tests.conftest import EXAMPLE_CONFIGS

pytestmark = pytest.mark.slow


def test_check_runs_every_step_and_writes_junit(tmp_path):
    configs = tmp_path / "tenants"
    configs.mkdir()
    shutil.copy(EXAMPLE_CONFIGS / "maple-ca.yaml", configs)
    (configs / "broken-co.yaml").write_text("tenant_id: broken-co\n")
    junit = tmp_path / "junit.xml"
    result = CliRunner().invoke(
        app, ["check", "--dir", str(configs), "--out", str(tmp_path / "out"), "--junit", str(junit)]
    )
    assert result.exit_code == 1, result.output  # the broken file fails its validate case
    suites = {suite.get("name"): suite for suite in ElementTree.parse(junit).getroot()}
    assert list(suites) == ["validate", "synth", "compliance", "deploy", "inventory"]
    cases = {(name, case.get("name")): case for name, suite in suites.items() for case in suite}
    for step in suites:
        assert cases[(step, "maple-ca")].find("failure") is None, step  # deployed and inventoried
    failed = cases[("validate", "broken-co")].find("failure")
    assert failed is not None and "required field is missing" in failed.text
    for step in ("synth", "compliance", "deploy", "inventory"):  # skipped after its failure, one case each
        assert cases[(step, "broken-co")].find("skipped") is not None, step
    # the baseline stacks (audit trails of maple-ca's regions): synthesized, checked, deployed
    baseline = [("synth", BASELINE_RESULT), ("compliance", BASELINE_RESULT), ("deploy", BASELINE_RESULT)]
    for key in baseline:
        assert cases[key].find("failure") is None, key
    assert len(cases) == 2 * len(suites) + len(baseline)
