"""Tenant lifecycle states, recorded in SSM and enforced, and the per-tenant operation lock."""

from tenantkit.lifecycle.state.lock import LOCKS_DIR, Holder, LockHeld, SharedLocks, tenant_lock
from tenantkit.lifecycle.state.model import (
    CLOSED,
    TRANSITIONS,
    State,
    StateError,
    TenantState,
    require_open,
    transition,
)
from tenantkit.lifecycle.state.store import STATES_DIR, StateStore

__all__ = [
    "CLOSED",
    "LOCKS_DIR",
    "Holder",
    "LockHeld",
    "SharedLocks",
    "tenant_lock",
    "STATES_DIR",
    "TRANSITIONS",
    "State",
    "StateError",
    "StateStore",
    "TenantState",
    "require_open",
    "transition",
]
