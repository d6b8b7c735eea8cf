"""Retained resources use RetainExceptOnCreate, so a failed first deploy leaves nothing behind.

Constraint: `DeletionPolicy: Retain` also keeps a resource that CloudFormation deletes while it
rolls back the very operation that created it; a fixed-name resource left so makes the retry fail
("already exists"). `RetainExceptOnCreate` retains on update and delete, not on that rollback.
Read replicas are exempt: CloudFormation ignores deletion policies on them.

Sources:
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
  (as quoted by https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk/CfnDeletionPolicy.html):
  "RetainExceptOnCreate behaves like Retain for stack operations, except for the stack operation
  that initially created the resource. If the stack operation that created the resource is rolled
  back, CloudFormation deletes the resource."
- https://aws.amazon.com/about-aws/whats-new/2023/07/aws-cloudformation-deletion-policies-dev-test-cycle/:
  "If resources are preserved during rollbacks, they interfere with retries of the stack operation."
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html#cfn-rds-dbinstance-sourcedbinstanceidentifier:
  "Read replicas don't support deletion policies. AWS CloudFormation ignores any deletion policy
  that's associated with a read replica."

cfn-lint misses it: Retain is a valid policy; cfn-lint does not weigh one valid policy against
another. `UpdateReplacePolicy: Retain` is not concerned (a replacement is no first create).
"""

from __future__ import annotations

from tenantkit.compliance.assembly import TenantAssembly
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import is_read_replica

RULE = "retain-except-on-create"


def retained_resources_retain_except_on_create(assembly: TenantAssembly) -> RuleResult:
    with_policy = [
        (stack, logical_id, resource)
        for stack, logical_id, resource in assembly.resources()
        if "DeletionPolicy" in resource and not is_read_replica(resource)
    ]
    findings = [
        f"{stack.name}/{logical_id}: DeletionPolicy Retain keeps it when its first create rolls "
        "back, so the retry fails 'already exists'; use RetainExceptOnCreate "
        "(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)"
        for stack, logical_id, resource in with_policy
        if resource["DeletionPolicy"] == "Retain"
    ]
    return RuleResult.of(RULE, findings, applicable=bool(with_policy))
