"""cfn-lint over synthesized templates, with the repository's `.cfnlintrc.yaml` settings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONFIG_FILE = Path(__file__).resolve().parents[2] / ".cfnlintrc.yaml"


@cache
def ignored_checks(config_file: Path = CONFIG_FILE) -> tuple[str, ...]:
    if not config_file.is_file():
        return ()
    settings = yaml.safe_load(config_file.read_text()) or {}
    return tuple(settings.get("ignore_checks", []))


@cache
def _config(region: str) -> Any:
    from cfnlint.config import ConfigMixIn

    return ConfigMixIn(regions=[region], ignore_checks=list(ignored_checks()))


@cache
def _rules() -> Any:
    """cfn-lint's rule set, loaded once per process (it does not depend on the region), with
    tenantkit's speed-ups (`cfn_lint_speedups`: same findings, less CPU)."""
    from cfnlint.runner import Runner

    from tenantkit.compliance import cfn_lint_speedups

    return cfn_lint_speedups.install(Runner(_config("us-east-1")).rules)


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
    shipped, without tenantkit's speed-ups (tests compare the two)."""
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


def lint_assembly_stacks(assembly_dir: Path, names: Sequence[str]) -> list[str]:
    """cfn-lint each named stack of a cloud assembly, for that stack's region."""
    manifest = json.loads((assembly_dir / "manifest.json").read_text())
    findings = []
    for name in names:
        artifact = manifest["artifacts"][name]
        region = artifact["environment"].rsplit("/", 1)[-1]
        template = (assembly_dir / artifact["properties"]["templateFile"]).read_text()
        findings.extend(f"cfn-lint {name}: {line}" for line in lint_template(template, region))
    return findings
