"""The two operations as the CLI and the review call them: the tenant's environment (sandbox or
AWS), its names, and the clients of the right regions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from tenantkit.lifecycle.access.grant import AccessRefused, Grant, grant
from tenantkit.lifecycle.access.log import AccessLog, access_log
from tenantkit.naming import audit_bucket, names_for


def tenant(directory: Path, tenant_id: str) -> Any:
    """The tenant's config; ConfigError for its invalid file, AccessRefused when there is none."""
    from tenantkit.config import UnknownTenantError, find_tenant

    try:
        return find_tenant(directory, tenant_id).config
    except UnknownTenantError as error:
        raise AccessRefused(str(error)) from None


def environment(config: Any, *, local: bool, state_dir: Path) -> Any:
    """The running sandbox, or AWS with the default credentials in the tenant's account
    (`tenantkit.lifecycle.restore.Environment`); AccessRefused otherwise."""
    from tenantkit.lifecycle.restore import RestoreRefused
    from tenantkit.lifecycle.restore import environment as restore_environment

    try:
        return restore_environment(config, local=local, state_dir=state_dir)
    except RestoreRefused as error:
        raise AccessRefused(str(error)) from None


def _role_arn(config: Any, env: Any) -> str:
    return names_for(config.tenant_id, env.account, config.primary_region, config.secondary_region, config.generation).break_glass_role_arn


def grant_access(
    config: Any, env: Any, *, reason: str, minutes: int, by: str, mfa_serial: str | None, mfa_code: str | None, state_dir: Path,
) -> Grant:
    """A break-glass session of the tenant (call `check_request` and take the tenant's lock first),
    through STS of its primary region; in the sandbox, with the sandbox's endpoint to use it at."""
    from dataclasses import replace

    if env.sandbox:
        _require_role(config, env)
    sts = env.session_for(config.primary_region).client("sts")
    granted = grant(config, _role_arn(config, env), sts, reason=reason, minutes=minutes, by=by, mfa_serial=mfa_serial, mfa_code=mfa_code)
    if not env.sandbox:
        return granted
    from tenantkit.lifecycle.local import running_sandbox

    return replace(granted, endpoint=running_sandbox(state_dir).endpoint)


def _require_role(config: Any, env: Any) -> None:
    """AccessRefused when the break-glass role does not exist. In the sandbox only: moto's STS
    issues credentials for a role it does not hold (AWS refuses AssumeRole itself), and the
    sandbox does not evaluate such a session's calls, so it would act as the operator."""
    from botocore.exceptions import ClientError

    from tenantkit.aws import Failure, classify

    names = names_for(config.tenant_id, env.account, config.primary_region, config.secondary_region, config.generation)
    try:
        env.session_for(config.primary_region).client("iam").get_role(RoleName=names.break_glass_role)
    except ClientError as error:
        if classify(error) is Failure.ABSENT:
            raise AccessRefused(f"{config.tenant_id}: its break-glass role {names.break_glass_role_arn} does not exist "
                                "(`tenantkit deploy --local` first)") from None
        raise


def break_glass_log(config: Any, env: Any, *, since: datetime) -> AccessLog:
    """Every break-glass session of the tenant since `since`, with what each touched (what the
    security review lists as the tenant's grants)."""
    return access_log(
        config, account=env.account, role_arn=_role_arn(config, env), trail_bucket=lambda region: audit_bucket(env.account, region),
        session_for=env.session_for, since=since,
    )  # fmt: skip
