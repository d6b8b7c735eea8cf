"""`--against`: what changed between an earlier review and this one, section by section and
resource by resource (rows are matched by their key, flags by where they are and why)."""

from __future__ import annotations

import json
from typing import Any

from tenantkit import __version__
from tenantkit.review.model import templated_sections

FLAGS_TABLE = "Flags"


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The changes from `before` to `after`, with a note on what the comparison can and cannot see
    (the templated sections only: not what happened in the account, `model.RUNTIME_SECTIONS`)."""
    before_sections, after_sections = templated_sections(before["sections"]), templated_sections(after["sections"])
    titles = {section["id"]: section["title"] for section in [*before_sections, *after_sections]}
    old = {section["id"]: section for section in before_sections}
    new = {section["id"]: section for section in after_sections}
    sections = []
    for section_id, title in titles.items():
        changes = _section_changes(old.get(section_id), new.get(section_id))
        if changes:
            sections.append({"id": section_id, "title": title, "changes": changes})
    return {"against": _label(before), "note": _note(before), "sections": sections}


def first_change(changes: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> str:
    """The first thing that changed, for a one-line refusal: the title of the first section with
    a change, else the first top-level field of the reviewed content that differs."""
    if changes["sections"]:
        return str(changes["sections"][0]["title"])
    differing = [key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)]
    return differing[0] if differing else "nothing"


def _section_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    changes = []
    old_tables = {table["title"]: table for table in (before or {}).get("tables", [])}
    new_tables = {table["title"]: table for table in (after or {}).get("tables", [])}
    for title in dict.fromkeys([*old_tables, *new_tables]):
        old_table, new_table = old_tables.get(title), new_tables.get(title)
        columns = (new_table or old_table or {}).get("columns", [])
        old_rows: dict[str, Any] = {row["key"]: row for row in (old_table or {}).get("rows", [])}
        new_rows: dict[str, Any] = {row["key"]: row for row in (new_table or {}).get("rows", [])}
        for key in dict.fromkeys([*old_rows, *new_rows]):
            old_row, new_row = old_rows.get(key), new_rows.get(key)
            if old_row is None:
                changes.append(_change(title, key, "added", None, _cells(columns, new_rows[key]["cells"])))
            elif new_row is None:
                changes.append(_change(title, key, "removed", _cells(columns, old_row["cells"]), None))
            elif old_row["cells"] != new_row["cells"]:
                differing = [
                    i for i, (a, b) in enumerate(zip(old_row["cells"], new_row["cells"], strict=False)) if a != b
                ] or list(range(len(columns)))
                changes.append(_change(
                    title, key, "changed",
                    _cells([columns[i] for i in differing], [old_row["cells"][i] for i in differing if i < len(old_row["cells"])]),
                    _cells([columns[i] for i in differing], [new_row["cells"][i] for i in differing if i < len(new_row["cells"])]),
                ))
                changes.extend(_element_changes(title, key, columns, old_row["cells"], new_row["cells"], differing))
    changes.extend(_other_changes(before or {}, after or {}))
    old_flags = {_flag_key(flag) for flag in (before or {}).get("flags", [])}
    new_flags = {_flag_key(flag) for flag in (after or {}).get("flags", [])}
    for where, message in sorted(new_flags - old_flags):
        changes.append(_change(FLAGS_TABLE, where, "newly flagged", None, message))
    for where, message in sorted(old_flags - new_flags):
        changes.append(_change(FLAGS_TABLE, where, "no longer flagged", message, None))
    return changes


_COMPARED = ("id", "title", "tables", "flags")


def _element_changes(
    title: str, key: str, columns: list[str], old: list[str], new: list[str], differing: list[int]
) -> list[dict[str, Any]]:
    """For a changed cell that lists values (`a, b, c`: networks, countries, actions, ARNs, each
    without spaces), each value added or removed on its own: a CIDR added to an IP set shows as added."""
    changes = []
    for i in differing:
        if i >= len(old) or i >= len(new) or i >= len(columns):
            continue
        before, after = _listed(old[i]), _listed(new[i])
        if before is None or after is None or max(len(before), len(after)) < 2:  # a single value: the change says it
            continue
        changes += [_change(title, key, "added", None, f"{columns[i]}: {value}") for value in after if value not in before]
        changes += [_change(title, key, "removed", f"{columns[i]}: {value}", None) for value in before if value not in after]
    return changes


def _listed(cell: str) -> list[str] | None:
    values = [] if cell == "—" else cell.split(", ")
    return values if all(value and not any(c.isspace() for c in value) for value in values) else None


def _other_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Whatever else a section holds (its summary lines, lists of items), compared generically: a
    list item by its `key` (or its whole value) added or removed, any other value changed."""
    changes = []
    for name in dict.fromkeys([*before, *after]):
        if name in _COMPARED or before.get(name) == after.get(name):
            continue
        old, new = before.get(name), after.get(name)
        if isinstance(old, list | None) and isinstance(new, list | None):
            old_items, new_items = _items(old or []), _items(new or [])
            changes += [_change(name, key, "added", None, _json(new_items[key])) for key in new_items if key not in old_items]
            changes += [_change(name, key, "removed", _json(old_items[key]), None) for key in old_items if key not in new_items]
            changes += [
                _change(name, key, "changed", _json(old_items[key]), _json(new_items[key]))
                for key in new_items if key in old_items and old_items[key] != new_items[key]
            ]
        else:
            changes.append(_change(name, name, "changed", _json(old), _json(new)))
    return changes


def _items(values: list[Any]) -> dict[str, Any]:
    return {str(v["key"]) if isinstance(v, dict) and "key" in v else _json(v): v for v in values}


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _flag_key(flag: dict[str, str]) -> tuple[str, str]:
    return f"{flag['stack']}/{flag['logical_id']}", flag["message"]


def _cells(columns: list[str], cells: list[str]) -> str:
    return "; ".join(f"{column}: {cell}" for column, cell in zip(columns, cells, strict=False))


def _change(table: str, key: str, change: str, before: str | None, after: str | None) -> dict[str, Any]:
    return {"table": table, "key": key, "change": change, "before": before, "after": after}


def _label(before: dict[str, Any]) -> str:
    source = before.get("source", {})
    if source.get("kind") == "approval":
        return f"the review approved by {source.get('approved_by')} on {source.get('approved_at')}"
    if source.get("kind") == "git":
        return f"the tenant file at git ref {source.get('ref')}"
    return f"the review of {before.get('tenant_id')} generated {before.get('generated_at')} by tenantkit {before.get('tenantkit_version')}"


def _note(before: dict[str, Any]) -> str:
    if before.get("source", {}).get("kind") == "approval":
        return (
            "Compared with the review stored with the last valid approval (approvals/<tenant>.json): "
            "every change is flagged until the tenant is approved again."
        )
    if before.get("source", {}).get("kind") == "git":
        return (
            f"The earlier templates were synthesized from the tenant file as it was at that ref, by the current "
            f"toolkit code (tenantkit {__version__}): the comparison shows what the config change does; changes "
            f"to the toolkit itself since that ref do not show here."
        )
    return (
        "Compared with an earlier JSON review as written: differences come from the tenant file, the toolkit, "
        "or templates edited by hand."
    )
