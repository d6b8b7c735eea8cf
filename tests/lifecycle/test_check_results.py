"""`tenantkit check`'s results, fast: one JUnit case per tenant and step with that tenant's own
time, a tenant's later steps skipped after a failure, and the in-process sandbox's tracebacks in
its log file, never on the console. (The whole check, deployed for real: test_check.py.)"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree

from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.config import validate_paths
from tenantkit.lifecycle import check
from tenantkit.lifecycle.check import STEPS, junit_xml, run_check, throwaway_sandbox
from tests.conftest import EXAMPLE_CONFIGS


def _cases(xml: str) -> dict[tuple[str, str], ElementTree.Element]:
    root = ElementTree.fromstring(xml)
    cases = [(suite.get("name"), case) for suite in root for case in suite]
    keys = [(step, case.get("name")) for step, case in cases]
    assert len(keys) == len(set(keys)), f"duplicate cases: {keys}"
    return {(step, case.get("name")): case for step, case in cases}


def test_a_tenant_failing_validation_is_one_case_with_every_problem_and_its_later_steps_skipped(write_tenant, tenant_data, tmp_path):
    tenant_data["residency"] = "uk"
    tenant_data["access"]["allowed_countries"] = ["us"]
    broken = write_tenant(tenant_data)
    results = run_check(broken.parent, tmp_path / "out", sandbox_log=tmp_path / "sandbox.log")
    cases = _cases(junit_xml(results))
    assert set(cases) == {(step, "acme-corp") for step in STEPS}
    failure = cases[("validate", "acme-corp")].find("failure")
    problems = [str(issue) for issue in validate_paths([broken]).issues]
    assert len(problems) == 2 and failure is not None
    assert failure.text == "\n".join(problems)
    assert failure.get("message") == f"{problems[0]} (and 1 more)"
    for step in STEPS[1:]:
        skipped = cases[(step, "acme-corp")].find("skipped")
        assert skipped is not None and skipped.get("message") == "validate failed", step
    assert not (tmp_path / "out").exists()


def _synth_fails(configs, outdir, on_progress=None, **kwargs):
    """synth_tenants as when every tenant's CDK app raises: nothing written, one error each."""
    from tenantkit.synth import TenantSynthResult

    for config in configs:
        on_progress(config.tenant_id)
    return [TenantSynthResult(config.tenant_id, error="ValidationError: boom") for config in configs]


def test_each_validate_case_has_its_own_files_time(write_tenant, tenant_data, tmp_path, monkeypatch):
    import tenantkit.config

    reports = []

    def observed(paths):
        reports.append(validate_paths(paths))
        return reports[-1]

    monkeypatch.setattr(tenantkit.config, "validate_paths", observed)
    monkeypatch.setattr("tenantkit.synth.synth_tenants", _synth_fails)
    files = [write_tenant({**tenant_data, "tenant_id": tenant_id}) for tenant_id in ("acme-one", "acme-two")]
    results = run_check(files[0].parent, tmp_path / "out", sandbox_log=tmp_path / "sandbox.log")
    (report,) = reports
    validated = {r.tenant_id: r.seconds for r in results if r.step == "validate"}
    assert validated == {path.stem: report.seconds[str(path)] for path in files}
    assert sum(validated.values()) <= sum(report.seconds.values())  # shares of the step, not its total each


def test_work_done_one_tenant_after_another_is_timed_per_tenant():
    assert check._one_after_another(10.0, {"b": 14.5, "a": 12.0, "c": 15.0}) == {"a": 2.0, "b": 2.5, "c": 0.5}


def test_a_tenant_failing_synth_gets_skipped_compliance_deploy_and_inventory(monkeypatch, tmp_path):
    monkeypatch.setattr("tenantkit.synth.synth_tenants", _synth_fails)
    results = run_check(EXAMPLE_CONFIGS, tmp_path / "out", sandbox_log=tmp_path / "sandbox.log")
    cases = _cases(junit_xml(results))
    tenants = {config.tenant_id for config in validate_paths([EXAMPLE_CONFIGS]).configs}
    assert set(cases) == {(step, tenant) for step in STEPS for tenant in tenants}
    for tenant in tenants:
        assert cases[("synth", tenant)].find("failure").get("message") == "ValidationError: boom"
        for step in ("compliance", "deploy", "inventory"):
            assert cases[(step, tenant)].find("skipped").get("message") == "synth failed"


def test_the_table_does_not_repeat_a_skip_as_a_failure(write_tenant, tenant_data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tenant_data["residency"] = "uk"
    broken = write_tenant(tenant_data)
    result = CliRunner().invoke(app, ["check", "--dir", str(broken.parent), "--junit", str(tmp_path / "junit.xml")])
    assert result.exit_code == 1, result.output
    assert "acme-corp: validate: " in result.output
    assert "validate failed" not in result.output  # the skipped steps show as `skipped` cells only
    assert result.output.count("skipped") == len(STEPS) - 1


def _unknown_action(endpoint: str) -> int:
    """A request moto cannot serve (an action AWS does not have): moto raises, werkzeug answers 500."""
    request = urllib.request.Request(
        endpoint + "/",
        data=b"Action=TenantkitNoSuchAction&Version=2010-05-15",
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cloudformation/aws4_request, SignedHeaders=host, Signature=0",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        return urllib.request.urlopen(request).status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_sandbox_logs_its_tracebacks_to_its_file_not_the_console(tmp_path, capfd):
    werkzeug = logging.getLogger("werkzeug")
    before = (werkzeug.handlers[:], werkzeug.propagate, werkzeug.level)
    log_file = tmp_path / ".tenantkit" / "check-sandbox.log"
    with throwaway_sandbox(log_file) as (endpoint, _port):
        assert _unknown_action(endpoint) == 500
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "TenantkitNoSuchAction" not in out + err, err
    logged = log_file.read_text()
    assert "Error on request" in logged and "Traceback" in logged and "TenantkitNoSuchAction" in logged
    assert (werkzeug.handlers, werkzeug.propagate, werkzeug.level) == before
