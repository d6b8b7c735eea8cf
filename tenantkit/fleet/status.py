"""The fleet at a glance, one row per tenant: `tenantkit fleet status`.

A row holds the tenant's residency and regions (its file), its templates (the hash of each stack's
synthesized template in the cloud assembly directory, and with --local the hash of the template
deployed in the sandbox, compared), its security review approval (as `tenantkit list` reads it),
its last recovery drill, its offboarding state (the subscription in its file, and the offboarding
journal) and its inventory flags.

Computing the rows reads every tenant file, assembly and approval (and with --local, asks the
sandbox for three templates per tenant), so the rows are kept in `.tenantkit/fleet-status.json`
and shown from there until `--refresh`. The cache records the size and mtime of every source of a
row (tenant file, assembly manifest, approval, offboarding journal, inventory record): rows shown
from it name the tenants whose sources changed (or appeared, or went) since.

The inventory column is the last `tenantkit inventory` of the tenant, which records its flags in
`.tenantkit/inventory/<tenant>.json` ("not run" without one). No command records recovery drills
yet: the last drill is "never".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tenantkit.config.loader import TENANT_SUFFIX
from tenantkit.fleet.files import write_atomic

STATUS_FILE = Path(".tenantkit") / "fleet-status.json"
INVENTORY_DIR_NAME = "inventory"
STATUS_FORMAT = 1
NEVER_DRILLED = "never"
INVENTORY_NOT_RUN = "not run"

DeployedTemplates = Callable[[str, str | None, Sequence[Any]], dict[str, Any]]
"""(tenant_id, account, stack artifacts) -> stack name -> deployed template body (None: no stack)."""


def template_hash(body: Any) -> str:
    """sha256 of a template's JSON, canonical (sorted keys, no spaces), so a template read back
    from CloudFormation (parsed, reordered) hashes like the synthesized file it came from."""
    data = json.loads(body) if isinstance(body, str | bytes) else body
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class StackTemplates:
    stack: str
    synthesized: str | None
    """sha256 of the synthesized template; None when the tenant has no assembly."""
    deployed: str | None = None
    """sha256 of the deployed template; None when not deployed or not checked."""


@dataclass(frozen=True)
class TenantStatus:
    tenant_id: str
    residency: str
    regions: tuple[str, ...]
    templates: str
    """One phrase: 'deployed as synthesized', 'differs: <stacks>', 'not deployed', 'not synthesized',
    or 'synthesized' when the deployed templates were not checked."""
    stacks: tuple[StackTemplates, ...] = field(default_factory=tuple)
    approval: str = ""
    last_drill: str = NEVER_DRILLED
    offboarding: str = ""
    inventory: str = INVENTORY_NOT_RUN

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["regions"] = list(self.regions)
        data["stacks"] = [asdict(stack) for stack in self.stacks]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TenantStatus:
        return cls(
            **{
                **data,
                "regions": tuple(data["regions"]),
                "stacks": tuple(StackTemplates(**stack) for stack in data["stacks"]),
            }
        )


@dataclass(frozen=True)
class FleetStatus:
    computed_at: str
    local: bool
    """Whether deployed templates were compared with the sandbox's."""
    tenants: tuple[TenantStatus, ...]
    files: dict[str, list[list[int] | None]]
    """tenant id -> [size, mtime_ns] (None: absent) of each source of its row when computed."""
    from_cache: bool = False
    changed_since: tuple[str, ...] = ()
    """Tenants whose sources changed, appeared or went since the rows were computed."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": STATUS_FORMAT,
            "computed_at": self.computed_at,
            "local": self.local,
            "files": self.files,
            "tenants": [tenant.as_dict() for tenant in self.tenants],
        }


def _stat(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def source_stats(directory: Path, *, assembly_root: Path, approvals_dir: Path, state_dir: Path) -> dict[str, list[list[int] | None]]:
    """tenant id -> the size and mtime of each source of its row: its file, its assembly's
    manifest (rewritten by every synth), its approval, its offboarding journal, its inventory record."""
    stats = {}
    for path in sorted(directory.glob(f"*{TENANT_SUFFIX}")):
        tenant_id = path.stem
        sources = (
            path,
            assembly_root / tenant_id / "manifest.json",
            approvals_dir / f"{tenant_id}.json",
            state_dir / "offboarding" / f"{tenant_id}.json",
            state_dir / INVENTORY_DIR_NAME / f"{tenant_id}.json",
        )
        stats[tenant_id] = [_stat(source) for source in sources]
    return stats


def templates_phrase(stacks: Sequence[StackTemplates], *, checked: bool) -> str:
    if not stacks or any(stack.synthesized is None for stack in stacks):
        return "not synthesized"
    if not checked:
        return "synthesized"
    deployed = [stack for stack in stacks if stack.deployed is not None]
    if not deployed:
        return "not deployed"
    differing = [stack.stack for stack in stacks if stack.deployed != stack.synthesized]
    if not differing:
        return "deployed as synthesized"
    return f"differs: {', '.join(differing)}"


def offboarding_state(subscription_status: str, journal: Path) -> str:
    """The subscription's status, or the offboarding journal's progress once there is one."""
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return subscription_status
    except (OSError, ValueError):
        return f"{subscription_status}; offboarding journal unreadable: {journal}"
    if not isinstance(data, dict):
        return f"{subscription_status}; offboarding journal unreadable: {journal}"
    if data.get("completed_at"):
        return f"offboarded {str(data['completed_at'])[:10]}"
    if data.get("started_at"):
        return f"offboarding since {str(data['started_at'])[:10]}"
    return f"{subscription_status}; offboarding planned"


def record_inventories(state_dir: Path, inventories: Sequence[Any], *, where: str) -> None:
    """Keep each tenant's last inventory (an `Inventory`) for `fleet status`: when, where (the
    sandbox or AWS) and every flagged item. A failure to write is not an error of the inventory."""
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for inventory in inventories:
        record = {
            "tenant_id": inventory.tenant_id,
            "at": at,
            "where": where,
            "items": len(inventory.items),
            "flagged": [f"{i.region} {i.kind} {i.name}: {'; '.join(i.problems)}" for i in inventory.flagged],
        }
        try:
            write_atomic(state_dir / INVENTORY_DIR_NAME / f"{inventory.tenant_id}.json", json.dumps(record, indent=1) + "\n")
        except OSError:
            continue


def inventory_state(record_file: Path) -> str:
    """'clean (sandbox, 2027-01-15)', '2 flagged (aws, ...): <first>', or 'not run'."""
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        flagged, where, at = list(record["flagged"]), str(record["where"]), str(record["at"])[:10]
    except FileNotFoundError:
        return INVENTORY_NOT_RUN
    except (OSError, ValueError, KeyError, TypeError):
        return f"unreadable record: {record_file}"
    if not flagged:
        return f"clean ({where}, {at})"
    return f"{len(flagged)} flagged ({where}, {at}): {flagged[0]}"


def compute_status(
    directory: Path,
    *,
    assembly_root: Path,
    approvals_dir: Path,
    state_dir: Path = Path(".tenantkit"),
    today: date | None = None,
    deployed_templates: DeployedTemplates | None = None,
) -> FleetStatus:
    """Every valid tenant's row (an invalid tenant file has no row: `validate` reports it).
    With `deployed_templates`, each stack's deployed template is compared with the synthesized."""
    from tenantkit.compliance.assembly import stack_artifacts
    from tenantkit.config import validate_paths
    from tenantkit.lifecycle.offboarding.service import journal_path
    from tenantkit.naming import stack_names
    from tenantkit.review.service import approval_states

    today = today or date.today()
    stats = source_stats(directory, assembly_root=assembly_root, approvals_dir=approvals_dir, state_dir=state_dir)
    configs = validate_paths([directory]).configs
    approvals = approval_states(directory, approvals_dir, [config.tenant_id for config in configs])
    rows = []
    for config in configs:
        names = stack_names(config.tenant_id)
        try:
            artifacts = stack_artifacts(assembly_root / config.tenant_id, names)
        except (OSError, ValueError, KeyError):
            artifacts = []
        synthesized = {artifact.name: template_hash(artifact.template_text()) for artifact in artifacts}
        deployed: dict[str, Any] = {}
        if deployed_templates is not None and artifacts:
            deployed = deployed_templates(config.tenant_id, config.account, artifacts)
        stacks = tuple(
            StackTemplates(
                name,
                synthesized.get(name),
                template_hash(deployed[name]) if deployed.get(name) is not None else None,
            )
            for name in names
        )
        rows.append(
            TenantStatus(
                tenant_id=config.tenant_id,
                residency=config.residency.value,
                regions=tuple(config.regions),
                templates=templates_phrase(stacks, checked=deployed_templates is not None),
                stacks=stacks,
                approval=approvals.get(config.tenant_id, ""),
                offboarding=offboarding_state(
                    config.subscription.status(today).value,
                    journal_path(state_dir, config.tenant_id, config.generation),  # this generation's
                ),
                inventory=inventory_state(state_dir / INVENTORY_DIR_NAME / f"{config.tenant_id}.json"),
            )
        )
    return FleetStatus(
        computed_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        local=deployed_templates is not None,
        tenants=tuple(rows),
        files=stats,
    )


def save_status(status: FleetStatus, path: Path = STATUS_FILE) -> None:
    write_atomic(path, json.dumps(status.as_dict(), separators=(",", ":")) + "\n")


def load_status(
    directory: Path, path: Path, *, assembly_root: Path, approvals_dir: Path, state_dir: Path
) -> FleetStatus | None:
    """The cached rows, with the tenants whose sources changed since; None when there is no usable
    cache (none, unreadable, or of another format)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != STATUS_FORMAT:
            return None
        files = dict(data["files"])
        tenants = tuple(TenantStatus.from_dict(row) for row in data["tenants"])
        computed_at, local = str(data["computed_at"]), bool(data["local"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    now = source_stats(directory, assembly_root=assembly_root, approvals_dir=approvals_dir, state_dir=state_dir)
    changed = sorted(tenant_id for tenant_id in now.keys() | files.keys() if now.get(tenant_id) != files.get(tenant_id))
    return FleetStatus(computed_at, local, tenants, files, from_cache=True, changed_since=tuple(changed))


def fleet_status(
    directory: Path,
    *,
    assembly_root: Path,
    approvals_dir: Path,
    refresh: bool,
    state_dir: Path = Path(".tenantkit"),
    deployed_templates: DeployedTemplates | None = None,
) -> FleetStatus:
    """The cached rows when there are some of the same kind (with --local or without), else
    computed now and cached."""
    cache = state_dir / STATUS_FILE.name
    if not refresh:
        cached = load_status(directory, cache, assembly_root=assembly_root, approvals_dir=approvals_dir, state_dir=state_dir)
        if cached is not None and cached.local == (deployed_templates is not None):
            return cached
    status = compute_status(
        directory,
        assembly_root=assembly_root,
        approvals_dir=approvals_dir,
        state_dir=state_dir,
        deployed_templates=deployed_templates,
    )
    save_status(status, cache)
    return status


def sandbox_templates(state_dir: Path) -> DeployedTemplates:
    """Deployed templates read from the running local sandbox (tenantkit sandbox up), each tenant
    in its own account; SandboxError when the sandbox is not running."""
    from tenantkit.lifecycle.fleet import sandbox_sessions
    from tenantkit.sandbox import sandbox_status
    from tenantkit.sandbox.process import SandboxError, SandboxState

    status = sandbox_status(state_dir)
    if status.state is not SandboxState.RUNNING or status.endpoint is None:
        raise SandboxError(f"the sandbox is {status.state.value}: `tenantkit sandbox up` first, or leave out --local")
    endpoint = status.endpoint

    def read(tenant_id: str, account: str | None, artifacts: Sequence[Any]) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        sessions = sandbox_sessions(endpoint, account)
        bodies: dict[str, Any] = {}
        for artifact in artifacts:
            cloudformation = sessions(artifact.region).client("cloudformation")
            try:
                bodies[artifact.name] = cloudformation.get_template(StackName=artifact.name)["TemplateBody"]
            except ClientError as error:
                if "does not exist" not in str(error):
                    raise
                bodies[artifact.name] = None
        return bodies

    return read
