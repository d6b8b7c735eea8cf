"""The review as data: sections of tables and flags. JSON is this model; Markdown and HTML are
rendered from it (`render`), diffs compare two of them (`diff`), approvals hash it (`approval`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

FORMAT = 1
VOLATILE_FIELDS = ("generated_at", "source", "tenantkit_version", "approval", "changes", "content_hash")
"""Top-level fields that say when, where and against what the review was made, not what the
templates are: left out of the content hash."""
RUNTIME_SECTIONS = ("grants",)
"""Sections that say what happened in the account (`review --grants`), not what the templates
build: left out of the content hash and of the changes since an approval."""


@dataclass(frozen=True)
class Flag:
    """Something a security lead must not sign off on: where it is (stack, logical id) and why."""

    section: str
    stack: str
    logical_id: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"section": self.section, "stack": self.stack, "logical_id": self.logical_id, "message": self.message}


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    """Each row: `key` (stable across re-synthesis: what a diff matches on), `cells` (one string
    per column) and `flagged`."""

    def add(self, key: str, *cells: Any, flagged: bool = False) -> None:
        self.rows.append({"key": key, "cells": [_text(cell) for cell in cells], "flagged": flagged})

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows}


@dataclass
class Section:
    id: str
    title: str
    summary: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def table(self, title: str, *columns: str) -> Table:
        table = Table(title, list(columns))
        self.tables.append(table)
        return table

    def flag(self, stack: str, logical_id: str, message: str) -> None:
        self.flags.append(Flag(self.id, stack, logical_id, message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "tables": [table.as_dict() for table in self.tables],
            "flags": [flag.as_dict() for flag in self.flags],
        }


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value) if value else "—"
    return str(value)


def flags_of(model: dict[str, Any]) -> list[dict[str, str]]:
    return [flag for section in model["sections"] for flag in section["flags"]]


def content_of(model: dict[str, Any]) -> dict[str, Any]:
    """The reviewed content: the model without the fields that change between two reviews of
    the same templates (nor the runtime sections)."""
    content = {key: value for key, value in model.items() if key not in VOLATILE_FIELDS}
    if "sections" in content:
        runtime = [section for section in content["sections"] if section.get("id") in RUNTIME_SECTIONS]
        content["sections"] = templated_sections(content["sections"])
        if runtime and isinstance(content.get("flagged"), int):
            content["flagged"] -= sum(len(section.get("flags", [])) for section in runtime)
    return content


def templated_sections(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sections read from the templates: all but `RUNTIME_SECTIONS`."""
    return [section for section in sections if section.get("id") not in RUNTIME_SECTIONS]


def content_hash(model: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of the reviewed content."""
    canonical = json.dumps(content_of(model), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
