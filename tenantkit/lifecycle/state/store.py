"""Where a tenant's state is kept: the SSM parameter `/tenantkit/<id>/state` in the tenant's
account and primary region (the sandbox's, in the sandbox), so every operator reads the same
record, and a copy under `.tenantkit/states/<environment>/<id>.json` for when SSM cannot be asked.
The SSM copy wins: a read that reaches SSM rewrites the local copy, including its absence.

The parameter is written here with `PutParameter`, never by a stack, and carries no tenant tag:
offboarding leaves it (it is the record that says the tenant was offboarded) and deleting the
tenant's stacks cannot take it away.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenantkit.aws import Failure, atomic_write, classify
from tenantkit.lifecycle.state.model import State, StateError, TenantState, transition
from tenantkit.naming import TenantNames

STATES_DIR = Path("states")
"""Under the state directory (`.tenantkit/`): one folder per environment, one file per tenant."""


@dataclass(frozen=True)
class StateStore:
    """The state records of one environment (`sandbox`, or `aws:<account>`): `ssm_for(region)` is
    an SSM client of that account in `region`."""

    environment: str
    ssm_for: Any
    state_dir: Path

    def cache_path(self, tenant_id: str) -> Path:
        return self.state_dir / STATES_DIR / self.environment.replace(":", "-") / f"{tenant_id}.json"

    def read(self, names: TenantNames, *, outage: bool = False) -> TenantState:
        """The tenant's record from SSM (absent: active, generation 1, `recorded` False); StateError
        when SSM cannot be read: a deploy must not guess the state. With `outage` (failover only:
        the primary region may be down), a primary region that cannot be read is replaced by the
        copy `write` keeps in the secondary region; StateError when that cannot be read either."""
        tenant_id = names.tenant_id
        try:
            text = self._get(names, names.primary_region)
        except _Unreadable as primary:
            if not outage:
                raise StateError(
                    f"{tenant_id}: cannot read its state ({names.state_parameter} in {names.primary_region}): {primary.error}"
                ) from None
            try:
                text = self._get(names, names.secondary_region)
            except _Unreadable as secondary:
                raise StateError(
                    f"{tenant_id}: cannot read its state in {names.primary_region} ({primary.error}) "
                    f"nor its copy in {names.secondary_region} ({secondary.error})"
                ) from None
        if text is None:
            self.cache_path(tenant_id).unlink(missing_ok=True)
            return TenantState(tenant_id=tenant_id, recorded=False)
        record = TenantState.from_json(text, tenant_id)
        self._cache(record)
        return record

    def _get(self, names: TenantNames, region: str) -> str | None:
        """The state parameter's value in `region`, None when it does not exist."""
        try:
            return str(self.ssm_for(region).get_parameter(Name=names.state_parameter)["Parameter"]["Value"])
        except Exception as error:  # noqa: BLE001 - classified once, here
            if classify(error) is Failure.ABSENT:
                return None
            raise _Unreadable(error) from None

    def cached(self, tenant_id: str) -> TenantState | None:
        """The local copy (the last state read or written here), None when there is none."""
        try:
            return TenantState.from_json(self.cache_path(tenant_id).read_text(encoding="utf-8"), tenant_id)
        except FileNotFoundError:
            return None

    def write(self, names: TenantNames, record: TenantState) -> TenantState:
        """Writes the record in the primary region (the copy that wins), then the same record in the
        secondary region, the copy a failover reads while the primary region is down."""
        for region in (names.primary_region, names.secondary_region):
            self.ssm_for(region).put_parameter(
                Name=names.state_parameter, Value=record.to_json(), Type="String", Overwrite=True,
                Description=f"tenantkit: lifecycle state of tenant {names.tenant_id}",
            )
        self._cache(record)
        return record

    def move(
        self, names: TenantNames, to: State, *, by: str, reason: str | None = None, report: str | None = None
    ) -> TenantState:
        """Read, check the transition (StateError when not allowed), write; the new record."""
        current = self.read(names)
        new = transition(current, to, by=by, reason=reason, report=report)
        if new == current and current.recorded:
            return current
        return self.write(names, new)

    def _cache(self, record: TenantState) -> None:
        self.cache_path(record.tenant_id).parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.cache_path(record.tenant_id), record.to_json() + "\n")


class _Unreadable(Exception):
    """A state parameter that could not be read (denied, throttled, the region unreachable)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


__all__ = ["STATES_DIR", "StateError", "StateStore"]
