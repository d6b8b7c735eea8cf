"""`parse` builds plain values itself (speed); every value must be what the YAML 1.2 loader it
replaces would construct, for the tags it handles and for those it leaves to the loader."""

from __future__ import annotations

import datetime

import pytest

from tenantkit.config.yaml_source import YamlProblem, parse

CASES = [
    ("a: text", {"a": "text"}),
    ("a: 012", {"a": 12}),
    ("a: -7", {"a": -7}),
    ("a: NO", {"a": "NO"}),
    ("a: on", {"a": "on"}),
    ("a: True", {"a": True}),
    ("a: FALSE", {"a": False}),
    ("a: ~", {"a": None}),
    ("a:", {"a": None}),
    ("a: !!bool yes", {"a": True}),
    ("a: !!str 12", {"a": "12"}),
    ("a: 1.5", {"a": 1.5}),
    ("a: 2026-12-31", {"a": datetime.date(2026, 12, 31)}),
    ("a: 2026-13-01", {"a": "2026-13-01"}),
    ("1: x", {1: "x"}),
    ("a: [1, {b: c}]", {"a": [1, {"b": "c"}]}),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_values_are_the_yaml_1_2_loaders(text, expected):
    data = parse(text + "\n").data
    assert data == expected
    assert [type(v) for v in data.values()] == [type(v) for v in expected.values()]


def test_a_remembered_scalar_tag_is_the_one_resolved_every_time():
    """Plain scalars' tags are remembered across files: the same text read again, as a key or a
    value, is still what the loader resolves, and quoted text stays text."""
    again = [parse(text + "\n").data for text, _ in CASES]
    assert again == [expected for _, expected in CASES]
    assert parse('a: "012"\nb: \'true\'\n012: NO\ntrue: 012\n').data == {"a": "012", "b": "true", 12: "NO", True: 12}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb: !!map [1, 2]\n", 2, "invalid YAML: expected a mapping node, but found sequence"),
        ("a: 1\nb: !!str [1]\n", 2, "invalid YAML: expected a scalar node, but found sequence"),
        ("a: &x 1\nb: *x\n", 1, "anchors and aliases (& and *) are not allowed"),
        ("a:\n  b: 1\n  b: 2\n", 3, "a.b: duplicate key (first set on line 2)"),
        ("a: !custom 1\n", 1, "YAML tag !custom is not allowed"),
    ],
)
def test_bad_nodes_are_refused_at_their_line(text, line, message):
    with pytest.raises(YamlProblem) as refused:
        parse(text)
    assert (refused.value.line, refused.value.message) == (line, message)
