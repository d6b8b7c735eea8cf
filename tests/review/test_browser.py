"""The HTML review in a real browser: Debian's Chromium driven by playwright prints it to an A4
PDF that holds every section, with no table wider than the page or clipped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tenantkit.review.render import render_review
from tests.review.conftest import CLEAN_TENANT, Examples, Weakened, only

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
A4_POINTS = (595, 842)
PRINTABLE_WIDTH_PX = round((210 - 2 * 12) / 25.4 * 96)
"""A4 less the 12 mm side margins of the report's @page rule, in CSS pixels."""
HEADINGS = [
    "1. Residency", "2. Encryption map", "3. Stores and their policies", "4. Network exposure",
    "5. Backups and replication", "6. Audit and detection", "7. Audit logging", "8. IAM",
    "9. Offboarding readiness", "10. Compliance", "11. Break-glass grants", "12. Change since approval",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} is missing (Debian: apt-get install -y chromium; .ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[test]' (the test extra)")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _weakened_review(examples: Examples, weakened: Callable[..., Weakened]) -> dict[str, Any]:
    """A review with flags and long ARNs in its tables: the hardest to lay out."""
    from tenantkit.review import review_assembly

    copy = weakened(CLEAN_TENANT)

    def open_policy(resources: dict[str, Any]) -> str:
        policy = only(resources, "AWS::IAM::ManagedPolicy", lambda p: "s3:ReplicateObject" in str(p))
        resources[policy]["Properties"]["PolicyDocument"]["Statement"].append({"Effect": "Allow", "Action": "*", "Resource": "*"})
        return policy

    copy.edit(copy.primary, open_policy)
    return review_assembly(copy.dir, lint_findings=())


@pytest.mark.parametrize("which", ["weakened", "rhein-de"])
def test_the_report_prints_on_a4_with_every_section_and_no_clipped_table(
    which: str, browser: Any, examples: Examples, reviews: dict[str, dict[str, Any]],
    weakened: Callable[..., Weakened], tmp_path: Path,
) -> None:
    try:
        from pypdf import PdfReader
    except ImportError:
        pytest.fail("pypdf is not installed: pip install -e '.[test]' (the test extra)")

    model = _weakened_review(examples, weakened) if which == "weakened" else reviews[which]
    report = tmp_path / "review.html"
    report.write_text(render_review(model, "html"), encoding="utf-8")
    page = browser.new_page(viewport={"width": PRINTABLE_WIDTH_PX, "height": 1000})
    page.goto(report.as_uri())
    page.emulate_media(media="print")
    overflowing = page.evaluate(
        """(width) => {
            const wide = [];
            for (const table of document.querySelectorAll('table')) {
                if (table.scrollWidth > width + 1 || table.getBoundingClientRect().right > width + 1)
                    wide.push('table ' + (table.previousElementSibling || {}).textContent);
            }
            for (const cell of document.querySelectorAll('td, th')) {
                if (cell.scrollWidth > cell.clientWidth + 1) wide.push('cell ' + cell.textContent.slice(0, 60));
            }
            return wide;
        }""",
        PRINTABLE_WIDTH_PX,
    )
    assert overflowing == []
    pdf = tmp_path / "review.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    page.close()
    reader = PdfReader(pdf)
    assert len(reader.pages) > 1
    assert all(tuple(round(float(v)) for v in p.mediabox.upper_right) == A4_POINTS for p in reader.pages)
    text = "\n".join(p.extract_text() for p in reader.pages)
    for heading in HEADINGS:
        assert heading in text, heading
    if which == "weakened":
        assert "Flagged" in text and "wildcard action" in text
