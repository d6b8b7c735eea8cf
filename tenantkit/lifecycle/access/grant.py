"""`access grant`: an operator assumes a tenant's break-glass role for a few minutes, the session
tagged with why and by whom, so that CloudTrail records both with every call it makes.

The role (tenantkit/constructs/tenant_roles.py) trusts the account only with MFA, and its
MaxSessionDuration is at least an hour (STS's floor for a role); the session is capped here by
the tenant file's `access.break_glass_max_minutes` (STS refuses DurationSeconds above the role's
maximum, so the role is the second cap).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

MIN_MINUTES = 15
"""STS's shortest session (DurationSeconds 900)."""
TAG_REASON = "tenantkit:break-glass-reason"
TAG_OPERATOR = "tenantkit:break-glass-operator"
TAG_TENANT = "tenantkit:tenant"
_MAX_TAG_VALUE = 256
_MFA_SERIAL = re.compile(r"^(arn:aws[\w-]*:iam::\d{12}:mfa/[\w+=,.@/-]+|[A-Z0-9]{9,32})$")
_MFA_CODE = re.compile(r"^\d{6}$")
_SESSION_NAME_CHARS = re.compile(r"[^\w+=,.@-]")


class AccessRefused(Exception):
    """A grant or log request refused before anything was asked of AWS; one line naming the tenant."""


@dataclass(frozen=True)
class Grant:
    """Temporary credentials of one break-glass session; the secret parts are never logged."""

    tenant_id: str
    role_arn: str
    session_arn: str
    session_name: str
    operator: str
    reason: str
    region: str
    expires: datetime
    access_key_id: str
    secret_access_key: str
    session_token: str
    endpoint: str | None = None
    """Where to use them: the sandbox's endpoint; None for AWS."""


def _tag_value_problem(field: str, value: str) -> str | None:
    """STS session tag values: up to 256 characters, letters, digits, spaces and `_ . : / = + - @`
    (IAM User Guide, "Tagging AWS STS sessions": tag value rules)."""
    if not value.strip():
        return f"{field} must not be empty"
    if len(value) > _MAX_TAG_VALUE:
        return f"{field} is {len(value)} characters; a session tag holds at most {_MAX_TAG_VALUE}"
    bad = sorted({ch for ch in value if not (ch.isalnum() or ch in "_.:/=+-@" or unicodedata.category(ch).startswith("Z"))})
    if bad:
        return f"{field} may hold letters, digits, spaces and _ . : / = + - @ only (a session tag); not {' '.join(map(repr, bad))}"
    return None


def check_request(
    config: Any, *, reason: str, minutes: int, by: str, mfa_serial: str | None, mfa_code: str | None, sandbox: bool
) -> None:
    """AccessRefused naming every problem of the request at once (nothing asked of AWS yet)."""
    cap = config.access.break_glass_max_minutes
    problems = [p for p in (_tag_value_problem("--reason", reason), _tag_value_problem("--by", by)) if p]
    if not MIN_MINUTES <= minutes <= cap:
        problems.append(f"--minutes must be {MIN_MINUTES} to {cap} (access.break_glass_max_minutes of its file); got {minutes}")
    if (mfa_serial is None) != (mfa_code is None):
        problems.append("--mfa-serial and --mfa-code go together")
    elif mfa_serial is None and not sandbox:
        problems.append("--mfa-serial and --mfa-code are required against AWS (the role trusts MFA sessions only)")
    if mfa_serial is not None and not _MFA_SERIAL.match(mfa_serial):
        problems.append(f"--mfa-serial {mfa_serial!r} is neither an MFA device ARN nor a hardware serial")
    if mfa_code is not None and not _MFA_CODE.match(mfa_code):
        problems.append("--mfa-code must be the device's 6 digits")
    if problems:
        raise AccessRefused(f"{config.tenant_id}: " + "; ".join(problems))


def session_name(operator: str, moment: datetime) -> str:
    """The role session name: the operator and the time, in the characters STS allows (2-64 of
    `[\\w+=,.@-]`); it ends the assumed-role ARN every CloudTrail record of the session carries."""
    stamp = moment.strftime("%Y%m%dT%H%M%SZ")
    who = _SESSION_NAME_CHARS.sub("-", operator.strip())[: 64 - len(stamp) - 1]
    return f"{who}@{stamp}"


def grant(
    config: Any, role_arn: str, sts: Any, *, reason: str, minutes: int, by: str,
    mfa_serial: str | None = None, mfa_code: str | None = None, now: datetime | None = None,
) -> Grant:
    """Assume the tenant's break-glass role `role_arn` with `sts` (a client of the tenant's primary
    region), the session tagged with the reason, the operator and the tenant, for `minutes`.
    Call `check_request` first."""
    moment = now or datetime.now(UTC)
    name = session_name(by, moment)
    kwargs: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": name,
        "DurationSeconds": minutes * 60,
        "Tags": [{"Key": TAG_REASON, "Value": reason}, {"Key": TAG_OPERATOR, "Value": by},
                 {"Key": TAG_TENANT, "Value": config.tenant_id}],
    }  # fmt: skip
    if mfa_serial is not None:
        kwargs.update(SerialNumber=mfa_serial, TokenCode=mfa_code)
    answer = sts.assume_role(**kwargs)
    credentials = answer["Credentials"]
    expires = credentials["Expiration"]
    if not isinstance(expires, datetime):
        expires = moment + timedelta(minutes=minutes)
    return Grant(
        tenant_id=config.tenant_id, role_arn=role_arn, session_arn=answer["AssumedRoleUser"]["Arn"], session_name=name,
        operator=by, reason=reason, region=config.primary_region, expires=expires.astimezone(UTC),
        access_key_id=credentials["AccessKeyId"], secret_access_key=credentials["SecretAccessKey"],
        session_token=credentials["SessionToken"],
    )  # fmt: skip
