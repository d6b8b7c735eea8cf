"""Load tenant files: every problem in every file collected, then reported once.

Each problem is a `ConfigIssue` that prints as `<file>:<line>: <field.path>: <message>`. Problems
that concern the file rather than a field (bad YAML, empty file) use the path `(file)`.
"""

from __future__ import annotations

import difflib
import time
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from tenantkit.config.models import NOTE_LINES, TenantConfig
from tenantkit.config.yaml_source import YamlDocument, YamlProblem, decode, parse

TENANT_SUFFIX = ".yaml"
FILE_PATH = "(file)"


@dataclass(frozen=True, order=True)
class ConfigIssue:
    """One problem in one tenant file, located to the line and field."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file  # 0: no line applies
        return f"{where}: {self.path}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "path": self.path, "message": self.message}


@dataclass(frozen=True)
class LoadedTenant:
    config: TenantConfig
    source: Path


@dataclass
class ValidationReport:
    """What validating a set of paths found: the valid tenants and every issue."""

    files: list[Path] = field(default_factory=list)
    tenants: list[LoadedTenant] = field(default_factory=list)
    issues: list[ConfigIssue] = field(default_factory=list)
    warnings: list[ConfigIssue] = field(default_factory=list)
    """Valid but probably unintended settings (an empty access.protect): printed, never fatal."""
    seconds: dict[str, float] = field(default_factory=dict)
    """How long each file took to read and validate, by its path (as in `ConfigIssue.file`)."""
    notes: list[ConfigIssue] = field(default_factory=list)
    """Defaults chosen from the regions' offerings (the replica's class): information only."""

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def configs(self) -> list[TenantConfig]:
        return [tenant.config for tenant in self.tenants]


class ConfigError(Exception):
    """Tenant files with problems; `issues` holds every one of them."""

    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[ConfigIssue]]:
    """Tenant files named by `paths` (files, or directories scanned for *.yaml), sorted."""
    files: list[Path] = []
    issues: list[ConfigIssue] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob(f"*{TENANT_SUFFIX}")))
            for stray in sorted(path.glob("*.yml")):
                issues.append(
                    ConfigIssue(str(stray), 1, FILE_PATH, f"tenant files end in .yaml: rename it to {stray.stem}.yaml")
                )
        elif path.is_file():
            files.append(path)
        else:
            issues.append(ConfigIssue(str(path), 0, FILE_PATH, "no such file or directory"))
    unique = list(dict.fromkeys(files))
    return unique, issues


def load_text(
    text: str,
    source: Path,
    warnings: list[ConfigIssue] | None = None,
    notes: list[ConfigIssue] | None = None,
) -> tuple[TenantConfig | None, list[ConfigIssue]]:
    """Parse and validate one tenant file's text, as if read from `source`; the config's
    warnings and notes are appended to `warnings` and `notes` when given. Every problem of the
    file is returned together (the id that does not match the file name with the field errors)."""
    name = str(source)
    try:
        document = parse(text)
    except YamlProblem as problem:
        return None, [ConfigIssue(name, problem.line, FILE_PATH, problem.message)]
    if not isinstance(document.data, dict):
        kind = type(document.data).__name__.replace("str", "string").replace("NoneType", "null")
        return None, [
            ConfigIssue(name, 1, FILE_PATH, f"a tenant file is a mapping of fields, not a {kind}")
        ]
    written_id = document.data.get("tenant_id")
    issues = []
    if isinstance(written_id, str) and source.suffix == TENANT_SUFFIX and source.stem != written_id:
        issues.append(
            ConfigIssue(
                name,
                document.line_of(("tenant_id",)),
                "tenant_id",
                f"'{written_id}' does not match the file name; "
                f"rename the file to {written_id}{TENANT_SUFFIX} or fix the id",
            )
        )
    try:
        config = TenantConfig.model_validate(document.data)
    except ValidationError as error:
        return None, sorted(set(_field_issues(error, document, name) + issues))
    if warnings is not None:
        for loc, message in config.warnings():
            warnings.append(ConfigIssue(name, document.line_of(loc), _dotted(loc), message))
    if notes is not None:
        for loc, message in config.notes():
            line = document.line_of(loc) if _written(document.data, loc) else document.line_of(NOTE_LINES.get(loc, loc))
            notes.append(ConfigIssue(name, line, _dotted(loc), message))
    return config, issues


def _written(data: Any, loc: tuple[Any, ...]) -> bool:
    for part in loc:
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


def load_file(
    path: Path, warnings: list[ConfigIssue] | None = None, notes: list[ConfigIssue] | None = None
) -> tuple[TenantConfig | None, list[ConfigIssue]]:
    """Read, parse and validate one tenant file."""
    try:
        raw = path.read_bytes()
        text = decode(raw)
    except YamlProblem as problem:
        return None, [ConfigIssue(str(path), problem.line, FILE_PATH, problem.message)]
    except OSError as error:
        return None, [ConfigIssue(str(path), 0, FILE_PATH, f"cannot read: {error.strerror}")]
    return load_text(text, path, warnings, notes)


def validate_paths(paths: Iterable[Path]) -> ValidationReport:
    """Validate every tenant file under `paths`, including checks across files."""
    files, issues = discover(paths)
    report = ValidationReport(files=files, issues=issues)
    first_source: dict[str, Path] = {}
    for path in files:
        started = time.perf_counter()
        config, file_issues = load_file(path, report.warnings, report.notes)
        report.seconds[str(path)] = time.perf_counter() - started
        report.issues.extend(file_issues)
        if config is None:
            continue
        if config.tenant_id in first_source:
            report.issues.append(
                ConfigIssue(
                    str(path),
                    1,
                    "tenant_id",
                    f"tenant '{config.tenant_id}' is also defined in {first_source[config.tenant_id]}",
                )
            )
            continue
        first_source[config.tenant_id] = path
        if not file_issues:
            report.tenants.append(LoadedTenant(config=config, source=path))
    report.issues.sort()
    report.warnings.sort()
    report.notes.sort()
    return report


class NoTenantsError(LookupError):
    """Every tenant was asked for and the directory holds none: a wrong `--dir` must fail, never
    pass having done nothing. The message is one line naming the directory."""

    def __init__(self, directory: Path) -> None:
        super().__init__(f"{directory}: no tenant files (*{TENANT_SUFFIX}) in this directory; is --dir right?")


def require_tenants(report: ValidationReport, directory: Path) -> None:
    """NoTenantsError when validating `directory` found no tenant file at all (and no problem:
    a bad file or a missing directory is reported as such)."""
    if report.ok and not report.files:
        raise NoTenantsError(directory)


class UnknownTenantError(LookupError):
    """No tenant file under the directory defines the tenant; the message is one line."""


def find_tenant(directory: Path, tenant_id: str) -> LoadedTenant:
    """The tenant `tenant_id` of `directory`, validated with the whole directory (ids are unique
    across files). ConfigError with the problems of its file, or of another file defining the
    same id; UnknownTenantError when no file defines it. Other tenants' problems do not matter."""
    report = validate_paths([directory])
    mine = [
        issue
        for issue in report.issues
        if Path(issue.file).stem == tenant_id
        or (issue.path == "tenant_id" and f"tenant '{tenant_id}' is also defined" in issue.message)
    ]
    if mine:
        raise ConfigError(mine)
    for loaded in report.tenants:
        if loaded.config.tenant_id == tenant_id:
            return loaded
    raise UnknownTenantError(f"{directory}: no tenant file for: {tenant_id}")


def load_tenants(paths: Iterable[Path]) -> list[TenantConfig]:
    """Every tenant under `paths`; raises ConfigError listing every problem if any file is bad."""
    report = validate_paths(paths)
    if not report.ok:
        raise ConfigError(report.issues)
    return report.configs


# --- turning pydantic errors into lines a person can act on -----------------------------------


def _field_issues(
    error: ValidationError, document: YamlDocument, name: str, model: type[BaseModel] = TenantConfig
) -> list[ConfigIssue]:
    errors = error.errors(include_url=False)
    item_error_parents = {tuple(e["loc"][:-1]) for e in errors if e["loc"] and isinstance(e["loc"][-1], int)}
    issues = []
    for entry in errors:
        loc = tuple(entry["loc"])
        if entry["type"] == "too_short" and loc in item_error_parents:
            continue  # "0 items after validation" only repeats the item errors above it
        issues.append(
            ConfigIssue(name, _line(document, loc, entry["type"]), _dotted(loc), _message(entry, model))
        )
    return sorted(set(issues))


def _line(document: YamlDocument, loc: tuple[Any, ...], kind: str) -> int:
    if kind == "missing":
        return document.line_of(loc[:-1]) if len(loc) > 1 else 1
    return document.line_of(loc)


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part != "[key]") or FILE_PATH


def _message(entry: Any, model: type[BaseModel] = TenantConfig) -> str:
    kind, loc, message = entry["type"], tuple(entry["loc"]), entry["msg"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        allowed = _allowed_fields(loc[:-1], model)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"unknown field; {hint}allowed here: {', '.join(allowed)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a mapping of fields"
    if kind in _PLAIN_MESSAGES:
        reason = (entry.get("ctx") or {}).get("error")
        return f"{_PLAIN_MESSAGES[kind]} ({reason})" if reason else _PLAIN_MESSAGES[kind]
    return message.removeprefix("Value error, ")


_PLAIN_MESSAGES = {
    "bool_type": "must be true or false (unquoted)",
    "int_type": "must be a whole number (unquoted)",
    "string_type": "must be text; quote it if YAML reads it as something else",
    "tuple_type": "must be a list",
    "date_type": "must be a date like 2027-12-31",
    "date_from_datetime_parsing": "must be a date like 2027-12-31",
    "date_parsing": "must be a date like 2027-12-31",
}


def _allowed_fields(loc: tuple[Any, ...], model: type[BaseModel] = TenantConfig) -> list[str]:
    parts = iter(loc)
    for part in parts:
        annotation = model.model_fields[str(part)].annotation if str(part) in model.model_fields else None
        if typing.get_origin(annotation) is dict:  # a mapping of models: skip its key
            annotation = typing.get_args(annotation)[1]
            next(parts, None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)
