"""Reading tenant files: safe YAML, exact lines, every problem collected, cross-file checks."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tenantkit.config import ConfigError, load_tenants, validate_paths


def lines_of(directory: Path) -> list[str]:
    return [str(issue) for issue in validate_paths([directory]).issues]


def test_valid_file_loads(write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    path = write_tenant(tenant_data)
    report = validate_paths([path.parent])
    assert report.ok, report.issues
    assert [t.config.tenant_id for t in report.tenants] == ["acme-corp"]


def test_each_issue_names_file_line_field_and_message(write_tenant: Callable[..., Path]) -> None:
    path = write_tenant(
        "tenant_id: acme-corp\n"
        "display_name: Acme\n"
        "residency: us\n"
        "contacts:\n"
        "  security_email: security@acme.example\n"
        "access:\n"
        "  allowed_cidrs:\n"
        "    - 192.0.2.0/24\n"
        "    - 198.51.100.1/24\n"
        "  allowed_countries: [US]\n",
        name="acme-corp.yaml",
    )
    assert lines_of(path.parent) == [
        f"{path}:9: access.allowed_cidrs.1: '198.51.100.1/24' has host bits set; did you mean 198.51.100.0/24?"
    ]


def test_every_problem_in_every_file_is_reported_once(write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    first = dict(tenant_data, residency="uk", display_name="")
    second = dict(tenant_data, tenant_id="beta-corp", account="12")
    write_tenant(first)
    path = write_tenant(second)
    found = lines_of(path.parent)
    assert len(found) == 3, found
    assert any("acme-corp.yaml:3: residency: Input should be 'us', 'ca' or 'de'" in line for line in found)
    assert any("acme-corp.yaml:2: display_name:" in line for line in found)
    assert any(re.search(r"beta-corp.yaml:\d+: account: '12' is not a 12-digit AWS account id", line) for line in found)


def test_unknown_key_suggests_the_close_one(write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    tenant_data["access"]["allowed_countrys"] = tenant_data["access"].pop("allowed_countries")
    path = write_tenant(tenant_data)
    found = lines_of(path.parent)
    assert any("access.allowed_countrys: unknown field; did you mean 'allowed_countries'?" in line for line in found), found
    assert any("access.allowed_countries: required field is missing" in line for line in found), found


def test_file_name_must_match_tenant_id(write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    path = write_tenant(tenant_data, name="other.yaml")
    assert lines_of(path.parent) == [
        f"{path}:1: tenant_id: 'acme-corp' does not match the file name; rename the file to acme-corp.yaml or fix the id"
    ]


def test_a_wrong_file_name_is_reported_with_the_files_other_problems(write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    tenant_data["residency"] = "ca"
    tenant_data["replica"] = {"instance_class": "db.t4g.medium"}  # not offered in ca-west-1
    tenant_data["database"] = {"multi_az": False}
    path = write_tenant(tenant_data, name="other.yaml")
    found = lines_of(path.parent)
    assert sorted(line.split(": ")[1] for line in found) == ["database.multi_az", "replica.instance_class", "tenant_id"]
    assert any("tenant_id: 'acme-corp' does not match the file name" in line for line in found)


@pytest.mark.parametrize("residency", ["us", "ca", "de"])
def test_a_file_with_only_the_required_fields_is_valid_in_every_residency(
    write_tenant: Callable[..., Path], tenant_data: dict[str, Any], residency: str
) -> None:
    tenant_data["residency"] = residency
    path = write_tenant(tenant_data)
    report = validate_paths([path.parent])
    assert report.ok, report.issues
    (tenant,) = report.configs
    notes = [(issue.path, issue.line) for issue in report.notes]
    if tenant.replica_instance_class == tenant.database.instance_class:
        assert notes == []
    else:  # ca-west-1 offers no db.t4g class: the default is chosen, said as information
        assert notes == [("replica.instance_class", 1)]


def test_duplicate_tenant_id_across_directories(tmp_path: Path, write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    first = write_tenant(tenant_data)
    elsewhere = tmp_path / "more"
    elsewhere.mkdir()
    second = elsewhere / first.name
    second.write_bytes(first.read_bytes())
    report = validate_paths([first.parent, elsewhere])
    assert [str(i) for i in report.issues] == [f"{second}:1: tenant_id: tenant 'acme-corp' is also defined in {first}"]
    assert len(report.tenants) == 1


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("", 1, "file is empty"),
        ("# only a comment\n", 1, "file is empty"),
        ("- a\n- b\n", 1, "a tenant file is a mapping of fields, not a list"),
        ("just text\n", 1, "not a string"),
        ("a: 1\nb: [\n", 3, "invalid YAML"),
        ("tenant_id: x\ntenant_id: y\n", 2, "tenant_id: duplicate key (first set on line 1)"),
        ("a: &x [1]\nb: *x\n", 1, "anchors and aliases (& and *) are not allowed"),
        ("a: !!python/object/apply:os.system [echo hi]\n", 1, "invalid YAML"),
        ("a: !custom x\n", 1, "YAML tag !custom is not allowed"),
        ("a: 1\n---\nb: 2\n", 2, "expected a single document"),
        ("a: " + "[" * 100 + "]" * 100 + "\n", 1, "nesting is deeper than"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", 3, "merge keys (<<) are not allowed"),
    ],
    ids=["empty", "comment-only", "list", "scalar", "malformed", "duplicate-key", "alias", "python-tag", "custom-tag", "two-docs", "deep", "merge"],
)
def test_malformed_files_get_one_line_errors(write_tenant: Callable[..., Path], content: str, line: int, message: str) -> None:
    path = write_tenant(content, name="bad.yaml")
    found = lines_of(path.parent)
    assert len(found) == 1, found
    assert found[0].startswith(f"{path}:{line}: (file): "), found
    assert message in found[0]
    assert "\n" not in found[0]


def test_non_utf8_file(write_tenant: Callable[..., Path]) -> None:
    path = write_tenant(b"tenant_id: acme\ndisplay_name: \xff\xfe\n", name="bad.yaml")
    assert lines_of(path.parent) == [f"{path}:2: (file): not UTF-8 text (byte 30 is 0xff)"]


def test_alias_bomb_is_refused_fast(write_tenant: Callable[..., Path]) -> None:
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    path = write_tenant("\n".join(bomb) + "\n", name="bomb.yaml")
    started = time.perf_counter()
    found = lines_of(path.parent)
    assert time.perf_counter() - started < 5  # a generous bound: without the check this never returns
    assert len(found) == 1 and "anchors and aliases" in found[0]


def test_oversized_file_is_refused(write_tenant: Callable[..., Path]) -> None:
    path = write_tenant("# " + "x" * (5 * 1024 * 1024) + "\n", name="big.yaml")
    assert "a tenant file is at most" in lines_of(path.parent)[0]


def test_yaml_1_2_scalars_norway_stays_a_country(write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    text = (
        "tenant_id: acme-corp\ndisplay_name: Acme\nresidency: us\n"
        "contacts: {security_email: security@acme.example}\n"
        "access:\n  allowed_cidrs: [192.0.2.0/24]\n  allowed_countries: [NO, ON]\n"
    )
    path = write_tenant(text, name="acme-corp.yaml")
    found = lines_of(path.parent)
    # NO (Norway) is accepted; ON is a string too, and simply not a country.
    assert found == [f"{path}:7: access.allowed_countries.1: 'ON' is not an ISO 3166-1 alpha-2 country code"]


def test_unquoted_account_with_leading_zero_says_to_quote_it(write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    text = (
        "tenant_id: acme-corp\ndisplay_name: Acme\nresidency: us\naccount: 012345678901\n"
        "contacts: {security_email: security@acme.example}\n"
        "access: {allowed_cidrs: [192.0.2.0/24], allowed_countries: [US]}\n"
    )
    path = write_tenant(text, name="acme-corp.yaml")
    assert lines_of(path.parent) == [
        f"{path}:4: account: write the account id as a quoted string, e.g. '123456789012' (YAML read 12345678901 as a number)"
    ]


def test_missing_path_and_yml_suffix(tmp_path: Path) -> None:
    (tmp_path / "acme.yml").write_text("tenant_id: acme\n")
    report = validate_paths([tmp_path, tmp_path / "nowhere"])
    assert [str(i) for i in report.issues] == [
        f"{tmp_path / 'acme.yml'}:1: (file): tenant files end in .yaml: rename it to acme.yaml",
        f"{tmp_path / 'nowhere'}: (file): no such file or directory",
    ]


def test_load_tenants_raises_with_every_issue(write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    path = write_tenant(dict(tenant_data, residency="xx", display_name=""))
    with pytest.raises(ConfigError) as caught:
        load_tenants([path.parent])
    assert len(caught.value.issues) == 2


def test_example_tenants_are_valid() -> None:
    from tests.conftest import EXAMPLE_CONFIGS

    report = validate_paths([EXAMPLE_CONFIGS])
    assert report.ok, [str(i) for i in report.issues]
    by_id = {t.config.tenant_id: t.config for t in report.tenants}
    assert {c.residency.value for c in by_id.values()} == {"us", "ca", "de"}
    assert any(c.compliance.controlled_goods for c in by_id.values())


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-13-01", "month value is outside expected range of 1-12"),
        ("2026-02-30", "day value is outside expected range"),
    ],
)
def test_an_impossible_date_is_reported_at_its_field(
    write_tenant: Callable[..., Path], tenant_data: dict[str, Any], value: str, reason: str
) -> None:
    text = yaml.safe_dump(tenant_data, sort_keys=False) + f"subscription:\n  ends_on: {value}\n"
    path = write_tenant(text, name="acme-corp.yaml")
    (issue,) = validate_paths([path.parent]).issues
    assert (issue.path, issue.line) == ("subscription.ends_on", text.count("\n"))
    assert issue.message.startswith("must be a date like 2027-12-31 (")
    assert reason in issue.message


def test_a_real_date_still_loads_as_a_date(write_tenant: Callable[..., Path], tenant_data: dict[str, Any]) -> None:
    from datetime import date

    text = yaml.safe_dump(tenant_data, sort_keys=False) + "subscription:\n  ends_on: 2027-02-28\n"
    (config,) = load_tenants([write_tenant(text, name="acme-corp.yaml").parent])
    assert config.subscription.ends_on == date(2027, 2, 28)


def test_find_tenant_names_only_the_problems_of_that_tenant(
    write_tenant: Callable[..., Path], tenant_data: dict[str, Any]
) -> None:
    """The one lookup every single-tenant command uses (offboarding, local deploy, backup-now):
    a broken neighbour does not matter, the tenant's own broken file or a second file claiming
    its id does, and an unknown id is its own one-line error."""
    from tenantkit.config import UnknownTenantError, find_tenant

    path = write_tenant(tenant_data)
    write_tenant("tenant_id: [broken\n", name="broken-neighbour.yaml")
    loaded = find_tenant(path.parent, "acme-corp")
    assert (loaded.config.tenant_id, loaded.source) == ("acme-corp", path)
    with pytest.raises(UnknownTenantError, match=r"tenant_configs: no tenant file for: nobody$"):
        find_tenant(path.parent, "nobody")
    with pytest.raises(ConfigError) as own:
        find_tenant(path.parent, "broken-neighbour")
    assert [issue.file for issue in own.value.issues] == [str(path.parent / "broken-neighbour.yaml")]

    write_tenant(tenant_data, name="zz-copy.yaml")  # a second file with acme-corp's id
    with pytest.raises(ConfigError) as duplicate:
        find_tenant(path.parent, "acme-corp")
    assert [(issue.file, issue.path) for issue in duplicate.value.issues] == [
        (str(path.parent / "zz-copy.yaml"), "tenant_id")
    ]


@pytest.mark.parametrize(("count", "refused"), [(10_000, False), (10_001, True)])
def test_too_many_networks_is_one_line_in_our_words(write_tenant: Callable[..., Path], tenant_data: dict[str, Any], count: int, refused: bool) -> None:
    tenant_data["access"]["allowed_cidrs"] = [f"10.{i // 256}.{i % 256}.0/24" for i in range(count)]
    path = write_tenant(tenant_data)
    line = 1 + path.read_text().splitlines().index("  allowed_cidrs:")
    expected = [f"{path}:{line}: access.allowed_cidrs: 10,001 networks; at most 10,000, what one WAF IP set holds"]
    assert lines_of(path.parent) == (expected if refused else [])
