"""`tenantkit review` and `tenantkit residency` usage: errors are one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["review"], "name the tenant to review, or pass --from DIR"),
        (["review", "a", "b"], "name one tenant"),
        (["review", "maple-ca", "--format", "pdf"], "--format: 'pdf' is not one of md, html, json"),
        (["review", "approve", "maple-ca"], "approve: --by NAME is required"),
        (["review", "approve", "--by", "Ana"], "approve: name the tenant"),
        (["review", "maple-ca", "--by", "Ana"], "--by goes with approve"),
        (["review", "approve", "maple-ca", "--by", "Ana"], "approve: --signing-key PEM|kms:ARN is required"),
        (["review", "maple-ca", "--signing-key", "k.pem"], "--signing-key goes with approve"),
        (["review", "verify-approval"], "verify-approval: name the tenant"),
        (["review", "maple-ca", "--current"], "--current goes with verify-approval"),
        (["residency", "fr"], "residency: 'fr' is not one of us, ca, de"),
        (["residency", "--format", "json"], "--format: 'json' is not one of md, html"),
    ],
)
def test_usage_errors_exit_2_in_one_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_from_a_directory_that_is_not_an_assembly_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", "--from", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert f"{tmp_path}: not a cloud assembly (no manifest.json)" in result.output


def test_an_unknown_tenant_is_a_usage_error(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLE_CONFIGS

    result = runner.invoke(app, ["review", "nobody", "--dir", str(EXAMPLE_CONFIGS), "--cdk-out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "no tenant file for: nobody" in result.output
