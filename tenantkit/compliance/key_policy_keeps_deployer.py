"""A key policy keeps its deployer and lets in the services that use the key in its stack.

Constraints, for each `AWS::KMS::Key.KeyPolicy`:
- unless `BypassPolicyLockoutSafetyCheck` is set, an Allow statement grants `kms:PutKeyPolicy` to
  the account root or to the CDK cfn-exec role (the principal CloudFormation creates the key as);
  otherwise KMS's lockout safety check rejects the policy and the key is not created;
- each `AWS::Logs::LogGroup` of the stack encrypted with the key is covered by an Allow for
  `logs.<region>.amazonaws.com` whose ArnLike/ArnEquals `kms:EncryptionContext:aws:logs:arn`
  matches the group's ARN; otherwise creating the log group fails;
- each service that the stack wires to publish to an SNS topic encrypted with the key (an
  EventBridge rule target, an alarm action, a backup vault notification) is allowed
  `kms:GenerateDataKey*` and `kms:Decrypt`; otherwise its messages are silently dropped.

Sources:
- https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html (text via
  https://docs.rs/rusoto_kms/0.36.0/rusoto_kms/struct.PutKeyPolicyRequest.html): "If you don't set
  BypassPolicyLockoutSafetyCheck to true, the key policy must allow the principal that is making
  the PutKeyPolicy request to make a subsequent PutKeyPolicy request on the CMK."
- https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html (the key
  policy it prescribes, as in https://gist.github.com/ystoneman/b11327f1508dfdac51224f030ccc6be3):
  "Principal": {"Service": "logs.us-east-1.amazonaws.com"} ... "ArnEquals":
  {"kms:EncryptionContext:aws:logs:arn":
  "arn:aws:logs:us-east-1:123456789012:log-group:awesome-logs"}.
- https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services;
  https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification: "The SNS topic must
  use a customer managed KMS key, whose custom key policy grants EventBridge sufficient key-use
  permissions" (translated from the Japanese copy).

cfn-lint misses it: it checks a key policy's shape, not what it grants to whom, nor which log
groups and topics of the template use the key.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Any

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import findings_for, of_type, refers_to

RULE = "key-policy-keeps-deployer"

_EXEC_ROLE = "cdk-hnb659fds-cfn-exec-role-"
_ACCOUNT = re.compile(r"arn:[^:]+:iam::[^:]+:root|\d{12}|\$\{AWS\.AccountId\}")
_LOG_GROUP_ARN = re.compile(r"arn:[^:]+:logs:(?P<region>[^:]+):[^:]+:log-group:(?P<name>.+)")
_PUBLISHERS = {
    "AWS::Events::Rule": "events.amazonaws.com",
    "AWS::CloudWatch::Alarm": "cloudwatch.amazonaws.com",
    "AWS::Backup::BackupVault": "backup.amazonaws.com",
}


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _allows(statement: dict, action: str) -> bool:
    patterns = _listed(statement.get("Action", []))
    return statement.get("Effect") == "Allow" and any(
        fnmatchcase(action.lower(), render(p).lower()) for p in patterns
    )


def _principals(statement: dict, kind: str) -> list[str]:
    principal = statement.get("Principal", {})
    return (
        [render(p) for p in _listed(principal.get(kind, []))] if isinstance(principal, dict) else []
    )


def _keeps_deployer(statement: dict) -> bool:
    tests = [
        (op, key.lower(), render(v))
        for op, block in statement.get("Condition", {}).items()
        for key, values in block.items()
        for v in _listed(values)
    ]
    if not _allows(statement, "kms:PutKeyPolicy") or any(
        key != "aws:principalarn" for _, key, _ in tests
    ):
        return False
    principals = _principals(statement, "AWS")
    if any(_EXEC_ROLE in p for p in principals):
        return True
    exec_role_only = [
        op in ("ArnLike", "StringLike", "ArnEquals") and _EXEC_ROLE in arn for op, _, arn in tests
    ]
    return any(_ACCOUNT.fullmatch(p) for p in principals) and (not tests or any(exec_role_only))


def _log_group_covered(statements: list[dict], name: str, region: str) -> bool:
    patterns = [
        _LOG_GROUP_ARN.fullmatch(render(pattern))
        for s in statements
        if s.get("Effect") == "Allow"
        and f"logs.{region}.amazonaws.com" in _principals(s, "Service")
        for op in ("ArnLike", "ArnEquals")
        for pattern in _listed(
            s.get("Condition", {}).get(op, {}).get("kms:EncryptionContext:aws:logs:arn", [])
        )
    ]
    return any(
        m and fnmatchcase(region, m["region"]) and fnmatchcase(name, m["name"]) for m in patterns
    )


def _publishers(stack: StackTemplate, topic_id: str) -> set[str]:
    found = set()
    for resource in stack.resources.values():
        properties = resource.get("Properties", {})
        wired = {
            "AWS::Events::Rule": [target.get("Arn") for target in properties.get("Targets", [])],
            "AWS::CloudWatch::Alarm": properties.get("AlarmActions", [])
            + properties.get("OKActions", []),
            "AWS::Backup::BackupVault": [properties.get("Notifications", {}).get("SNSTopicArn")],
        }.get(resource["Type"], [])
        if any(refers_to(value, topic_id, "TopicArn") for value in wired):
            found.add(_PUBLISHERS[resource["Type"]])
    return found


def _encrypted_with(
    stack: StackTemplate, key_id: str, kind: str, key_property: str
) -> list[tuple[str, dict]]:
    return [
        (logical_id, resource)
        for logical_id, resource in stack.resources.items()
        if resource["Type"] == kind
        and refers_to(resource.get("Properties", {}).get(key_property), key_id, "Arn")
    ]


def _key_problems(stack: StackTemplate, key_id: str, key: dict) -> list[str]:
    properties = key.get("Properties", {})
    statements = _listed(properties.get("KeyPolicy", {}).get("Statement", []))
    problems = []
    if properties.get("BypassPolicyLockoutSafetyCheck") is not True and not any(
        map(_keeps_deployer, statements)
    ):
        problems.append(
            "no Allow of kms:PutKeyPolicy to the account root or the CDK cfn-exec role, so KMS's "
            "lockout safety check rejects the policy; add one"
        )
    for group_id, group in _encrypted_with(stack, key_id, "AWS::Logs::LogGroup", "KmsKeyId"):
        name = render(group["Properties"].get("LogGroupName", ""))
        if not _log_group_covered(statements, name, stack.region):
            problems.append(
                f"log group {group_id} ({name or 'unnamed'}) is not covered by an Allow for "
                f"logs.{stack.region}.amazonaws.com on kms:EncryptionContext:aws:logs:arn"
            )
    for topic_id, _ in _encrypted_with(stack, key_id, "AWS::SNS::Topic", "KmsMasterKeyId"):
        for service in sorted(_publishers(stack, topic_id)):
            allowed = [s for s in statements if service in _principals(s, "Service")]
            needed = ("kms:GenerateDataKey", "kms:Decrypt")
            missing = ", ".join(a for a in needed if not any(_allows(s, a) for s in allowed))
            if missing:
                problems.append(
                    f"{service} publishes to topic {topic_id} but is not allowed {missing}"
                )
    return problems


def key_policies_keep_deployer_and_let_services_in(assembly: TenantAssembly) -> RuleResult:
    keys = of_type(assembly, "AWS::KMS::Key")
    return RuleResult.of(RULE, findings_for(keys, _key_problems), applicable=bool(keys))
