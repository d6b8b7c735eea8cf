"""The few git questions fleet selection asks, through the git CLI (what CI runners have)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class GitError(Exception):
    """git is missing, `root` is not in a work tree, or the ref does not resolve; one line."""


def _git(root: Path, *args: str) -> str:
    try:
        run = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    except OSError as error:
        raise GitError(f"git: cannot run it ({error.strerror})") from None
    if run.returncode != 0:
        why = (run.stderr.strip().splitlines() or [f"exit {run.returncode}"])[-1]
        raise GitError(f"git {args[0]}: {why}")
    return run.stdout


def changed_paths(root: Path, ref: str) -> list[str]:
    """Paths, relative to `root`, that differ between `ref` and the work tree under `root`
    (`git diff --name-only --relative REF`: committed and uncommitted changes of tracked files)."""
    if ref.startswith("-"):
        raise GitError(f"--changed-since: '{ref}' is not a git ref")
    _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return [line for line in _git(root, "diff", "--name-only", "--relative", ref, "--").splitlines() if line]


def relative_to_root(root: Path, path: Path) -> str:
    """`path` relative to the directory `root` (both may be relative to the current directory)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise GitError(f"{path}: not inside the project root {root}") from None


@contextmanager
def worktree_at(root: Path, ref: str) -> Iterator[Path]:
    """A detached work tree of `ref` in a temporary directory, removed afterwards. Yields the
    directory corresponding to `root` inside it (root may be a subdirectory of the repository)."""
    if ref.startswith("-"):
        raise GitError(f"--changed-since: '{ref}' is not a git ref")
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    prefix = _git(root, "rev-parse", "--show-prefix").strip()
    with tempfile.TemporaryDirectory(prefix="tenantkit-at-ref-") as temporary:
        tree = Path(temporary) / "tree"
        _git(top, "worktree", "add", "--detach", "--quiet", str(tree), ref)
        try:
            yield tree / prefix
        finally:
            subprocess.run(["git", "-C", str(top), "worktree", "remove", "--force", str(tree)], capture_output=True, check=False)
