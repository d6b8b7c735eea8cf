"""`tenantkit residency`: generated from the residency table the stacks use."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.config.promises import copy_promises
from tenantkit.config.residency import ALL_REGIONS, POLICIES, REGION_CITIES, Residency
from tenantkit.review.residency_page import new_tenant

runner = CliRunner()


def test_every_region_of_every_zone_has_its_city() -> None:
    assert set(REGION_CITIES) == set(ALL_REGIONS)


@pytest.mark.parametrize("residency", list(Residency))
def test_the_page_names_the_regions_cities_and_every_copy(residency: Residency) -> None:
    policy = POLICIES[residency]
    result = runner.invoke(app, ["residency", residency.value])
    assert result.exit_code == 0, result.output
    page = result.output
    assert f"| Primary region (serves the tenant) | {policy.primary_region} ({REGION_CITIES[policy.primary_region]}) |" in page
    assert f"| Secondary region (disaster-recovery copies) | {policy.default_secondary_region} ({REGION_CITIES[policy.default_secondary_region]}) |" in page
    for promise in copy_promises(new_tenant(residency)):
        assert f"| {promise.store} | {promise.copy} | {promise.region} ({REGION_CITIES[promise.region]}) | {promise.rpo} | {promise.kept} |" in page
    for other in Residency:
        if other is not residency:
            assert f"## `{other.value}`" not in page
    assert "| database | seconds (read replica, asynchronous; alarm beyond 300 s) | 1 hour |" in page
    assert "| files | 15 minutes (S3 Replication Time Control) | 1 hour |" in page
    assert "pauses I/O briefly at every snapshot" in page


def test_controlled_goods_only_in_canada_and_the_german_caveat() -> None:
    page = runner.invoke(app, ["residency"]).output
    sections = {residency: page.split(f"## `{residency.value}`")[1].split("\n## ")[0] for residency in Residency}
    assert "| Controlled Goods | Available." in sections[Residency.CA]
    assert "| Controlled Goods | Not available with this residency." in sections[Residency.US]
    assert "| Controlled Goods | Not available with this residency." in sections[Residency.DE]
    de = POLICIES[Residency.DE]
    assert f"AWS has one region in Germany: the secondary copies (replica database, replicated files, backup copies) live elsewhere in the {de.zone_name}" in sections[Residency.DE]
    assert "AWS has one region in" not in sections[Residency.US] + sections[Residency.CA]


def test_html_page_is_one_self_contained_file(tmp_path) -> None:
    target = tmp_path / "residency.html"
    result = runner.invoke(app, ["residency", "--format", "html", "--out", str(target)])
    assert result.exit_code == 0, result.output
    html = target.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html and "@media print" in html
    assert "<link" not in html and "<script" not in html
    for residency in Residency:
        assert f'id="residency-{residency.value}"' in html
