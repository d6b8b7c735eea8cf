"""Every IAM role of a tenant's stacks lives under the tenant's path, `/tenantkit/<id>/`.

The key, bucket and vault policies name the tenant's principals by `aws:PrincipalArn` with that
path; a role outside it (the default `/`) would be refused by them, or, worse, a policy widened to
let it in would let in any role of the account.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
("role/division_abc/subdivision_xyz/JaneDoe": a role's ARN includes its path), and
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (Path is set at creation
and cannot be changed: UpdateRole has no Path).
"""

from __future__ import annotations

from tenantkit.compliance.assembly import TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import findings_for, of_type
from tenantkit.naming import ROLE_PATH_ROOT

RULE = "role-under-tenant-path"


def every_role_under_tenant_path(assembly: TenantAssembly) -> RuleResult:
    expected = f"{ROLE_PATH_ROOT}{assembly.tenant_id}/"
    roles = of_type(assembly, "AWS::IAM::Role")

    def problems(stack, logical_id, role) -> list[str]:
        path = role.get("Properties", {}).get("Path")
        if path is not None and render(path) == expected:
            return []
        return [f"path is {render(path) if path is not None else '/ (default)'}, not {expected}"]

    return RuleResult.of(RULE, findings_for(roles, problems), applicable=bool(roles))
