"""What an inventory holds: one item per resource, and what is wrong with it or could not be checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """An item's state, worst first: the API said it is not there; it is there and differs from
    its template; a call about it failed (denied, throttled, other); all is as declared."""

    MISSING = "missing"
    DRIFTED = "drifted"
    UNCHECKED = "unchecked"
    OK = "ok"


@dataclass(frozen=True)
class Item:
    """One resource of the tenant in one region.

    `problems` are differences found by calls that answered; `unchecked` names each check that
    could not be made and why (a denied or throttled call proves nothing either way); `missing`
    is set only when the API said the declared resource does not exist."""

    region: str
    kind: str
    name: str
    details: dict[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()
    missing: bool = False

    @property
    def status(self) -> Status:
        if self.missing:
            return Status.MISSING
        if self.problems:
            return Status.DRIFTED
        if self.unchecked:
            return Status.UNCHECKED
        return Status.OK

    @property
    def flagged(self) -> bool:
        return self.status is not Status.OK

    @property
    def findings(self) -> tuple[str, ...]:
        """What is wrong, then what could not be checked, as one line each."""
        return (*self.problems, *(f"could not check {what}" for what in self.unchecked))

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region, "kind": self.kind, "name": self.name, "status": self.status.value,
            "details": self.details, "problems": list(self.problems), "unchecked": list(self.unchecked),
        }


def missing(region: str, kind: str, name: str, problem: str = "declared, does not exist") -> Item:
    """A declared resource the API said does not exist."""
    return Item(region, kind, name, problems=(problem,), missing=True)


@dataclass
class Inventory:
    tenant_id: str
    items: list[Item] = field(default_factory=list)

    @property
    def flagged(self) -> list[Item]:
        return [item for item in self.items if item.flagged]

    @property
    def missing(self) -> list[Item]:
        return [item for item in self.items if item.status is Status.MISSING]

    @property
    def unchecked(self) -> list[Item]:
        """Items with at least one check that could not be made (whatever else they show)."""
        return [item for item in self.items if item.unchecked]

    @property
    def ok(self) -> bool:
        return not self.flagged


@dataclass(frozen=True)
class Declared:
    """The physical names one stack's template declares, per resource type."""

    stack: str
    region: str
    names: dict[str, list[tuple[str, dict[str, Any]]]]
    """CloudFormation type -> [(physical name, properties)]."""
    protects: tuple[str, ...] = ()
    """The resources the stack's web ACL is associated with (its WebACLAssociations)."""
