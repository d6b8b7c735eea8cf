"""Everything the CLI prints. Lines that carry user text go through `typer.echo`, not rich markup
(a `[key]` in a message must not be eaten as a style tag); tables and colours use rich."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from tenantkit.config import ConfigIssue, TenantConfig, ValidationReport


def error(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


def warning(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


def issues(found: Iterable[ConfigIssue]) -> None:
    for issue in found:
        typer.echo(str(issue), err=True)


def config_warnings(found: Iterable[ConfigIssue]) -> None:
    for issue in found:
        typer.echo(f"warning: {issue}", err=True)


def config_notes(found: Iterable[ConfigIssue]) -> None:
    for issue in found:
        typer.echo(f"note: {issue}", err=True)


def validation(report: ValidationReport, *, as_json: bool) -> None:
    if as_json:
        _print_json(
            {
                "ok": report.ok,
                "files": len(report.files),
                "valid": [str(t.source) for t in report.tenants],
                "issues": [issue.as_dict() for issue in report.issues],
                "warnings": [issue.as_dict() for issue in report.warnings],
                "notes": [issue.as_dict() for issue in report.notes],
            }
        )
        return
    config_notes(report.notes)
    config_warnings(report.warnings)
    if report.ok:
        count = len(report.tenants)
        typer.echo(f"{count} tenant file{'s' if count != 1 else ''} valid")
        return
    for issue in report.issues:
        typer.echo(str(issue))
    bad = len({issue.file for issue in report.issues})
    typer.echo(f"{len(report.issues)} problem(s) in {bad} file(s); {len(report.tenants)} valid", err=True)


def status_text(tenant: TenantConfig, today: date) -> str:
    from tenantkit.config import TenantStatus

    status = tenant.subscription.status(today)
    if status is TenantStatus.RETRIEVAL:
        return f"retrieval window until {tenant.subscription.retrieval_deadline}"
    if status is TenantStatus.READY_FOR_DESTRUCTION:
        return "ready for destruction"
    return "active"


def tenant_list(
    report: ValidationReport, *, today: date, as_json: bool, approvals: dict[str, str] | None = None,
    states: dict[str, str] | None = None, orphans: list[str] | None = None, drills: dict[str, Any] | None = None,
    unchecked: list[str] | None = None,
) -> None:
    """`states` (tenant id -> its lifecycle state) adds a column; each of `orphans` a line, each
    of `unchecked` (an account, region or state that could not be read) a line;
    `drills` (tenant id -> its last drill or None) the last drill's time and result."""
    from tenantkit.config.promises import copy_promises, secondary_region_rpo

    rows: list[dict[str, Any]] = [
        {
            "tenant_id": t.config.tenant_id,
            "display_name": t.config.display_name,
            "residency": t.config.residency.value,
            "primary_region": t.config.primary_region,
            "secondary_region": t.config.secondary_region,
            "account": t.config.account,
            "status": t.config.subscription.status(today).value,
            "status_text": status_text(t.config, today),
            "ends_on": _iso(t.config.subscription.ends_on),
            "retrieval_deadline": _iso(t.config.subscription.retrieval_deadline),
            "controlled_goods": t.config.compliance.controlled_goods,
            "replica_instance_class": t.config.replica_instance_class,
            "multi_az": t.config.database.multi_az,
            "protect": list(t.config.access.protect),
            "copies": [promise.as_dict() for promise in copy_promises(t.config)],
            "secondary_region_rpo": secondary_region_rpo(t.config),
            # Whether the contact confirmed the e-mail subscription is known only from AWS (the
            # inventory reads it); null here means "not checked".
            "incident_contact": {
                "protocol": "email",
                "endpoint": str(t.config.contacts.security_email),
                "confirmed": None,
            },
            "file": str(t.source),
            "approval": (approvals or {}).get(t.config.tenant_id),
            "last_drill": _drill((drills or {}).get(t.config.tenant_id)),
            **({"state": states.get(t.config.tenant_id)} if states is not None else {}),
        }
        for t in report.tenants
    ]
    if as_json:
        _print_json(
            {
                "as_of": today.isoformat(),
                "tenants": rows,
                "issues": [i.as_dict() for i in report.issues],
                "warnings": [i.as_dict() for i in report.warnings],
                "notes": [i.as_dict() for i in report.notes],
                **({"orphans": list(orphans or []), "unchecked": list(unchecked or [])} if states is not None else {}),
            }
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Tenants as of {today.isoformat()}")
    for column in ("Tenant", "Residency", "Primary", "Secondary", "Account", "Status"):
        table.add_column(column, no_wrap=True)
    table.add_column("Security review")
    if states is not None:
        table.add_column("State")
    table.add_column("Last drill")
    for row in rows:
        residency = row["residency"] + (" (CGP)" if row["controlled_goods"] else "")
        style = {"active": "", "retrieval": "yellow", "ready-for-destruction": "bold red"}[row["status"]]
        table.add_row(
            row["tenant_id"],
            residency,
            row["primary_region"],
            row["secondary_region"],
            row["account"] or "-",
            row["status_text"],
            row["approval"] or "-",
            *([row["state"] or "-"] if states is not None else []),
            _drill_text(row["last_drill"]),
            style=style,
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # piped output: never fold a row into several lines
    console.print(table)
    for orphan in orphans or []:
        error(f"orphan: {orphan}")
    for line in unchecked or []:
        error(line)
    issues(report.issues)
    config_notes(report.notes)
    config_warnings(report.warnings)


def _drill(last: Any) -> dict[str, Any] | None:
    return last.as_dict() if last is not None else None


def _drill_text(last: dict[str, Any] | None) -> str:
    if last is None:
        return "-"
    if last.get("note"):
        return f"unreadable ({last['report']})"
    return f"{last['started_at']} {'ok' if last['ok'] else 'FAILED'}"


def created(path: Path, tenant: TenantConfig) -> None:
    typer.echo(
        f"created {path}: residency {tenant.residency.value}, primary {tenant.primary_region}, "
        f"DR copy in {tenant.secondary_region}"
    )


def schema_written(path: Path) -> None:
    typer.echo(f"wrote {path}")


def schema_check(path: Path, up_to_date: bool) -> None:
    if up_to_date:
        typer.echo(f"{path} is up to date")
    else:
        typer.echo(f"{path}: (file): out of date; run `tenantkit schema`", err=True)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def print_table(table: Any) -> None:
    """A table on stdout. Piped (no terminal) it is as wide as its widest row, whatever COLUMNS
    says: each row on one line, no value (an ARN) broken or cut, for grep and CI logs. In a
    terminal rich fits it to the width; columns that hold ARNs fold them, never cut them."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=max(80, console.measure(table, options=console.options.update_width(1_000_000)).maximum))
    console.print(table)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2))


@contextmanager
def synth_progress(*, quiet: bool) -> Iterator[Callable[[int], Callable[[str], None]]]:
    """A progress bar on stderr; yields `start(total)`, which returns the callback the synth
    service calls after each tenant."""
    if quiet:
        yield lambda _total: lambda _tenant_id: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("synth"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=False,
    )

    def start(total: int) -> Callable[[str], None]:
        progress.start()  # only once there is work: a refused request stays its one error line
        task = progress.add_task("", total=total)
        return lambda tenant_id: progress.update(task, advance=1, description=tenant_id)

    try:
        yield start
    finally:
        if progress.live.is_started:
            progress.stop()


def synth_summary(results: Sequence[Any], outdir: Path, *, as_json: bool, baseline: Any = None) -> None:
    """`baseline`: the baseline stacks' `BaselineAssembly`, shown as a last row `(baseline)` (in
    JSON, under `baseline`)."""
    rows = [
        {
            "tenant_id": r.tenant_id,
            "stacks": list(r.stacks),
            "resources": r.resources,
            "findings": list(r.findings),
            "error": r.error,
            "cached": r.cached,
            "ok": r.ok,
        }
        for r in results
    ]
    baseline_row = None if baseline is None else {
        "tenant_id": BASELINE_ROW,
        "stacks": [artifact_id for artifact_id, _ in baseline.artifacts],
        "resources": baseline.resources,
        "findings": list(baseline.findings),
        "error": baseline.error,
        "cached": baseline.cached,
        "ok": baseline.ok,
    }
    if as_json:
        document: dict[str, Any] = {"outdir": str(outdir), "tenants": rows}
        if baseline_row is not None:
            document["baseline"] = {k: v for k, v in baseline_row.items() if k != "tenant_id"}
        _print_json(document)
        return
    if baseline_row is not None:
        rows.append(baseline_row)
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Synthesized into {outdir}/")
    for column in ("Tenant", "Stacks", "Resources", "Findings", "Cached", "Result"):
        table.add_column(column, no_wrap=column != "Result")
    for row in rows:
        result = "ok" if row["ok"] else (row["error"] or "compliance findings")
        table.add_row(
            row["tenant_id"],
            str(len(row["stacks"])),
            str(row["resources"]),
            str(len(row["findings"])),
            "yes" if row["cached"] else "no",
            result,
            style="" if row["ok"] else "bold red",
        )
    console = Console() if Console().is_terminal else Console(width=160)
    console.print(table)
    for row in rows:
        for finding in row["findings"]:
            typer.echo(f"{row['tenant_id']}: {finding}", err=True)
        if row["error"]:
            typer.echo(f"{row['tenant_id']}: error: {row['error']}", err=True)


BASELINE_ROW = "(baseline)"
"""How synth's summary names the baseline stacks (no tenant id has parentheses)."""


def sandbox_started(status: Any, *, started: bool) -> None:
    verb = "started" if started else "already running"
    typer.echo(f"sandbox {verb}: {status.endpoint} (pid {status.pid})")
    typer.echo(f"  export AWS_ENDPOINT_URL=http://localhost:{status.port}")


def sandbox_status(status: Any, *, as_json: bool) -> None:
    if as_json:
        _print_json(status.as_dict())
        return
    if status.endpoint is None:
        typer.echo(f"sandbox: {status.state.value}")
        return
    typer.echo(f"sandbox: {status.state.value}: {status.endpoint} (pid {status.pid})")


def sandbox_stopped(previous: Any, *, discarded: bool = False) -> None:
    kept = "its state is discarded" if discarded else "its state is kept for the next `sandbox up`"
    messages = {
        "running": f"sandbox stopped (pid {previous.pid}, {previous.endpoint}); {kept}",
        "unresponsive": f"sandbox stopped (pid {previous.pid} was not answering); {kept}",
        "stale": f"sandbox was not running (pid {previous.pid} is gone); its record is removed",
        "not running": "sandbox was not running",
    }
    typer.echo(messages[previous.state.value])


def sandbox_reset(status: Any) -> None:
    typer.echo(f"sandbox reset: every resource deleted ({status.endpoint})")


@contextmanager
def deploy_progress(*, quiet: bool) -> Iterator[Callable[[str, Any], None]]:
    """A live line per tenant on stderr while tenants deploy; yields the service's callback."""
    if quiet:
        yield lambda _tenant_id, _result: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=Console(stderr=True))
    tasks: dict[str, Any] = {}

    def update(tenant_id: str, result: Any) -> None:
        if result is None:
            progress.start()  # only once a tenant deploys: a refused request stays its one error line
            tasks[tenant_id] = progress.add_task(f"deploying {tenant_id}", total=1)
        else:
            word = "deployed" if result.ok else "FAILED"
            progress.update(tasks[tenant_id], completed=1, description=f"{word} {tenant_id}")

    try:
        yield update
    finally:
        if progress.live.is_started:
            progress.stop()


def deploy_summary(results: Sequence[Any], *, as_json: bool, title: str = "Deployed into the sandbox") -> None:
    rows = [
        {
            "tenant_id": r.tenant_id,
            "ok": r.ok,
            "seconds": round(r.seconds, 1),
            "stacks": [
                {"stack": s.stack, "region": s.region, "outcome": s.outcome.value, "reasons": list(s.reasons),
                 "changes": [c.as_dict() for c in s.changes]}
                for s in r.stacks
            ],
        }
        for r in results
    ]
    if as_json:
        _print_json({"tenants": rows})
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in ("Tenant", "Result", "Stacks", "Seconds"):
        table.add_column(column, no_wrap=True)
    for row in rows:
        stacks = ", ".join(f"{s['stack'].rsplit('-', 1)[-1]} {s['outcome']}" for s in row["stacks"])
        table.add_row(row["tenant_id"], "ok" if row["ok"] else "failed", stacks, str(row["seconds"]), style="" if row["ok"] else "bold red")
    console = Console() if Console().is_terminal else Console(width=160)
    console.print(table)
    for result in results:
        for stack_result in result.stacks:
            created = stack_result.outcome.value == "created"
            if created:  # every resource is new: one line (--json lists them)
                added = sum(c.action == "Add" for c in stack_result.changes)
                typer.echo(f"{result.tenant_id}: {stack_result.stack}: {added} resources added")
            for change in stack_result.changes:
                if not (created and change.action == "Add"):
                    typer.echo(f"{result.tenant_id}: {stack_result.stack}: {change}")
    for row in rows:
        for stack in row["stacks"]:
            for reason in stack["reasons"]:
                typer.echo(f"{row['tenant_id']}: {stack['stack']}: {reason}", err=True)


def cdk_cli_results(action: str, codes: dict[str, int]) -> None:
    for tenant_id, code in codes.items():
        line = f"cdk {action} {tenant_id}: " + ("ok" if code == 0 else f"failed (exit {code})")
        typer.echo(line, err=code != 0)


def inventories(found: Sequence[Any], *, as_json: bool, fleet: bool = False) -> None:
    """Each tenant's table and its line; with `fleet` (every tenant), one last line for them all."""
    if as_json:
        _print_json(
            {
                "ok": all(one.ok for one in found),
                "tenants": [
                    {"tenant_id": one.tenant_id, "ok": one.ok, "missing": len(one.missing), "unchecked": len(one.unchecked),
                     "items": [item.as_dict() for item in one.items]}
                    for one in found
                ],
            }
        )
        return
    for one in found:
        _inventory_table(one)
    if fleet:
        flagged = sum(1 for one in found if not one.ok)
        typer.echo(f"{len(found)} tenants, {len(found) - flagged} clean, {flagged} flagged", err=bool(flagged))


def _inventory_table(found: Any) -> None:
    from rich.table import Table

    table = Table(title=f"Inventory of {found.tenant_id}")
    for column in ("Region", "Kind", "Name", "Status", "Details", "Problems"):
        table.add_column(column, no_wrap=column in ("Region", "Kind", "Status"), overflow="fold")
    for item in sorted(found.items, key=lambda i: (i.region, i.kind, i.name)):
        details = ", ".join(f"{k}={v}" for k, v in item.details.items() if k not in ("arn",))
        table.add_row(item.region, item.kind, item.name, _INVENTORY_STATUS[item.status.value], details, "; ".join(item.findings),
                      style="" if not item.flagged else "yellow" if item.status.value == "unchecked" else "bold red")
    print_table(table)
    flagged = len(found.flagged)
    counts = f" ({len(found.missing)} missing, {len(found.unchecked)} could not be checked)" if flagged else ""
    typer.echo(f"{found.tenant_id}: {len(found.items)} resources, {flagged} flagged{counts}", err=bool(flagged))


_INVENTORY_STATUS = {"missing": "MISSING", "drifted": "DIFFERS", "unchecked": "NOT CHECKED", "ok": "ok"}


def check_summary(results: Sequence[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from tenantkit.lifecycle.check import STEPS

    tenants = list(dict.fromkeys(r.tenant_id for r in results))
    table = Table(title="tenantkit check")
    table.add_column("Tenant", no_wrap=True)
    for step in STEPS:
        table.add_column(step, no_wrap=True)
    for tenant in tenants:
        cells = []
        for step in STEPS:
            found = [r for r in results if r.tenant_id == tenant and r.step == step]
            cells.append("-" if not found else "skipped" if found[0].skipped else "ok" if found[0].ok else "FAILED")
        table.add_row(tenant, *cells, style="" if all(c in ("ok", "-") for c in cells) else "bold red")  # `-`: a step the baseline has not
    console = Console() if Console().is_terminal else Console(width=160)
    console.print(table)
    for result in results:
        if not result.ok and not result.skipped and result.message:
            for line in result.message.splitlines():
                typer.echo(f"{result.tenant_id}: {result.step}: {line}", err=True)


def sandbox_clock(ahead_days: float) -> None:
    typer.echo(f"the sandbox's clock runs {ahead_days:g} day{'s' if ahead_days != 1 else ''} ahead of real time")


def report_keypair(private: Path | None, public: Path, fingerprint: str) -> None:
    if private is None:
        typer.echo("private key: in AWS KMS (it never leaves KMS)")
    else:
        typer.echo(f"private key: {private} (mode 0600)")
    typer.echo(f"public key:  {public}")
    typer.echo(f"fingerprint: {fingerprint}")
    if private is not None:
        typer.echo("Keep the private key out of git and off shared disks; give customers the public key.", err=True)


def report_verified(result: Any) -> None:
    if not result.ok:
        typer.echo(f"invalid: {result.reason}")
        return
    report = result.report
    if hasattr(report, "stores"):  # a drill report
        typer.echo(f"valid: signed by {result.fingerprint}, drill of tenant {report.tenant_id}{' (sandbox run)' if report.sandbox else ''}, "
                   f"{len(report.stores)} stores checked, {'passed' if report.ok else 'FAILED'}")  # fmt: skip
        return
    if not hasattr(report, "verification"):  # a key-deletion addendum
        typer.echo(
            f"valid: signed by {result.fingerprint}, tenant {report.tenant_id}{' (sandbox run)' if report.sandbox else ''}, "
            f"addendum to {report.report}: {len(report.keys)} key(s) confirmed deleted at {report.confirmed_at}"
        )
        return
    outcome = "verification ok" if report.verification.ok else f"verification FAILED: {len(report.verification.remaining)} item(s) remain"
    sandbox = " (sandbox run)" if report.sandbox else ""
    typer.echo(
        f"valid: signed by {result.fingerprint}, tenant {report.tenant_id}{sandbox}, "
        f"{len(report.resources)} resources destroyed, {outcome}"
    )
    for item in report.verification.remaining:
        typer.echo(f"remaining: {item}", err=True)


def keys_confirmed(outcome: Any) -> None:
    for state in outcome.keys:
        if state.gone:
            typer.echo(f"  {state.key_arn} ({state.region}): gone (DescribeKey: NotFoundException)")
        elif state.answer == "PendingDeletion" and state.days_left:
            typer.echo(f"  {state.key_arn} ({state.region}): scheduled for deletion on {state.deletion_date}, {state.days_left} day(s) remain")
        else:
            typer.echo(f"  {state.key_arn} ({state.region}): {state.answer}, not deleted yet", err=True)
    if outcome.confirmed:
        typer.echo(f"{outcome.tenant_id}: every key is deleted; signed addendum {outcome.addendum}")
    elif not outcome.keys:
        typer.echo(f"{outcome.tenant_id}: the report {outcome.report} schedules no key: nothing to confirm", err=True)
    else:
        left = max((s.days_left or 0) for s in outcome.keys)
        typer.echo(
            f"{outcome.tenant_id}: not every key is deleted yet"
            + (f"; {left} day(s) remain until the last deletion date" if left else "; KMS deletes a key within hours of its date")
            + ": run confirm-keys again then (nothing written)",
            err=True,
        )


def report_summary(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from tenantkit.lifecycle.report import describe_counts, totals_by_kind

    if not hasattr(report, "verification"):  # a key-deletion addendum
        typer.echo(f"{report.tenant_id}: addendum to {report.report}, {len(report.keys)} key(s) confirmed deleted at {report.confirmed_at}")
        typer.echo("signature not checked: `tenantkit report verify FILE --public-key PATH`", err=True)
        return
    forced = f"forced: {report.force_reason}" if report.forced else "not forced"
    typer.echo(f"{report.display_name} ({report.tenant_id}), {report.primary_region} + {report.secondary_region}"
               f"{', SANDBOX RUN' if report.sandbox else ''}")
    typer.echo(f"run by {report.operator}, {report.started_at} to {report.completed_at}; "
               f"deadline {report.retrieval_deadline or 'none'}, {forced}")
    table = Table(title="Destroyed")
    for column in ("Kind", "Resources", "Contents"):
        table.add_column(column, no_wrap=column != "Contents")
    for kind, total in totals_by_kind(report).items():
        table.add_row(kind, str(total["resources"]), describe_counts(total["counts"]))
    for key in report.keys:
        table.add_row("kms key", "1", f"{key.alias} ({key.region}) deleted on {key.deletion_date}")
    console = Console() if Console().is_terminal else Console(width=160)
    console.print(table)
    ok = report.verification.ok
    typer.echo(f"verification {'ok' if ok else 'FAILED'} at {report.verification.checked_at}", err=not ok)
    for item in report.verification.remaining:
        typer.echo(f"remaining: {item}", err=True)
    typer.echo("signature not checked: `tenantkit report verify REPORT --public-key PATH`", err=True)


def shell_exports(variables: dict[str, str]) -> None:
    import shlex

    for name, value in variables.items():
        quoted = f'"{value}"' if "$PATH" in value else shlex.quote(value)
        typer.echo(f"export {name}={quoted}")


def backup_run(run: Any) -> None:
    """The recovery points one backup run created, each with its copies."""
    from rich.table import Table

    table = Table(title=f"Backup run of {run.tenant_id} (plan {run.plan})")
    for column in ("Region", "Vault", "Resource", "Recovery point"):
        table.add_column(column, no_wrap=column in ("Region", "Vault"), overflow="fold")
    for point in run.recovery_points:
        table.add_row(point.region, point.vault, point.resource_arn, point.recovery_point_arn)
        for copy in point.copies:
            table.add_row(copy.region, copy.vault, f"  copy of {point.resource_arn}", copy.recovery_point_arn, style="cyan")
    print_table(table)
    copies = sum(len(point.copies) for point in run.recovery_points)
    typer.echo(f"{run.tenant_id}: {len(run.recovery_points)} recovery points, {copies} copies")


# --- offboarding -------------------------------------------------------------------------------


def offboard_started(config: TenantConfig, *, today: date) -> None:
    subscription = config.subscription
    typer.echo(f"{config.tenant_id}: subscription ends on {subscription.ends_on} (written to its tenant file)")
    typer.echo(
        f"  data stays retrievable until {subscription.retrieval_deadline} ({subscription.retrieval_days} days); "
        f"destruction may start the day after. Status today: {status_text(config, today)}"
    )


_DESTROYS = (
    "database and read replica (deletion protection lifted, no final snapshot, automated backups deleted)",
    "DB snapshots in both regions; recovery points in both backup vaults, then the vaults",
    "every object version and delete marker of the data, DR and log buckets, then the buckets",
    "web ACLs (associations and logging removed) and IP sets in both regions",
    "the database secret and its replica; alarms, event rules, log groups, topics, parameters",
    "the three stacks; last, both KMS keys are scheduled for deletion (30-day window)",
)


def offboard_status(config: TenantConfig, *, today: date, journal: dict[str, Any] | None) -> None:
    from tenantkit.config import TenantStatus

    subscription = config.subscription
    typer.echo(f"{config.tenant_id}: {status_text(config, today)}")
    if subscription.ends_on is None:
        typer.echo(f"  no subscription end recorded: `tenantkit offboard start {config.tenant_id} --ends-on DATE`")
        return
    typer.echo(f"  subscription ends on {subscription.ends_on}; retrievable until {subscription.retrieval_deadline}")
    if journal is not None:
        state = f"completed {journal['completed_at']}, report {journal['report']}" if journal["completed_at"] else f"{journal['done']} of {journal['planned']} steps done"
        if journal.get("remaining"):
            state += f"; open: verification found {journal['remaining']} of the tenant's resources left, run `offboard execute` again"
        typer.echo(f"  offboarding journal {journal['path']}: {state}")
    if subscription.status(today) is TenantStatus.READY_FOR_DESTRUCTION:
        typer.echo("  due for destruction; `tenantkit offboard plan` lists each resource. Offboarding destroys, in order:")
        for line in _DESTROYS:
            typer.echo(f"    - {line}")


def offboard_plan(config: TenantConfig, env: Any, plan: Any, *, as_json: bool, undoers: list[str] | None = None) -> None:
    undoers = undoers or []
    if as_json:
        _print_json(
            {
                "tenant_id": config.tenant_id,
                "environment": env.name,
                "account": env.account,
                "targets": [target.as_dict() for target in plan.targets],
                "totals": plan.totals(),
                "lifts": plan.lifts,
                "blockers": plan.blockers,
                "left_to_application": list(config.access.protect),
                "key_deletion_undoers": undoers,
            }
        )
        return
    from rich.table import Table

    table = Table(title=f"offboarding plan: {config.tenant_id} ({env.name}, account {env.account}) — dry run, nothing changed")
    for column in ("#", "kind", "region", "name", "holds"):
        table.add_column(column, overflow="fold")
    for index, target in enumerate(plan.targets, 1):
        holds = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in target.counts.items() if value)
        table.add_row(str(index), target.kind, target.region, target.name, holds)
    print_table(table)
    for kind, totals in plan.totals().items():
        extra = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in totals.items() if key != "resources" and value)
        typer.echo(f"  {kind}: {totals['resources']}" + (f" ({extra})" if extra else ""))
    for lift in plan.lifts:
        typer.echo(f"  will lift {lift}")
    for arn in config.access.protect:
        typer.echo(f"  left to the application (its web ACL is removed from it): {arn}")
    if undoers:
        typer.echo(
            "  during the keys' deletion window, these could cancel the deletion (kms:CancelKeyDeletion) and re-enable a key;"
            " per region, whether anyone is alerted:"
        )
    for line in undoers:
        typer.echo(f"    {line}")
    for blocker in plan.blockers:
        typer.echo(f"BLOCKED: {blocker}", err=True)


@contextmanager
def offboard_progress() -> Iterator[Callable[[Any, str], None]]:
    """A live line per step on stderr; yields the service's on_step callback."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("destroying", total=None)

        def step(target: Any, event: str) -> None:
            verb = "destroying" if event == "start" else "destroyed"
            progress.update(task, description=f"{verb} {target.kind} {target.name} ({target.region})", advance=1 if event == "done" else 0)

        yield step


def offboard_done(outcome: Any) -> None:
    if outcome.already_done:
        typer.echo(f"{outcome.tenant_id}: already offboarded; nothing changed. Report: {outcome.report_json}")
        return
    if outcome.verification_ok:
        typer.echo(f"{outcome.tenant_id}: {outcome.resources} resources destroyed; signed report {outcome.report_json}")
        typer.echo("  verified: nothing of the tenant remains but its keys, pending deletion")
        return
    typer.echo(
        f"{outcome.tenant_id}: verification FAILED: offboarding stays open and no report is signed; "
        f"remove what remains (or let the rerun destroy it) and run the same command again ({outcome.journal})",
        err=True,
    )
    for item in outcome.remaining:
        typer.echo(f"  REMAINS: {item}", err=True)


def nothing_selected(why: str) -> None:
    typer.echo(f"no tenant selected ({why}): nothing to do")
