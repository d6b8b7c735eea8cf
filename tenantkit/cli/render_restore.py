"""What `restore` and `drill` print (kept apart from render.py: one module per command group)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import typer

from tenantkit.cli.render import print_table


def _age(data_time: str | None, now: str) -> str:
    from datetime import datetime

    if not data_time:
        return "unknown"
    seconds = int((datetime.fromisoformat(now) - datetime.fromisoformat(data_time)).total_seconds())
    hours, rest = divmod(max(seconds, 0), 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"


def restored(result: Any, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(asdict(result), default=str, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"Restore {result.name} of {result.tenant_id}")
    for column in ("Store", "Region", "Made", "From", "Data from", "Age", "Took"):
        table.add_column(column, overflow="fold")
    for item in result.restored:
        table.add_row(item.store.value, item.region, item.made, item.source, item.data_time, _age(item.data_time, result.now),
                      f"{item.seconds:.1f} s")  # fmt: skip
    print_table(table)
    typer.echo(f"{result.tenant_id}: restore {result.name} made {len(result.restored)} resource(s); "
               f"`tenantkit restore discard {result.tenant_id} {result.name}` deletes them")  # fmt: skip


def restores(tenant_id: str, found: list[Any], *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in found], default=str, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"Restores of {tenant_id}")
    for column in ("Name", "Store", "Region", "Resource", "Data from", "Status"):
        table.add_column(column, overflow="fold")
    for item in found:
        table.add_row(item.name, item.store.value, item.region, item.resource, item.data_time or "unknown", item.status)
    print_table(table)
    typer.echo(f"{tenant_id}: {len({r.name for r in found})} restore(s)")


def discarded(tenant_id: str, name: str, gone: list[str]) -> None:
    for item in gone:
        typer.echo(f"deleted: {item}")
    typer.echo(f"{tenant_id}: restore {name} discarded")


def drilled(report: Any, written: Any, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({**report.as_dict(), "files": {k: str(v) for k, v in asdict(written).items()}}, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"Drill of {report.tenant_id}{' (sandbox)' if report.sandbox else ''}")
    for column in ("Store", "Region", "RPO achieved", "RPO promised", "RTO", "Result"):
        table.add_column(column, overflow="fold")
    for check in report.stores:
        failed = "; ".join(f"{k}: {v}" for k, v in check.checks.items() if v != "ok")
        table.add_row(check.store, check.region, "-" if check.rpo_seconds is None else f"{check.rpo_seconds} s",
                      check.rpo_promised, "-" if check.rto_seconds is None else f"{check.rto_seconds:.1f} s",
                      "ok" if check.ok else f"FAILED: {failed}")  # fmt: skip
    print_table(table)
    typer.echo(f"{report.tenant_id}: drill {'passed' if report.ok else 'FAILED'}; report {written.json} (signed: {written.signature})")


def failover(status: Any, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({**asdict(status), "complete": status.complete}, default=str, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"Failover of {status.tenant_id}" + (f": {status.reason}" if status.reason else ""))
    for column in ("Step", "Region", "Done", "Details"):
        table.add_column(column, overflow="fold")
    for step in status.steps:
        table.add_row(step.step, step.region, step.done_at or "not yet", ", ".join(f"{k}={v}" for k, v in step.details.items()))
    print_table(table)
    live = Table(title="Now")
    for column in ("What (region)", "Value"):
        live.add_column(column, overflow="fold")
    for what, value in status.live.items():
        live.add_row(what, value)
    print_table(live)
    typer.echo(f"{status.tenant_id}: failover " + ("complete" if status.complete else "NOT complete: run `tenantkit failover start` again"))
