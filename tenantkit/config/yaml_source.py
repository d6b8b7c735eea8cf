"""Read a tenant file safely: YAML 1.2 scalars, no aliases, no duplicate keys, every value's line.

PyYAML's C parser reads the text into nodes; we walk the nodes once, before constructing any
Python object, to reject what a hand-written tenant file never needs and an attacker might send
(anchors and aliases, hence alias bombs; duplicate keys, where YAML silently keeps the last value;
absurd nesting) and to remember the line of every key and list item, so that each error points at
the line to fix. Scalars follow YAML 1.2: `NO` (Norway) and `on` stay strings, `012` is not octal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 16
_REMEMBERED_TAGS = 10_000
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"


class YamlProblem(Exception):
    """A tenant file that is not a well-formed, plain YAML mapping."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class TenantYamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]  # base chosen at run time: libyaml's C loader when present
    """Safe loader with YAML 1.2 booleans and decimal-only integers.

    The tag of a plain scalar depends on its text alone (this loader has no path resolvers), so it
    is remembered: PyYAML resolves every scalar in Python by trying each regular expression of its
    first character, and 1,000 tenant files repeat the same keys and values."""

    _plain_tags: dict[str, str] = {}

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is not ScalarNode or not implicit[0] or self.yaml_path_resolvers:
            return str(super().resolve(kind, value, implicit))
        tag = self._plain_tags.get(value)
        if tag is None:
            tag = str(super().resolve(kind, value, implicit))
            if len(self._plain_tags) < _REMEMBERED_TAGS:
                self._plain_tags[value] = tag
        return tag


TenantYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL, _INT)]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
TenantYamlLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
TenantYamlLoader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))


def _construct_int(loader: SafeConstructor, node: ScalarNode) -> int:
    return int(loader.construct_scalar(node))  # decimal, even with leading zeros


def _construct_timestamp(loader: SafeConstructor, node: ScalarNode) -> object:
    """A date or timestamp; text that only looks like one (`2026-13-01`) stays text, so the
    field that expects a date reports it, at its own path, like any other bad value."""
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


TenantYamlLoader.add_constructor(_INT, _construct_int)
TenantYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


@dataclass
class YamlDocument:
    """A parsed tenant file: its data and the 1-based line of each key path."""

    data: object
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)

    def line_of(self, loc: tuple[object, ...]) -> int:
        """The line of the deepest part of `loc` that appears in the file (1 if none does)."""
        path = tuple(str(part) for part in loc if part != "[key]")
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def decode(raw: bytes) -> str:
    """UTF-8 text of a tenant file, or a YamlProblem naming the line of the first bad byte."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(1, f"file is {len(raw):,} bytes; a tenant file is at most {MAX_FILE_BYTES:,}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise YamlProblem(line, f"not UTF-8 text (byte {error.start} is 0x{raw[error.start]:02x})") from None


def parse(text: str) -> YamlDocument:
    """Parse one YAML document; raise YamlProblem for anything but plain, unique-keyed YAML."""
    if _too_deep(text):
        raise YamlProblem(1, f"nesting is deeper than {MAX_DEPTH} levels")
    loader = TenantYamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlProblem(1, "file is empty; a tenant file is a mapping such as 'tenant_id: acme'")
        document = YamlDocument(data=None)
        document.data = _build(loader, node, (), document.lines, set())
        return document
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = " ".join(filter(None, [error.context, error.problem]))
        raise YamlProblem(line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, f"invalid YAML: {error}") from None
    finally:
        loader.dispose()


def _too_deep(text: str) -> bool:
    """Cheap guard against pathological flow nesting before the recursive C composer sees it."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return True
        elif char in "]}":
            depth = max(depth - 1, 0)
    return False


_STR, _NULL, _MAP, _SEQ = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "null", "map", "seq"))
_PLAIN = {_MAP: MappingNode, _SEQ: SequenceNode, _STR: ScalarNode, _INT: ScalarNode, _BOOL: ScalarNode, _NULL: ScalarNode}
_BOOL_WORDS = {word: word.lower() == "true" for word in ("true", "True", "TRUE", "false", "False", "FALSE")}


def _build(
    loader: SafeConstructor, node: Node, path: tuple[str, ...], lines: dict[tuple[str, ...], int], seen: set[int]
) -> object:
    """`_index` and the loader's construction in one walk: the same checks, lines and values.

    Plain strings, integers, booleans, nulls, mappings and lists (all a tenant file holds) are
    built here; anything else (floats, dates, `!!binary`...) is left to the loader's constructor.
    PyYAML constructs in pure Python, and doing it in the walk that already visits every node
    halves the time to read a tenant file (validate reads 1,000 of them)."""
    if id(node) in seen:
        raise YamlProblem(node.start_mark.line + 1, "anchors and aliases (& and *) are not allowed")
    kind = _PLAIN.get(node.tag)
    if len(path) > MAX_DEPTH or kind is None or not isinstance(node, kind):
        _index(node, path, lines, seen)  # every check of a deep or an unusual node
        return loader.construct_object(node, deep=True)
    seen.add(id(node))
    if isinstance(node, ScalarNode):
        return _scalar(loader, node)
    if isinstance(node, SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            item_path = (*path, str(index))
            lines[item_path] = item.start_mark.line + 1
            items.append(_build(loader, item, item_path, lines, seen))
        return items
    mapping: dict[object, object] = {}
    keys: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = _key(key_node, path, keys, lines)
        mapping[_scalar(loader, key_node)] = _build(loader, value_node, (*path, key), lines, seen)
    return mapping


def _key(key_node: Node, path: tuple[str, ...], keys: dict[str, int], lines: dict[tuple[str, ...], int]) -> str:
    """Check one mapping key (plain, not a merge, not seen before in `keys`); record its line."""
    if not isinstance(key_node, ScalarNode):
        raise YamlProblem(key_node.start_mark.line + 1, "mapping keys must be plain scalars")
    if key_node.tag == "tag:yaml.org,2002:merge":
        raise YamlProblem(key_node.start_mark.line + 1, "merge keys (<<) are not allowed")
    key = str(key_node.value)
    line = key_node.start_mark.line + 1
    if key in keys:
        dotted = ".".join((*path, key))
        raise YamlProblem(line, f"{dotted}: duplicate key (first set on line {keys[key]})")
    keys[key] = line
    lines[(*path, key)] = line
    return key


def _scalar(loader: SafeConstructor, node: ScalarNode) -> object:
    """The value the loader's constructor gives `node`, without its generic machinery for the
    common tags (its own constructor for the rest: explicit `!!bool yes`, floats, dates...)."""
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _INT:
        return int(value)
    if tag == _BOOL and value in _BOOL_WORDS:
        return _BOOL_WORDS[value]
    if tag == _NULL:
        return None
    return loader.construct_object(node, deep=True)


def _index(node: Node, path: tuple[str, ...], lines: dict[tuple[str, ...], int], seen: set[int]) -> None:
    if id(node) in seen:
        raise YamlProblem(node.start_mark.line + 1, "anchors and aliases (& and *) are not allowed")
    seen.add(id(node))
    if len(path) > MAX_DEPTH:
        raise YamlProblem(node.start_mark.line + 1, f"nesting is deeper than {MAX_DEPTH} levels")
    if node.tag == "tag:yaml.org,2002:merge" or (node.tag and not node.tag.startswith("tag:yaml.org,2002:")):
        raise YamlProblem(node.start_mark.line + 1, f"YAML tag {node.tag} is not allowed")
    if isinstance(node, MappingNode):
        keys: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _key(key_node, path, keys, lines)
            _index(value_node, (*path, key), lines, seen)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, str(index))] = item.start_mark.line + 1
            _index(item, (*path, str(index)), lines, seen)
