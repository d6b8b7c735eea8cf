"""The baseline stacks in the synth (`tenantkit.synth.baseline`): one per account and region of the
selected tenants, checked like a tenant's stacks, and cached like them (so `deploy --local` of an
unchanged fleet synthesizes none). Expected environments, buckets and readers come from the
tenant files and naming, never from the templates under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantkit.config import load_tenants
from tenantkit.synth import SynthCache
from tenantkit.synth import baseline as baseline_module
from tenantkit.synth.baseline import baseline_fleet, synth_baselines
from tests.conftest import EXAMPLE_CONFIGS


@pytest.fixture(scope="module")
def fleet():
    return load_tenants([EXAMPLE_CONFIGS])


def _tenant(fleet, tenant_id):
    return next(config for config in fleet if config.tenant_id == tenant_id)


def _environments(configs) -> set[tuple[str | None, str]]:
    return {(config.account, region) for config in configs for region in (config.primary_region, config.secondary_region)}


def _no_synth(*args, **kwargs):
    raise AssertionError("synthesized, not restored from the cache")


@pytest.mark.slow
def test_the_examples_baselines_are_clean_then_restored_from_the_cache(fleet, tmp_path: Path, monkeypatch):
    maple = _tenant(fleet, "maple-ca")
    cache = SynthCache(tmp_path / "cache")
    first = synth_baselines(fleet, [maple], tmp_path / "out", cache=cache)
    assert first.ok and not first.cached, first.findings or first.error
    assert {account for _, account in first.artifacts} == {maple.account}
    assert len(first.artifacts) == len(_environments([maple])) == 2
    assert first.resources > 0
    templates = sorted(path.name for path in first.assembly_dir.glob("*.template.json"))
    assert templates == sorted(f"{artifact_id}.template.json" for artifact_id, _ in first.artifacts)

    monkeypatch.setattr(baseline_module, "_synth", _no_synth)
    again = synth_baselines(fleet, [maple], tmp_path / "out", cache=SynthCache(tmp_path / "cache"))
    assert again.cached and again.ok
    assert (again.artifacts, again.resources) == (first.artifacts, first.resources)
    assert sorted(path.name for path in again.assembly_dir.glob("*.template.json")) == templates


def test_the_cache_key_changes_with_a_tenant_of_the_environments_only(fleet, tmp_path: Path):
    cache = SynthCache(tmp_path / "cache")
    maple, rhein = _tenant(fleet, "maple-ca"), _tenant(fleet, "rhein-de")
    twin = maple.model_copy(update={"tenant_id": "birch-ca"})  # same account and regions as maple

    def key(configs):
        return cache.baseline_key(baseline_fleet(configs, [maple]), [maple], context={}, lint=True)

    base = key([*fleet, twin])
    assert key([*fleet, twin]) == base
    assert key(list(fleet)) != base, "a tenant leaving maple's environment changes maple's trail"
    renamed_twin = twin.model_copy(update={"tenant_id": "cedar-ca"})  # the trail records other buckets, another reader role
    assert key([*fleet, renamed_twin]) != base
    retagged_twin = twin.model_copy(update={"tags": {**twin.tags, "cost-centre": "x"}})
    assert key([*fleet, retagged_twin]) == base, "what the baseline does not read of a tenant file does not re-synthesize it"
    changed_rhein = rhein.model_copy(update={"tags": {**rhein.tags, "cost-centre": "x"}})
    assert key([*(c for c in fleet if c is not rhein), changed_rhein, twin]) == base, "rhein-de shares no account and region with maple"
    assert cache.baseline_key(baseline_fleet(fleet, [maple]), [maple], context={}, lint=False) != key(list(fleet))


def test_the_baseline_fleet_is_every_tenant_sharing_an_account_and_region(fleet):
    maple = _tenant(fleet, "maple-ca")
    members = baseline_fleet(fleet, [maple])
    assert maple in members
    assert all(_environments([member]) & _environments([maple]) for member in members)
    assert all(not (_environments([other]) & _environments([maple])) for other in fleet if other not in members)


@pytest.mark.slow
def test_a_bucket_of_the_tenant_files_the_trail_misses_is_a_finding(fleet, tmp_path: Path):
    """BaselineChecks, wired as the synth wires it, reports a broken baseline rule."""
    from tenantkit.jsii_node import ensure_jsii_node

    ensure_jsii_node()
    import aws_cdk as cdk

    from tenantkit.compliance.assembly import validation_findings
    from tenantkit.compliance.validation import BaselineChecks
    from tenantkit.naming import names_for
    from tenantkit.stacks.baseline import add_baselines

    maple = _tenant(fleet, "maple-ca")
    names = names_for(maple.tenant_id, str(maple.account), maple.primary_region, maple.secondary_region)
    app = cdk.App(outdir=str(tmp_path), context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    stacks = add_baselines(app, [maple])
    stack = stacks[(maple.account, maple.primary_region)]
    ghost = f"ghost-data-{maple.account}-{maple.primary_region}"
    expected = {stack.artifact_id: (maple.primary_region, (names.data_bucket, ghost), (names.break_glass_role_arn,))}
    cdk.Validations.of(app).add_plugins(BaselineChecks(expected, lint=False))
    app.synth()
    findings = validation_findings(tmp_path)
    assert [f for f in findings if f.startswith("trail-covers-buckets") and f.endswith(f"S3 object events of {ghost} are not recorded")], findings
    assert not [f for f in findings if names.data_bucket in f], findings


def test_the_cache_key_changes_with_the_operator_channel_of_the_members_zones(fleet, tmp_path: Path):
    from tenantkit.config.residency import Residency

    cache = SynthCache(tmp_path / "cache")
    maple = _tenant(fleet, "maple-ca")
    members = baseline_fleet(fleet, [maple])
    zone = Residency(maple.residency)
    other_zone = next(z for z in Residency if z not in {Residency(m.residency) for m in members})
    topic = f"arn:aws:sns:{maple.primary_region}:999988887777:tenantkit-operators"

    def key(channel):
        return cache.baseline_key(members, [maple], context={}, lint=True, operator_channel=channel)

    base = key(None)
    assert key({}) == base, "no channel at all is the same as none configured"
    assert key({zone: [topic]}) != base, "the channel's topic adds the key-window rule"
    assert key({zone: [topic.replace("tenantkit-operators", "other")]}) != key({zone: [topic]})
    assert key({other_zone: [topic]}) == base, "another zone's topics shape none of these baselines"


@pytest.mark.slow
def test_the_baselines_with_an_operator_channel_are_clean(fleet, tmp_path: Path):
    """cdk-nag, the baseline rules and cfn-lint, as the synth runs them, with the key-window rule."""
    import json

    from tenantkit.config.residency import Residency
    from tenantkit.naming import KEY_UNDO_RULE

    maple = _tenant(fleet, "maple-ca")
    topic = f"arn:aws:sns:{maple.primary_region}:999988887777:tenantkit-operators"
    built = synth_baselines(fleet, [maple], tmp_path / "out", operator_channel={Residency(maple.residency): [topic]})
    assert built.ok, built.findings or built.error
    rules = {
        artifact_id: [r["Properties"]["Name"] for r in json.loads((built.assembly_dir / f"{artifact_id}.template.json").read_text())["Resources"].values()
                      if r["Type"] == "AWS::Events::Rule"]
        for artifact_id, _ in built.artifacts
    }  # fmt: skip
    assert sorted(rules.values()) == [[], [KEY_UNDO_RULE]], rules
