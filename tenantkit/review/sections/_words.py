"""Template values in plain words, shared by the sections."""

from __future__ import annotations

from typing import Any

from tenantkit.compliance.assembly import render


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def where(stack_name: str, logical_id: str) -> str:
    return f"{stack_name}/{logical_id}"


def text(value: Any) -> str:
    """A template value as readable text (intrinsics as ${...}; the partition as `aws`)."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return value["Fn::Sub"].replace("${AWS::Partition}", "aws")
    return render(value).replace("${AWS.Partition}", "aws")


def principal(value: Any) -> str:
    """An IAM principal in plain words."""
    if value == "*" or value == {"AWS": "*"}:
        return "anyone"
    if not isinstance(value, dict):
        return text(value)
    words = []
    for kind, ids in value.items():
        for one in as_list(ids):
            shown = text(one)
            if kind == "AWS" and shown.endswith(":root"):
                words.append(f"account {shown.split(':')[4]} (its IAM principals, as their policies allow)")
            elif kind == "Service":
                words.append(f"the {shown} service")
            else:
                words.append(f"{kind} {shown}")
    return ", ".join(words)


def conditions(value: Any) -> str:
    """An IAM condition block in plain words."""
    if not isinstance(value, dict):
        return ""
    words = []
    for operator, tests in value.items():
        for key, expected in (tests or {}).items():
            shown = ", ".join(text(one) for one in as_list(expected))
            if key == "kms:ViaService":
                words.append(f"only through {shown}")
            elif key == "aws:PrincipalArn":
                words.append(f"only as {shown}")
            elif key.startswith("aws:PrincipalTag/"):
                words.append(f"only principals tagged {key.removeprefix('aws:PrincipalTag/')}={shown}")
            elif key == "kms:CallerAccount":
                words.append(f"only callers in account {shown}")
            elif key == "kms:GrantIsForAWSResource":
                words.append("only grants for AWS resources")
            elif key == "aws:SecureTransport" and shown == "false":
                words.append("when the request is not over TLS")
            elif key == "aws:SourceAccount":
                words.append(f"only on behalf of account {shown}")
            elif key.startswith("kms:EncryptionContext:"):
                words.append(f"only for {shown}")
            else:
                words.append(f"{key} {operator} {shown}")
    return "; ".join(words)


def statement(doc: dict[str, Any]) -> str:
    """One policy statement in plain words: who may (or may not) do what, on what, when."""
    effect = "may" if doc.get("Effect") == "Allow" else "may not"
    actions = ", ".join(text(a) for a in as_list(doc.get("Action"))) or "nothing"
    if "NotAction" in doc:
        actions = "everything except " + ", ".join(text(a) for a in as_list(doc["NotAction"]))
    who = principal(doc["Principal"]) + " " if "Principal" in doc else ""
    when = conditions(doc.get("Condition"))
    return f"{who}{effect} {actions}" + (f" ({when})" if when else "")


LAMBDA_VPC_ACTIONS = frozenset({
    "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
    "secretsmanager:GetRandomPassword",
})
"""Actions a function in a VPC needs on every resource: Lambda creates and deletes its network
interfaces, whose ids nobody knows in advance (AWS's managed policy AWSLambdaVPCAccessExecutionRole
grants exactly these on "*"; Lambda Developer Guide, "Giving Lambda functions access to resources in
an Amazon VPC"), and Secrets Manager's GetRandomPassword acts on no resource (Service Authorization
Reference: no resource types). A `Resource: "*"` on these alone is shown, not flagged."""


def wildcards(doc: dict[str, Any]) -> list[str]:
    """The wildcards an Allow statement grants: any action, any action of a service, any resource
    (except for LAMBDA_VPC_ACTIONS alone, which AWS grants on every resource)."""
    if doc.get("Effect") != "Allow":
        return []
    found = []
    for action in as_list(doc.get("Action")):
        if action == "*" or (isinstance(action, str) and action.endswith(":*")):
            found.append(f"wildcard action '{action}'")
    if "NotAction" in doc:
        found.append("NotAction: every action but the listed ones")
    actions = as_list(doc.get("Action"))
    if "*" in as_list(doc.get("Resource")) and not (actions and set(actions) <= LAMBDA_VPC_ACTIONS):
        found.append("wildcard resource '*'")
    if "NotResource" in doc:
        found.append("NotResource: every resource but the listed ones")
    return found


def days(value: Any) -> str:
    if value is None:
        return "never expires"
    return f"{value} day{'s' if str(value) != '1' else ''}"


def schedule(expression: Any) -> str:
    """A backup schedule expression in words."""
    shown = text(expression)
    parts = shown.removeprefix("cron(").removesuffix(")").split()
    if shown.startswith("cron(") and len(parts) == 6:
        minute, hour = parts[0], parts[1]
        if hour == "*" and parts[2:4] == ["*", "*"]:
            return f"every hour (at minute {minute})"
        if hour.isdigit() and minute.isdigit() and parts[2:4] == ["*", "*"]:
            return f"daily at {int(hour):02d}:{int(minute):02d} UTC"
        if hour.isdigit() and minute.isdigit() and parts[2] == "?" and parts[3] == "*":
            return f"weekly on {parts[4]} at {int(hour):02d}:{int(minute):02d} UTC"
        if hour.isdigit() and minute.isdigit() and parts[2].isdigit() and parts[3:5] == ["*", "?"]:
            return f"monthly on day {parts[2]} at {int(hour):02d}:{int(minute):02d} UTC"
    if shown.startswith("rate(1 hour"):
        return "every hour"
    return shown
