"""The README's quick start is two commands, and CI runs the second one exactly as written."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_the_quick_start_is_two_commands_from_a_fresh_virtualenv():
    main_job, tests = _quick_start()
    assert main_job.startswith("python3 -m venv .venv && ")
    assert tests.startswith("python3 -m venv .venv && ")
    assert "ruff check" in tests and "-m pytest" in tests
    for command, lock in ((main_job, "sandbox"), (tests, "test")):
        # uv from its own lock (pip checks the hashes), then the environment's lock through uv
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install -q --require-hashes -r requirements/uv.lock && ")
        assert (
            f"uv pip install -q --compile-bytecode --python .venv/bin/python --require-hashes -r requirements/{lock}.lock"
            " && .venv/bin/uv pip install -q --python .venv/bin/python --no-deps -e ." in command
        )
    assert "--python .venv-checkov/bin/python --require-hashes -r requirements/checkov.lock" in tests
    assert tests.index("ruff check") < tests.index("mypy") < tests.index("-m pytest")
    assert "--dist loadscope" in tests  # a module's sandbox starts once, on one worker


def test_ci_runs_the_readmes_test_command():
    extracted = subprocess.run(
        ["awk", r"/^# 2\./ {getline; print; exit}", "README.md"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert extracted == _quick_start()[1]
    assert "README.md" in (REPO_ROOT / ".ci" / "run").read_text()


def test_the_offboarding_walkthrough_uses_commands_that_exist():
    """Each `tenantkit ...` line of the offboarding walkthrough names a real command and options
    (checked with --help, no AWS and no sandbox needed)."""
    from typer.testing import CliRunner

    from tenantkit.cli.main import app

    section = README.split("## Offboarding", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    lines = [line.split("#")[0].split() for line in block.splitlines() if line.strip()]
    assert [words[1:3] for words in lines][:6] == [
        ["report", "keygen"], ["sandbox", "backup-now"], ["offboard", "start"], ["offboard", "status"], ["offboard", "plan"], ["offboard", "execute"],
    ]
    runner = CliRunner()
    for words in lines:
        command = [w for w in words[1:] if not w.startswith("-")][:2]
        help_text = runner.invoke(app, [*command, "--help"]).output
        for option in (w for w in words if w.startswith("--")):
            assert option in help_text, (words, option)
