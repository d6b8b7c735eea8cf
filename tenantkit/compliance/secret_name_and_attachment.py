"""Secrets are named, attached and replicated the way Secrets Manager accepts.

Constraints:
- a secret's `Name` does not end in a hyphen and six characters (Secrets Manager's own suffix);
- `AWS::SecretsManager::SecretTargetAttachment.TargetType` is one of the five documented types,
  and a secret has at most one attachment;
- each of a secret's `ReplicaRegions` names a `KmsKeyId` (a key in that region; the primary
  region's key does not work there), and lies in another region than the secret, inside the
  tenant's residency zone.

Sources:
- https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html: "Do not end
  your secret name with a hyphen followed by six characters. If you do so, you risk confusion and
  unexpected results when searching for a secret by partial ARN."
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-secretsmanager-secrettargetattachment.html:
  "This value must be one of the following: AWS::RDS::DBInstance, AWS::RDS::DBCluster,
  AWS::Redshift::Cluster, AWS::DocDB::DBInstance, AWS::DocDB::DBCluster" and "A single secret
  resource can only have one target attached to it."
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-secretsmanager-secret-replicaregion.html:
  "The ARN, key ID, or alias of the KMS key to encrypt the secret. If you don't include this field,
  Secrets Manager uses aws/secretsmanager." (the AWS managed key, not the tenant's DR key);
  https://github.com/ansible-collections/community.aws/pull/827: "the kms key id must be exists in
  the region where it is replicated".

cfn-lint misses it: 1.51 accepts `TargetType: AWS::RDS::Instance` and `Name: db-master-abc123`
(checked on a scratch template); it does not count attachments or know the stack's region.
"""

from __future__ import annotations

import re
from functools import partial

from tenantkit.compliance.assembly import StackTemplate, TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import findings_for, of_type, parse_arn

RULE = "secret-name-and-attachment"

_SUFFIX_LIKE = re.compile(r".*-[A-Za-z0-9]{6}")
_TARGET_TYPES = frozenset(
    {
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::Redshift::Cluster",
        "AWS::DocDB::DBInstance",
        "AWS::DocDB::DBCluster",
    }
)


def _secret_problems(
    zone: frozenset[str], stack: StackTemplate, _id: str, secret: dict
) -> list[str]:
    properties = secret.get("Properties", {})
    problems = []
    name = properties.get("Name")
    if isinstance(name, str) and _SUFFIX_LIKE.fullmatch(name):
        problems.append(f"Name {name!r} ends like Secrets Manager's random suffix; change its end")
    for replica in properties.get("ReplicaRegions", []):
        region = render(replica.get("Region"))
        if region == stack.region:
            problems.append(f"replica region {region} is the secret's own region; name another")
        elif region not in zone:
            problems.append(f"replica region {region} lies outside the tenant's zone")
        if "KmsKeyId" not in replica:
            problems.append(f"the replica in {region} has no KmsKeyId; name a key of that region")
            continue
        key = parse_arn(replica["KmsKeyId"], stack.region)
        if key is not None and key["region"] != region:
            problems.append(
                f"the replica in {region} uses a key in {key['region']}; use one in {region}"
            )
    return problems


def _target_type_problems(_stack: StackTemplate, _id: str, attachment: dict) -> list[str]:
    target_type = render(attachment.get("Properties", {}).get("TargetType"))
    if target_type in _TARGET_TYPES:
        return []
    return [f"TargetType {target_type!r} is none of {sorted(_TARGET_TYPES)}"]


def secrets_are_named_attached_and_replicated_validly(assembly: TenantAssembly) -> RuleResult:
    secrets = of_type(assembly, "AWS::SecretsManager::Secret")
    attachments = of_type(assembly, "AWS::SecretsManager::SecretTargetAttachment")
    findings = findings_for(secrets, partial(_secret_problems, assembly.zone))
    findings += findings_for(attachments, _target_type_problems)
    attached = set()
    for stack, logical_id, attachment in attachments:
        secret = render(attachment.get("Properties", {}).get("SecretId"))
        if (stack.name, secret) in attached:
            findings.append(
                f"{stack.name}/{logical_id}: secret {secret} already has a target attachment; "
                "a secret takes only one"
            )
        attached.add((stack.name, secret))
    return RuleResult.of(RULE, findings, applicable=bool(secrets or attachments))
