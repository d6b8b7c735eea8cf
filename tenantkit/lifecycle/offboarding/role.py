"""The tenant's offboarding role, deleted as the last step of a verified offboarding.

Its stack retains it (RETAIN_ON_UPDATE_OR_DELETE): a rerun of a run that already deleted the stacks
still assumes it to empty the buckets and vaults. Once verification has found nothing of the
tenant, nothing is left for it to destroy, and a role that may delete a tenant's data must not
outlive the data: its managed and inline policies are detached or deleted, then the role; IAM's
answer to GetRole (NoSuchEntity) is the evidence the journal and the signed report keep. The role
is deleted with the operator's credentials (IAM is global: the primary region's client).
"""

from __future__ import annotations

from typing import Any

from tenantkit.aws import Failure, classify, pages
from tenantkit.lifecycle.offboarding.run import Journal, now
from tenantkit.naming import TenantNames

JOURNAL_KEY = "offboarding_role"
"""The journal's record of the deletion: arn, deleted_at, whether the role was there, the check."""
KIND = "iam role"
VERIFIED_BY = "iam:GetRole answered NoSuchEntity"


def role_retired(journal: Journal) -> bool:
    """The journal records the tenant's offboarding role as deleted (a rerun cannot assume it)."""
    return JOURNAL_KEY in journal.data


def retire_offboarding_role(iam: Any, names: TenantNames, journal: Journal) -> dict[str, Any]:
    """Delete the offboarding role (policies first) unless the journal already records it; the
    record is saved before this returns. A role already gone is recorded as such."""
    if role_retired(journal):
        return dict(journal.data[JOURNAL_KEY])
    role = names.offboarding_role
    existed = _delete_role(iam, role)
    if not _absent(lambda: iam.get_role(RoleName=role)):
        raise RuntimeError(f"{names.offboarding_role_arn} still exists after DeleteRole")
    record = {"arn": names.offboarding_role_arn, "name": role, "deleted_at": now(), "existed": existed, "verified_by": VERIFIED_BY}
    journal.data[JOURNAL_KEY] = record
    journal.save()
    return record


def _delete_role(iam: Any, role: str) -> bool:
    """Detach its managed policies, delete its inline ones, delete the role; False when it was
    already gone. A policy gone meanwhile (its stack deleted it) is no obstacle."""
    try:
        for policy in list(pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role)):
            _unless_absent(lambda arn=policy["PolicyArn"]: iam.detach_role_policy(RoleName=role, PolicyArn=arn))
        for name in list(pages(iam, "list_role_policies", "PolicyNames", RoleName=role)):
            _unless_absent(lambda name=name: iam.delete_role_policy(RoleName=role, PolicyName=name))
        iam.delete_role(RoleName=role)
    except Exception as error:
        if classify(error) is Failure.ABSENT:  # the role itself (NoSuchEntity)
            return False
        raise
    return True


def _unless_absent(call: Any) -> bool:
    """Run `call`; False when IAM says its entity does not exist."""
    try:
        call()
    except Exception as error:
        if classify(error) is Failure.ABSENT:
            return False
        raise
    return True


def _absent(call: Any) -> bool:
    return not _unless_absent(call)
