"""`tenantkit access grant | log`: time-boxed, recorded break-glass access to a tenant's data.

`grant` prints the session's credentials on stdout as shell `export` lines, for
`eval "$(tenantkit access grant ...)"`, and everything else on stderr. Exports rather than a named
profile: the credentials then live only in the one shell that evaluates them and go with it, and
are never written to disk (a profile in ~/.aws/credentials is read by every process of the user and
outlives the session). Every refusal is one line and exit 1, decided before anything is asked of AWS.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Optional

import typer

from tenantkit.cli import render
from tenantkit.cli.errors import as_lines
from tenantkit.cli.options import BREAK_LOCK_OPTION, CONFIG_DIR_OPTION, JSON_OPTION, ROOT_OPTION
from tenantkit.cli.restore import LOCAL_OPTION, STATE_DIR, _guarded

EVENT_HISTORY_DAYS = 90
"""CloudTrail Event history (LookupEvents) keeps 90 days: the default reach of `access log`."""

access_app = typer.Typer(
    name="access",
    help="Break-glass access to a tenant's data: grant a time-boxed, tagged session; list every session and what it touched.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(access_app)


@contextmanager
def _refusals() -> Iterator[None]:
    from tenantkit.lifecycle.access import AccessRefused

    try:
        yield
    except AccessRefused as error:
        render.error(str(error))
        raise typer.Exit(1) from None


@access_app.command()
def grant(
    tenant_id: str = typer.Argument(..., help="The tenant whose break-glass role to assume."),
    reason: str = typer.Option(..., "--reason", help="Why (a session tag: recorded with every call the session makes)."),
    minutes: int = typer.Option(..., "--minutes", help="How long the session lasts: 15 to the file's access.break_glass_max_minutes."),
    by: str = typer.Option(..., "--by", help="Who is granted the session (a session tag, and the session name)."),
    mfa_serial: Optional[str] = typer.Option(None, "--mfa-serial", help="Your MFA device's ARN (required against AWS)."),  # noqa: UP045
    mfa_code: Optional[str] = typer.Option(None, "--mfa-code", help="Its current 6-digit code (required against AWS)."),  # noqa: UP045
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
    break_lock: bool = BREAK_LOCK_OPTION,
    root: Path = ROOT_OPTION,
) -> None:
    """Assume the tenant's break-glass role; print the credentials as `export` lines on stdout."""
    from tenantkit.lifecycle import access

    with as_lines(), _refusals():
        config = access.tenant(directory, tenant_id)
        access.check_request(config, reason=reason, minutes=minutes, by=by, mfa_serial=mfa_serial, mfa_code=mfa_code, sandbox=local)
        env = access.environment(config, local=local, state_dir=STATE_DIR)
        with _guarded("access", config, local=local, root=root, break_lock=break_lock, reason=reason):
            granted = access.grant_access(config, env, reason=reason, minutes=minutes, by=by, mfa_serial=mfa_serial, mfa_code=mfa_code,
                                          state_dir=STATE_DIR)  # fmt: skip
    _granted(granted)


def _granted(granted: Any) -> None:
    exports = {
        "AWS_ACCESS_KEY_ID": granted.access_key_id,
        "AWS_SECRET_ACCESS_KEY": granted.secret_access_key,
        "AWS_SESSION_TOKEN": granted.session_token,
        "AWS_REGION": granted.region,
    }
    if granted.endpoint:
        exports["AWS_ENDPOINT_URL"] = granted.endpoint
    typer.echo(f"{granted.tenant_id}: break-glass session {granted.session_name} until {granted.expires:%Y-%m-%d %H:%M} UTC, "
               f"reason {granted.reason!r}; every call it makes is recorded (`tenantkit access log {granted.tenant_id}`)", err=True)  # fmt: skip
    if sys.stdout.isatty():
        render.warning('the credentials are printed on this terminal: use eval "$(tenantkit access grant ...)" instead')
    for name, value in exports.items():
        typer.echo(f"export {name}={shlex.quote(value)}")


def _since(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC) - timedelta(days=EVENT_HISTORY_DAYS)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        render.error(f"--since: '{value}' is not a date or time like 2026-12-01 or 2026-12-01T08:00Z")
        raise typer.Exit(2) from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


@access_app.command()
def log(
    tenant_id: str = typer.Argument(..., help="Tenant id."),
    since: Optional[str] = typer.Option(None, "--since", metavar="TIME", help=f"Sessions granted since TIME (ISO 8601; default {EVENT_HISTORY_DAYS} days ago)."),  # noqa: UP045
    local: bool = LOCAL_OPTION,
    directory: Path = CONFIG_DIR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Every break-glass session of the tenant and what it touched, from CloudTrail."""
    from tenantkit.lifecycle import access

    start = _since(since)
    with as_lines(), _refusals():
        config = access.tenant(directory, tenant_id)
        found = access.break_glass_log(config, access.environment(config, local=local, state_dir=STATE_DIR), since=start)
    _log(found, as_json=as_json)
    raise typer.Exit(1 if found.unreadable else 0)


def _log(found: Any, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(asdict(found), default=str, indent=2))
        return
    from rich.table import Table
    from rich.text import Text

    from tenantkit.cli.render import print_table

    typer.echo(f"{found.tenant_id}: {len(found.sessions)} break-glass session(s) of {found.role_arn} since {found.since:%Y-%m-%d %H:%M} UTC")
    for session in found.sessions:
        # Text, not markup: a reason's "[...]" or an ARN's ":secret:" (an emoji code) is shown as it is
        table = Table(title=Text(f"{session.session_name}: {session.operator or '(no operator tag)'}, {session.reason or '(no reason tag)'}"))
        for column in ("Time (UTC)", "Region", "Service", "Action", "Resource", "Outcome"):
            table.add_column(column, overflow="fold")
        for touch in session.touches:
            cells = (f"{touch.time:%Y-%m-%d %H:%M:%S}", touch.region, touch.service, touch.action, "\n".join(touch.resources), touch.error or "ok")
            table.add_row(*map(Text, cells))
        print_table(table)
        typer.echo(f"  granted {session.granted_at:%Y-%m-%d %H:%M:%S} to {session.expires_at:%H:%M:%S} UTC by {session.assumed_by}, "
                   f"key {session.access_key_id}: {len(session.touches)} call(s)")  # fmt: skip
    for attempt in found.refused:
        typer.echo(f"refused: {attempt.time:%Y-%m-%d %H:%M:%S} UTC, {attempt.caller} asked for a session in {attempt.region} "
                   f"({attempt.error}), operator {attempt.operator or '(no tag)'}, reason {attempt.reason or '(no tag)'}")  # fmt: skip
    for line in found.searched:
        typer.echo(f"read: {line}")
    for line in found.unreadable:
        render.warning(f"not read: {line}")
