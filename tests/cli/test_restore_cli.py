"""`tenantkit restore start | list | discard` and `tenantkit drill` at the edge: every refusal is one
line and exit 1, decided before anything is looked up or made (no sandbox is running here, so a
request that got as far as the environment would say so instead); a restore is printed with
what it made, the data's age and how long it took."""

from __future__ import annotations

import shutil

import pytest
from moto import mock_aws
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.lifecycle.restore import Environment, Restored, RestoreResult, Store
from tests.conftest import EXAMPLE_CONFIGS

runner = CliRunner()
TENANT = "northwind-us"


@pytest.fixture
def configs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .tenantkit/ here: no sandbox, no journal
    directory = tmp_path / "tenant_configs"
    directory.mkdir()
    shutil.copy(EXAMPLE_CONFIGS / f"{TENANT}.yaml", directory)
    return directory


def _run(configs, *args):
    result = runner.invoke(app, [*args, "--dir", str(configs)])
    return result.exit_code, result.output.strip()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["restore", "start", "nobody", "--latest"], "no tenant file for: nobody"),
        (["restore", "start", TENANT], "say what to restore: exactly one of --to TIME, --recovery-point ARN, --latest"),
        (["restore", "start", TENANT, "--latest", "--to", "2026-12-01T00:00:00Z"], "exactly one of --to TIME"),
        (["restore", "start", TENANT, "--to", "yesterday"], "--to 'yesterday' is not a time like 2026-12-07T01:00:00Z"),
        (["restore", "start", TENANT, "--to", "2026-12-01T00:00:00"], "needs a time zone"),
        (["restore", "start", TENANT, "--latest", "--region", "tertiary"], "--region must be primary or secondary, not 'tertiary'"),
        (["restore", "start", TENANT, "--latest", "--store", "everything"], "--store must be database, files or all"),
        (["restore", "start", TENANT, "--latest", "--as", "my-restore"], "--as 'my-restore': a restore name is a letter"),
        (["restore", "start", TENANT, "--latest", "--local"], "the sandbox is not running: `tenantkit sandbox up` first"),
        (["restore", "list", "nobody"], "no tenant file for: nobody"),
        (["restore", "discard", "nobody", "r1"], "no tenant file for: nobody"),
        (["drill", "nobody", "--signing-key", "key.pem"], "no tenant file for: nobody"),
        (["drill", TENANT, "--signing-key", "absent.pem"], "absent.pem"),
    ],
)
def test_refusals_are_one_line_and_exit_1(configs, args, message):
    code, output = _run(configs, *args)
    assert code == 1 and len(output.splitlines()) == 1 and output.startswith("error: ") and message in output, output


def test_a_tenant_in_offboarding_is_refused(configs, tmp_path):
    (tmp_path / ".tenantkit" / "offboarding").mkdir(parents=True)
    (tmp_path / ".tenantkit" / "offboarding" / f"{TENANT}.json").write_text("{}")
    for args in (["restore", "start", TENANT, "--latest"], ["drill", TENANT, "--signing-key", "k.pem"]):
        code, output = _run(configs, *args)
        assert (code, output) == (1, f"error: {TENANT} is being offboarded (.tenantkit/offboarding/{TENANT}.json): nothing restored"), output


def test_a_tenant_past_its_retrieval_deadline_is_refused(configs):
    path = configs / f"{TENANT}.yaml"
    path.write_text(path.read_text().replace("subscription:\n", "subscription:\n  ends_on: 2020-01-31\n", 1))
    code, output = _run(configs, "restore", "start", TENANT, "--latest")
    assert code == 1 and output.endswith("has passed: nothing restored") and "2020-03-31" in output, output


def test_a_tenant_in_its_retrieval_window_may_restore(configs, monkeypatch):
    from datetime import date, timedelta

    path = configs / f"{TENANT}.yaml"
    ended = (date.today() - timedelta(days=5)).isoformat()
    path.write_text(path.read_text().replace("subscription:\n", f"subscription:\n  ends_on: {ended}\n", 1))
    code, output = _run(configs, "restore", "start", TENANT, "--latest", "--local")
    assert (code, output) == (1, "error: the sandbox is not running: `tenantkit sandbox up` first")  # got past the refusals


def test_a_restore_prints_what_it_made_the_data_age_and_the_time_taken(configs, monkeypatch):
    made = "arn:aws:rds:us-east-1:123456789012:db:tkrestore-northwind-us-before"
    point = "arn:aws:rds:us-east-1:123456789012:snapshot:awsbackup:job-1"
    restored = Restored(Store.DATABASE, "us-east-1", made, point, "2026-12-01T09:10:00Z", "2026-12-01T09:30:00Z",
                        "2026-12-01T09:42:00Z", 720.0)  # fmt: skip
    requests = []
    monkeypatch.setattr("tenantkit.lifecycle.restore.environment", lambda config, **kw: Environment("sandbox", "123456789012", None))
    monkeypatch.setattr(
        "tenantkit.lifecycle.restore.start_restore",
        lambda config, env, request: requests.append(request) or RestoreResult(TENANT, request.name, (restored,), "2026-12-01T09:30:00Z"),
    )
    with mock_aws():  # the tenant's state is read (and its lock taken) in its account
        code, output = _run(configs, "restore", "start", TENANT, "--recovery-point", point, "--as", "before", "--store", "database")
    assert code == 0, output
    (request,) = requests
    assert (request.name, request.recovery_point, request.stores, request.region) == ("before", point, (Store.DATABASE,), "us-east-1")
    assert made in output and point in output and "20 min 0 s" in output and "720.0 s" in output
    assert output.endswith(f"`tenantkit restore discard {TENANT} before` deletes them")
