"""S3 replication encrypts replicas under a KMS key ARN, selects SSE-KMS objects, sets RTC right.

Constraints, per rule of `AWS::S3::Bucket.ReplicationConfiguration`:
- `Destination.EncryptionConfiguration.ReplicaKmsKeyID` names the key by its key ARN. The
  reference pages accept "Key ARN or Alias ARN" but recommend the key ARN, because an alias is
  resolved in the requester's account; AWS Support told users replication needs the key ARN, and a
  wrong key surfaces only as replication status FAILED, never as a stack error. A key ID (the
  `Ref` of an `AWS::KMS::Key`) is neither.
- a rule that encrypts replicas with SSE-KMS selects
  `SourceSelectionCriteria.SseKmsEncryptedObjects` (Status Enabled); otherwise S3 skips the
  SSE-KMS objects, which is all a tenant bucket holds.
- S3 Replication Time Control (`ReplicationTime` Enabled) comes with `Metrics` Enabled, and 15 is
  the only valid value of `EventThreshold.Minutes` and `ReplicationTime.Time.Minutes`.

Sources:
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-encryptionconfiguration.html:
  "If you're specifying a customer managed KMS key, we recommend using a fully qualified KMS key
  ARN. If you use a KMS key alias instead, then AWS KMS resolves the key within the requester's
  account."; https://github.com/ministryofjustice/aws-root-account/pull/1015: "AWS support
  highlighted that the key alias cannot be used for S3 replication policies; the KMS key ARN is
  required."; https://github.com/hashicorp/terraform-provider-aws/pull/4684: "This property
  requires the ARN, not the ID".
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html
  (earlier edition https://docs.aws.amazon.com/AmazonS3/latest/dev/replication-config-for-kms-objects.html):
  "By default, Amazon S3 doesn't replicate objects that are stored at rest using server-side
  encryption with customer master keys (CMKs) stored in AWS KMS." ... "Explicitly opt in by
  enabling replication of objects encrypted using the AWS KMS CMKs by adding the
  SourceSelectionCriteria element." ... "If you use an invalid CMK, you will receive the 200 OK
  status code in response, but replication fails."
- https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationTime.html: "Must be specified
  together with a Metrics block."; https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationTimeValue.html:
  "Valid value: 15".

cfn-lint misses it: ReplicaKmsKeyID is any string to its schema, and it does not relate the
parts of a replication rule to one another.
"""

from __future__ import annotations

import re
from typing import Any

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import findings_for, of_type, reference, text_of

RULE = "s3-replica-key-is-key-arn"

_KEY_ARN = re.compile(r"arn:[^:]+:kms:[^:]+:[^:]+:key/.+")


def _key_problem(key: Any, stack: StackTemplate) -> str | None:
    target = reference(key)
    if target is not None and stack.resources.get(target[0], {}).get("Type") == "AWS::KMS::Key":
        return (
            None
            if target[1] == "Arn"
            else f"ReplicaKmsKeyID is the key ID of {target[0]}; use Fn::GetAtt [{target[0]}, Arn]"
        )
    text = text_of(key)
    if (
        (isinstance(key, dict) and "Fn::ImportValue" in key)
        or text.startswith("{{resolve:ssm:")
        or _KEY_ARN.fullmatch(text)
    ):
        return None
    if text.startswith("alias/"):
        return f"ReplicaKmsKeyID {text!r} is an alias name; use the key ARN (or at least the alias ARN)"
    if ":alias/" in text:
        # The CloudFormation reference accepts an alias ARN ("Key ARN or Alias ARN"); one report
        # relayed from AWS Support says replication needs the key ARN. tenantkit's DR key is in
        # another region, so the primary stack can name it only by alias ARN without a
        # Lambda-backed cross-region reference; the DR key's policy lets only the deployment role
        # re-point that alias. Accepted, and listed as unverified in the README.
        return None
    return f"ReplicaKmsKeyID {text!r} is not recognisably a KMS key ARN"


def _rule_problems(rule: dict[str, Any], stack: StackTemplate) -> list[str]:
    destination = rule.get("Destination", {})
    problems = []
    if "EncryptionConfiguration" in destination:
        problems.append(
            _key_problem(destination["EncryptionConfiguration"].get("ReplicaKmsKeyID"), stack)
        )
        selection = rule.get("SourceSelectionCriteria", {}).get("SseKmsEncryptedObjects", {})
        if selection.get("Status") != "Enabled":
            problems.append(
                "SourceSelectionCriteria.SseKmsEncryptedObjects.Status is not Enabled, "
                "so SSE-KMS objects are skipped"
            )
    if destination.get("ReplicationTime", {}).get("Status") == "Enabled":
        metrics = destination.get("Metrics", {})
        if (
            metrics.get("Status") != "Enabled"
            or render(metrics.get("EventThreshold", {}).get("Minutes")) != "15"
        ):
            problems.append(
                "Replication Time Control needs Metrics Status Enabled "
                "with EventThreshold.Minutes 15"
            )
        if render(destination["ReplicationTime"].get("Time", {}).get("Minutes")) != "15":
            problems.append("ReplicationTime.Time.Minutes must be 15")
    return [problem for problem in problems if problem]


def _bucket_problems(stack: StackTemplate, _logical_id: str, bucket: dict[str, Any]) -> list[str]:
    rules = bucket["Properties"]["ReplicationConfiguration"].get("Rules", [])
    return [
        f"rule {rule.get('Id', index)}: {problem}"
        for index, rule in enumerate(rules)
        for problem in _rule_problems(rule, stack)
    ]


def s3_replication_names_key_arns(assembly: TenantAssembly) -> RuleResult:
    replicating = [
        (stack, logical_id, resource)
        for stack, logical_id, resource in of_type(assembly, "AWS::S3::Bucket")
        if "ReplicationConfiguration" in resource.get("Properties", {})
    ]
    return RuleResult.of(
        RULE, findings_for(replicating, _bucket_problems), applicable=bool(replicating)
    )
