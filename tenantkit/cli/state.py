"""`tenantkit reinstate`: an offboarded customer comes back, as a new generation of its resources."""

from __future__ import annotations

from pathlib import Path

import typer

from tenantkit.cli import render
from tenantkit.cli.errors import as_lines
from tenantkit.cli.options import BREAK_LOCK_OPTION, CONFIG_DIR_OPTION, ROOT_OPTION


def register(app: typer.Typer) -> None:
    app.command()(reinstate)


def reinstate(
    tenant_id: str = typer.Argument(..., help="An offboarded tenant (state offboarded or destroyed)."),
    reason: str = typer.Option(..., "--reason", help="Why the customer is reinstated: recorded with its state."),
    local: bool = typer.Option(False, "--local", help="The tenant in the local sandbox (else AWS, default credentials)."),
    directory: Path = CONFIG_DIR_OPTION,
    root: Path = ROOT_OPTION,
    break_lock: bool = BREAK_LOCK_OPTION,
) -> None:
    """Start the tenant's next generation: its state becomes active again and its file gets
    `generation: N` (and loses subscription.ends_on); `deploy` then makes new resources whose key
    alias never meets the offboarded generation's keys, still pending deletion."""
    from tenantkit.cli.guard import STATE_DIR, operation_guard
    from tenantkit.cli.offboard import _refusals
    from tenantkit.config import UnknownTenantError, find_tenant
    from tenantkit.lifecycle.offboarding import service
    from tenantkit.lifecycle.state.service import guarded
    from tenantkit.lifecycle.state.service import reinstate as start_generation

    if not reason.strip():
        render.error("--reason must say why the tenant is reinstated")
        raise typer.Exit(1)
    with as_lines():
        try:
            loaded = find_tenant(directory, tenant_id)
        except UnknownTenantError as error:
            render.error(str(error))
            raise typer.Exit(1) from None
        with _refusals():  # the state is written where offboarding acts: in the tenant's own account
            env = service.environment(loaded.config, local=local, state_dir=STATE_DIR)
        guard = operation_guard("reinstate", local=local, root=root, break_lock=break_lock, reason=reason)
        with guarded(guard, [loaded.config], refuse_closed=False):
            state = start_generation(loaded.config, loaded.source, service.state_store(env, STATE_DIR), by=env.operator, reason=reason)
    typer.echo(f"{tenant_id}: reinstated as generation {state.generation} ({loaded.source} now says generation: {state.generation}); `tenantkit deploy {tenant_id}` makes its resources")
