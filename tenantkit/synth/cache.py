"""Each tenant's cloud assembly and findings, cached under `.tenantkit/cache/`, so that synth of an
unchanged tenant costs a copy, not a synthesis (and, for a fully cached run, not even a Node start).

An entry is keyed by everything that can change what the synth of a tenant produces:
- the tenant's configuration as validated (its file's content, minus comments and layout);
- the ids of every tenant of the run (the isolation rules look for other tenants' names);
- the CDK context passed to the app, `cdk.json`'s and `cdk.context.json`'s context in the
  project directory, and `CDK_CONTEXT_JSON` (what the CDK CLI hands an app);
- whether cfn-lint runs;
- fleet.yaml's extensions: each callable, its stack and its module file's content;
- every file of the installed tenantkit package (code and package data);
- for the baseline stacks (entry `_baseline`, `tenantkit.synth.baseline`): every tenant file of
  the selected accounts and regions, and which of them are selected;
- the versions of aws-cdk-lib, constructs, cdk-nag, cfn-lint, jsii and the Node jsii runs on.

An entry is written to a temporary directory and renamed into place, and holds the sha256 of each
of its files: a partial or altered entry is a miss, never an error. Only the newest entry of
each tenant is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import tenantkit
from tenantkit.config.models import TenantConfig
from tenantkit.config.residency import Residency

CACHE_DIR = Path(".tenantkit") / "cache"
ENTRY_FORMAT = 1
TOOLCHAIN = ("aws-cdk-lib", "constructs", "cdk-nag", "cfn-lint", "jsii")
_RESULT = "result.json"
_ASSEMBLY = "assembly"


@dataclass(frozen=True)
class CachedTenant:
    stacks: tuple[str, ...]
    resources: int
    findings: tuple[str, ...]


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def source_fingerprint() -> str:
    """sha256 over every file of the installed tenantkit package (code and package data)."""
    return _digest(_file_hashes(Path(tenantkit.__file__).resolve().parent))


def toolchain_versions() -> dict[str, str]:
    """Versions of the libraries that shape an assembly and its findings, and of jsii's Node."""
    versions = {}
    for name in TOOLCHAIN:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    versions["node"] = _node_version()
    return versions


def _node_version() -> str:
    from tenantkit.jsii_node import wheel_node_path

    node = os.environ.get("JSII_NODE") or str(wheel_node_path())
    try:
        run = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        return f"{node}: {type(error).__name__}"
    return run.stdout.strip() or f"{node}: exit {run.returncode}"


def project_context(project_dir: Path) -> dict[str, Any]:
    """The context a CDK CLI run in `project_dir` would hand the app: `cdk.json`'s and
    `cdk.context.json`'s, and CDK_CONTEXT_JSON. Unreadable files count by their raw bytes."""
    found: dict[str, Any] = {"CDK_CONTEXT_JSON": os.environ.get("CDK_CONTEXT_JSON")}
    for name in ("cdk.json", "cdk.context.json"):
        path = project_dir / name
        if not path.is_file():
            continue
        raw = path.read_bytes()
        try:
            data = json.loads(raw)
            found[name] = data.get("context", {}) if name == "cdk.json" else data
        except (ValueError, AttributeError):
            found[name] = hashlib.sha256(raw).hexdigest()
    return found


class SynthCache:
    """The synth cache in `directory`, for one run (the run-wide key parts are computed once)."""

    def __init__(self, directory: Path = CACHE_DIR, *, project_dir: Path | None = None) -> None:
        self.directory = directory
        self._run_key = _digest(
            ENTRY_FORMAT,
            source_fingerprint(),
            toolchain_versions(),
            project_context(project_dir or Path.cwd()),
        )

    def key(
        self,
        config: TenantConfig,
        *,
        fleet_ids: frozenset[str],
        context: dict[str, Any],
        lint: bool,
        extensions: list[tuple[str, str, str]] | None = None,
        operator_topics: Sequence[str] = (),
    ) -> str:
        """`extensions`: `fleet_models.extension_sources` of the run (none: the key of a fleet without);
        `operator_topics`: fleet.yaml's operator channel of the tenant's zone (none: the same)."""
        parts: list[Any] = [self._run_key, config.model_dump(mode="json"), sorted(fleet_ids), context, lint]
        if extensions:
            parts.append(extensions)
        if operator_topics:
            parts.append(["operator_channel", *operator_topics])
        return _digest(*parts)

    def baseline_key(
        self, members: Sequence[TenantConfig], chosen: Sequence[TenantConfig], *, context: dict[str, Any], lint: bool,
        operator_channel: Mapping[Residency, Sequence[str]] | None = None,
    ) -> str:
        """The key of the baseline stacks of `chosen`'s environments: what the baseline reads of
        every tenant of those environments (`members`, each trail covers them all: the names its
        buckets and roles take, from id, account, regions and generation, and its zone), which
        environments are chosen, and the operator channel's topics of the members' zones (none:
        the same as no channel). Any other change to a tenant file (its allow-list, its contact)
        leaves the baseline as it is, so it is restored, not synthesized again."""
        environments = sorted({(config.account or "", region) for config in chosen for region in config.regions})
        tenants = sorted(
            [config.tenant_id, config.account or "", config.primary_region, config.secondary_region, config.generation,
             config.residency.value]
            for config in members
        )  # fmt: skip
        zones = sorted({config.residency for config in members})
        channel = [[zone.value, *sorted(operator_channel[zone])] for zone in zones if operator_channel and operator_channel.get(zone)]
        parts: list[Any] = [environments, tenants, context, lint]
        if channel:
            parts.append(["operator_channel", *channel])
        return _digest(self._run_key, "baseline", *parts)

    def _entry(self, tenant_id: str, key: str) -> Path:
        return self.directory / tenant_id / key

    def restore(self, tenant_id: str, key: str, assembly_dir: Path) -> CachedTenant | None:
        """Copy the entry's assembly to `assembly_dir` and return its results; None on a miss
        (no entry, or one that is incomplete, altered or unreadable)."""
        entry = self._entry(tenant_id, key)
        try:
            data = json.loads((entry / _RESULT).read_text())
            files = data["files"]
            if _file_hashes(entry / _ASSEMBLY) != files or not files:
                return None
            cached = CachedTenant(
                stacks=tuple(str(name) for name in data["stacks"]),
                resources=int(data["resources"]),
                findings=tuple(str(finding) for finding in data["findings"]),
            )
            if assembly_dir.exists():
                shutil.rmtree(assembly_dir)
            shutil.copytree(entry / _ASSEMBLY, assembly_dir)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cached

    def templates(self, tenant_id: str, key: str) -> tuple[tuple[str, str, str], ...] | None:
        """(stack, region, sha256 of its template), in deployment order, of the entry's assembly,
        read in place: nothing is copied and only the manifest is hashed (the templates' digests are
        the entry's record). None on a miss, an altered manifest, or an entry with findings (a
        tenant with findings is not deployed)."""
        from tenantkit.compliance.assembly import MANIFEST_FILE, stack_artifacts

        entry = self._entry(tenant_id, key)
        try:
            data = json.loads((entry / _RESULT).read_text())
            files, assembly = data["files"], entry / _ASSEMBLY
            if data["findings"] or hashlib.sha256((assembly / MANIFEST_FILE).read_bytes()).hexdigest() != files[MANIFEST_FILE]:
                return None
            artifacts = stack_artifacts(assembly, [str(name) for name in data["stacks"]])
            return tuple(
                (artifact.name, artifact.region, str(files[artifact.template_file.relative_to(assembly).as_posix()]))
                for artifact in artifacts
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def store(self, tenant_id: str, key: str, assembly_dir: Path, result: CachedTenant) -> None:
        """Save a tenant's assembly and results (atomically); a failure to save is not an error."""
        tenant_dir = self.directory / tenant_id
        staging = self.directory / f".tmp-{uuid.uuid4().hex}"
        try:
            shutil.copytree(assembly_dir, staging / _ASSEMBLY)
            record = {
                "stacks": list(result.stacks),
                "resources": result.resources,
                "findings": list(result.findings),
                "files": _file_hashes(staging / _ASSEMBLY),
            }
            (staging / _RESULT).write_text(json.dumps(record, indent=1))
            tenant_dir.mkdir(parents=True, exist_ok=True)
            for old in tenant_dir.iterdir():  # keep only the newest entry of the tenant
                shutil.rmtree(old, ignore_errors=True)
            os.replace(staging, self._entry(tenant_id, key))
        except OSError:
            pass
        finally:
            shutil.rmtree(staging, ignore_errors=True)
