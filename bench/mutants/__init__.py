"""Mutants for `bench/mutations.py`: small, realistic edits to a safety property that the fast
test suite must catch. One module per area (`offboarding.py`, `inventory.py`, `rules.py`, ...),
each defining `MUTANTS: list[Mutant]`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Mutant:
    """One edit: `old` (exact text, found exactly once in `file`) becomes `new`.

    `tests` are the fast tests (pytest node ids or paths, no `slow` marker) expected to fail once
    the edit is applied; `why` says which safety property the edit breaks.
    """

    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]
    why: str
