"""The one home of tenantkit's AWS chores: paging, ARN parsing, atomic file writes and error
classification. Everything else asks these instead of paging, splitting ARNs or renaming temporary
files by hand.

botocore is imported only where an error is classified, so `tenantkit.config` and `tenantkit.cli`
may use `atomic_write` and `parse_arn` without loading the AWS libraries.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

# --- paging ----------------------------------------------------------------------------------

_MARKERS = ("NextMarker", "NextToken")
"""Continuation fields of APIs boto3 has no paginator for, each passed back under its own name
(WAFv2's List* answer `NextMarker` and take `NextMarker`; most others use `NextToken`)."""


def pages(client: Any, operation: str, result_key: str, **kwargs: Any) -> Iterator[Any]:
    """Every item of `result_key` over all pages of `operation`: boto3's paginator where it has
    one, else the response's `NextMarker`/`NextToken` passed back until there is none."""
    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**kwargs):
            yield from page.get(result_key, [])
        return
    call = getattr(client, operation)
    seen: set[str] = set()
    while True:
        response = call(**kwargs)
        yield from response.get(result_key, [])
        marker = next(((name, response[name]) for name in _MARKERS if response.get(name)), None)
        if marker is None:
            return
        name, value = marker
        if value in seen:  # a service repeating its marker would otherwise loop forever
            raise RuntimeError(f"{operation} returned the {name} {value!r} twice")
        seen.add(value)
        kwargs = {**kwargs, name: value}


# --- ARNs ------------------------------------------------------------------------------------

_WAF_SCOPES = frozenset({"regional", "global"})


@dataclass(frozen=True)
class Arn:
    """An ARN's parts: `arn:<partition>:<service>:<region>:<account>:<resource>`."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def resource_type(self) -> str:
        """`role` of `role/path/name`, `db` of `db:name`, `webacl` of WAFv2's
        `regional/webacl/name/id`, `bucket` or `object` for S3; "" for a bare resource
        (an SNS topic, an SQS queue)."""
        return self._split()[0]

    @property
    def resource_id(self) -> str:
        """What follows the type: `path/name` of `role/path/name`, `name` of `db:name`, `name/id`
        of WAFv2's `regional/webacl/name/id`, the bucket (or `bucket/key`) for S3, the whole
        resource when it is bare."""
        return self._split()[1]

    def _split(self) -> tuple[str, str]:
        resource = self.resource
        if self.service == "s3":
            return ("object" if "/" in resource else "bucket"), resource
        if self.service == "wafv2" and resource.split("/", 1)[0] in _WAF_SCOPES:
            resource = resource.split("/", 1)[1]
        slash, colon = resource.find("/"), resource.find(":")
        cuts = [index for index in (slash, colon) if index > 0]
        if not cuts:
            return "", resource
        cut = min(cuts)
        return resource[:cut], resource[cut + 1 :]

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(arn: str) -> Arn:
    """The parts of `arn`; ValueError when it is not an ARN."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        raise ValueError(f"not an ARN: {arn!r}")
    _, partition, service, region, account, resource = parts
    if account and not (account.isdigit() and len(account) == 12) and account != "aws":
        raise ValueError(f"not an ARN (account {account!r} is not 12 digits): {arn!r}")
    return Arn(partition, service, region, account, resource)


# --- files -----------------------------------------------------------------------------------


def atomic_write(path: Path, data: str | bytes, *, mode: int = 0o644) -> None:
    """Replace `path` with `data` so that a reader sees the old file or the new one, never a part,
    and the new one survives a crash once this returns (file and directory fsynced). A failure
    leaves the old file as it was and no temporary file behind."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable (a no-op where directories cannot be opened)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- errors ----------------------------------------------------------------------------------


class Failure(StrEnum):
    """What an AWS error says about the resource asked for."""

    ABSENT = "absent"
    """The API said the resource (or the configuration read) does not exist."""
    DENIED = "denied"
    """The caller may not ask: nothing is known about the resource."""
    THROTTLED = "throttled"
    """AWS refused the rate of calls: nothing is known about the resource."""
    OTHER = "other"
    """Anything else, non-AWS exceptions included: nothing is known about the resource."""


ABSENT_CODES = frozenset(
    {
        # S3: buckets, objects and each bucket configuration (HeadBucket answers a bare 404)
        "NoSuchBucket", "NoSuchKey", "404", "NotFound", "NoSuchBucketPolicy", "NoSuchTagSet",
        "ServerSideEncryptionConfigurationNotFoundError", "NoSuchPublicAccessBlockConfiguration",
        "ReplicationConfigurationNotFoundError", "ObjectLockConfigurationNotFoundError",
        "NoSuchLifecycleConfiguration",
        # RDS
        "DBInstanceNotFound", "DBInstanceNotFoundFault", "DBSnapshotNotFound", "DBSnapshotNotFoundFault",
        "DBInstanceAutomatedBackupNotFound", "DBInstanceAutomatedBackupNotFoundFault",
        "DBParameterGroupNotFound", "DBSubnetGroupNotFoundFault",
        # KMS, Backup, Secrets Manager, Logs, Events, SNS (ResourceNotFoundException / NotFound*)
        "ResourceNotFoundException", "NotFoundException",
        # WAFv2, SSM, IAM
        "WAFNonexistentItemException", "ParameterNotFound", "NoSuchEntity",
        # SQS (the JSON protocol's code, and the query protocol's)
        "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
    }
)
"""Error codes the APIs document as "does not exist". CloudFormation has no such code: it answers
a stack that does not exist with a `ValidationError` saying so, counted as absent by `classify`."""

DENIED_CODES = frozenset(
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException",
        "AuthorizationError", "AuthorizationErrorException", "Forbidden", "403",
        "InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException",
        "SignatureDoesNotMatch", "MissingAuthenticationToken", "AllAccessDisabled",
    }
)
"""Error codes saying the caller may not make the call (or its credentials are not accepted)."""


def error_code(error: BaseException) -> str:
    """The AWS error code of a botocore ClientError, "" for anything else."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def classify(error: BaseException, *, absent: Iterable[str] = ()) -> Failure:
    """What `error` says: ABSENT only for a documented "does not exist" (`ABSENT_CODES`, a
    CloudFormation "does not exist" ValidationError, or one of the caller's `absent` codes);
    DENIED, THROTTLED (botocore's own list of throttling codes, or HTTP 429); else OTHER."""
    from botocore.exceptions import ClientError
    from botocore.retries.standard import RetryContext, ThrottledRetryableChecker

    if not isinstance(error, ClientError):
        return Failure.OTHER
    code = error_code(error)
    if code in ABSENT_CODES or code in set(absent):
        return Failure.ABSENT
    if code == "ValidationError" and "does not exist" in str(error.response.get("Error", {}).get("Message", "")):
        return Failure.ABSENT
    if code in DENIED_CODES:
        return Failure.DENIED
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    context = RetryContext(attempt_number=1, parsed_response=error.response)
    if status == 429 or ThrottledRetryableChecker().is_retryable(context):
        return Failure.THROTTLED
    return Failure.OTHER
