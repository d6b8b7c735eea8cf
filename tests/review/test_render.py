"""Markdown, HTML and JSON are one model laid out three ways."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from markupsafe import escape

from tenantkit.review.render import render_review
from tests.review.conftest import CLEAN_TENANT, Weakened, only

pytestmark = pytest.mark.slow


@pytest.fixture
def flagged_review(weakened: Callable[..., Weakened]) -> dict[str, Any]:
    from tenantkit.review import review_assembly

    copy = weakened(CLEAN_TENANT)

    def open_group(resources: dict[str, Any]) -> str:
        group = only(resources, "AWS::EC2::SecurityGroup", lambda props: "-rotation:" not in props["GroupDescription"])
        resources[group]["Properties"]["SecurityGroupIngress"] = [{"CidrIpv6": "::/0", "IpProtocol": "-1"}]
        return group

    copy.edit(copy.primary, open_group)
    return review_assembly(copy.dir, lint_findings=())


def test_json_is_the_model(flagged_review: dict[str, Any]) -> None:
    assert json.loads(render_review(flagged_review, "json")) == flagged_review


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_markdown_and_html_carry_every_section_and_flag(flagged_review: dict[str, Any], fmt: str) -> None:
    text = render_review(flagged_review, fmt)
    for number, section in enumerate(flagged_review["sections"], start=1):
        assert f"{number}. {section['title']}" in text
        for flag in section["flags"]:
            message = str(escape(flag["message"])) if fmt == "html" else flag["message"]
            assert flag["logical_id"] in text and message in text
    assert f"{len(flagged_review['sections']) + 1}. Change since approval" in text
    assert "ingress from ::/0 (all traffic)" in text


def test_html_is_one_self_contained_printable_file(reviews: dict[str, dict[str, Any]]) -> None:
    html = render_review(reviews[CLEAN_TENANT], "html")
    assert html.startswith("<!DOCTYPE html>")
    assert "<link" not in html and "<script" not in html and "src=" not in html
    assert "@media print" in html and "table-layout: fixed" in html and "word-break: break-all" in html
    assert "@page { size: A4;" in html
