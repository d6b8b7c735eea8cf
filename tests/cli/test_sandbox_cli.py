"""`tenantkit sandbox`: exit codes and lines, with the service patched at the boundary."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.sandbox import SandboxError, stop_sandbox
from tenantkit.sandbox.process import SandboxState, SandboxStatus

runner = CliRunner()


def test_up_prints_the_endpoint(monkeypatch):
    running = SandboxStatus(SandboxState.RUNNING, pid=42, port=5555)
    monkeypatch.setattr("tenantkit.sandbox.start_sandbox", lambda state_dir, port: (running, True))
    result = runner.invoke(app, ["sandbox", "up"])
    assert result.exit_code == 0, result.output
    assert "sandbox started: http://127.0.0.1:5555 (pid 42)" in result.output


def test_up_failure_is_one_line_and_exit_1(monkeypatch):
    def refuse(state_dir, port):
        raise SandboxError("port 5555 on 127.0.0.1 is in use; choose another with --port")

    monkeypatch.setattr("tenantkit.sandbox.start_sandbox", refuse)
    result = runner.invoke(app, ["sandbox", "up", "--port", "5555"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: sandbox: port 5555 on 127.0.0.1 is in use; choose another with --port"


def test_status_exits_1_when_not_running(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sandbox", "status", "--json"])
    assert result.exit_code == 1
    assert '"state": "not running"' in result.output


def test_down_without_a_sandbox_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sandbox", "down"])
    assert result.exit_code == 0
    assert result.output.strip() == "sandbox was not running"


def test_down_keeps_the_state_unless_discard(monkeypatch):
    running = SandboxStatus(SandboxState.RUNNING, pid=42, port=5555)
    asked = []
    monkeypatch.setattr("tenantkit.sandbox.stop_sandbox", lambda state_dir, discard: asked.append(discard) or running)
    kept = runner.invoke(app, ["sandbox", "down"])
    discarded = runner.invoke(app, ["sandbox", "down", "--discard"])
    assert asked == [False, True]
    assert kept.output.strip() == "sandbox stopped (pid 42, http://127.0.0.1:5555); its state is kept for the next `sandbox up`"
    assert discarded.output.strip() == "sandbox stopped (pid 42, http://127.0.0.1:5555); its state is discarded"


def _moto_reported_as(monkeypatch, reported: str) -> None:
    """The installed moto's version as importlib.metadata reports it, every other package as is."""
    import importlib.metadata

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: reported if name == "moto" else real(name))


def test_up_refuses_a_moto_the_extensions_were_not_written_for(tmp_path, monkeypatch):
    from tenantkit.sandbox.process import MOTO_VERSION

    monkeypatch.chdir(tmp_path)
    _moto_reported_as(monkeypatch, "5.2.6")
    try:
        result = runner.invoke(app, ["sandbox", "up"])
    finally:
        stop_sandbox(tmp_path / ".tenantkit")  # should the check ever let one start
    assert (result.exit_code, result.output.strip()) == (
        1,
        f"error: sandbox: moto 5.2.6 is installed, but the sandbox's extensions are written for moto {MOTO_VERSION}: "
        f"pip install 'moto[cloudformation,server]=={MOTO_VERSION}'",
    ), result.output
    assert not (tmp_path / ".tenantkit").exists()  # nothing started, nothing recorded


def test_the_installed_moto_is_the_one_the_extensions_were_written_for():
    from tenantkit.sandbox.process import require_supported_moto

    require_supported_moto()  # the test environment installs from the lock: the same release


def test_the_extensions_refuse_to_install_on_another_moto(monkeypatch):
    """`tenantkit check` and the sandbox server install them: the same refusal, before any patch."""
    from moto.cloudformation import parsing

    from tenantkit.sandbox.extensions import install

    _moto_reported_as(monkeypatch, "6.0.0")
    models_before = parsing.get_model_map()
    with pytest.raises(SandboxError, match=r"^moto 6\.0\.0 is installed, but the sandbox's extensions are written for moto "):
        install()
    assert parsing.get_model_map() is models_before  # the cached map was not rebuilt: nothing installed


def test_clock_without_a_sandbox_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["sandbox", "clock", "--advance-days", "31"])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "sandbox up` first" in result.output


def test_clock_adds_hours_and_minutes_to_the_days(monkeypatch):
    moved = []
    monkeypatch.setattr("tenantkit.sandbox.sandbox_clock", lambda _state_dir, days: moved.append(days) or days)
    result = CliRunner().invoke(app, ["sandbox", "clock", "--advance-days", "1", "--advance-hours", "4", "--advance-minutes", "30"])
    assert result.exit_code == 0, result.output
    assert moved == [pytest.approx(1 + 4.5 / 24)]
