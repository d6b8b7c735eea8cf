"""`tenantkit report keygen | verify | show`: the signed data-destruction reports.

Offboarding writes them under `reports/<tenant>/`, signed with the security team's key; these
commands make that key pair and let anyone holding the public key check a report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.sandbox import STATE_DIR

report_app = typer.Typer(
    name="report",
    help="Signed data-destruction reports: make the signing key pair, verify a report, show one.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app)


@report_app.command()
def keygen(
    out: Path = typer.Option(Path("."), "--out", "-o", help="Directory for the PEM files.", file_okay=False),
    name: str = typer.Option("tenantkit-reports", "--name", help="File names: NAME.key.pem and NAME.pub.pem."),
    kms: Optional[str] = typer.Option(  # noqa: UP045
        None, "--kms", metavar="ARN", help="Export the public half of this KMS signing key instead (NAME.pub.pem)."
    ),
    local: bool = typer.Option(False, "--local", help="With --kms: the key is in the local sandbox."),
) -> None:
    """Make an Ed25519 key pair for signing reports, or export a KMS signing key's public key
    (`--kms ARN`) for offline verification; never overwrites a file."""
    from tenantkit.aws import parse_arn
    from tenantkit.cli.errors import as_lines
    from tenantkit.evidence import kms_key_arn
    from tenantkit.lifecycle.report import (
        export_kms_public_key,
        fingerprint,
        generate_keypair,
        kms_client_for,
        load_public_key,
    )

    with as_lines():  # a ReportError: its one line, exit 1
        if kms is None:
            private, public = generate_keypair(out, name)
        else:
            arn = kms_key_arn(f"kms:{kms.removeprefix('kms:')}") or ""
            key = parse_arn(arn)
            client = kms_client_for(local=local, state_dir=STATE_DIR)(key.region, key.account)
            private, public = None, export_kms_public_key(client, arn, out, name)
        key_id = fingerprint(load_public_key(public))
    render.report_keypair(private, public, key_id)


@report_app.command()
def verify(
    report: Path = typer.Argument(..., metavar="REPORT", help="The report's .json file."),
    public_key: Path = typer.Option(..., "--public-key", help="The security team's public key (PEM)."),
    signature: Optional[Path] = typer.Option(  # noqa: UP045
        None, "--signature", help="The detached signature (default: REPORT.sig)."
    ),
) -> None:
    """Check a report's signature: exit 0 when valid, 1 when tampered or not signed by this key,
    2 when a file cannot be read."""
    from tenantkit.lifecycle.report import ReportError, verify_report

    try:
        result = verify_report(report, public_key, signature)
    except ReportError as error:
        render.error(str(error))
        raise typer.Exit(2) from None
    render.report_verified(result)
    raise typer.Exit(0 if result.ok else 1)


@report_app.command()
def show(report: Path = typer.Argument(..., metavar="REPORT", help="The report's .json file.")) -> None:
    """Summarize a report (its signature is not checked: use `report verify`)."""
    from tenantkit.lifecycle.report import ReportError, read_report

    try:
        found = read_report(report)
    except ReportError as error:
        render.error(str(error))
        raise typer.Exit(2) from None
    render.report_summary(found)
