"""Every detection a security lead must hear about exists for the tenant, matched to its resources.

Constraint: each of the tenant's stacks (dr, primary, replica) has, for every detection
`tenantkit.constructs.detection.detections_for` gives that stack, an `AWS::Events::Rule` whose
`EventPattern` is exactly the detection's pattern for this tenant (account ids aside, which the
template may carry as `AWS::AccountId`) and whose targets include an SNS topic of the tenant (its
incident topic). A missing rule, or one whose pattern was widened or narrowed (another tenant's
names, a prefix instead of a name), is a finding.

Sources:
- https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html (a rule matches
  an event when every field of its pattern matches: a changed or missing field changes what the
  rule sees).
- https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html (API
  calls reach EventBridge as "AWS API Call via CloudTrail" events, with the CloudTrail record as
  `detail`).
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-rule.html
  (`EventPattern`, `Targets`).
"""

from __future__ import annotations

import re
from typing import Any

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.constructs.detection import StackKind, detections_for
from tenantkit.naming import names_for, stack_names

RULE = "detection-rules"
ACCOUNT = "<account>"
_ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])|\$\{AWS\.AccountId\}")
_INTRINSICS = ("Ref", "Fn::GetAtt", "Fn::Join", "Fn::Sub", "Fn::ImportValue")


def with_account_marker(value: Any) -> Any:
    """The pattern with intrinsic functions rendered and every account id replaced by one marker."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _INTRINSICS:
            return _ACCOUNT_ID.sub(ACCOUNT, render(value))
        return {key: with_account_marker(item) for key, item in value.items()}
    if isinstance(value, list):
        return [with_account_marker(item) for item in value]
    return _ACCOUNT_ID.sub(ACCOUNT, value) if isinstance(value, str) else value


def _targets_a_topic(stack: StackTemplate, rule: dict[str, Any]) -> bool:
    """A target that is an SNS topic of this stack (`Ref`), another stack's (imported), or by ARN."""
    for target in rule.get("Targets", []):
        arn = target.get("Arn")
        if isinstance(arn, dict) and "Ref" in arn:
            if stack.resources.get(str(arn["Ref"]), {}).get("Type") == "AWS::SNS::Topic":
                return True
        elif ":sns:" in render(arn) or "${Import:" in render(arn):
            return True
    return False


def detection_rules_exist(assembly: TenantAssembly) -> RuleResult:
    dr_name, primary_name, replica_name = stack_names(assembly.tenant_id)
    by_name = {stack.name: stack for stack in assembly.stacks}
    kinds: dict[str, StackKind] = {dr_name: "dr", primary_name: "primary", replica_name: "replica"}
    primary, dr = by_name.get(primary_name), by_name.get(dr_name)
    if primary is None or dr is None:
        return RuleResult.of(RULE, [], applicable=False)
    names = names_for(assembly.tenant_id, ACCOUNT, primary.region, dr.region, assembly.generation)
    findings = []
    for stack_name, kind in kinds.items():
        stack = by_name.get(stack_name)
        if stack is None:
            continue
        rules = [
            (logical_id, resource.get("Properties", {}))
            for logical_id, resource in stack.resources.items()
            if resource.get("Type") == "AWS::Events::Rule"
        ]
        patterns = [(logical_id, with_account_marker(props.get("EventPattern")), props) for logical_id, props in rules]
        for detection in detections_for(names, kind):
            found = [(logical_id, props) for logical_id, pattern, props in patterns if pattern == detection.pattern]
            if not found:
                findings.append(f"{stack_name}: no rule detects exactly this tenant's {detection.description.lower()}")
            elif not any(_targets_a_topic(stack, props) for _, props in found):
                findings.append(f"{stack_name}/{found[0][0]}: detects {detection.id} but publishes to no SNS topic")
    return RuleResult.of(RULE, findings)
