"""The Condition element: operators, `...IfExists`, `ForAnyValue:`/`ForAllValues:`, the Null
check and policy variables, as the IAM User Guide's "IAM JSON policy elements: Condition
operators" and "Single-valued vs. multivalued context keys" pages define them.

Context keys are matched case-insensitively; values case-sensitively, except in the
`...IgnoreCase` operators, `Bool` and `Null` (AWS reads "true"/"TRUE" alike).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from operator import eq, ge, gt, le, lt
from typing import Any

Context = Mapping[str, tuple[str, ...]]  # lower-cased key -> its values (one for single-valued keys)

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# A variable's value is literal text, even in wildcard patterns: its `*` and `?` (and `${*}`,
# `${?}`) become these stand-ins, which `wildcard_match` reads as the plain characters.
_LITERAL = str.maketrans({"*": "\x01", "?": "\x02"})
_PLAIN = str.maketrans({"\x01": "*", "\x02": "?"})
_SPECIAL = {"*": "\x01", "?": "\x02", "$": "$"}
_WILDCARD_OPERATORS = frozenset({"stringlike", "stringnotlike", "arnequals", "arnlike", "arnnotequals", "arnnotlike"})


class PolicyError(ValueError):
    """A policy AWS would refuse to store (an unknown operator, a malformed value)."""


def normalise_context(context: Mapping[str, str | Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Keys lower-cased (condition keys are case-insensitive); every value a tuple of strings."""
    return {key.lower(): (value,) if isinstance(value, str) else tuple(value) for key, value in context.items()}


def substitute(text: str, context: Context) -> str | None:
    """`text` with its policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${*}`,
    `${aws:x, 'default'}`) replaced from `context`; None when one has no value and no default,
    which AWS treats as a value that matches nothing."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        body = match.group(1)
        if body in _SPECIAL:
            return _SPECIAL[body]
        name, _, default = body.partition(",")
        values = context.get(name.strip().lower())
        if values and len(values) == 1:
            return values[0].translate(_LITERAL)
        default = default.strip()
        if len(default) >= 2 and default[0] == default[-1] == "'":
            return default[1:-1].translate(_LITERAL)
        missing = True
        return ""

    result = _VARIABLE.sub(replace, text)
    return None if missing else result


def _wildcard(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """`*` any run of characters (slashes and colons included), `?` one character; the stand-ins
    of a substituted variable match themselves."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c.translate(_PLAIN)) for c in pattern]
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _wildcard(pattern, ignore_case=ignore_case).fullmatch(value) is not None


def arn_match(pattern: str, value: str) -> bool:
    """ArnLike as AWS defines it: each of the six colon-separated parts matched on its own
    (wildcards allowed), case-sensitively; the resource part may itself contain colons."""
    if pattern == "*":
        return True
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(wildcard_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def _number(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise PolicyError(f"{text!r} is not a number") from None


def _date(text: str) -> datetime:
    try:
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), tz=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise PolicyError(f"{text!r} is not an ISO 8601 date or epoch seconds") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _in_network(network: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def _comparison(convert: Callable[[str], Any], compare: Callable[[Any, Any], Any]) -> Callable[[str, str], bool]:
    def match(policy_value: str, request_value: str) -> bool:
        return bool(compare(convert(request_value), convert(policy_value)))

    return match


# operator -> (matches(policy_value, request_value), negated, takes policy variables)
_BASE: dict[str, tuple[Callable[[str, str], bool], bool, bool]] = {
    "stringequals": (lambda p, r: p == r, False, True),
    "stringnotequals": (lambda p, r: p == r, True, True),
    "stringequalsignorecase": (lambda p, r: p.casefold() == r.casefold(), False, True),
    "stringnotequalsignorecase": (lambda p, r: p.casefold() == r.casefold(), True, True),
    "stringlike": (lambda p, r: wildcard_match(p, r), False, True),
    "stringnotlike": (lambda p, r: wildcard_match(p, r), True, True),
    "arnequals": (arn_match, False, True),
    "arnlike": (arn_match, False, True),
    "arnnotequals": (arn_match, True, True),
    "arnnotlike": (arn_match, True, True),
    "bool": (lambda p, r: p.lower() == r.lower(), False, False),
    "binaryequals": (lambda p, r: p == r, False, False),
    "ipaddress": (_in_network, False, False),
    "notipaddress": (_in_network, True, False),
}
# Numeric* and Date*: the same six comparisons, of numbers or of moments.
_ORDERINGS = {
    "equals": (eq, False),
    "notequals": (eq, True),
    "lessthan": (lt, False),
    "lessthanequals": (le, False),
    "greaterthan": (gt, False),
    "greaterthanequals": (ge, False),
}
for _family, _convert in (("numeric", _number), ("date", _date)):
    for _suffix, (_compare, _negated) in _ORDERINGS.items():
        _BASE[f"{_family}{_suffix}"] = (_comparison(_convert, _compare), _negated, False)


def _values(raw: object) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in items]


def _key_holds(operator: str, policy_values: list[str], request_values: tuple[str, ...] | None) -> bool:
    """One key of one operator block (AWS: values of a key are ORed; a negated operator is the
    negation of the positive one)."""
    set_operator, _, name = operator.rpartition(":")
    name = name.lower()
    if set_operator and set_operator.lower() not in ("foranyvalue", "forallvalues"):
        raise PolicyError(f"unknown set operator {set_operator!r}")
    if_exists = name.endswith("ifexists")
    base = name.removesuffix("ifexists")
    if base == "null":
        if set_operator or if_exists:
            raise PolicyError(f"{operator} is not an operator")
        wants_absent = [v.lower() == "true" for v in policy_values]
        return (not request_values) in wants_absent
    if base not in _BASE:
        raise PolicyError(f"unknown condition operator {operator!r}")
    match, negated, _ = _BASE[base]

    def one(request_value: str) -> bool:  # does one request value satisfy the (possibly negated) operator
        hit = any(match(p, request_value) for p in policy_values)
        return not hit if negated else hit

    if set_operator.lower() == "forallvalues":
        return all(one(v) for v in request_values or ())  # an absent or empty key: vacuously true
    if set_operator.lower() == "foranyvalue":
        return any(one(v) for v in request_values or ())  # an absent key: false
    if not request_values:  # a single-valued operator on an absent key
        return if_exists or negated
    if negated:  # "not equal to any of the values" for each value the request has
        return all(one(v) for v in request_values)
    return any(one(v) for v in request_values)


def condition_holds(condition: Mapping[str, Mapping[str, object]] | None, context: Context) -> bool:
    """Every operator block, and every key in each, must hold (AWS: a logical AND)."""
    for operator, block in (condition or {}).items():
        base = operator.rpartition(":")[2].lower().removesuffix("ifexists")
        takes_variables = base in _BASE and _BASE[base][2]
        for key, raw in block.items():
            values = _values(raw)
            if takes_variables:
                values = [v for v in (substitute(v, context) for v in values) if v is not None]
                if base not in _WILDCARD_OPERATORS:
                    values = [v.translate(_PLAIN) for v in values]
            if not _key_holds(operator, values, context.get(key.lower())):
                return False
    return True
