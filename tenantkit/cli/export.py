"""`tenantkit export TENANT` and `tenantkit export urls TENANT`: the tenant's data handed back
during the retrieval window (a database export and a manifest of every object, in the tenant's
bucket under its key), and presigned URLs to fetch it (at most 7 days, never past the deadline)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.errors import as_lines
from tenantkit.cli.options import BREAK_LOCK_OPTION, CONFIG_DIR_OPTION, JSON_OPTION, LOCK_REASON_OPTION, ROOT_OPTION
from tenantkit.cli.restore import LOCAL_OPTION, STATE_DIR, _guarded, _refusals


def register(app: typer.Typer) -> None:
    app.command(name="export")(export)


def export(
    words: list[str] = typer.Argument(..., metavar="[urls] TENANT", help="TENANT to export, or `urls TENANT` for its export's URLs."),
    name: Optional[str] = typer.Option(None, "--as", metavar="NAME", help="The export's name (default e<UTC time>; for urls: the latest)."),  # noqa: UP045
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
    as_json: bool = JSON_OPTION,
    break_lock: bool = BREAK_LOCK_OPTION,
    reason: Optional[str] = LOCK_REASON_OPTION,  # noqa: UP045
    root: Path = ROOT_OPTION,
) -> None:
    """Export the tenant's database (RDS snapshot export, Parquet) and a manifest of every object
    (key, size, SHA-256) into `exports/<name>/` of its bucket; `export urls TENANT` presigns them."""
    from tenantkit.lifecycle import restore
    from tenantkit.lifecycle.restore.model import utc_now

    urls = len(words) == 2 and words[0] == "urls"
    if not (urls or len(words) == 1):
        render.error("usage: tenantkit export TENANT | tenantkit export urls TENANT")
        raise typer.Exit(1)
    with as_lines(), _refusals():
        config = restore.tenant(directory, words[-1])
        if not urls:
            from datetime import date

            restore.check_may_restore(config, state_dir=STATE_DIR, today=date.today())
        if name is not None:
            restore.check_export_name(name)
        env = restore.environment(config, local=local, state_dir=STATE_DIR)
        if urls:
            chosen, issued = restore.export_urls(config, env, name)
        else:
            with _guarded("export", config, local=local, root=root, break_lock=break_lock, reason=reason):
                result = restore.start_export(config, env, name or restore.default_name(utc_now(), "e"))
    if urls:
        if as_json:
            typer.echo(json.dumps({"export": chosen, "urls": [asdict(u) for u in issued]}, indent=2))
            return
        for issued_url in issued:
            typer.echo(f"{issued_url.key}\t{issued_url.url}")
        typer.echo(f"{config.tenant_id}: {len(issued)} URL(s) of export {chosen}, valid until {issued[0].expires_at}")
        return
    if as_json:
        typer.echo(json.dumps(asdict(result), indent=2))
        return
    typer.echo(f"{result.tenant_id}: export {result.name} in s3://{result.bucket}/{result.prefix}: database export "
               f"({len(result.database_files)} file(s)), manifest {result.manifest_key} of {result.objects} object(s), "
               f"{result.bytes} bytes; `tenantkit export urls {result.tenant_id}` issues its URLs")  # fmt: skip
