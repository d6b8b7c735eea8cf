"""One synthesis of the example tenants, shared by every review test, and helpers to weaken a
copy of a synthesized assembly (templates edited after synthesis, as a pull request could).

Expected values come from the tenant files (through `tenantkit.config`), never from the
templates under review.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tenantkit.config import TenantConfig, load_tenants
from tenantkit.naming import stack_names
from tests.conftest import EXAMPLE_CONFIGS

CLEAN_TENANT = "maple-ca"
"""The example tenant with nothing to flag: both of its web ACLs protect a resource."""


@dataclass(frozen=True)
class Examples:
    configs: dict[str, TenantConfig]
    outdir: Path

    def assembly(self, tenant_id: str) -> Path:
        return self.outdir / tenant_id


@pytest.fixture(scope="session")
def examples(example_assemblies: Path) -> Examples:
    """Every example tenant synthesized once (one app per tenant, as `tenantkit synth` does;
    cfn-lint is left to the review, which lints the templates it is given), with the audit
    trails (baseline stacks) beside the tenants as `tenantkit review` lays them out."""
    configs = load_tenants([EXAMPLE_CONFIGS])
    return Examples({config.tenant_id: config for config in configs}, example_assemblies)


@pytest.fixture(scope="session")
def reviews(examples: Examples) -> dict[str, dict[str, Any]]:
    """The review of each example tenant's assembly, as `tenantkit review --from` makes it."""
    from tenantkit.review import review_assembly

    return {
        tenant_id: review_assembly(examples.assembly(tenant_id), tenant_id, other_tenant_ids=frozenset(examples.configs))
        for tenant_id in examples.configs
    }


DETECTION_GAP = "detection gap:"
"""How the audit section begins each flag for a detection issue 18 (item 5) asks for and the
templates lack: flagged until it lands, by the issue's design."""


def section(model: dict[str, Any], section_id: str) -> dict[str, Any]:
    return next(s for s in model["sections"] if s["id"] == section_id)


def table(model: dict[str, Any], section_id: str, title: str) -> list[dict[str, str]]:
    """A table's rows as {column: cell} dicts."""
    found = next(t for t in section(model, section_id)["tables"] if t["title"] == title)
    return [dict(zip(found["columns"], row["cells"], strict=True)) for row in found["rows"]]


def flags(model: dict[str, Any]) -> set[tuple[str, str]]:
    """(section, logical id) of every flag."""
    return {(flag["section"], flag["logical_id"]) for s in model["sections"] for flag in s["flags"]}


class Weakened:
    """A copy of one tenant's synthesized assembly whose templates a test edits."""

    def __init__(self, source: Path, target: Path, tenant_id: str) -> None:
        shutil.copytree(source, target)
        self.dir = target
        self.tenant_id = tenant_id
        self.dr, self.primary, self.replica = stack_names(tenant_id)

    def template(self, stack: str) -> dict[str, Any]:
        return json.loads((self.dir / f"{stack}.template.json").read_text())

    def edit(self, stack: str, change: Callable[[dict[str, Any]], str]) -> str:
        """Apply `change` to the stack's template; return the logical id it says it weakened."""
        template = self.template(stack)
        logical_id = change(template["Resources"])
        (self.dir / f"{stack}.template.json").write_text(json.dumps(template, indent=1))
        return logical_id


@pytest.fixture
def weakened(examples: Examples, tmp_path: Path) -> Callable[..., Weakened]:
    return lambda tenant_id=CLEAN_TENANT: Weakened(examples.assembly(tenant_id), tmp_path / f"{tenant_id}-weakened", tenant_id)


def only(resources: dict[str, Any], kind: str, where: Callable[[dict[str, Any]], bool] = lambda props: True) -> str:
    """The logical id of the one resource of `kind` whose properties satisfy `where`."""
    (found,) = [lid for lid, r in resources.items() if r["Type"] == kind and where(r.get("Properties", {}))]
    return found
