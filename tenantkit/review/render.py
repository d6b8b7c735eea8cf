"""The review model as Markdown, HTML or JSON, through the jinja2 templates shipped in this
package (`templates/`): the model is the one source; these only lay it out."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jinja2

FORMATS = ("md", "html", "json")
_IDENTIFIER = re.compile(r"^[^\s]*[:/][^\s]*$")


@cache
def _environment(autoescape: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("tenantkit.review", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md_cell"] = _md_cell
    environment.filters["identifier"] = lambda value: bool(_IDENTIFIER.match(str(value))) and len(str(value)) > 20
    environment.filters["md_inline"] = lambda value: str(value).replace("`", "")
    environment.filters["column_widths"] = column_widths
    return environment


def column_widths(table: dict[str, Any]) -> list[int]:
    """Percent of the page width for each column of a table (fixed layout: the page decides
    the table's width, the content each column's share; long values wrap instead)."""
    weights = []
    for index, column in enumerate(table["columns"]):
        longest = max([len(column), *(len(row["cells"][index]) for row in table["rows"] if index < len(row["cells"]))])
        weights.append(min(max(longest, 8), 40) + 6)  # + 6: padding and one wrapped word
    total = sum(weights)
    return [round(100 * weight / total) for weight in weights]


def _md_cell(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_review(model: dict[str, Any], fmt: str) -> str:
    """The review in `fmt` (md, html or json)."""
    if fmt == "json":
        return json.dumps(model, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    template = _environment(fmt == "html").get_template(f"review.{fmt}.j2")
    return template.render(review=model, numbered=list(enumerate(model["sections"], start=1)))


def render_residency(page: dict[str, Any], fmt: str) -> str:
    """The residency page for sales engineers in `fmt` (md or html)."""
    template = _environment(fmt == "html").get_template(f"residency.{fmt}.j2")
    return template.render(page=page)
