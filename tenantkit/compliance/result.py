from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Compliance(str, Enum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non-compliant"
    NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True)
class RuleResult:
    rule: str
    status: Compliance
    findings: tuple[str, ...] = ()

    @classmethod
    def of(cls, rule: str, findings: list[str], *, applicable: bool = True) -> RuleResult:
        if not applicable:
            return cls(rule, Compliance.NOT_APPLICABLE)
        if findings:
            return cls(rule, Compliance.NON_COMPLIANT, tuple(findings))
        return cls(rule, Compliance.COMPLIANT)

    @property
    def ok(self) -> bool:
        return self.status is not Compliance.NON_COMPLIANT
