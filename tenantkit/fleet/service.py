"""Choose the tenants of a run from the command line's tenant ids, --all, --shard, --changed-since
and --exact: the service behind the options synth, check and deploy share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tenantkit.config.loader import TENANT_SUFFIX, NoTenantsError
from tenantkit.fleet.git import GitError, changed_paths, relative_to_root
from tenantkit.fleet.selection import Shard, change_impact, in_shard


class SelectionError(Exception):
    """A selection that cannot be made (bad combination of options, git failure); one line.
    `usage`: the options contradict each other (the command line itself is wrong)."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class Selection:
    tenant_ids: tuple[str, ...]
    """The chosen tenants, in the order of the tenant directory (or as named)."""
    why: str
    """How they were chosen, for the one line printed when none is."""


def tenant_ids_in(directory: Path) -> list[str]:
    """The tenant ids of `directory`: its tenant files' names (the loader requires a tenant file
    to be named after its tenant id), sorted; no parsing, so 1,000 files cost a directory listing."""
    return sorted(path.stem for path in directory.glob(f"*{TENANT_SUFFIX}"))


def select_tenants(
    directory: Path,
    named: Sequence[str],
    *,
    all_tenants: bool,
    shard: Shard | None = None,
    changed_since: str | None = None,
    exact: bool = False,
    root: Path = Path("."),
) -> Selection | None:
    """The tenants a run takes: the named ones, or (with --all, --shard or --changed-since) the
    directory's, narrowed to the shard and to what changed since the ref. None when no option
    narrows the choice: the command proceeds as before (named tenants, or --all)."""
    if exact and changed_since is None:
        raise SelectionError("--exact compares templates at the --changed-since ref: pass --changed-since REF too", usage=True)
    if (named and all_tenants) or (not named and not all_tenants and shard is None and changed_since is None):
        raise SelectionError(
            "name one or more tenants, or pass --all (not both); --shard K/N and --changed-since REF narrow either",
            usage=True,
        )
    if shard is None and changed_since is None:
        return None
    chosen = list(dict.fromkeys(named)) if named else tenant_ids_in(directory)
    if not chosen:  # a wrong --dir must fail, never pass as an empty shard
        raise SelectionError(str(NoTenantsError(directory)))
    reasons = [f"{len(chosen)} tenant(s)"]
    if shard is not None:
        chosen = in_shard(chosen, shard)
        reasons.append(f"shard {shard}")
    if changed_since is not None and chosen:
        try:
            impact = change_impact(changed_paths(root, changed_since), relative_to_root(root, directory))
            chosen = impact.select(chosen)
            if exact and chosen:
                from tenantkit.fleet.exact import exactly_changed

                chosen = exactly_changed(root, directory, changed_since, chosen)
        except GitError as error:
            raise SelectionError(str(error)) from None
        reasons.append(f"{'templates' if exact else 'files'} changed since {changed_since}")
    return Selection(tuple(chosen), ", ".join(reasons))
