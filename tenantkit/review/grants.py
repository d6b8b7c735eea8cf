"""The review's "Break-glass grants" section: every break-glass session of the tenant
(`tenantkit.lifecycle.access.break_glass_log`), with who asked, why, for how long and what it
did; AssumeRole calls STS refused; the sources that could not be read, as "not checked" and
flagged. Looked up only on request (`tenantkit review TENANT --grants`): the review otherwise
reads templates only, and says so instead of "none".

The section is what happened in the account, not what the templates build: it is left out of
the content hash and of the changes since an approval (`model.RUNTIME_SECTIONS`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tenantkit.review.model import Section

if TYPE_CHECKING:
    from tenantkit.lifecycle.access import AccessLog

ID = "grants"
TITLE = "Break-glass grants"
NOT_LOOKED_UP = "not looked up (templates only; pass --grants)"


def build_grants(log: AccessLog | None) -> Section:
    """The section from the tenant's access log; `log` None: not looked up."""
    section = Section(ID, TITLE)
    if log is None:
        section.summary.append(NOT_LOOKED_UP)
        return section
    section.summary.append(f"break-glass sessions of {log.role_arn} granted since {_time(log.since)}: {len(log.sessions)}; "
                           f"refused: {len(log.refused)}")  # fmt: skip
    sessions = section.table("Sessions", "Granted", "Until", "Operator", "Reason", "Assumed by", "Calls", "Refused calls")
    for session in log.sessions:
        refused = [t for t in session.touches if t.error]
        calls = [f"{t.service}:{t.action}" + (f" {t.resources[0]}" if t.resources else "") for t in session.touches]
        sessions.add(session.access_key_id, _time(session.granted_at), _time(session.expires_at), session.operator or "not tagged",
                     session.reason or "not tagged", session.assumed_by, calls or "none", [f"{t.service}:{t.action} ({t.error})" for t in refused] or "none",
                     flagged=session.operator is None or session.reason is None)  # fmt: skip
        if session.operator is None or session.reason is None:
            section.flag(log.tenant_id, session.session_name, f"break-glass session {session.session_arn} carries no operator or "
                         "reason tag: granted outside `tenantkit access grant`")  # fmt: skip
    attempts = section.table("Refused grants", "Time", "Caller", "Error", "Operator", "Reason")
    for attempt in log.refused:
        attempts.add(f"{_time(attempt.time)} {attempt.caller}", _time(attempt.time), attempt.caller, attempt.error,
                     attempt.operator or "not tagged", attempt.reason or "not tagged")  # fmt: skip
    sources = section.table("Sources", "Source", "Status")
    for searched in log.searched:
        sources.add(searched, searched, "read")
    for unreadable in log.unreadable:
        sources.add(unreadable, unreadable, "not checked", flagged=True)
        section.flag(log.tenant_id, "access-log", f"not checked: {unreadable}")
    return section


def _time(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()
