"""AWS::S3::BucketPolicy in moto's S3 backend, and the bucket properties moto's CloudFormation
ignores.

moto 5.2.5 defects: AWS::S3::BucketPolicy is skipped (reported CREATE_COMPLETE); an
AWS::S3::Bucket gets only its encryption and tags: VersioningConfiguration,
ReplicationConfiguration, LoggingConfiguration, PublicAccessBlockConfiguration,
OwnershipControls are dropped (LifecycleConfiguration still is). They are applied through the backend's
own put_bucket_* methods after moto creates the bucket. Replication is recorded, not performed:
moto replicates nothing.

And a moto 5.2.5 defect in its bucket-policy check (object requests and DeleteObjects): it knows
one condition operator (StringEquals) and treats every other as holding, so each conditional Deny
of a tenant bucket's policy denies unconditionally: the TLS-only statement (`Bool
aws:SecureTransport false`) refuses every delete, and the encryption statements
(`StringNotEqualsIfExists`) every upload, even one with the tenant key. `patch()` evaluates each
statement's condition as IAM does (`condition_holds`), in the context AWS would see for the
request: `aws:SecureTransport` true (the sandbox stands for AWS's HTTPS endpoints; it speaks plain
HTTP only on loopback) and the request's server-side-encryption headers.
"""

from __future__ import annotations

import fnmatch
import json
from contextvars import ContextVar
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.s3.exceptions import BucketAccessDeniedError
from moto.s3.models import FakeBucket, s3_backends
from moto.s3.responses import S3Response
from moto.utilities.utils import get_partition

from tenantkit.sandbox.extensions._base import BackedModel, around_create, wrap


def _backend(account_id: str, region_name: str) -> Any:
    return s3_backends[account_id][get_partition(region_name)]


class BucketPolicy(BackedModel, CloudFormationModel):
    TYPE = "AWS::S3::BucketPolicy"

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> BucketPolicy:
        _backend(account_id, region_name).put_bucket_policy(p["Bucket"], json.dumps(p["PolicyDocument"]).encode())
        return cls(p["Bucket"])

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.physical_resource_id in backend.buckets:
            backend.delete_bucket_policy(self.physical_resource_id)


def _replication(config: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's ReplicationConfiguration (Rules, rule Id) in the shape moto's backend
    keeps from the API's XML (Rule, ID)."""
    rules = [{("ID" if key == "Id" else key): value for key, value in rule.items()} for rule in config["Rules"]]
    return {"Role": config["Role"], "Rule": rules}


def apply_bucket_properties(backend: Any, name: str, properties: dict[str, Any]) -> None:
    """The properties moto 5.2.5's CloudFormation drops, set through the S3 backend."""
    if "VersioningConfiguration" in properties:
        backend.put_bucket_versioning(name, properties["VersioningConfiguration"]["Status"])
    if "PublicAccessBlockConfiguration" in properties:
        backend.put_public_access_block(name, properties["PublicAccessBlockConfiguration"])
    if "OwnershipControls" in properties:
        backend.put_bucket_ownership_controls(name, properties["OwnershipControls"]["Rules"][0]["ObjectOwnership"])
    if "ReplicationConfiguration" in properties:
        backend.put_bucket_replication(name, _replication(properties["ReplicationConfiguration"]))
    logging = properties.get("LoggingConfiguration")
    if logging:
        # moto's put_bucket_logging insists that the target's policy already admits the log
        # service; CloudFormation creates that policy after this bucket (it names this bucket's
        # ARN), and AWS does not check it here, so the configuration is stored as given.
        backend.get_bucket(name).logging = {
            "TargetBucket": logging.get("DestinationBucketName", name),
            "TargetPrefix": logging.get("LogFilePrefix", ""),
        }


def _ignored_properties(bucket: FakeBucket, properties: dict[str, Any], account_id: str, region_name: str) -> None:
    apply_bucket_properties(_backend(account_id, region_name), bucket.name, properties)


_REQUEST_HEADERS: ContextVar[dict[str, str] | None] = ContextVar("tenantkit_s3_request_headers", default=None)
_HEADER_KEYS = ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-customer-algorithm")


def _request_context() -> dict[str, str]:
    """The condition keys AWS would evaluate: aws:SecureTransport true (the sandbox stands for
    AWS's HTTPS endpoints; it speaks plain HTTP only on loopback), and the request's SSE headers."""
    headers = _REQUEST_HEADERS.get() or {}
    context = {"aws:securetransport": "true"}
    context.update({f"s3:{name}": headers[name] for name in _HEADER_KEYS if name in headers})
    return context


def _matches(operator: str, expected: list[str], actual: str) -> bool | None:
    if operator in ("StringEquals", "ArnEquals"):
        return actual in expected
    if operator in ("StringNotEquals", "ArnNotEquals"):
        return actual not in expected
    if operator == "StringEqualsIgnoreCase":
        return actual.lower() in [value.lower() for value in expected]
    if operator in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(actual, value) for value in expected)
    if operator in ("StringNotLike", "ArnNotLike"):
        return not any(fnmatch.fnmatchcase(actual, value) for value in expected)
    if operator == "Bool":
        return actual.lower() in [value.lower() for value in expected]
    return None  # an operator tenantkit's policies do not use


def condition_holds(condition: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    """IAM's evaluation of a statement's Condition block: every operator and key must hold; a key
    missing from the request fails its test, except with ...IfExists, and Null tests presence.
    An operator not known here holds (as moto treats every operator it does not know)."""
    for operator, entries in condition.items():
        base, if_exists = operator.removesuffix("IfExists"), operator.endswith("IfExists")
        for key, value in entries.items():
            expected = [str(v).lower() if isinstance(v, bool) else str(v) for v in (value if isinstance(value, list) else [value])]
            actual = context.get(key.lower())
            if base == "Null":
                if (actual is None) != (expected[0].lower() == "true"):
                    return False
                continue
            if actual is None:
                if not if_exists:
                    return False
                continue
            if _matches(base, expected, actual) is False:
                return False
    return True


def _get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    statements = json.loads(self.policy).get("Statement", [])
    context = _request_context()
    results = set()
    for statement in statements if isinstance(statements, list) else [statements]:
        if "Condition" in statement and not condition_holds(statement["Condition"], context):
            continue  # a statement whose condition does not hold does not apply
        unconditional = {key: value for key, value in statement.items() if key != "Condition"}
        results.add(IAMPolicyStatement(unconditional).is_action_permitted(action, resource))
    for result in (PermissionResult.DENIED, PermissionResult.PERMITTED):
        if result in results:
            return result
    return PermissionResult.NEUTRAL


def _with_request_headers(original: Any) -> Any:
    def key_response(self: S3Response, *args: Any, **kwargs: Any) -> Any:
        token = _REQUEST_HEADERS.set({name.lower(): value for name, value in self.headers.items()})
        try:
            response = original(self, *args, **kwargs)
            if isinstance(response, tuple) and response[0] == 403 and not response[2]:
                # moto answers a bucket policy's Deny with an empty 403; S3 says AccessDenied
                raise BucketAccessDeniedError(bucket=self.bucket_name)
            return response
        finally:
            _REQUEST_HEADERS.reset(token)

    return key_response


def patch() -> None:
    around_create(FakeBucket, after=_ignored_properties)
    FakeBucket.get_permission = _get_permission  # type: ignore[method-assign]  # moto's knows one condition operator (see above)
    wrap(S3Response, "_key_response", _with_request_headers)
