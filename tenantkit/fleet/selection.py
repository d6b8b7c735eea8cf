"""Which tenants a run takes: a stable shard of the fleet, or the tenants a change can affect.

Pure functions over tenant ids and repository paths; reading git and the tenant directory is the
caller's job (`tenantkit.fleet.service`).

A tenant's shard is sha256(tenant id) mod N: it depends on the tenant id and N only, so adding or
removing a tenant moves no other tenant between shards (a sorted-list split would shift every
tenant after it), and every CI runner computes the same split without talking to the others.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

FLEET_WIDE_FILES = frozenset({"app.py", "cdk.json", "fleet.yaml", "pyproject.toml"})
"""Files at the project root whose change can alter every tenant's templates."""
FLEET_WIDE_DIRECTORIES = ("tenantkit",)
"""Directories whose every file can alter every tenant's templates (the toolkit's code and data)."""
LOCK_FILE = re.compile(r"^requirements/[^/]+\.lock$")
"""The pinned dependency set (aws-cdk-lib, cdk-nag, cfn-lint ...): a change re-checks everyone."""

_SHARD = re.compile(r"^(\d+)/(\d+)$")


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count`, 1-based like CI matrices (GitHub's 1..N, GitLab's CI_NODE_INDEX)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


class ShardError(ValueError):
    """A --shard value that is not K/N with 1 <= K <= N."""


def parse_shard(text: str) -> Shard:
    """'2/3' -> Shard(2, 3); ShardError saying what is wrong otherwise."""
    match = _SHARD.fullmatch(text.strip())
    if not match:
        raise ShardError(f"--shard: '{text}' is not K/N (e.g. 2/3: the second of three shards)")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1:
        raise ShardError(f"--shard: '{text}': N must be at least 1")
    if not 1 <= index <= count:
        raise ShardError(f"--shard: '{text}': K must be between 1 and {count}")
    return Shard(index, count)


def shard_of(tenant_id: str, count: int) -> int:
    """The 1-based shard of `count` that `tenant_id` belongs to."""
    digest = hashlib.sha256(tenant_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def in_shard(tenant_ids: Iterable[str], shard: Shard) -> list[str]:
    """The ids of `tenant_ids` that fall in `shard`, in their given order."""
    return [tenant_id for tenant_id in tenant_ids if shard_of(tenant_id, shard.count) == shard.index]


class ChangeImpact(NamedTuple):
    """What a set of changed paths selects: every tenant (and the path that decided it), or the
    tenants whose files changed."""

    everyone_because: str | None
    tenant_ids: frozenset[str]

    def select(self, tenant_ids: Sequence[str]) -> list[str]:
        """The selected ids among `tenant_ids`, in their given order."""
        if self.everyone_because is not None:
            return list(tenant_ids)
        return [tenant_id for tenant_id in tenant_ids if tenant_id in self.tenant_ids]


def change_impact(changed_paths: Iterable[str], config_dir: str) -> ChangeImpact:
    """Classify repository-relative paths (as `git diff --name-only` prints them): a tenant file
    `<config_dir>/<id>.yaml` selects tenant <id>; a fleet-wide file (the toolkit's code, app.py,
    cdk.json, fleet.yaml, pyproject.toml, a lock file under requirements/) selects every tenant;
    anything else (docs, tests, bench, the README) selects none."""
    config = PurePosixPath(config_dir.strip("/") or ".")
    tenants: set[str] = set()
    for raw in changed_paths:
        path = PurePosixPath(raw)
        if fleet_wide(path):
            return ChangeImpact(raw, frozenset())
        if path.parent == config and path.suffix == ".yaml":
            tenants.add(path.stem)
    return ChangeImpact(None, frozenset(tenants))


def fleet_wide(path: PurePosixPath) -> bool:
    """Whether a change to `path` (repository-relative) can alter every tenant's templates."""
    text = path.as_posix()
    return (
        text in FLEET_WIDE_FILES
        or (len(path.parts) > 1 and path.parts[0] in FLEET_WIDE_DIRECTORIES)
        or LOCK_FILE.fullmatch(text) is not None
    )
