"""Load fleet.yaml, the optional fleet settings file at the project root, and check the fleet.

fleet.yaml is read like a tenant file (YAML 1.2 scalars, no anchors, aliases or tags, a line for
every key), so its problems print as `fleet.yaml:<line>: <field.path>: <message>`. No file, or a
file of comments only, means every default.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from tenantkit.config.fleet_models import FleetSettings, operator_topic_in
from tenantkit.config.loader import (
    FILE_PATH,
    ConfigError,
    ConfigIssue,
    ValidationReport,
    _field_issues,
    validate_paths,
)
from tenantkit.config.models import TenantConfig
from tenantkit.config.quotas import QuotaFinding, quota_findings
from tenantkit.config.yaml_source import YamlDocument, YamlProblem, decode, parse

FLEET_FILE_NAME = "fleet.yaml"


def fleet_path(root: Path) -> Path:
    return root / FLEET_FILE_NAME


def load_fleet(root: Path) -> FleetSettings:
    """The fleet settings of the project at `root`; all defaults when it has no fleet.yaml.
    ConfigError listing every problem of the file otherwise."""
    settings, issues, _ = _read(fleet_path(root))
    if issues or settings is None:
        raise ConfigError(issues)
    return settings


def validate_fleet(paths: Iterable[Path], root: Path) -> ValidationReport:
    """Validate the tenant files under `paths` and the fleet settings of `root`, then check the
    valid tenants together against the AWS quotas they share: warnings, or problems when
    fleet.yaml sets `quotas.enforce`."""
    report = validate_paths(paths)
    path = fleet_path(root)
    settings, issues, document = _read(path)
    report.issues.extend(issues)
    if settings is not None:
        found = [_as_issue(finding, path, document) for finding in quota_findings(report.configs, settings)]
        (report.issues if settings.quotas.enforce else report.warnings).extend(found)
        report.issues.extend(_unknown_rollout_tenants(settings, {c.tenant_id for c in report.configs}, path, document))
        report.issues.extend(_operator_channel_gaps(settings, report.configs, path, document))
    report.issues.sort()
    report.warnings.sort()
    return report


def _read(path: Path) -> tuple[FleetSettings | None, list[ConfigIssue], YamlDocument | None]:
    name = str(path)
    try:
        text = decode(path.read_bytes())
    except FileNotFoundError:
        return FleetSettings(), [], None
    except YamlProblem as problem:
        return None, [ConfigIssue(name, problem.line, FILE_PATH, problem.message)], None
    except OSError as error:
        return None, [ConfigIssue(name, 0, FILE_PATH, f"cannot read: {error.strerror}")], None
    if all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return FleetSettings(), [], None
    try:
        document = parse(text)
    except YamlProblem as problem:
        return None, [ConfigIssue(name, problem.line, FILE_PATH, problem.message)], None
    if not isinstance(document.data, dict):
        return None, [ConfigIssue(name, 1, FILE_PATH, "fleet.yaml is a mapping of sections such as 'quotas:'")], document
    try:
        return FleetSettings.model_validate(document.data), [], document
    except ValidationError as error:
        return None, _field_issues(error, document, name, FleetSettings), document


def _unknown_rollout_tenants(
    settings: FleetSettings, known: set[str], path: Path, document: YamlDocument | None
) -> list[ConfigIssue]:
    """A `canary:` or `waves:` entry naming no valid tenant (a typo would leave a tenant out of its wave)."""
    named: list[tuple[tuple[str | int, ...], str]] = [(("canary", i), tenant_id) for i, tenant_id in enumerate(settings.canary)]
    named += [(("waves", w, "tenants", i), tenant_id) for w, wave in enumerate(settings.waves) for i, tenant_id in enumerate(wave.tenants)]
    return [
        ConfigIssue(
            str(path), document.line_of(where) if document is not None else 0,
            ".".join(map(str, where)), f"no tenant '{tenant_id}' among the valid tenant files",
        )
        for where, tenant_id in named
        if tenant_id not in known
    ]


def _operator_channel_gaps(
    settings: FleetSettings, configs: Iterable[TenantConfig], path: Path, document: YamlDocument | None
) -> list[ConfigIssue]:
    """A region where a tenant of a zone with an operator channel has stacks, but the channel no
    topic: that region's detections would never reach the operators."""
    issues = []
    for residency, topics in settings.operator_channel.items():
        where = ("operator_channel", residency.value)
        for config in configs:
            for region in config.regions if config.residency == residency else ():
                if operator_topic_in(topics, region) is None:
                    issues.append(ConfigIssue(
                        str(path), document.line_of(where) if document is not None else 0, ".".join(where),
                        f"no topic in {region}, where tenant '{config.tenant_id}' has stacks",
                    ))  # fmt: skip
    return issues


def _as_issue(finding: QuotaFinding, path: Path, document: YamlDocument | None) -> ConfigIssue:
    """A quota finding located where fleet.yaml records (or would record) its raised value."""
    where = ("quotas", "raised", finding.scope.key, finding.quota.key)
    line = document.line_of(where) if document is not None and ("quotas",) in document.lines else 0
    return ConfigIssue(str(path), line, f"quotas.{finding.quota.key}", finding.message)
