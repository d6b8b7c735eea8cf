"""`tenantkit failover start | status | failback-plan` and `tenantkit export [urls]` at the edge: every refusal is one line and
exit 1, decided before anything is looked up (no sandbox runs here: a request that got as far as
the environment would say so instead); the failback plan is written from the tenant file."""

from __future__ import annotations

import pytest

from tenantkit.config import load_tenants
from tests.cli import test_restore_cli
from tests.cli.test_restore_cli import TENANT, _run

configs = test_restore_cli.configs  # the same fixture: a tenant directory, run from a directory with no .tenantkit/

REASON = ["--reason", "us-east-1 outage"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["failover", "start", "nobody", "--confirm", "nobody", *REASON], "no tenant file for: nobody"),
        (["failover", "start", TENANT, *REASON], f"--confirm missing: repeat the tenant id (--confirm {TENANT})"),
        (["failover", "start", TENANT, "--confirm", "northwind", *REASON], "--confirm 'northwind': repeat the tenant id"),
        (["failover", "start", TENANT, "--confirm", TENANT], "--reason is required"),
        (["failover", "start", TENANT, "--confirm", TENANT, "--reason", "  "], "--reason is required"),
        (["failover", "start", TENANT, "--confirm", TENANT, *REASON, "--local"], "the sandbox is not running"),
        (["failover", "status", "nobody"], "no tenant file for: nobody"),
        (["failover", "status", TENANT, "--local"], "the sandbox is not running"),
        (["failover", "failback-plan", "nobody"], "no tenant file for: nobody"),
        (["export", "nobody"], "no tenant file for: nobody"),
        (["export", "urls", "nobody"], "no tenant file for: nobody"),
        (["export", TENANT, "--as", "hand-back"], "--as 'hand-back': an export name is a letter"),
        (["export", "urls", TENANT, "extra"], "usage: tenantkit export TENANT | tenantkit export urls TENANT"),
        (["export", TENANT, "--local"], "the sandbox is not running"),
        (["export", "urls", TENANT, "--local"], "the sandbox is not running"),
    ],
)
def test_refusals_are_one_line_and_exit_1(configs, args, message):
    code, output = _run(configs, *args)
    assert code == 1 and len(output.splitlines()) == 1 and output.startswith("error: ") and message in output, output


def test_a_tenant_in_offboarding_is_refused(configs, tmp_path):
    (tmp_path / ".tenantkit" / "offboarding").mkdir(parents=True)
    (tmp_path / ".tenantkit" / "offboarding" / f"{TENANT}.json").write_text("{}")
    code, output = _run(configs, "failover", "start", TENANT, "--confirm", TENANT, *REASON, "--local")
    assert code == 1 and "is being offboarded" in output, output
    assert not (tmp_path / ".tenantkit" / "failover").exists()


def test_failback_plan_names_the_tenants_resources(configs, tmp_path):
    (config,) = load_tenants([configs])
    out = tmp_path / "failback.md"
    code, output = _run(configs, "failover", "failback-plan", TENANT, "--out", str(out))
    assert code == 0 and str(out) in output, output
    text = out.read_text()
    assert text.startswith(f"# Failback of {TENANT}: back to {config.primary_region}")
    for name in (f"tenantkit-{TENANT}-replica", f"{TENANT}-data-", f"{TENANT}-dr-", f"/tenantkit/{TENANT}/db-endpoint", config.secondary_region):
        assert name in text, name
    assert f"--backup-retention-period {config.backup.continuous_days}" in text
