"""cfn-lint over synthesized templates, with the settings shipped in the package
(`cfnlint_settings.yaml`, read through importlib.resources: an installed tenantkit lints exactly
as a source checkout does).

Speed-ups (`cfn_lint_speedups`) are installed only where the upstream code they rely on is the
code they were checked against; otherwise this process lints with cfn-lint as shipped, and
`speedup_warnings()` says why.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tenantkit.compliance.assembly import stack_artifacts

SETTINGS_PACKAGE = "tenantkit.compliance"
SETTINGS_FILE = "cfnlint_settings.yaml"


class LintSettingsError(RuntimeError):
    """The lint settings shipped with tenantkit cannot be read: linting without them would
    report findings the project has decided to ignore, so nothing is linted."""


def read_settings(package: str | None = None, name: str | None = None) -> dict[str, Any]:
    """The cfn-lint settings shipped with tenantkit; `LintSettingsError` if unreadable."""
    package, name = package or SETTINGS_PACKAGE, name or SETTINGS_FILE
    try:
        text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
        settings = yaml.safe_load(text)
    except (OSError, ModuleNotFoundError, yaml.YAMLError, UnicodeDecodeError) as error:
        raise LintSettingsError(
            f"{package}/{name}: cannot read the cfn-lint settings shipped with tenantkit "
            f"({type(error).__name__}: {error}); reinstall tenantkit"
        ) from None
    checks = settings.get("ignore_checks") if isinstance(settings, dict) else None
    if not isinstance(checks, list) or not all(isinstance(check, str) for check in checks):
        raise LintSettingsError(
            f"{package}/{name}: ignore_checks: must be a list of cfn-lint rule ids"
        )
    return settings


@cache
def ignored_checks() -> tuple[str, ...]:
    return tuple(read_settings()["ignore_checks"])


@cache
def _config(region: str) -> Any:
    from cfnlint.config import ConfigMixIn

    return ConfigMixIn(regions=[region], ignore_checks=list(ignored_checks()))


_warnings: list[str] = []


def speedup_warnings() -> list[str]:
    """Why this process lints (partly) as cfn-lint ships, if it does: one line per speed-up."""
    return list(_warnings)


@cache
def _rules() -> Any:
    """cfn-lint's rule set, loaded once per process (it does not depend on the region), with
    every tenantkit speed-up whose upstream code still has the fingerprint it was checked with
    (`cfn_lint_speedups`: same findings, less CPU)."""
    from cfnlint.runner import Runner

    from tenantkit.compliance import cfn_lint_speedups

    rules, refused = cfn_lint_speedups.install(Runner(_config("us-east-1")).rules)
    _warnings.extend(refused)
    return rules


@cache
def _stock_rules() -> Any:
    """cfn-lint's rule set exactly as cfn-lint ships it."""
    from cfnlint.runner import Runner

    from tenantkit.compliance.cfn_lint_speedups import stock_only

    with stock_only():
        return Runner(_config("us-east-1")).rules


def warm_up(regions: tuple[str, ...] = ()) -> None:
    """Load the rules and region settings ahead of the first template (a worker initializer)."""
    _rules()
    for region in regions:
        _config(region)


def lint_template(template: dict[str, Any] | str, region: str, *, stock: bool = False) -> list[str]:
    """`rule path: message` for every cfn-lint error or warning in `template` (a dict, or its
    JSON text as synthesized), for `region`. `stock=True` lints with cfn-lint exactly as
    shipped, without tenantkit's speed-ups (tests compare the two; the synth service falls
    back to it when its linter processes fail)."""
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner.template.runner import run_template_by_data

    text = template if isinstance(template, str) else json.dumps(template)
    decoded, errors = decode_str(text)
    if errors:
        return [f"{error.rule.id}: {error.message}" for error in errors]
    if stock:
        from tenantkit.compliance.cfn_lint_speedups import stock_only

        with stock_only():
            matches = list(run_template_by_data(decoded, _config(region), _stock_rules()))
    else:
        matches = list(run_template_by_data(decoded, _config(region), _rules()))
    return [f"{match.rule.id} {'/'.join(str(p) for p in match.path)}: {match.message}" for match in matches]


def source_engines(templates: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """DB instance identifier -> its Engine and EngineVersion, for every instance that states
    them (the primaries)."""
    engines = {}
    for template in templates:
        for resource in template.get("Resources", {}).values():
            props = resource.get("Properties", {}) if resource.get("Type") == "AWS::RDS::DBInstance" else {}
            identifier = props.get("DBInstanceIdentifier")
            if isinstance(identifier, str) and "Engine" in props:
                engines[identifier] = {k: props[k] for k in ("Engine", "EngineVersion") if k in props}
    return engines


# With the engine known, cfn-lint's E3720 asks a replica with a KmsKeyId for StorageEncrypted,
# which its E3020 (and CloudFormation) forbid on a replica: the replica inherits encryption.
_NOT_FOR_REPLICAS = ("E3720",)


def with_source_engines(text: str, engines: dict[str, dict[str, Any]]) -> tuple[str, list[str]]:
    """The template `text`, where a read replica without an `Engine` gets its source's, for
    linting only, and the logical ids of those replicas: RDS gives the replica the source's
    engine, and without it cfn-lint cannot check the replica's instance class in its region
    (E3025: db.t4g.medium is not offered in ca-west-1). A template without such a replica is
    returned unchanged."""
    template = json.loads(text)
    replicas = []
    for logical_id, resource in template.get("Resources", {}).items():
        props = resource.get("Properties", {}) if resource.get("Type") == "AWS::RDS::DBInstance" else {}
        source = props.get("SourceDBInstanceIdentifier")
        if not isinstance(source, str) or "Engine" in props:
            continue
        identifier = source.rsplit(":db:", 1)[-1]
        if identifier in engines:
            props["Engine"] = engines[identifier]["Engine"]
            replicas.append(logical_id)
    return (json.dumps(template), replicas) if replicas else (text, [])


def lint_with_source_engines(
    text: str, region: str, engines: dict[str, dict[str, Any]], *, stock: bool = False
) -> list[str]:
    """cfn-lint `text` with its read replicas' engines known (see `with_source_engines`)."""
    linted, replicas = with_source_engines(text, engines)
    inapplicable = tuple(
        f"{rule} Resources/{logical_id}/Properties" for rule in _NOT_FOR_REPLICAS for logical_id in replicas
    )
    return [line for line in lint_template(linted, region, stock=stock) if not line.startswith(inapplicable)]


@dataclass(frozen=True)
class LintOutcome:
    findings: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    """Why the linter fell back to cfn-lint as shipped, if it did."""


def lint_assembly_stacks(
    assembly_dir: Path, names: Sequence[str], *, stock: bool = False
) -> LintOutcome:
    """cfn-lint each named stack of a cloud assembly, for that stack's region; read replicas are
    linted with the engine of their source (see `with_source_engines`)."""
    stacks = list(stack_artifacts(assembly_dir, names))
    texts = [stack.template_text() for stack in stacks]
    engines = source_engines([json.loads(text) for text in texts])
    findings = [
        f"cfn-lint {stack.name}: {line}"
        for stack, text in zip(stacks, texts, strict=True)
        for line in lint_with_source_engines(text, stack.region, engines, stock=stock)
    ]
    return LintOutcome(tuple(findings), () if stock else tuple(speedup_warnings()))
