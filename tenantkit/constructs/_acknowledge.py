"""Acknowledge one cdk-nag finding on one construct, with the reason a reviewer will read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule: str | Sequence[str], reason: str) -> None:
    """Record that `rule` (a single rule id, or `Rule[finding]`; or the same rule as several packs
    name it) is accepted on `scope`, and why."""
    rules = [rule] if isinstance(rule, str) else list(rule)
    Validations.of(scope).acknowledge(*(Acknowledgment(id=one, reason=reason) for one in rules))


def finding_text(scope: IConstruct, value: str) -> str:
    """How cdk-nag writes `value` (which may hold tokens) inside a finding id:
    `{"Ref": "X"}` becomes `<X>`, `{"Fn::GetAtt": ["A", "B"]}` becomes `<A.B>`."""
    return _render(Stack.of(scope).resolve(value))


def _render(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "Ref" in value:
            return f"<{value['Ref']}>"
        if "Fn::GetAtt" in value:
            return f"<{'.'.join(value['Fn::GetAtt'])}>"
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(_render(part) for part in parts)
    raise ValueError(f"cannot render {value!r} as cdk-nag does")
