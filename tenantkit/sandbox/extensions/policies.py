"""Resource policies enforced in the sandbox, by tenantkit's own evaluator (`tenantkit.policy`):
the sandbox's refusals are ours.

moto 5.2.5 defect: it checks identity policies only (and only once `INITIAL_NO_AUTH_ACTION_COUNT`
requests have passed); it never reads a KMS key policy, a secret's resource policy or a Backup
vault access policy, and reads a bucket policy's Deny statements only. It has no Backup vault
access-policy API (AWS::SecretsManager::ResourcePolicy is modelled in secretsmanager.py).

`patch()` evaluates, for each request signed by a principal created in the sandbox (an IAM user's
access key, or an assumed-role session of moto's STS), the principal's identity policies together
with the resource's policy, as AWS does:
- S3 object and bucket actions against the bucket policy (a PutObject's server-side-encryption
  headers as condition keys; a CopyObject is also a GetObject of its source; DeleteObjects is
  decided key by key), and reads and writes of SSE-KMS objects against the key's policy, as S3
  uses the key on the caller's behalf;
- KMS actions naming a key (or, for Decrypt, carrying one in the ciphertext) against the key policy;
- Secrets Manager actions naming a secret against the secret's resource policy, and reads and
  writes of its value against its key's policy (Secrets Manager uses the key on the caller's behalf);
- Backup actions on a vault or a recovery point (and StartCopyJob, with `backup:CopyTargets`;
  StartRestoreJob, against the vault holding its recovery point) against the vault access policy;
- STS AssumeRole against the role's trust policy, which must allow as a key policy must (naming
  the caller, or the caller's account together with an identity Allow; IAM User Guide, "Cross
  account resource access": a role trust policy is a resource policy that must allow). An
  AssumeRole call carrying `SerialNumber` and `TokenCode` is evaluated with
  `aws:MultiFactorAuthPresent` true (the sandbox does not verify the code).
A refused request gets the service's error: S3 AccessDenied (XML, 403), AccessDeniedException
from KMS and Secrets Manager (400) and from Backup (403), STS AccessDenied (XML, 403).

Requests signed with credentials the sandbox did not issue (its default ones, which stand for
tenantkit's own operator), or by a session of a role the sandbox does not hold (how the operator
acts in another account: `tenantkit.lifecycle.fleet.sandbox_sessions`), are not evaluated, so
every existing sandbox flow keeps working.
Not modelled: session policies, permissions boundaries, SCPs/RCPs, session tags.

Every request evaluated here is also recorded, with its decision, in the sandbox's CloudTrail
journal (`cloudtrail_events`): what `tenantkit access log` reads.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from moto.backup.exceptions import ResourceNotFoundException
from moto.backup.models import backup_backends
from moto.backup.responses import BackupResponse
from moto.backup.urls import url_paths as backup_url_paths
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError, JsonRESTError
from moto.core.responses import ActionResult, EmptyResult
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends
from moto.kms.utils import _deserialize_ciphertext_blob
from moto.s3.exceptions import BucketAccessDeniedError, S3AccessDeniedError
from moto.s3.models import FakeBucket, s3_backends
from moto.s3.responses import S3Response
from moto.secretsmanager.models import secretsmanager_backends
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition

from tenantkit.policy import Request, evaluate
from tenantkit.sandbox.extensions import backup_jobs
from tenantkit.sandbox.extensions._base import records, wrap
from tenantkit.sandbox.extensions.backup import BackupVault

EVALUATED_SERVICES = frozenset({"s3", "kms", "secretsmanager", "backup", "sts"})
_S3_HEADER_KEYS = ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-customer-algorithm")
_VAULT_POLICY_ROUTE = "{0}/backup-vaults/(?P<backupVaultName>[^/]+)/access-policy/?$"


@dataclass(frozen=True)
class Caller:
    """A principal created in the sandbox, as the evaluator needs it."""

    arn: str  # the user's ARN, or the session's assumed-role ARN
    account: str
    principal_arn: str  # aws:PrincipalArn: the user's, or the session's role's (with its path)
    identity_policies: tuple[str, ...]
    tags: dict[str, str] = field(default_factory=dict)

    def context(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        context: dict[str, Any] = {"aws:PrincipalArn": self.principal_arn, "aws:SecureTransport": "true"}
        context.update({f"aws:PrincipalTag/{key}": value for key, value in self.tags.items()})
        context.update(extra or {})
        return context


def _document(policy: Any) -> str:
    """A managed policy's default version (moto keeps inline policies as JSON text already)."""
    return next(version.document for version in policy.versions if version.is_default)


def caller(access_key_id: str, account_id: str, region: str) -> Caller | None:
    """The sandbox principal that owns `access_key_id`; None for credentials the sandbox did not
    issue (the operator's default ones) and for sessions of roles it does not hold."""
    partition = get_partition(region)
    iam = iam_backends[account_id][partition]
    for user in iam.users.values():
        if any(key.access_key_id == access_key_id for key in user.access_keys):
            policies = [*user.policies.values(), *map(_document, user.managed_policies.values())]
            for group in iam.get_groups_for_user(user.name):
                policies += [*group.policies.values(), *map(_document, group.managed_policies.values())]
            tags = {tag["Key"]: tag["Value"] for tag in iam.list_user_tags(user.name)}
            return Caller(user.arn, account_id, user.arn, tuple(policies), tags)
    for session in sts_backends[account_id][partition].assumed_roles:
        if session.access_key_id == access_key_id:
            role = next((role for role in iam.roles.values() if role.arn == session.role_arn), None)
            if role is None:
                return None  # a session of a role the sandbox does not hold: the operator's way into another account
            role_policies = (*role.policies.values(), *map(_document, role.managed_policies.values()))
            role_tags = {tag["Key"]: tag["Value"] for tag in role.tags or []}
            return Caller(session.arn, account_id, role.arn, role_policies, role_tags)
    return None


def _refuse(caller: Caller, action: str, resource: str, reason: str, *, code: int = 400) -> JsonRESTError:
    error = JsonRESTError(
        "AccessDeniedException", f"User: {caller.arn} is not authorized to perform: {action} on resource: {resource} ({reason})"
    )
    error.code = code
    return error


def _decide(caller: Caller, action: str, resource: str, policy: str | None, context: dict[str, Any]) -> tuple[bool, str]:
    decision = evaluate(
        Request(caller.arn, action, resource, caller.context(context)),
        identity_policies=caller.identity_policies,
        resource_policy=policy,
        resource_account=caller.account,
    )
    return decision.allowed, decision.reason


# --- STS -------------------------------------------------------------------------------------


def _check_assume_role(response: Any, who: Caller) -> None:
    if response._get_action() != "AssumeRole":
        return
    role_arn = response._get_param("RoleArn") or ""
    parts = role_arn.split(":")
    if len(parts) != 6 or parts[4] != who.account:
        return  # another account's role: the operator's way in (`sandbox_sessions`), not evaluated
    role = next((r for r in iam_backends[who.account][get_partition(response.region)].roles.values() if r.arn == role_arn), None)
    if role is None:
        return  # moto answers for an unknown role itself
    context = {"aws:MultiFactorAuthPresent": "true"} if response._get_param("SerialNumber") and response._get_param("TokenCode") else {}
    decision = evaluate(
        Request(who.arn, "sts:AssumeRole", role_arn, who.context(context)),
        identity_policies=who.identity_policies,
        resource_policy=role.assume_role_policy_document,
        resource_account=who.account,
    )
    if not decision.allowed:
        raise AccessDeniedError(who.arn, f"sts:AssumeRole on resource: {role_arn} ({decision.reason})")


# --- S3 --------------------------------------------------------------------------------------


def _bucket_policy(account_id: str, region: str, bucket_name: str) -> str | None:
    bucket = s3_backends[account_id][get_partition(region)].buckets.get(bucket_name)
    policy = getattr(bucket, "policy", None)
    return policy.decode() if isinstance(policy, bytes) else policy


def _s3_context(response: Any) -> dict[str, Any]:
    headers = {name.lower(): value for name, value in response.headers.items()}
    context = {f"s3:{name}": headers[name] for name in _S3_HEADER_KEYS if name in headers}
    prefix = response.querystring.get("prefix")
    if prefix:
        context["s3:prefix"] = prefix[0]
    return context


_S3_IAM_ACTIONS = {"s3:HeadBucket": "s3:ListBucket"}
"""moto names a HEAD of a bucket `HeadBucket`, which is no IAM action: AWS authorizes HeadBucket
as `s3:ListBucket` (S3 API Reference, HeadBucket: "you must have the s3:ListBucket permission")."""


def _check_s3(response: Any, who: Caller, resource: str) -> None:
    action = f"s3:{response._get_action()}"
    action = _S3_IAM_ACTIONS.get(action, action)
    path = resource.split(":::", 1)[1]
    bucket_name, _, key = path.partition("/")
    if bucket_name == "*":
        return  # ListAllMyBuckets: no bucket policy applies
    if action == "s3:DeleteObject" and not key:
        return  # DeleteObjects: decided key by key (`_delete_objects_key_by_key`)
    allowed, _ = _decide(who, action, resource, _bucket_policy(who.account, response.region, bucket_name), _s3_context(response))
    source = response.headers.get("x-amz-copy-source")
    if allowed and source and key:
        source_bucket, _, source_key = unquote(source).lstrip("/").partition("/")
        source_key = source_key.split("?versionId=", 1)[0]
        source_resource = f"arn:aws:s3:::{source_bucket}/{source_key}"
        allowed, _ = _decide(who, "s3:GetObject", source_resource, _bucket_policy(who.account, response.region, source_bucket), {})
    if allowed and key:
        allowed = _s3_key_allows(response, who, action, bucket_name, key)
    if not allowed:
        raise BucketAccessDeniedError(bucket=bucket_name) if bucket_name else S3AccessDeniedError()


def _s3_key_allows(response: Any, who: Caller, action: str, bucket_name: str, key: str) -> bool:
    """S3 uses an object's KMS key on the caller's behalf: reading needs kms:Decrypt, writing
    kms:GenerateDataKey, through S3 (kms:ViaService), with the object's (or, with an S3 Bucket Key,
    the bucket's) ARN as encryption context (S3 User Guide, "Using server-side encryption with AWS
    KMS keys": permissions and encryption context)."""
    backend = s3_backends[who.account][get_partition(response.region)]
    bucket = backend.buckets.get(bucket_name)
    if bucket is None:
        return True  # moto answers NoSuchBucket itself
    if action == "s3:GetObject":
        stored = bucket.keys.get(key)
        if stored is None or getattr(stored, "encryption", None) != "aws:kms":
            return True
        key_id, kms_action, bucket_key = stored.kms_key_id, "kms:Decrypt", bool(stored.bucket_key_enabled)
    elif action == "s3:PutObject":
        headers = {name.lower(): value for name, value in response.headers.items()}
        default = (bucket.encryption or {}).get("Rule", {}).get("ApplyServerSideEncryptionByDefault", {})
        algorithm = headers.get("x-amz-server-side-encryption") or default.get("SSEAlgorithm")
        if algorithm != "aws:kms":
            return True
        key_id = headers.get("x-amz-server-side-encryption-aws-kms-key-id") or default.get("KMSMasterKeyID")
        kms_action = "kms:GenerateDataKey"
        bucket_key = str((bucket.encryption or {}).get("Rule", {}).get("BucketKeyEnabled", "")).lower() == "true"
    else:
        return True
    if not key_id:
        return True  # the AWS managed key aws/s3: usable by every principal of the account
    try:
        kms_key = kms_backends[who.account][response.region].describe_key(key_id)
    except Exception:  # noqa: BLE001  (a key the sandbox does not hold: nothing to evaluate)
        return True
    arn = f"arn:aws:s3:::{bucket_name}" if bucket_key else f"arn:aws:s3:::{bucket_name}/{key}"
    context = {"kms:ViaService": f"s3.{response.region}.amazonaws.com", "kms:CallerAccount": who.account,
               "kms:EncryptionContext:aws:s3:arn": arn, "kms:EncryptionContextKeys": ["aws:s3:arn"], **_aliases(kms_key)}
    allowed, _ = _decide(who, kms_action, kms_key.arn, kms_key.policy, context)
    _journal_key_use(response, who, kms_action, kms_key.arn, "s3", {"aws:s3:arn": arn}, refused=not allowed)
    return allowed


_DELETING: ContextVar[tuple[Caller, str] | None] = ContextVar("tenantkit_policies_deleting", default=None)


def _delete_objects_key_by_key(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_keys(self: S3Response, bucket_name: str, *args: Any, **kwargs: Any) -> Any:
        who = caller(self.access_key, self.current_account, self.region)
        token = _DELETING.set((who, self.region) if who else None)
        try:
            return original(self, bucket_name, *args, **kwargs)
        finally:
            _DELETING.reset(token)

    return delete_keys


def _permission_with_ours(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        from moto.iam.access_control import PermissionResult

        result = original(self, action, resource)
        deleting = _DELETING.get()
        if deleting is None or result == PermissionResult.DENIED:
            return result
        who, region = deleting
        allowed, _ = _decide(who, action, resource, _bucket_policy(who.account, region, self.name), {})
        return result if allowed else PermissionResult.DENIED

    return get_permission


# --- KMS -------------------------------------------------------------------------------------


def _params(response: Any) -> dict[str, Any]:
    try:
        return json.loads(response.body) if response.body else {}
    except (TypeError, ValueError):
        return {}


def _aliases(key: Any) -> dict[str, list[str]]:
    """`kms:ResourceAliases`, which AWS sets on every request for a key: the aliases of the key
    (AWS KMS Developer Guide, "kms:ResourceAliases")."""
    return {"kms:ResourceAliases": sorted(key.aliases)} if getattr(key, "aliases", None) else {}


def _kms_keys(response: Any, action: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """(IAM action, key id) pairs the request needs: the named key; the ciphertext's for Decrypt
    and ReEncrypt (ReEncryptFrom), the destination for ReEncrypt (ReEncryptTo)."""
    keys = []
    if "CiphertextBlob" in params and action in ("Decrypt", "ReEncrypt"):
        try:
            blob_key = _deserialize_ciphertext_blob(base64.b64decode(params["CiphertextBlob"])).key_id
        except (ValueError, TypeError, Exception):  # noqa: BLE001  (a malformed blob: moto refuses it itself)
            blob_key = None
        if blob_key:
            keys.append(("kms:ReEncryptFrom" if action == "ReEncrypt" else "kms:Decrypt", blob_key))
    if action == "ReEncrypt" and "DestinationKeyId" in params:
        keys.append(("kms:ReEncryptTo", params["DestinationKeyId"]))
    elif "KeyId" in params and not (action == "Decrypt" and keys):
        keys.append((f"kms:{action}", params["KeyId"]))
    elif "TargetKeyId" in params:  # CreateAlias, UpdateAlias
        keys.append((f"kms:{action}", params["TargetKeyId"]))
    return keys


def _check_kms(response: Any, who: Caller) -> None:
    action, params = response._get_action(), _params(response)
    backend = kms_backends[who.account][response.region]
    context = {f"kms:EncryptionContext:{k}": v for k, v in (params.get("EncryptionContext") or {}).items()}
    if params.get("EncryptionContext"):
        context["kms:EncryptionContextKeys"] = list(params["EncryptionContext"])
    context["kms:CallerAccount"] = who.account
    for iam_action, key_id in _kms_keys(response, action, params):
        try:
            key = backend.describe_key(key_id)
        except Exception:  # noqa: BLE001  (an unknown key: moto answers NotFoundException itself)
            continue
        allowed, reason = _decide(who, iam_action, key.arn, key.policy, {**context, **_aliases(key)})
        if not allowed:
            raise _refuse(who, iam_action, key.arn, reason)


# --- Secrets Manager -------------------------------------------------------------------------


def _check_secret(response: Any, who: Caller) -> None:
    params = _params(response)
    secret_id = params.get("SecretId")
    store = secretsmanager_backends[who.account][response.region].secrets
    if not secret_id or secret_id not in store:
        return
    secret = store[secret_id]
    action = f"secretsmanager:{response._get_action()}"
    tags = {f"aws:ResourceTag/{tag['Key']}": tag["Value"] for tag in getattr(secret, "tags", None) or []}
    allowed, reason = _decide(who, action, secret.arn, getattr(secret, "policy", None), {"secretsmanager:SecretId": secret.arn, **tags})
    if not allowed:
        raise _refuse(who, action, secret.arn, reason)
    _check_secret_key(response, who, secret, action)


# Secrets Manager uses the secret's key on the caller's behalf: reading needs kms:Decrypt,
# writing kms:GenerateDataKey, through Secrets Manager (kms:ViaService), with the secret's ARN as
# encryption context (Secrets Manager User Guide, "Secret encryption and decryption").
_SECRET_KEY_ACTIONS = {"secretsmanager:GetSecretValue": "kms:Decrypt", "secretsmanager:PutSecretValue": "kms:GenerateDataKey",
                       "secretsmanager:UpdateSecret": "kms:GenerateDataKey"}


def _check_secret_key(response: Any, who: Caller, secret: Any, action: str) -> None:
    key_id = getattr(secret, "kms_key_id", None)
    if action not in _SECRET_KEY_ACTIONS or not key_id:
        return  # the AWS managed key aws/secretsmanager: usable by every principal of the account
    try:
        key = kms_backends[who.account][response.region].describe_key(key_id)
    except Exception:  # noqa: BLE001  (a key the sandbox does not hold: nothing to evaluate)
        return
    context = {"kms:ViaService": f"secretsmanager.{response.region}.amazonaws.com", "kms:CallerAccount": who.account,
               "kms:EncryptionContext:SecretARN": secret.arn, "kms:EncryptionContextKeys": ["SecretARN"], **_aliases(key)}
    kms_action = _SECRET_KEY_ACTIONS[action]
    allowed, reason = _decide(who, kms_action, key.arn, key.policy, context)
    _journal_key_use(response, who, kms_action, key.arn, "secretsmanager", {"SecretARN": secret.arn}, refused=not allowed)
    if not allowed:
        raise _refuse(who, action, secret.arn, f"access to KMS is not allowed: {kms_action} on {key.arn}: {reason}")


# --- Backup ----------------------------------------------------------------------------------


def _vault_access_policies(account_id: str, region_name: str) -> dict[str, tuple[float, str]]:
    """Each vault's (creation date, access policy JSON), by vault name (moto 5.2.5 has no
    access-policy API)."""
    return records(backup_backends[account_id][region_name], "vault_access_policies")


def vault_access_policy(account_id: str, region_name: str, vault: Any) -> str | None:
    """`vault`'s access policy; one kept for an earlier vault of the same name is not its."""
    kept = _vault_access_policies(account_id, region_name).get(vault.backup_vault_name)
    return kept[1] if kept and kept[0] == vault.creation_date else None


def set_vault_access_policy(account_id: str, region_name: str, vault: Any, policy: str | None) -> None:
    policies = _vault_access_policies(account_id, region_name)
    if policy is None:
        policies.pop(vault.backup_vault_name, None)
    else:
        policies[vault.backup_vault_name] = (vault.creation_date, policy)


def _path_after(path: str, segment: str) -> str | None:
    parts = path.split("/")
    if segment not in parts:
        return None
    rest = parts[parts.index(segment) + 1 :]
    if not rest or not rest[0]:
        return None
    return unquote("/".join(rest) if segment == "recovery-points" else rest[0])


def _check_backup(response: Any, who: Caller) -> None:
    action = f"backup:{response._get_action()}"
    params, context = _params(response), {}
    vault_name = _path_after(response.path, "backup-vaults")
    resource = _path_after(response.path, "recovery-points")
    if action == "backup:StartCopyJob":
        vault_name, resource = params.get("SourceBackupVaultName"), params.get("RecoveryPointArn")
        context["backup:CopyTargets"] = [params.get("DestinationBackupVaultArn", "")]
    if action == "backup:StartRestoreJob":  # the vault holding the recovery point decides
        resource = params.get("RecoveryPointArn")
        point = backup_jobs.recovery_point(who.account, response.region, resource or "")
        vault_name = point.vault.backup_vault_name if point is not None else None
    backend = backup_backends[who.account][response.region]
    if not vault_name or vault_name not in backend.vaults:
        return
    vault_arn = backend.vaults[vault_name].backup_vault_arn
    resource = resource or vault_arn
    policy = vault_access_policy(who.account, response.region, backend.vaults[vault_name])
    allowed, reason = _decide(who, action, resource, policy, context)
    if not allowed:
        raise _refuse(who, action, resource, reason, code=403)


class VaultAccessPolicyResponses:
    """PutBackupVaultAccessPolicy, GetBackupVaultAccessPolicy, DeleteBackupVaultAccessPolicy."""

    def _vault(self: Any) -> tuple[str, Any]:
        name = _path_after(self.path, "backup-vaults") or ""
        if name not in self.backup_backend.vaults:
            raise ResourceNotFoundException(msg=f"Backup vault {name} not found")
        return name, self.backup_backend.vaults[name]

    def put_backup_vault_access_policy(self: Any) -> EmptyResult:
        _, vault = VaultAccessPolicyResponses._vault(self)
        set_vault_access_policy(self.current_account, self.region, vault, _params(self)["Policy"])
        return EmptyResult()

    def get_backup_vault_access_policy(self: Any) -> ActionResult:
        name, vault = VaultAccessPolicyResponses._vault(self)
        policy = vault_access_policy(self.current_account, self.region, vault)
        if policy is None:
            raise ResourceNotFoundException(msg=f"Backup vault {name} has no access policy")
        return ActionResult({"BackupVaultName": name, "BackupVaultArn": vault.backup_vault_arn, "Policy": policy})

    def delete_backup_vault_access_policy(self: Any) -> EmptyResult:
        _, vault = VaultAccessPolicyResponses._vault(self)
        set_vault_access_policy(self.current_account, self.region, vault, None)
        return EmptyResult()


def _keep_access_policy(original: Callable[..., Any]) -> Callable[..., Any]:
    def create(cls: type, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> Any:
        vault = original(cls, p, account_id, region_name, resource_name)
        if "AccessPolicy" in p:
            document = p["AccessPolicy"]
            created = backup_backends[account_id][region_name].vaults[vault.physical_resource_id]
            set_vault_access_policy(account_id, region_name, created, document if isinstance(document, str) else json.dumps(document))
        return vault

    return create


# --- the journal (cloudtrail_events) ----------------------------------------------------------


def _resources(response: Any, who: Caller, service: str, resource: str) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """CloudTrail's `resources` and `requestParameters` of a request the evaluator decided."""
    params = _params(response)
    if service == "s3":
        bucket_name, _, key = resource.split(":::", 1)[1].partition("/")
        bucket = {"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket_name}"}
        if key:
            return [{"type": "AWS::S3::Object", "ARN": resource}, bucket], {"bucketName": bucket_name, "key": key}
        return [bucket], {"bucketName": bucket_name}
    if service == "kms":
        backend, arns = kms_backends[who.account][response.region], []
        for _, key_id in _kms_keys(response, response._get_action(), params):
            try:
                arns.append(backend.describe_key(key_id).arn)
            except Exception:  # noqa: BLE001  (an unknown key: recorded by the id asked for)
                arns.append(key_id)
        return [{"type": "AWS::KMS::Key", "ARN": arn} for arn in arns], {k: v for k, v in params.items() if k in ("KeyId", "EncryptionContext")}
    if service == "secretsmanager":
        store = secretsmanager_backends[who.account][response.region].secrets
        secret_id = params.get("SecretId")
        arn = store[secret_id].arn if secret_id and secret_id in store else secret_id
        return ([{"type": "AWS::SecretsManager::Secret", "ARN": arn}] if arn else []), ({"secretId": secret_id} if secret_id else {})
    if service == "sts":
        role_arn = response._get_param("RoleArn")  # a query-protocol request: not a JSON body
        return ([{"type": "AWS::IAM::Role", "ARN": role_arn}] if role_arn else []), {"roleArn": role_arn, "roleSessionName": response._get_param("RoleSessionName")}
    vault_name = _path_after(response.path, "backup-vaults") or params.get("SourceBackupVaultName")
    vaults = backup_backends[who.account][response.region].vaults
    arn = vaults[vault_name].backup_vault_arn if vault_name in vaults else vault_name
    return ([{"type": "AWS::Backup::BackupVault", "ARN": arn}] if arn else []), ({"backupVaultName": vault_name} if vault_name else {})


def _journal(response: Any, who: Caller, service: str, resource: str, *, refused: bool) -> None:
    from tenantkit.sandbox.extensions import cloudtrail_events

    action = response._get_action()
    resources, request = _resources(response, who, service, resource)
    cloudtrail_events.record(
        account_id=who.account, region_name=response.region, service=service, action=action, resources=resources, request=request,
        who=cloudtrail_events.identity(response.access_key, who.account, response.region), error="AccessDenied" if refused else None,
    )


def _journal_key_use(
    response: Any, who: Caller, kms_action: str, key_arn: str, service: str, context: dict[str, str], *, refused: bool
) -> None:
    """The KMS call a service makes with the caller's permissions (S3 for an SSE-KMS object,
    Secrets Manager for a secret's value): CloudTrail records it as the caller's, `invokedBy` the
    service (AWS KMS Developer Guide, "Logging AWS KMS API calls with AWS CloudTrail"). With an S3
    Bucket Key, AWS reuses a bucket-level key for a while and so records fewer Decrypt calls than
    objects read; the sandbox records one for each."""
    from tenantkit.sandbox.extensions import cloudtrail_events

    identity = {**cloudtrail_events.identity(response.access_key, who.account, response.region), "invokedBy": f"{service}.amazonaws.com"}
    cloudtrail_events.record(
        account_id=who.account, region_name=response.region, service="kms", action=kms_action.removeprefix("kms:"), who=identity,
        resources=[{"type": "AWS::KMS::Key", "ARN": key_arn}], request={"encryptionContext": context}, error="AccessDenied" if refused else None,
    )


# --- the hook --------------------------------------------------------------------------------


def _evaluated(original: Callable[..., Any]) -> Callable[..., Any]:
    def authorize(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        original(self, iam_request_cls, resource)  # moto's own identity-policy check, when enabled
        service = getattr(self, "service_name", None)
        if service not in EVALUATED_SERVICES:
            return
        who = caller(self.access_key, self.current_account, self.region)
        if who is None:
            return  # the operator's default credentials: not evaluated
        try:
            if service == "s3":
                _check_s3(self, who, resource)
            elif service == "kms":
                _check_kms(self, who)
            elif service == "secretsmanager":
                _check_secret(self, who)
            elif service == "sts":
                _check_assume_role(self, who)
            else:
                _check_backup(self, who)
        except (JsonRESTError, S3AccessDeniedError, BucketAccessDeniedError, AccessDeniedError):
            _journal(self, who, service, resource, refused=True)
            raise
        if service != "sts":  # an AssumeRole allowed is recorded by cloudtrail_events, with its session
            _journal(self, who, service, resource, refused=False)

    return authorize


def patch() -> None:
    wrap(ActionAuthenticatorMixin, "_authenticate_and_authorize_action", _evaluated)
    wrap(S3Response, "_bucket_response_delete_keys", _delete_objects_key_by_key)
    wrap(FakeBucket, "get_permission", _permission_with_ours)
    wrap(BackupVault, "create", _keep_access_policy)
    for name in ("put_backup_vault_access_policy", "get_backup_vault_access_policy", "delete_backup_vault_access_policy"):
        setattr(BackupResponse, name, getattr(VaultAccessPolicyResponses, name))
    backup_url_paths.setdefault(_VAULT_POLICY_ROUTE, BackupResponse.dispatch)
