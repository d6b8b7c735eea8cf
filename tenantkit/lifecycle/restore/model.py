"""What restores and drills are made of: the request, what a restore made, and the one error a
refused request raises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

Clock = Callable[[], datetime]
"""now(), timezone-aware: injected so that tests move time instead of sleeping."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """`2026-12-07T01:02:03Z`: whole seconds, UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RestoreRefused(Exception):
    """The request is refused before anything changes; the message says why, in one line."""


class Store(StrEnum):
    DATABASE = "database"
    FILES = "files"


@dataclass(frozen=True)
class Environment:
    """Where the tenant lives: the sandbox or AWS, its account, and a session per region."""

    name: str
    account: str
    session_for: Callable[[str], Any]

    @property
    def sandbox(self) -> bool:
        return self.name == "sandbox"


@dataclass(frozen=True, kw_only=True)
class RestoreRequest:
    """One of `to` (a point in time), `recovery_point` (an ARN) or `latest`."""

    region: str
    stores: tuple[Store, ...]
    name: str
    to: datetime | None = None
    recovery_point: str | None = None
    latest: bool = False


@dataclass(frozen=True)
class Restored:
    """One store restored into new resources: what was made, from what, and when."""

    store: Store
    region: str
    made: str
    """The new DB instance's ARN, or `s3://<bucket>/restores/<name>/`."""
    source: str
    """The recovery point's ARN, `point-in-time of <instance>` or `versions of s3://<bucket>`."""
    data_time: str
    """ISO 8601 UTC: the moment the restored data is from."""
    started_at: str
    finished_at: str
    seconds: float
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RestoreResult:
    tenant_id: str
    name: str
    restored: tuple[Restored, ...]
    now: str


@dataclass(frozen=True)
class ListedRestore:
    """A restore found in AWS (or the sandbox) by its exact name and tags."""

    name: str
    store: Store
    region: str
    resource: str
    data_time: str | None
    status: str
    details: dict[str, Any] = field(default_factory=dict)
