"""WAF logs to CloudWatch Logs go to an `aws-waf-logs-` log group, named by an ARN without `:*`.

Constraint: a CloudWatch Logs destination of `AWS::WAFv2::LoggingConfiguration` must be a log
group whose name starts with `aws-waf-logs-`, given by its ARN without the `:*` suffix that the
log group's `Fn::GetAtt Arn` (and CDK's `logGroupArn`) carries; WAF rejects it otherwise ("The ARN
isn't valid").

Sources:
- https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html#logging-cw-logs-naming
  (summarised in https://github.com/awsdocs/aws-cloudformation-user-guide/pull/1237: "destination
  logging configuration resource names ... must be prefixed with 'aws-waf-logs-'").
- https://github.com/aws/aws-cdk/issues/18253 "(logs): Log Group ARN has extra `:*`";
  https://github.com/pulumi/pulumi-aws/issues/1214: "the Cloudformation return value for ARN of a
  Cloudwatch Log Group includes the * on the end. You'll need to use the name instead and build an
  ARN string"; the error (https://github.com/awsdocs/aws-cloudformation-user-guide/pull/1271):
  "The ARN isn't valid. A valid ARN begins with arn: and includes other information separated by
  colons or slashes., field: LOG_DESTINATION".

cfn-lint misses it: 1.51 accepts `LogDestinationConfigs: [!GetAtt LG.Arn]` with a log group
named `waf-logs-x` (checked on a scratch template); a string ARN is all its schema asks for.
"""

from __future__ import annotations

import re

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import findings_for, of_type, reference, text_of

RULE = "waf-logging-destination"

_LOG_GROUP_ARN = re.compile(r"arn:[^:]+:logs:[^:]+:[^:]+:log-group:(?P<name>[^:]+)(?P<suffix>:.*)?")
_PREFIX = "aws-waf-logs-"


def _log_group_name(name: str, stack: StackTemplate) -> str:
    """The name in the ARN, or the named log group's `LogGroupName` when the ARN uses its Ref."""
    if name.startswith("${") and name.endswith("}"):
        group = stack.resources.get(name[2:-1], {})
        if group.get("Type") == "AWS::Logs::LogGroup":
            return render(group.get("Properties", {}).get("LogGroupName", name))
    return name


def _destination_problems(destination, stack: StackTemplate) -> list[str]:
    target = reference(destination)
    if target is not None and target[1] == "Arn":
        problem = (
            f"Fn::GetAtt {target[0]}.Arn ends in ':*', which WAF rejects; build the ARN without it"
        )
        return [problem]
    text = text_of(destination)
    if ":logs:" not in text:
        return []  # an S3 bucket or Firehose destination
    match = _LOG_GROUP_ARN.fullmatch(text)
    if match is None:
        return [f"{text!r} is not a log group ARN"]
    problems = []
    if match["suffix"]:
        problems.append(f"{text!r} ends in {match['suffix']!r}; drop it")
    name = _log_group_name(match["name"], stack)
    if not name.startswith(_PREFIX):
        problems.append(f"log group {name!r} does not start with {_PREFIX!r}; rename it")
    return problems


def _problems(stack: StackTemplate, _logical_id: str, configuration: dict) -> list[str]:
    destinations = configuration.get("Properties", {}).get("LogDestinationConfigs", [])
    return [problem for d in destinations for problem in _destination_problems(d, stack)]


def waf_logs_go_to_valid_log_groups(assembly: TenantAssembly) -> RuleResult:
    configurations = of_type(assembly, "AWS::WAFv2::LoggingConfiguration")
    return RuleResult.of(
        RULE, findings_for(configurations, _problems), applicable=bool(configurations)
    )
