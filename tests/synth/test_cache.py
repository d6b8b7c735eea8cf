"""The synth cache: a hit restores the assembly and the findings; any change to what shapes them
is a miss; a damaged entry is a miss, never an error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tenantkit.config import TenantConfig, load_tenants
from tenantkit.synth import SynthCache, synth_tenants
from tenantkit.synth import cache as cache_module
from tests.conftest import EXAMPLE_CONFIGS, with_cdk_warning, wrap_add_tenant

CONFIGS = {config.tenant_id: config for config in load_tenants([EXAMPLE_CONFIGS])}
FLEET = frozenset(CONFIGS)


def _changed(config: TenantConfig, **fields) -> TenantConfig:
    return TenantConfig.model_validate({**config.model_dump(mode="json"), **fields})


@pytest.fixture
def cache(tmp_path: Path) -> SynthCache:
    return SynthCache(tmp_path / "cache", project_dir=tmp_path)


def _key(cache: SynthCache, config: TenantConfig | None = None, **overrides) -> str:
    arguments = {"fleet_ids": FLEET, "context": {}, "lint": True, **overrides}
    return cache.key(config or CONFIGS["maple-ca"], **arguments)


# --- every key part ------------------------------------------------------------------------


def test_the_key_is_stable(cache, tmp_path):
    assert _key(cache) == _key(cache) == _key(SynthCache(tmp_path / "cache", project_dir=tmp_path))


@pytest.mark.parametrize(
    "change",
    [
        {"config": _changed(CONFIGS["maple-ca"], display_name="Maple (renamed)")},
        {"fleet_ids": FLEET | {"newcomer"}},
        {"context": {"@aws-cdk/core:newStyleStackSynthesis": True}},
        {"lint": False},
    ],
    ids=["tenant file", "fleet", "context passed to the app", "lint"],
)
def test_a_change_to_a_tenant_key_part_is_a_miss(cache, change):
    assert _key(cache, **change) != _key(cache)


_version = cache_module.metadata.version


def _run_key_with(tmp_path, monkeypatch, setup) -> str:
    setup(monkeypatch, tmp_path)
    return _key(SynthCache(tmp_path / "cache", project_dir=tmp_path))


RUN_CHANGES = {
    "tenantkit source": lambda mp, _: mp.setattr(cache_module, "source_fingerprint", lambda: "other"),
    "aws-cdk-lib version": lambda mp, _: mp.setattr(
        cache_module.metadata, "version", lambda name: "9.9.9" if name == "aws-cdk-lib" else _version(name)
    ),
    "cdk-nag version": lambda mp, _: mp.setattr(
        cache_module.metadata, "version", lambda name: "9.9.9" if name == "cdk-nag" else _version(name)
    ),
    "cfn-lint version": lambda mp, _: mp.setattr(
        cache_module.metadata, "version", lambda name: "9.9.9" if name == "cfn-lint" else _version(name)
    ),
    "jsii version": lambda mp, _: mp.setattr(
        cache_module.metadata, "version", lambda name: "9.9.9" if name == "jsii" else _version(name)
    ),
    "node version": lambda mp, _: mp.setattr(cache_module, "_node_version", lambda: "v99.0.0"),
    "cdk.json context": lambda _, path: (path / "cdk.json").write_text('{"context": {"x": 1}}'),
    "cdk.context.json": lambda _, path: (path / "cdk.context.json").write_text('{"y": 2}'),
    "CDK_CONTEXT_JSON": lambda mp, _: mp.setenv("CDK_CONTEXT_JSON", '{"z": 3}'),
}




@pytest.mark.parametrize("setup", RUN_CHANGES.values(), ids=RUN_CHANGES.keys())
def test_a_change_to_a_run_key_part_is_a_miss(tmp_path, monkeypatch, setup):
    monkeypatch.delenv("CDK_CONTEXT_JSON", raising=False)
    before = _key(SynthCache(tmp_path / "cache", project_dir=tmp_path))
    assert _run_key_with(tmp_path, monkeypatch, setup) != before


def test_the_source_fingerprint_covers_package_data():
    import tenantkit

    files = cache_module._file_hashes(Path(tenantkit.__file__).parent)
    assert "compliance/cfnlint_settings.yaml" in files
    assert "config/templates/tenant.yaml.j2" in files
    assert not any("__pycache__" in name for name in files)


# --- hits, misses and damaged entries, on a real synthesis ---------------------------------------


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """maple-ca synthesized once (cfn-lint off), with a CDK warning so there is a finding."""
    root = tmp_path_factory.mktemp("cached")
    cache = SynthCache(root / "cache", project_dir=root)
    with pytest.MonkeyPatch.context() as monkeypatch:
        wrap_add_tenant(monkeypatch, with_cdk_warning("cached finding"))
        (result,) = synth_tenants([CONFIGS["maple-ca"]], root / "out1", lint=False, cache=cache)
    return root, cache, result


def _must_not_synthesize(monkeypatch):
    import tenantkit.synth.service as service

    def refuse(*_args, **_kwargs):
        raise AssertionError("synthesized although cached")

    monkeypatch.setattr(service, "_synth_one", refuse)


@pytest.mark.slow
def test_a_hit_restores_the_assembly_and_the_findings(first_run, tmp_path, monkeypatch):
    root, cache, first = first_run
    assert not first.cached and first.findings
    _must_not_synthesize(monkeypatch)
    (again,) = synth_tenants([CONFIGS["maple-ca"]], tmp_path / "out2", lint=False, cache=cache)
    assert again.cached
    assert (again.stacks, again.resources, again.findings) == (first.stacks, first.resources, first.findings)
    assert again.assembly_dir == tmp_path / "out2" / "maple-ca"
    for path in sorted((root / "out1" / "maple-ca").rglob("*")):
        if path.is_file():
            copy = tmp_path / "out2" / "maple-ca" / path.relative_to(root / "out1" / "maple-ca")
            assert copy.read_bytes() == path.read_bytes(), path


def _entry(cache: SynthCache) -> Path:
    (entry,) = (cache.directory / "maple-ca").iterdir()
    return entry


DAMAGE = {
    "a template altered": lambda e: (e / "assembly" / "tenant-maple-ca-primary.template.json").write_text("{}"),
    "a template missing": lambda e: (e / "assembly" / "tenant-maple-ca-dr.template.json").unlink(),
    "results unreadable": lambda e: (e / "result.json").write_text("{not json"),
    "results of another shape": lambda e: (e / "result.json").write_text(json.dumps({"stacks": 3})),
    "assembly gone": lambda e: shutil.rmtree(e / "assembly"),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_entry_is_a_miss(first_run, tmp_path, damage):
    root, _, first = first_run
    cache = SynthCache(tmp_path / "cache", project_dir=root)
    shutil.copytree(root / "cache", tmp_path / "cache")
    damage(_entry(cache))
    key = cache.key(CONFIGS["maple-ca"], fleet_ids=frozenset({"maple-ca"}), context={}, lint=False)
    assert cache.restore("maple-ca", key, tmp_path / "out" / "maple-ca") is None


@pytest.mark.slow
def test_a_restored_entry_is_found_under_the_run_key(first_run, tmp_path):
    root, _, first = first_run
    cache = SynthCache(tmp_path / "cache", project_dir=root)
    shutil.copytree(root / "cache", tmp_path / "cache")
    key = cache.key(CONFIGS["maple-ca"], fleet_ids=frozenset({"maple-ca"}), context={}, lint=False)
    hit = cache.restore("maple-ca", key, tmp_path / "out" / "maple-ca")
    assert hit is not None and hit.findings == first.findings


def test_a_failed_tenant_is_not_cached(tmp_path, monkeypatch):
    def add_tenant(_real, _app, _config):
        raise ValueError("props problem")

    wrap_add_tenant(monkeypatch, add_tenant)
    cache = SynthCache(tmp_path / "cache", project_dir=tmp_path)
    (result,) = synth_tenants([CONFIGS["maple-ca"]], tmp_path / "out", lint=False, cache=cache)
    assert result.error == "ValueError: props problem" and not result.cached
    assert not (tmp_path / "cache" / "maple-ca").exists()


def test_an_extension_and_its_module_file_are_key_parts(cache, tmp_path):
    from tenantkit.config.fleet_models import Extension, extension_sources

    module = tmp_path / "tk_cache_probe_extension.py"
    module.write_text("def add(stack, tenant, context):\n    pass\n")
    extension = Extension(callable="tk_cache_probe_extension:add", stack="primary")
    before = extension_sources([extension], tmp_path)
    assert before[0][2] != "not found"
    assert _key(cache, extensions=before) != _key(cache)
    assert _key(cache, extensions=extension_sources([extension.model_copy(update={"stack": "dr"})], tmp_path)) != _key(cache, extensions=before)
    module.write_text("def add(stack, tenant, context):\n    return None\n")
    assert _key(cache, extensions=extension_sources([extension], tmp_path)) != _key(cache, extensions=before)


def test_the_operator_channel_of_the_tenants_zone_is_a_key_part(cache):
    """fleet.yaml's operator_channel adds a target to every detection rule: a cached assembly
    from before it was set (or changed) must not be restored."""
    topic = "arn:aws:sns:ca-central-1:999988887777:tenantkit-operators"
    assert _key(cache, operator_topics=()) == _key(cache)
    assert _key(cache, operator_topics=(topic,)) != _key(cache)
    assert _key(cache, operator_topics=(topic.replace("operators", "security"),)) != _key(cache, operator_topics=(topic,))


# --- the templates of an entry, read in place (deploy's unchanged check) --------------------------


def _stored_assembly(cache: SynthCache, tmp_path: Path, findings: tuple[str, ...] = ()) -> tuple[str, Path]:
    from tests.lifecycle.test_deploy_local import STACKS, _template, write_assembly

    assembly = write_assembly(tmp_path / "assembly", {name: _template(f"{name}-data") for name in STACKS})
    key = _key(cache)
    cache.store("maple-ca", key, assembly, cache_module.CachedTenant(STACKS, 2, findings))
    return key, assembly


def test_an_entrys_templates_are_its_stacks_regions_and_template_digests(cache, tmp_path):
    import hashlib

    from tests.lifecycle.test_deploy_local import STACKS, region_of

    key, assembly = _stored_assembly(cache, tmp_path)
    expected = tuple(
        (name, region_of(name), hashlib.sha256((assembly / f"{name}.template.json").read_bytes()).hexdigest()) for name in STACKS
    )
    assert cache.templates("maple-ca", key) == expected
    assert cache.templates("maple-ca", _key(cache, lint=False)) is None  # another key: a miss


def test_an_entry_with_findings_has_no_templates_to_deploy(cache, tmp_path):
    key, _ = _stored_assembly(cache, tmp_path, findings=("cfn-lint: W1234",))
    assert cache.templates("maple-ca", key) is None


def test_an_entry_whose_manifest_was_altered_has_no_templates(cache, tmp_path):
    key, _ = _stored_assembly(cache, tmp_path)
    manifest = _entry(cache) / "assembly" / "manifest.json"
    manifest.write_text(manifest.read_text().replace("us-east-1", "eu-west-1"))
    assert cache.templates("maple-ca", key) is None
