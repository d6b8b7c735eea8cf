"""`--changed-since REF --exact`: the tenants whose templates differ between REF and now.

A file diff over-selects (any change under tenantkit/ selects everyone, a comment in a tenant
file selects that tenant). --exact instead synthesizes the candidates twice and compares the
templates byte for byte:
- at REF with REF's own code: a `git worktree add --detach` of REF in a temporary directory, whose
  `tenantkit` package runs in this Python environment (its dependencies, as installed now) by
  putting the work tree first on PYTHONPATH, through REF's console entry point
  `tenantkit.cli.main:run` (`tenantkit synth --no-cache`), in the work tree, on REF's tenant files;
- now, with the current code and tenant files (through the synth cache).
A tenant is selected when a template differs, is missing on either side (a new tenant, a synth
that failed at REF), or when its stacks differ. Dependencies are the current ones on both sides,
so a change of a lock file alone changes nothing here; the file-diff mode selects everyone for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tenantkit.fleet.git import GitError, relative_to_root, worktree_at

TEMPLATE_SUFFIX = ".template.json"


def templates_of(assembly_dir: Path) -> dict[str, bytes]:
    """A tenant's cloud assembly: template file name -> its bytes (empty if there is none)."""
    if not assembly_dir.is_dir():
        return {}
    return {path.name: path.read_bytes() for path in sorted(assembly_dir.glob(f"*{TEMPLATE_SUFFIX}"))}


def differing_tenants(before: Path, after: Path, tenant_ids: Sequence[str]) -> list[str]:
    """The ids whose templates under `before/<id>/` and `after/<id>/` differ, or that have no
    template on one side."""
    changed = []
    for tenant_id in tenant_ids:
        old, new = templates_of(before / tenant_id), templates_of(after / tenant_id)
        if not old or not new or old != new:
            changed.append(tenant_id)
    return changed


def synth_at_ref(root: Path, directory: Path, ref: str, tenant_ids: Sequence[str], outdir: Path) -> None:
    """Synthesize `tenant_ids` (those that exist at REF) with REF's code into `outdir/<id>/`.
    Tenant files missing at REF, or a synth that fails there, leave no templates: those tenants
    count as changed."""
    config_dir = relative_to_root(root, directory)
    with worktree_at(root, ref) as tree:
        present = [tenant_id for tenant_id in tenant_ids if (tree / config_dir / f"{tenant_id}.yaml").is_file()]
        if not present:
            return
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))}
        command = [
            sys.executable, "-c", "from tenantkit.cli.main import run; run()",
            "synth", *present, "--dir", config_dir, "--out", str(outdir.resolve()), "--no-cache",
        ]
        # Exit 1 means findings or a failed tenant; its templates (if any) are still compared.
        run = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
        if run.returncode not in (0, 1):
            why = (run.stderr.strip().splitlines() or [f"exit {run.returncode}"])[-1]
            raise GitError(f"--exact: synth at {ref} failed: {why}")


def exactly_changed(root: Path, directory: Path, ref: str, tenant_ids: Sequence[str]) -> list[str]:
    """The ids of `tenant_ids` whose templates at REF (REF's code and files) differ from now."""
    from tenantkit.synth import SynthCache, synth_directory

    if not tenant_ids:
        return []  # synth_directory of no tenant means every tenant
    with tempfile.TemporaryDirectory(prefix="tenantkit-exact-") as temporary:
        before, after = Path(temporary) / "at-ref", Path(temporary) / "now"
        synth_at_ref(root, directory, ref, tenant_ids, before)
        synth_directory(directory, list(tenant_ids), after, cache=SynthCache())
        return differing_tenants(before, after, tenant_ids)
