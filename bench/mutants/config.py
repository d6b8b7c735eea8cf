"""Mutants of the tenant config language (tenantkit/config/): unknown keys allowed in a section,
or no longer reported as unknown fields."""

from __future__ import annotations

from bench.mutants import Mutant

MODELS = "tenantkit/config/models.py"
UNKNOWN_KEY_TESTS = ("tests/config/test_unknown_keys.py",)
IGNORE_EXTRAS = '    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)\n\n'


def _extras_ignored(section: str, model: str) -> Mutant:
    """The model of one section of the tenant file overrides the strict base and ignores extras."""
    return Mutant(
        name=f"extra-keys-ignored-under-{section}",
        file=MODELS,
        old=f"class {model}(Strict):\n",
        new=f"class {model}(Strict):\n{IGNORE_EXTRAS}",
        tests=UNKNOWN_KEY_TESTS,
        why=f"a misspelt setting under {section}: is silently ignored",
    )


MUTANTS = [
    _extras_ignored("database", "Database"),
    _extras_ignored("replica", "Replica"),
    _extras_ignored("subscription", "Subscription"),
    _extras_ignored("contacts", "Contacts"),
    _extras_ignored("compliance", "Compliance"),
    Mutant(
        name="unknown-field-message-lost",
        file="tenantkit/config/loader.py",
        old='    if kind == "extra_forbidden":',
        new='    if kind == "extra_forbidden" and len(loc) == 1:',
        tests=UNKNOWN_KEY_TESTS,
        why="an unknown key inside a section is reported without saying what is allowed there",
    ),
]
