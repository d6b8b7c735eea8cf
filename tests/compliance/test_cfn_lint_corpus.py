"""tenantkit's cfn-lint finds what cfn-lint as shipped finds on every template of every tenant we
have: the examples in tenant_configs/ and every tenant file under tests/fixtures/ (the varied
tenants), each as synthesized and as a broken copy."""

from __future__ import annotations

import copy

import pytest

from tenantkit.compliance.assembly import all_stack_names, stack_artifacts
from tenantkit.compliance.cfn_lint import lint_template
from tests.conftest import EXAMPLE_CONFIGS, REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures"


def corpus_tenants() -> list:
    """Every valid tenant of tenant_configs/ and of each directory of tenant files under
    tests/fixtures/ (first definition of an id wins)."""
    from tenantkit.config import validate_paths

    directories = [EXAMPLE_CONFIGS, *sorted({p.parent for p in FIXTURES.rglob("*.yaml")})]
    tenants = {}
    for directory in directories:
        for config in validate_paths([directory]).configs:
            tenants.setdefault(config.tenant_id, config)
    return list(tenants.values())


@pytest.fixture(scope="module")
def templates(tmp_path_factory, example_assemblies) -> list[tuple[str, str, dict]]:
    """Every stack template of the corpus: the examples as the run synthesized them once
    (tests/conftest.py), the other tenants synthesized here (their fleet: the whole corpus)."""
    from tenantkit.config import load_tenants
    from tenantkit.synth import synth_tenants

    tenants = corpus_tenants()
    examples = {config.tenant_id for config in load_tenants([EXAMPLE_CONFIGS])}
    outdir = tmp_path_factory.mktemp("cdk.out")
    others = [config for config in tenants if config.tenant_id not in examples]
    results = synth_tenants(others, outdir, lint=False, fleet_ids=frozenset(config.tenant_id for config in tenants))
    assert [r.tenant_id for r in results if r.error] == [], [r.error for r in results]
    assemblies = [example_assemblies / config.tenant_id if config.tenant_id in examples else outdir / config.tenant_id for config in tenants]
    return [
        (stack.name, stack.region, stack.template())
        for assembly in assemblies
        for stack in stack_artifacts(assembly, all_stack_names(assembly))
    ]


def _broken(template: dict) -> dict:
    broken = copy.deepcopy(template)
    for resource in broken["Resources"].values():
        properties = resource.setdefault("Properties", {})
        if resource["Type"] == "AWS::RDS::DBInstance":
            properties["DBInstanceClass"] = "db.m1.small"  # not offered for PostgreSQL 17
            properties["MultiAZ"] = "sometimes"
        elif resource["Type"] == "AWS::S3::Bucket":
            properties["BucketName"] = "Not_A_Bucket_Name"
        elif resource["Type"] == "AWS::KMS::Key":
            properties["PendingWindowInDays"] = 3
    return broken


@pytest.mark.slow
def test_the_corpus_covers_every_tenant(templates):
    ids = {config.tenant_id for config in corpus_tenants()}
    assert {"maple-ca", "northwind-us", "polar-cg", "rhein-de"} <= ids
    assert len(templates) == 3 * len(ids)


@pytest.mark.slow
def test_same_findings_on_every_synthesized_template(templates):
    for name, region, template in templates:
        ours = lint_template(copy.deepcopy(template), region)
        assert ours == lint_template(copy.deepcopy(template), region, stock=True), name
        assert ours == [], (name, ours)


@pytest.mark.slow
def test_same_findings_on_a_broken_copy_of_every_template(templates):
    found = set()
    for name, region, template in templates:
        ours = lint_template(_broken(template), region)
        assert ours == lint_template(_broken(template), region, stock=True), name
        found |= {finding.split()[0] for finding in ours}
    assert {"E3062", "E3012"} <= found, found
