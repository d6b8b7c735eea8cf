"""Offboarding's refusals (no AWS needed): wrong confirmation, before the deadline, --force without
a reason, no subscription end; and `offboard start` editing only `ends_on`, comments kept."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.config import TenantConfig
from tenantkit.config.lifecycle import set_subscription_end
from tenantkit.lifecycle.offboarding.service import OffboardingRefused, check_may_destroy
from tenantkit.lifecycle.report import generate_keypair
from tests.conftest import EXAMPLE_CONFIGS

TODAY = date(2026, 11, 30)


def _config(tenant_data, **subscription):
    return TenantConfig.model_validate({**tenant_data, "subscription": subscription})


@pytest.fixture
def key(tmp_path):
    return generate_keypair(tmp_path / "keys")[0]


def test_the_confirmation_must_repeat_the_tenant_id(tenant_data, key):
    config = _config(tenant_data, ends_on="2026-01-01")
    for wrong in (None, "", "acme", "acme-corp "):
        with pytest.raises(OffboardingRefused, match="--confirm must repeat the tenant id"):
            check_may_destroy(config, signing_key=key, confirm=wrong, force=False, reason=None, today=TODAY)
    check_may_destroy(config, signing_key=key, confirm="acme-corp", force=False, reason=None, today=TODAY)


def test_refused_before_the_deadline_unless_forced_with_a_reason(tenant_data, key):
    config = _config(tenant_data, ends_on="2026-10-31", retrieval_days=30)  # deadline 2026-11-30: today still retrievable
    with pytest.raises(OffboardingRefused, match="retrievable until 2026-11-30"):
        check_may_destroy(config, signing_key=key, confirm="acme-corp", force=False, reason=None, today=TODAY)
    for reason in (None, "", "   "):
        with pytest.raises(OffboardingRefused, match="--force needs --reason"):
            check_may_destroy(config, signing_key=key, confirm="acme-corp", force=True, reason=reason, today=TODAY)
    check_may_destroy(config, signing_key=key, confirm="acme-corp", force=True, reason="customer asked for deletion (ticket 42)", today=TODAY)
    check_may_destroy(config, signing_key=key, confirm="acme-corp", force=False, reason=None, today=date(2026, 12, 1))


def test_refused_without_a_subscription_end(tenant_data, key):
    with pytest.raises(OffboardingRefused, match="offboard start acme-corp --ends-on DATE"):
        check_may_destroy(_config(tenant_data), signing_key=key, confirm="acme-corp", force=True, reason="x", today=TODAY)


def test_start_changes_only_ends_on_and_keeps_every_comment(tmp_path):
    for tenant in ("maple-ca", "northwind-us"):  # one with ends_on, one without
        path = tmp_path / f"{tenant}.yaml"
        shutil.copy(EXAMPLE_CONFIGS / f"{tenant}.yaml", path)
        before = path.read_text(encoding="utf-8").splitlines()
        config = set_subscription_end(path, date(2026, 8, 1))
        after = path.read_text(encoding="utf-8").splitlines()
        assert config.subscription.ends_on == date(2026, 8, 1)
        changed = [line for line in after if line not in before]
        assert [line.split("#")[0].strip() for line in changed] == ["ends_on: 2026-08-01"]
        assert [line for line in before if line not in after] == [line for line in before if line.strip().startswith("ends_on:")]


def test_the_cli_refuses_in_one_line_and_writes_nothing(tmp_path, monkeypatch):
    configs = tmp_path / "tenant_configs"
    configs.mkdir()
    shutil.copy(EXAMPLE_CONFIGS / "maple-ca.yaml", configs)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    key = tmp_path / "no-such.pem"
    result = runner.invoke(app, ["offboard", "execute", "maple-ca", "--local", "--confirm", "maple-cab", "--signing-key", str(key)])
    assert result.exit_code == 1 and "--confirm must repeat the tenant id" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["offboard", "start", "maple-ca", "--ends-on", "2026-13-01"])
    assert result.exit_code == 2 and "--ends-on: '2026-13-01' is not a date" in result.output
    result = runner.invoke(app, ["offboard", "start", "nobody", "--ends-on", "2026-08-01"])
    assert result.exit_code == 1 and "no tenant file for: nobody" in result.output
    assert not (tmp_path / ".tenantkit" / "offboarding").exists() and not (tmp_path / "reports").exists()


def test_a_reopened_journal_keeps_the_destruction_order(tmp_path):
    """The journal's JSON has sorted keys; the order of destruction must not: the replica stack
    before the primary before the dr stack, a log bucket after the bucket it logs."""
    from tenantkit.lifecycle.offboarding.resources import Target
    from tenantkit.lifecycle.offboarding.run import Journal

    found = [
        Target("bucket", "us-east-1", "t-data-1-us-east-1", "arn:aws:s3:::t-data-1-us-east-1"),
        Target("bucket", "us-east-1", "t-logs-1-us-east-1", "arn:aws:s3:::t-logs-1-us-east-1"),
        Target("bucket", "us-west-2", "t-dr-1-us-west-2", "arn:aws:s3:::t-dr-1-us-west-2"),
        Target("stack", "us-west-2", "tenant-t-replica", "arn:replica"),
        Target("stack", "us-east-1", "tenant-t-primary", "arn:primary"),
        Target("stack", "us-west-2", "tenant-t-dr", "arn:dr"),
    ]
    journal = Journal.open(tmp_path / "t.json", tenant_id="t", environment="sandbox")
    for target in reversed(found[3:]):  # kinds out of order: the kind order still comes first
        journal.add(target)
    for target in found[:3]:
        journal.add(target)
    journal.save()
    reopened = Journal.open(tmp_path / "t.json", tenant_id="t", environment="sandbox")
    assert [t.name for t in reopened.targets()] == [t.name for t in found[:3]] + ["tenant-t-dr", "tenant-t-primary", "tenant-t-replica"]
    with pytest.raises(Exception, match="not t in aws:1"):
        Journal.open(tmp_path / "t.json", tenant_id="t", environment="aws:1")


def test_a_bad_signing_key_stops_execute_before_anything_with_one_line(tmp_path, monkeypatch):
    """The key is read before anything is destroyed: before a journal exists, the refusal is the
    only line (no "nothing done is lost" for a run that never started); once a run has written
    its journal, the line that follows says that the journal keeps what is done."""
    from tenantkit.lifecycle.offboarding import service

    configs = tmp_path / "tenant_configs"
    configs.mkdir()
    shutil.copy(EXAMPLE_CONFIGS / "maple-ca.yaml", configs)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(service, "environment", lambda config, **_: object())  # no AWS: the key is read first
    key = tmp_path / "not-a-key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
    command = ["offboard", "execute", "maple-ca", "--local", "--confirm", "maple-ca", "--signing-key", str(key),
               "--force", "--reason", "test"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert [line for line in result.output.splitlines() if line.strip()] == [f"error: {key}: not a PEM private key"]
    journal = service.journal_path(tmp_path / ".tenantkit", "maple-ca")
    assert not journal.exists() and not (tmp_path / "reports").exists()

    journal.parent.mkdir(parents=True)
    journal.write_text("{}")  # an interrupted run's journal
    result = CliRunner().invoke(app, command)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 1 and "nothing done is lost" in lines[0] and "maple-ca.json" in lines[0]
    assert lines[1:] == [f"error: {key}: not a PEM private key"]


def test_a_wrong_signing_key_is_found_on_any_day_not_first_on_the_day_of_destruction(tmp_path, monkeypatch):
    """Before the retrieval deadline (no --force), `execute` already says the key is wrong; with
    the right key the same command is refused for the deadline, and nothing is done either way."""
    from tenantkit.lifecycle.offboarding import service

    configs = tmp_path / "tenant_configs"
    configs.mkdir()
    text = (EXAMPLE_CONFIGS / "maple-ca.yaml").read_text(encoding="utf-8")
    assert "ends_on: 2026-10-31" in text
    (configs / "maple-ca.yaml").write_text(text.replace("ends_on: 2026-10-31", f"ends_on: {date.today().isoformat()}"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def no_environment(config, **_):
        raise AssertionError("refused before any AWS session is made")

    monkeypatch.setattr(service, "environment", no_environment)
    wrong = tmp_path / "reports.pub.pem"
    private, public = generate_keypair(tmp_path / "keys")
    wrong.write_bytes(public.read_bytes())  # the public key given where the private one belongs
    command = ["offboard", "execute", "maple-ca", "--local", "--confirm", "maple-ca", "--signing-key"]
    result = CliRunner().invoke(app, [*command, str(wrong)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert [line for line in result.output.splitlines() if line.strip()] == [
        f"error: {wrong}: is a public key; signing needs the private key"
    ]
    result = CliRunner().invoke(app, [*command, str(private)])
    assert result.exit_code == 1 and "retrievable until" in result.output, result.output
    assert not (tmp_path / ".tenantkit").exists() and not (tmp_path / "reports").exists()
