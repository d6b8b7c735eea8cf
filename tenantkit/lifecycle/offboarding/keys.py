"""The tenant's keys after offboarding: who could undo their deletion during the window, and the
check, once the window is over, that they are gone.

A key scheduled for deletion is not destroyed: until its deletion date, any principal its key
policy allows `kms:CancelKeyDeletion` (tenantkit's key policy grants it to the account's
administrators, `AdministratorsManageButCannotUse`) can cancel the deletion, and `kms:EnableKey`
then makes it usable again. `undoers` reads that from the key's own policy, so the plan lists what
is true of the key in AWS, not what tenantkit's template meant it to be.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any

from botocore.exceptions import ClientError

from tenantkit.aws import Failure, classify

UNDO_ACTIONS = ("kms:CancelKeyDeletion", "kms:EnableKey")


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def undoers(policy: dict[str, Any]) -> list[str]:
    """One line per Allow statement of a key policy that allows an action of UNDO_ACTIONS
    (actions matched as IAM does: case-insensitive, `*` and `?` wildcards): its Sid, principals,
    the actions it allows of those, and its conditions. A NotAction statement that does not
    exclude them counts too."""
    found = []
    for index, statement in enumerate(_listed(policy.get("Statement", []))):
        if statement.get("Effect") != "Allow":
            continue
        if "NotAction" in statement:
            excluded = [a.lower() for a in _listed(statement["NotAction"])]
            allowed = [a for a in UNDO_ACTIONS if not any(fnmatchcase(a.lower(), pattern) for pattern in excluded)]
        else:
            patterns = [a.lower() for a in _listed(statement.get("Action", []))]
            allowed = [a for a in UNDO_ACTIONS if any(fnmatchcase(a.lower(), pattern) for pattern in patterns)]
        if not allowed:
            continue
        principal = statement.get("Principal", {})
        who = principal if isinstance(principal, str) else ", ".join(str(p) for values in principal.values() for p in _listed(values))
        condition = f" when {json.dumps(statement['Condition'], sort_keys=True)}" if statement.get("Condition") else ""
        sid = statement.get("Sid") or f"statement {index + 1}"
        found.append(f"{sid}: {who} may {' and '.join(allowed)}{condition}")
    return found


def key_undoers(kms: Any, key_arn: str) -> list[str]:
    """`undoers` of the key's policy (the policy named `default`, the only one KMS keeps)."""
    policy = kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]
    return undoers(json.loads(policy))


@dataclass(frozen=True)
class KeyState:
    key_arn: str
    region: str
    deletion_date: str  # as the report scheduled it
    answer: str  # "NotFoundException" (gone), else the key's state
    days_left: int | None  # whole days to its deletion date while pending; None once gone

    @property
    def gone(self) -> bool:
        return self.answer == "NotFoundException"


def key_state(kms: Any, key_arn: str, region: str, deletion_date: str, now: datetime) -> KeyState:
    """What DescribeKey says of a key the report scheduled for deletion."""
    try:
        metadata = kms.describe_key(KeyId=key_arn)["KeyMetadata"]
    except ClientError as error:
        if classify(error) is Failure.ABSENT and error.response["Error"]["Code"] == "NotFoundException":
            return KeyState(key_arn, region, deletion_date, "NotFoundException", None)
        raise
    due = metadata.get("DeletionDate") or datetime.fromisoformat(deletion_date.replace("Z", "+00:00"))
    seconds = (due.astimezone(UTC) - now.astimezone(UTC)).total_seconds()
    return KeyState(key_arn, region, deletion_date, metadata["KeyState"], max(0, -int(-seconds // 86400)))
