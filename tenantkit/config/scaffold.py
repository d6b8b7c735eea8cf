"""`tenantkit new`: a commented tenant file rendered from a template, validated, then written.

The file is validated before anything touches the disk, and written through a temporary file
that is hard-linked into place, so the target is either absent or complete, and an existing
tenant is never overwritten (even by a concurrent `new`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tenantkit.config.loader import FILE_PATH, TENANT_SUFFIX, ConfigError, ConfigIssue, load_text
from tenantkit.config.models import Backup, Database, Subscription, TenantConfig, _check_tenant_id
from tenantkit.config.residency import policy_for

NEW_FILE_MODE = 0o644


@dataclass(frozen=True, kw_only=True)
class NewTenant:
    tenant_id: str
    residency: str
    cidrs: Sequence[str]
    countries: Sequence[str]
    security_email: str
    display_name: str | None = None
    account: str | None = None
    allow_roaming: bool = False
    controlled_goods: bool = False


def render_tenant_yaml(request: NewTenant) -> str:
    """The commented YAML of a new tenant (not validated: see `create_tenant_file`)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("tenantkit.config", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # YAML, not HTML: strings are quoted by the yaml_str filter
    )
    environment.filters["yaml_str"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    residency = request.residency.strip().lower()  # a flag, not a file: `--residency CA` means ca
    try:
        policy = policy_for(residency)
    except ValueError:
        policy = None  # rendered anyway, so that validation reports the field
    database, backup, subscription = Database(), Backup(), Subscription()
    text = environment.get_template("tenant.yaml.j2").render(
        tenant_id=request.tenant_id,
        display_name=request.display_name or request.tenant_id.replace("-", " ").title(),
        policy=policy,
        residency=residency if policy else json.dumps(request.residency),
        account=request.account,
        security_email=request.security_email,
        cidrs=request.cidrs,
        countries=request.countries,
        allow_roaming=request.allow_roaming,
        controlled_goods=request.controlled_goods,
        replica_class=_replica_class(database.instance_class, policy.default_secondary_region) if policy else None,
        defaults={
            "engine_version": database.engine_version,
            "instance_class": database.instance_class,
            "allocated_storage_gib": database.allocated_storage_gib,
            "hourly_retention_days": backup.hourly_retention_days,
            "retention_days": backup.retention_days,
            "copy_retention_days": backup.copy_retention_days,
            "retrieval_days": subscription.retrieval_days,
        },
    )
    return text


def _replica_class(instance_class: str, secondary_region: str) -> str | None:
    """The class to write for the read replica when the secondary region does not offer the
    default class (ca-west-1 has no db.t4g), else None: the class the tenant would get by
    default anyway (`TenantConfig.replica_instance_class`), written out so the file says it."""
    from tenantkit.config.rds_offerings import substitute_class

    return substitute_class(instance_class, secondary_region)


def create_tenant_file(directory: Path, request: NewTenant) -> tuple[Path, TenantConfig]:
    """Render, validate and write `<directory>/<tenant_id>.yaml`; raise ConfigError otherwise."""
    target = directory / f"{request.tenant_id}{TENANT_SUFFIX}"
    try:
        _check_tenant_id(request.tenant_id)
    except ValueError as error:
        raise ConfigError([ConfigIssue(str(target), 0, "tenant_id", str(error))]) from None
    if target.exists():
        raise ConfigError(
            [ConfigIssue(str(target), 0, FILE_PATH, "tenant already exists; edit the file instead")]
        )
    text = render_tenant_yaml(request)
    config, issues = load_text(text, target)
    if issues or config is None:
        raise ConfigError(issues)
    if not directory.is_dir():
        raise ConfigError([ConfigIssue(str(directory), 0, FILE_PATH, "no such directory")])
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{request.tenant_id}.", suffix=".tmp")
    try:
        os.fchmod(handle, NEW_FILE_MODE)  # mkstemp makes 0600; a tenant file is shared, not secret
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise ConfigError(
                [ConfigIssue(str(target), 0, FILE_PATH, "tenant already exists; edit the file instead")]
            ) from None
    finally:
        os.unlink(temporary)
    return target, config
