"""A web ACL association joins a regional web ACL of its stack to a resource in the stack's region.

Constraints on `AWS::WAFv2::WebACLAssociation`:
- `ResourceArn` names a resource in the stack's region (a regional web ACL protects only resources
  of its own region); an API Gateway stage ARN has an empty account field
  (`arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>`);
- `WebACLArn` is the `Fn::GetAtt Arn` of an `AWS::WAFv2::WebACL` of the same stack, with Scope
  REGIONAL (a CLOUDFRONT web ACL is attached through the distribution, not by association).

Sources:
- https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/2358 (filed by AWS):
  the association fails "with error: 'AWS WAF couldn't perform the operation because your resource
  doesn't exist'" when its target is not there yet.
- https://github.com/hashicorp/terraform-provider-aws/issues/9071: "the API Gateway Stage Arn will
  have the format arn:aws:apigateway:{region}::/restapis/{api_id}/stages/{stage_name}".
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-wafv2-webaclassociation.html
  (the resource associates a regional web ACL with a regional resource).

cfn-lint misses it: both ARNs are plain strings to its schema; it knows neither the stack's region
nor which web ACL an ARN stands for.
"""

from __future__ import annotations

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import findings_for, of_type, parse_arn, reference

RULE = "waf-association-targets"


def _resource_problem(value, stack: StackTemplate) -> str | None:
    target = reference(value)
    if target is not None and target[0] in stack.resources:
        return None  # a resource of this stack is in its region
    arn = parse_arn(value, stack.region)
    if arn is None:
        return f"ResourceArn {render(value)!r} is neither an ARN nor a resource of this stack"
    if arn["region"] != stack.region:
        return f"ResourceArn is in {arn['region']!r}, not the stack's region {stack.region}"
    if arn["service"] == "apigateway" and arn["account"]:
        return (
            "an API Gateway stage ARN has no account: "
            "arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>"
        )
    return None


def _web_acl_problem(value, stack: StackTemplate) -> str | None:
    target = reference(value)
    acl_id = target[0] if target is not None and target[1] == "Arn" else None
    acl = stack.resources.get(acl_id, {}) if acl_id is not None else {}
    if acl.get("Type") != "AWS::WAFv2::WebACL":
        return f"WebACLArn {render(value)!r} is not the Fn::GetAtt Arn of a web ACL of this stack"
    if acl.get("Properties", {}).get("Scope") != "REGIONAL":
        return f"web ACL {acl_id} is not REGIONAL, so it cannot be associated"
    return None


def _problems(stack: StackTemplate, _logical_id: str, association: dict) -> list[str]:
    properties = association.get("Properties", {})
    problems = (
        _resource_problem(properties.get("ResourceArn"), stack),
        _web_acl_problem(properties.get("WebACLArn"), stack),
    )
    return [problem for problem in problems if problem]


def waf_associations_join_this_region(assembly: TenantAssembly) -> RuleResult:
    associations = of_type(assembly, "AWS::WAFv2::WebACLAssociation")
    return RuleResult.of(RULE, findings_for(associations, _problems), applicable=bool(associations))
