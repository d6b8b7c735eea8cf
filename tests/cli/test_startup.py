"""`tenantkit --help` and `tenantkit validate` must not import the heavy AWS libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import EXAMPLE_CONFIGS, REPO_ROOT

PROBE = """
import sys
sys.argv = ["tenantkit", *{args!r}]
from tenantkit.cli.main import app
try:
    app()
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("aws_cdk", "boto3", "botocore", "moto", "jsii"))
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["validate", str(EXAMPLE_CONFIGS)], ["list", "--dir", str(EXAMPLE_CONFIGS)], ["sandbox", "backup-now", "--help"]])
def test_command_does_not_import_aws_libraries(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )
    assert "HEAVY:\n" in result.stderr, result.stderr
