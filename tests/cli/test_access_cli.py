"""`tenantkit access grant | log` at the edge: every refusal is one line and exit 1 (a bad --since,
exit 2), decided before anything is asked of AWS (no sandbox runs here, no AWS is reachable: a
request that got as far as the environment would say so instead); the credentials go to stdout
as export lines, everything else to stderr."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tenantkit.cli import access as access_cli
from tenantkit.lifecycle.access import Grant
from tests.cli import test_restore_cli
from tests.cli.test_restore_cli import TENANT, _run

configs = test_restore_cli.configs  # a tenant directory, run from a directory with no .tenantkit/
GRANT = ["access", "grant", TENANT, "--reason", "INC-42 restore check", "--by", "alice"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["access", "grant", "nobody", "--reason", "x", "--by", "a", "--minutes", "30", "--local"], "no tenant file for: nobody"),
        ([*GRANT, "--minutes", "61", "--local"], f"{TENANT}: --minutes must be 15 to 60 (access.break_glass_max_minutes of its file); got 61"),
        ([*GRANT, "--minutes", "30"], "--mfa-serial and --mfa-code are required against AWS"),
        ([*GRANT, "--minutes", "30", "--reason", "it's urgent", "--local"], "--reason may hold letters, digits, spaces"),
        ([*GRANT, "--minutes", "30", "--local"], "the sandbox is not running"),
        (["access", "log", "nobody"], "no tenant file for: nobody"),
        (["access", "log", TENANT, "--local"], "the sandbox is not running"),
    ],
)
def test_refusals_are_one_line_and_exit_1(configs, args, message):
    code, output = _run(configs, *args)
    assert code == 1 and len(output.splitlines()) == 1 and output.startswith("error: ") and message in output, output


def test_a_since_that_is_no_time_is_one_line_and_exit_2(configs):
    code, output = _run(configs, "access", "log", TENANT, "--since", "last week")
    assert code == 2 and output == "error: --since: 'last week' is not a date or time like 2026-12-01 or 2026-12-01T08:00Z", output


def test_the_credentials_are_export_lines_quoted_for_the_shell(capsys):
    granted = Grant(tenant_id=TENANT, role_arn="arn:aws:iam::111122223333:role/tenantkit/x/r", session_arn="arn", session_name="alice@1",
                    operator="alice", reason="INC-42", region="us-east-1", expires=datetime(2026, 12, 7, 8, 0, tzinfo=UTC),
                    access_key_id="ASIAEXAMPLE", secret_access_key="se/cr+et", session_token="to'ken", endpoint="http://localhost:5000")  # fmt: skip
    access_cli._granted(granted)
    out, err = capsys.readouterr()
    assert out.splitlines() == ["export AWS_ACCESS_KEY_ID=ASIAEXAMPLE", "export AWS_SECRET_ACCESS_KEY=se/cr+et",
                                "export AWS_SESSION_TOKEN='to'\"'\"'ken'", "export AWS_REGION=us-east-1",
                                "export AWS_ENDPOINT_URL=http://localhost:5000"]  # fmt: skip
    assert "se/cr+et" not in err and f"{TENANT}: break-glass session alice@1 until 2026-12-07 08:00 UTC" in err, err
