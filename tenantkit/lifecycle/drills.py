"""A tenant's last drill, read from its newest report: what `list` shows and what `inventory`
flags under fleet.yaml `drills.max_age_days`. Light on purpose (no AWS library): `list` imports
it. The report is read, not verified: `tenantkit report verify` checks its signature."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

DRILL_SCHEMA = "tenantkit.drill-report/1"


@dataclass(frozen=True)
class LastDrill:
    """A tenant's newest drill report (read, not verified: `report verify` checks its signature)."""

    started_at: str | None
    ok: bool
    report: str
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"started_at": self.started_at, "ok": self.ok, "report": self.report, **({"note": self.note} if self.note else {})}


def last_drill(reports_root: Path, tenant_id: str) -> LastDrill | None:
    """The newest `reports_root/<tenant>/drill-*.json` (names sort by start time), or None."""
    found = sorted((reports_root / tenant_id).glob("drill-*.json"))
    if not found:
        return None
    try:
        data = json.loads(found[-1].read_bytes())
        if data.get("schema") != DRILL_SCHEMA or not isinstance(data.get("ok"), bool):
            raise ValueError(f"not a {DRILL_SCHEMA} report")
        started_at = str(data["started_at"])
        datetime.fromisoformat(started_at.replace("Z", "+00:00"))
    except (OSError, ValueError, KeyError, AttributeError) as error:
        return LastDrill(None, False, str(found[-1]), f"unreadable: {error}")
    return LastDrill(started_at, data["ok"], str(found[-1]))


def drill_problems(last: LastDrill | None, max_age_days: int, now: datetime) -> tuple[str, ...]:
    """What fleet.yaml `drills.max_age_days` finds wrong with a tenant's last drill: none, failed,
    unreadable, or older than the limit."""
    if last is None:
        return (f"no drill report: fleet.yaml requires a drill every {max_age_days} days (`tenantkit drill`)",)
    if last.note:
        return (f"last drill report {last.report} is {last.note}",)
    problems = [] if last.ok else [f"last drill ({last.started_at}) failed: {last.report}"]
    started = datetime.fromisoformat(str(last.started_at).replace("Z", "+00:00"))
    age = (now - started).days
    if age > max_age_days:
        problems.append(f"last drill is {age} days old ({last.started_at}); fleet.yaml requires one every {max_age_days} days")
    return tuple(problems)


def flag_drills(inventories: list[Any], reports_root: Path, max_age_days: int | None, now: datetime) -> None:
    """Add to each inventory an item `drill` for its tenant's last drill, flagged per
    `drill_problems` (nothing added when fleet.yaml sets no `drills.max_age_days`)."""
    if max_age_days is None:
        return
    from tenantkit.lifecycle.inventory.model import Item

    for inventory in inventories:
        last = last_drill(reports_root, inventory.tenant_id)
        details = last.as_dict() if last is not None else {}
        inventory.items.append(Item("", "drill", last.report if last else "none", details, drill_problems(last, max_age_days, now)))
