"""A tenant's subscription lifecycle in its YAML file: `tenantkit offboard start` records the end.

ruamel.yaml's round-trip loader finds where `subscription.ends_on` is written, and only that value
changes in the text (or one line is added under `subscription:`, or a `subscription` mapping at the
end): every comment, quote, indentation and blank line of the file stays as it was.
The edited text is validated as a whole before it replaces the file (written to a temporary file
and renamed), so a failed edit leaves the original untouched.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from tenantkit.aws import atomic_write
from tenantkit.config.loader import ConfigError, ConfigIssue, load_text
from tenantkit.config.models import TenantConfig


def set_subscription_end(path: Path, ends_on: date) -> TenantConfig:
    """Write `subscription.ends_on: <ends_on>` into the tenant file at `path`, keeping everything
    else as it is; returns the tenant as validated after the change. Raises ConfigError (nothing
    written) when the file cannot be read or the result is not a valid tenant."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    try:
        original = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError([ConfigIssue(str(path), 0, "(file)", f"cannot read: {error.strerror or error}")]) from None
    yaml = YAML()  # round trip: keeps each node's position and comments
    try:
        document = yaml.load(original)
    except Exception as error:  # noqa: BLE001 - ruamel's errors share no base class worth naming
        raise ConfigError([ConfigIssue(str(path), 0, "(file)", f"not valid YAML: {error}".splitlines()[0])]) from None
    if not isinstance(document, CommentedMap):
        raise ConfigError([ConfigIssue(str(path), 1, "(file)", "not a YAML mapping")])
    text = _with_ends_on(original, document, ends_on.isoformat(), CommentedMap, str(path))
    config, issues = load_text(text, path)
    if config is None or issues:
        raise ConfigError(issues)  # each names the file and the field; nothing written
    _replace(path, text)
    return config


def _with_ends_on(text: str, document: Any, value: str, mapping_type: type[Any], name: str) -> str:
    lines = text.splitlines(keepends=True)
    subscription = document.get("subscription")
    if subscription is None:
        tail = "" if text.endswith("\n") or not text else "\n"
        return f"{text}{tail}\nsubscription:\n  ends_on: {value}\n"
    if not isinstance(subscription, mapping_type) or subscription.fa.flow_style():
        raise ConfigError([ConfigIssue(name, document.lc.key("subscription")[0] + 1, "subscription", "write it as a block mapping to edit it")])
    if "ends_on" in subscription:
        line, column = subscription.lc.value("ends_on")
        old = lines[line]
        match = _SCALAR.match(old, column)
        if match is None:
            raise ConfigError([ConfigIssue(name, line + 1, "subscription.ends_on", "cannot edit this value in place")])
        lines[line] = old[:column] + value + old[match.end() :]
        return "".join(lines)
    first_key = next(iter(subscription))
    line, column = subscription.lc.key(first_key)
    lines.insert(line, " " * column + f"ends_on: {value}\n")
    return "".join(lines)


def set_generation(path: Path, generation: int) -> TenantConfig:
    """Write `generation: <n>` into the tenant file (`tenantkit reinstate`) and take out
    `subscription.ends_on` (the new generation's subscription runs), everything else kept as it is;
    the tenant as validated after the change. ConfigError (nothing written) otherwise."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    try:
        original = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError([ConfigIssue(str(path), 0, "(file)", f"cannot read: {error.strerror or error}")]) from None
    try:
        document = YAML().load(original)
    except Exception as error:  # noqa: BLE001 - ruamel's errors share no base class worth naming
        raise ConfigError([ConfigIssue(str(path), 0, "(file)", f"not valid YAML: {error}".splitlines()[0])]) from None
    if not isinstance(document, CommentedMap):
        raise ConfigError([ConfigIssue(str(path), 1, "(file)", "not a YAML mapping")])
    lines = original.splitlines(keepends=True)
    subscription = document.get("subscription")
    ends_on_line = None
    if isinstance(subscription, CommentedMap) and "ends_on" in subscription and not subscription.fa.flow_style():
        ends_on_line = subscription.lc.key("ends_on")[0]
    if "generation" in document:
        line, column = document.lc.value("generation")
        match = _SCALAR.match(lines[line], column)
        if match is None:
            raise ConfigError([ConfigIssue(str(path), line + 1, "generation", "cannot edit this value in place")])
        lines[line] = lines[line][:column] + str(generation) + lines[line][match.end() :]
    else:
        line = document.lc.key("tenant_id")[0] + 1 if "tenant_id" in document else len(lines)
        lines.insert(line, f"generation: {generation}\n")
        if ends_on_line is not None and ends_on_line >= line:
            ends_on_line += 1
    if ends_on_line is not None:
        del lines[ends_on_line]
        if len(subscription) == 1:  # nothing else under `subscription:`: an empty mapping would be null
            del lines[document.lc.key("subscription")[0] + (1 if "generation" not in document and line <= document.lc.key("subscription")[0] else 0)]
    text = "".join(lines)
    config, issues = load_text(text, path)
    if config is None or issues:
        raise ConfigError(issues)
    _replace(path, text)
    return config


_SCALAR = re.compile(r"""(?:'[^']*'|"[^"]*"|[^\s#]*)""")


def _replace(path: Path, text: str) -> None:
    atomic_write(path, text, mode=path.stat().st_mode & 0o777)
