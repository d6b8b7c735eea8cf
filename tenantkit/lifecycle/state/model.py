"""A tenant's lifecycle states, the transitions allowed between them, and the record kept of each.

    active -> retrieval-window -> offboarding -> offboarded (keys pending) -> destroyed (keys gone)
    active | retrieval-window <-> failed-over
    offboarded | destroyed --reinstate--> active, generation + 1

No AWS import here: the record is plain data (`TenantState`), read and written by `store`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class State(StrEnum):
    ACTIVE = "active"
    RETRIEVAL_WINDOW = "retrieval-window"
    """The subscription ended; the data stays retrievable until the retrieval deadline."""
    OFFBOARDING = "offboarding"
    """Destruction started (and may have been interrupted): nothing may be deployed again."""
    OFFBOARDED = "offboarded"
    """Everything destroyed and verified, the report signed; the keys are pending deletion."""
    DESTROYED = "destroyed"
    """The keys are gone too (`offboard confirm-keys`)."""
    FAILED_OVER = "failed-over"
    """Serving from the DR region."""


CLOSED = frozenset({State.OFFBOARDING, State.OFFBOARDED, State.DESTROYED})
"""States in which deploy, restore, drill and access refuse the tenant: its destruction began."""

TRANSITIONS: dict[State, frozenset[State]] = {
    State.ACTIVE: frozenset({State.RETRIEVAL_WINDOW, State.OFFBOARDING, State.FAILED_OVER}),
    State.RETRIEVAL_WINDOW: frozenset({State.ACTIVE, State.OFFBOARDING, State.FAILED_OVER}),
    State.FAILED_OVER: frozenset({State.ACTIVE, State.RETRIEVAL_WINDOW, State.OFFBOARDING}),
    State.OFFBOARDING: frozenset({State.OFFBOARDED}),
    State.OFFBOARDED: frozenset({State.DESTROYED, State.ACTIVE}),
    State.DESTROYED: frozenset({State.ACTIVE}),
}
"""Where each state may go. ACTIVE -> OFFBOARDING is a forced offboarding (`--force --reason`);
OFFBOARDED/DESTROYED -> ACTIVE only by `reinstate`, which starts a new generation. Setting a state
a tenant already has is not a transition: it changes nothing (a resumed offboarding)."""


class StateError(Exception):
    """A state change that is not allowed, or a tenant closed to an operation; one line naming the
    tenant and its state."""


@dataclass(frozen=True, kw_only=True)
class TenantState:
    """The record in `/tenantkit/<id>/state` (and its local copy)."""

    tenant_id: str
    state: State = State.ACTIVE
    generation: int = 1
    since: str = ""
    by: str = ""
    reason: str | None = None
    report: str | None = None
    """The signed destruction report of this generation, once there is one."""
    recorded: bool = True
    """False for a tenant with no record anywhere (never offboarded: active, generation 1)."""

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("recorded")
        data["state"] = self.state.value
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, tenant_id: str) -> TenantState:
        try:
            data: dict[str, Any] = json.loads(text)
            return cls(
                tenant_id=tenant_id, state=State(data["state"]), generation=int(data.get("generation", 1)),
                since=str(data.get("since", "")), by=str(data.get("by", "")), reason=data.get("reason"), report=data.get("report"),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise StateError(f"{tenant_id}: its state record is unreadable ({error}); fix or remove it") from None

    @property
    def closed(self) -> bool:
        return self.state in CLOSED

    def describe(self) -> str:
        """One phrase: `offboarded since <time> (report <path>)`, with the generation past the first."""
        text = self.state.value + (f" (generation {self.generation})" if self.generation > 1 else "")
        if self.since:
            text += f" since {self.since}"
        if self.report:
            text += f" (report {self.report})"
        return text


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def transition(current: TenantState, to: State, *, by: str, reason: str | None = None, report: str | None = None) -> TenantState:
    """The record after moving `current` to `to`; StateError, naming tenant and both states, when
    the move is not allowed. Reinstating (to ACTIVE from OFFBOARDED or DESTROYED) starts the next
    generation and needs a reason."""
    if to is current.state:
        return current if report is None or report == current.report else replace(current, report=report)
    if to not in TRANSITIONS[current.state]:
        hint = " (`tenantkit reinstate TENANT --reason ...` starts a new generation)" if current.state in CLOSED and to is State.ACTIVE else ""
        raise StateError(f"{current.tenant_id} is {current.describe()}: it cannot become {to.value}{hint}")
    generation = current.generation
    if current.state in (State.OFFBOARDED, State.DESTROYED) and to is State.ACTIVE:
        if not (reason and reason.strip()):
            raise StateError(f"{current.tenant_id}: reinstating needs a reason")
        generation += 1
        report = None
    return TenantState(
        tenant_id=current.tenant_id, state=to, generation=generation, since=now(), by=by, reason=reason,
        report=report if report is not None else (current.report if to is not State.ACTIVE else None),
    )


def require_open(state: TenantState, operation: str) -> None:
    """StateError unless `operation` (deploy, restore, drill, access) may act on the tenant."""
    if state.closed:
        raise StateError(
            f"{state.tenant_id} is {state.describe()}: {operation} refused; "
            f"`tenantkit reinstate {state.tenant_id} --reason ...` starts a new generation"
        )


UNDOES_FAILOVER = frozenset({"deploy", "repair"})
"""Operations that write the stacks' shape back (a read replica in the DR region, parameters naming
the primary): refused while the tenant is failed over (`require_not_failed_over`)."""


def require_not_failed_over(state: TenantState, operation: str) -> None:
    """StateError for `deploy` or `repair` of a failed-over tenant: the stacks describe a replica
    fed by the primary region, and applying them would replace the promoted instance (the tenant's
    only current database) and point its parameters back at the lost primary. Failback first."""
    if state.state is State.FAILED_OVER and operation in UNDOES_FAILOVER:
        raise StateError(
            f"{state.tenant_id} is {state.describe()}: {operation} refused, it would undo the failover "
            f"(`tenantkit failover failback-plan {state.tenant_id}` writes the way back)"
        )
