"""Break-glass access: time-boxed, tagged sessions of a tenant's break-glass role (`grant`), and
every such session with what it touched, from CloudTrail (`access_log`). The CLI and the review
import only what this module exports."""

from tenantkit.lifecycle.access.grant import (
    MIN_MINUTES,
    TAG_OPERATOR,
    TAG_REASON,
    TAG_TENANT,
    AccessRefused,
    Grant,
    check_request,
    grant,
    session_name,
)
from tenantkit.lifecycle.access.log import AccessLog, BreakGlassSession, RefusedGrant, Touch, access_log
from tenantkit.lifecycle.access.service import break_glass_log, environment, grant_access, tenant

__all__ = [
    "MIN_MINUTES",
    "TAG_OPERATOR",
    "TAG_REASON",
    "TAG_TENANT",
    "AccessLog",
    "AccessRefused",
    "BreakGlassSession",
    "Grant",
    "RefusedGrant",
    "Touch",
    "access_log",
    "break_glass_log",
    "check_request",
    "environment",
    "grant",
    "grant_access",
    "session_name",
    "tenant",
]
