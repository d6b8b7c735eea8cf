"""The tenant's incident topics have their own key and name their publishers by source ARN.

Constraints, for each `AWS::SNS::Topic` named `naming.incident_topic`:
- `KmsMasterKeyId` refers to a key of its stack whose alias is `naming.incident_key_alias`, never
  the key holding the tenant's data (alias `naming.key_alias`): whoever may use the data key for
  anything must not thereby read incidents, and the publishers (EventBridge, CloudWatch, AWS
  Backup) are granted the incident key only;
- every Allow statement of its `AWS::SNS::TopicPolicy` that names a service principal carries an
  `aws:SourceArn` condition (ArnLike/ArnEquals) whose every value is one of the tenant's own
  publishers in the topic's region: its backup vault (`naming.vault_arn_in`), its alarms
  (`naming.incident_alarm_arn_pattern`) or its rules (`naming.incident_rule_arn_pattern`). A
  service principal with only `aws:SourceAccount` lets every alarm, rule or vault of the account
  (another tenant's too) publish to the tenant's contact.

Sources:
- https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html#source-account-versus-source-owner
  and https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html (`aws:SourceArn`
  limits a service principal to the resource acting for you; `aws:SourceAccount` only to the account).
- https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
  (an SNS target's policy with `ArnEquals` `aws:SourceArn` of the rule).
- https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html (an encrypted topic's
  publishers need `kms:GenerateDataKey*` and `kms:Decrypt` on the topic's key).
"""

from __future__ import annotations

from typing import Any

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, render
from tenantkit.compliance.detection_rules import ACCOUNT, with_account_marker
from tenantkit.compliance.result import RuleResult
from tenantkit.naming import TenantNames, names_for, stack_names

RULE = "incident-topics"
_ARN_OPERATORS = ("ArnLike", "ArnEquals")


def _key_aliases(stack: StackTemplate) -> dict[str, str]:
    """Key logical id -> its alias, for the keys of `stack` that have one."""
    aliases = {}
    for resource in stack.resources.values():
        props = resource.get("Properties", {})
        target = props.get("TargetKeyId")
        if resource.get("Type") == "AWS::KMS::Alias" and isinstance(target, dict) and ("Ref" in target or "Fn::GetAtt" in target):
            aliases[target.get("Ref") or target["Fn::GetAtt"][0]] = render(props.get("AliasName"))
    return aliases


def _key_problem(stack: StackTemplate, topic: dict[str, Any], names: TenantNames) -> str | None:
    key = topic.get("Properties", {}).get("KmsMasterKeyId")
    if not isinstance(key, dict) or not ("Ref" in key or "Fn::GetAtt" in key):
        return f"KmsMasterKeyId is {render(key) if key is not None else 'not set'}, not the topic's own key in this stack"
    alias = _key_aliases(stack).get(key.get("Ref") or key["Fn::GetAtt"][0])
    if alias == names.key_alias:
        return "is encrypted with the tenant's data key, not a key of its own"
    if alias != names.incident_key_alias:
        return f"KmsMasterKeyId is a key with alias {alias}, not {names.incident_key_alias}"
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _policy_problems(statements: list[dict[str, Any]], names: TenantNames, region: str) -> list[str]:
    own = {
        with_account_marker(arn)
        for arn in (names.vault_arn_in(region), names.incident_alarm_arn_pattern(region), names.incident_rule_arn_pattern(region))
    }
    problems = []
    for statement in statements:
        principal = statement.get("Principal")
        if statement.get("Effect") != "Allow" or not isinstance(principal, dict) or "Service" not in principal:
            continue
        services = ", ".join(render(s) for s in _as_list(principal["Service"]))
        conditions = statement.get("Condition", {})
        sources = [
            with_account_marker(value)
            for operator in _ARN_OPERATORS
            for value in _as_list(conditions.get(operator, {}).get("aws:SourceArn", []))
        ]
        if not sources:
            problems.append(f"statement {statement.get('Sid', '(no Sid)')} lets {services} publish without aws:SourceArn")
        elif not set(sources) <= own:
            others = sorted(set(sources) - own)
            problems.append(f"statement {statement.get('Sid', '(no Sid)')} lets {services} publish from {', '.join(others)}, not the tenant's own")
    return problems


def incident_topics_have_own_key_and_named_publishers(assembly: TenantAssembly) -> RuleResult:
    findings = []
    applicable = False
    dr_name, primary_name, _ = stack_names(assembly.tenant_id)
    regions = {stack.name: stack.region for stack in assembly.stacks}
    if primary_name not in regions or dr_name not in regions:
        return RuleResult.of(RULE, [], applicable=False)
    names = names_for(assembly.tenant_id, ACCOUNT, regions[primary_name], regions[dr_name], assembly.generation)
    for stack in assembly.stacks:
        topics = {
            logical_id: resource
            for logical_id, resource in stack.resources.items()
            if resource.get("Type") == "AWS::SNS::Topic" and render(resource.get("Properties", {}).get("TopicName")) == names.incident_topic
        }
        for logical_id, topic in topics.items():
            applicable = True
            problem = _key_problem(stack, topic, names)
            if problem:
                findings.append(f"{stack.name}/{logical_id}: {problem}")
            policies = [
                (policy_id, resource.get("Properties", {}))
                for policy_id, resource in stack.resources.items()
                if resource.get("Type") == "AWS::SNS::TopicPolicy"
                and {"Ref": logical_id} in _as_list(resource.get("Properties", {}).get("Topics", []))
            ]
            if not policies:
                findings.append(f"{stack.name}/{logical_id}: has no topic policy naming its publishers")
            for policy_id, props in policies:
                statements = _as_list(props.get("PolicyDocument", {}).get("Statement", []))
                findings += [f"{stack.name}/{policy_id}: {p}" for p in _policy_problems(statements, names, stack.region)]
    return RuleResult.of(RULE, findings, applicable=applicable)
