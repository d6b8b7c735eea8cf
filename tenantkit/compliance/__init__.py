"""Our tenant-isolation rules: small pure functions over a tenant's synthesized templates.

Each rule lives in its own module, takes a `TenantAssembly` and returns a `RuleResult`
(compliant / non-compliant / not applicable, with one line per finding). `RULES` lists them;
`check_tenant` runs them all. No aws_cdk import: the rules read plain template dicts.
"""

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, load_tenant_assembly
from tenantkit.compliance.audit_key_readers import audit_key_decrypts_only_for_named_readers
from tenantkit.compliance.deploy_rules import DEPLOY_RULES
from tenantkit.compliance.hourly_backup import backup_is_hourly_and_copies_inside_zone
from tenantkit.compliance.key_decrypt_conditioned import key_decrypt_needs_tenant_condition
from tenantkit.compliance.no_other_tenant import names_no_other_tenant
from tenantkit.compliance.pgaudit_logging import instances_audit_sessions_and_data_access
from tenantkit.compliance.residency_regions import regions_inside_residency_zone
from tenantkit.compliance.result import Compliance, RuleResult
from tenantkit.compliance.role_path import every_role_under_tenant_path
from tenantkit.compliance.secret_policy_and_rotation import secrets_have_a_closing_policy_and_rotation
from tenantkit.compliance.tenant_key import encryption_uses_tenant_key
from tenantkit.compliance.tenant_tag import every_resource_tagged
from tenantkit.compliance.trail_covers_buckets import BaselineTemplate, trail_records_every_tenant_bucket
from tenantkit.compliance.waf_rate_and_reputation import web_acls_limit_rate_and_filter_reputation

RULES = (
    encryption_uses_tenant_key,
    names_no_other_tenant,
    every_resource_tagged,
    regions_inside_residency_zone,
    backup_is_hourly_and_copies_inside_zone,
    secrets_have_a_closing_policy_and_rotation,
    instances_audit_sessions_and_data_access,
    web_acls_limit_rate_and_filter_reputation,
    key_decrypt_needs_tenant_condition,
    every_role_under_tenant_path,
    *DEPLOY_RULES,
)


BASELINE_RULES = (trail_records_every_tenant_bucket, audit_key_decrypts_only_for_named_readers)
"""The rules of a baseline stack (the audit trail of one account and region); the deploy-time
constraint rules (`DEPLOY_RULES`) run on it too."""


def check_tenant(assembly: TenantAssembly) -> list[RuleResult]:
    """Every tenant-isolation rule's result for one tenant's assembly."""
    return [rule(assembly) for rule in RULES]


def check_baseline(baseline: BaselineTemplate) -> list[RuleResult]:
    """Every baseline rule's and deploy-time constraint rule's result for one baseline stack (which
    belongs to no tenant: the constraint rules read it as the stack of a tenant without an id)."""
    stack = baseline.stack
    as_assembly = TenantAssembly(tenant_id="", zone=frozenset({stack.region}), stacks=(stack,))
    return [*(rule(baseline) for rule in BASELINE_RULES), *(rule(as_assembly) for rule in DEPLOY_RULES)]


__all__ = [
    "BASELINE_RULES",
    "RULES",
    "BaselineTemplate",
    "Compliance",
    "RuleResult",
    "StackTemplate",
    "TenantAssembly",
    "check_baseline",
    "check_tenant",
    "load_tenant_assembly",
]
