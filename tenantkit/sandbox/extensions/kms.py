"""AWS::KMS::Key `Tags` and `KeyPolicy` as CloudFormation writes them.

moto 5.2.5 defects:
- its CloudFormation key model hands the template's tags to the KMS tagger, which expects the
  API's TagKey/TagValue shape: `KeyError: 'TagKey'`, and the stack fails (seen as "Fn::GetAtt
  references undefined resource" on the key). The tags are reshaped before moto's own model
  creates the key.
- it stores the template's `KeyPolicy` object as the key's policy, where the KMS API keeps a JSON
  string: every later DescribeKey (or any call that checks the policy) fails with a 500
  (`json.loads` of a dict). The policy is serialized before moto creates the key.
- Sign and Verify ignore `MessageType: DIGEST` ("not yet implemented"): the digest is hashed again
  as if it were the message, so a signature over a document's SHA-256 does not verify against the
  document. With DIGEST, the message is taken as the prehashed digest, as KMS does (KMS API
  Reference, Sign: "DIGEST ... AWS KMS skips the hashing step"); PSS uses a salt as long as the
  digest, as KMS's RSASSA_PSS_SHA_* do.
- its CloudFormation key model has no update: a stack update that changes anything of a key (its
  KeyPolicy, Description, rotation, or only its DeletionPolicy) leaves the key out of the stack's
  resources, and every `Fn::GetAtt` of it fails the update ("references undefined resource").
  CloudFormation updates these properties in place, without replacing the key
  (AWS::KMS::Key: KeyPolicy, Description, EnableKeyRotation, Enabled are "Update requires: No
  interruption"); so does the update here.
- a key scheduled for deletion stays `PendingDeletion` forever: moto records its DeletionDate but
  never deletes it, so nothing can show that a key is gone after its window. Here a key whose
  deletion date has passed is deleted (with its aliases and tags) before any KMS call looks keys
  up or lists them, and DescribeKey then answers NotFoundException, as KMS does. The emulator's
  clock for this is moto's `utcnow()` plus `CLOCK.ahead`, which tests (and `advance_clock`) move
  instead of waiting the 7-30 days of a window.
- every key, symmetric ones too, gets an RSA-2048 private key generated as it is created (for
  Sign/Verify/GetPublicKey, which only asymmetric keys serve): about 50 ms of CPU per key, the
  largest part of a stack's create after template parsing (a tenant deploys 4 keys, its baseline
  one more). The key pair is generated when first used, so a key that never signs costs none; the
  same key pair then serves every later call, in a saved and restored sandbox too.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import moto.kms.models
import moto.kms.utils
from moto.core.utils import utcnow
from moto.kms.models import Key, KmsBackend
from moto.kms.responses import KmsResponse

from tenantkit.sandbox.extensions._base import around_create, wrap

_HASHES = {"256": "SHA256", "384": "SHA384", "512": "SHA512"}


def _prehashed(algorithm: str) -> tuple[Any, Any]:
    """(the signature scheme, Prehashed(hash)) for a KMS signing algorithm name."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

    digest = getattr(hashes, _HASHES[algorithm.rsplit("_", 1)[-1]])()
    prehashed = utils.Prehashed(digest)
    if algorithm.startswith("ECDSA"):
        return ec.ECDSA(prehashed), None
    if algorithm.startswith("RSASSA_PSS"):
        return padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size), prehashed
    return padding.PKCS1v15(), prehashed


def _digest_sign(original: Any) -> Any:
    def sign(self: Any) -> str:
        if self._get_param("MessageType") != "DIGEST":
            return original(self)
        key = self.kms_backend.describe_key(self._get_param("KeyId"))
        algorithm, message = self._get_param("SigningAlgorithm"), self._get_param("Message")
        if algorithm not in (key.signing_algorithms or []):
            return original(self)  # moto's own refusal
        scheme, prehashed = _prehashed(algorithm)
        private = key.private_key.private_key
        signature = private.sign(message, scheme) if prehashed is None else private.sign(message, scheme, prehashed)
        return json.dumps({"KeyId": key.arn, "Signature": base64.b64encode(signature).decode(), "SigningAlgorithm": algorithm})

    return sign


def _digest_verify(original: Any) -> Any:
    def verify(self: Any) -> str:
        if self._get_param("MessageType") != "DIGEST":
            return original(self)
        from cryptography.exceptions import InvalidSignature

        key = self.kms_backend.describe_key(self._get_param("KeyId"))
        algorithm, message = self._get_param("SigningAlgorithm"), self._get_param("Message")
        signature = self._get_param("Signature")
        if isinstance(signature, str):
            signature = base64.b64decode(signature)
        if algorithm not in (key.signing_algorithms or []):
            return original(self)
        scheme, prehashed = _prehashed(algorithm)
        public = key.private_key.private_key.public_key()
        try:
            public.verify(signature, message, scheme) if prehashed is None else public.verify(signature, message, scheme, prehashed)
            valid = True
        except InvalidSignature:
            valid = False  # as moto answers a RAW verify (AWS raises KMSInvalidSignatureException)
        return json.dumps({"KeyId": key.arn, "SignatureValid": valid, "SigningAlgorithm": algorithm})

    return verify


@dataclass
class _Clock:
    ahead: timedelta = timedelta(0)


CLOCK = _Clock()
"""How far the emulator's KMS clock runs ahead of moto's: only key deletion dates read it."""


def advance_clock(by: timedelta) -> None:
    """Move the emulator's KMS clock forward (tests: past a key's deletion date without waiting)."""
    CLOCK.ahead += by


def reset_clock() -> None:
    CLOCK.ahead = timedelta(0)


def _delete_due_keys(backend: Any) -> None:
    now = utcnow() + CLOCK.ahead
    for key_id, key in list(backend.keys.items()):
        if key.key_state == "PendingDeletion" and key.deletion_date is not None and key.deletion_date <= now:
            backend.delete_key(key_id)  # its aliases live on the key and go with it


def _deleting_due_keys(original: Any) -> Any:
    """A response's key lookup (`_validate_*`): due keys are deleted first."""

    def validate(self: Any, key_id: str) -> None:
        _delete_due_keys(self.kms_backend)
        return original(self, key_id)

    return validate


def _listing_without_due_keys(original: Any) -> Any:
    def list_keys(self: Any) -> Any:
        _delete_due_keys(self)
        return original(self)

    return list_keys


def _api_shapes(properties: dict[str, Any]) -> None:
    tags = properties.get("Tags")
    if tags and "Key" in tags[0]:
        properties["Tags"] = [{"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in tags]
    if isinstance(properties.get("KeyPolicy"), dict):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])


def _update_in_place(
    cls: type, original_resource: Key, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
) -> Key:
    properties = dict(cloudformation_json.get("Properties", {}))
    _api_shapes(properties)
    original_resource.policy = properties.get("KeyPolicy") or original_resource.policy
    original_resource.description = properties.get("Description", "")
    original_resource.key_rotation_status = properties.get("EnableKeyRotation", False)
    original_resource.enabled = properties.get("Enabled", True)
    return original_resource


_GENERATING = threading.Lock()
_generate_private_key = moto.kms.utils.generate_private_key
"""moto's own generator: the one the lazy key calls (its name in moto.kms.models is replaced)."""


class LazyPrivateKey:
    """A KMS key's private key (moto's `RSAPrivateKey` or `ECDSAPrivateKey`), generated by moto's
    generator when something first reads it (Sign, Verify, GetPublicKey), once, under a lock: the
    server's threads may sign with one key at once. Pickles as what it holds (nothing until used)."""

    def __init__(self, key_spec: str) -> None:
        self.key_spec = key_spec
        self.generated: Any = None

    def key(self) -> Any:
        if self.generated is None:
            with _GENERATING:
                if self.generated is None:
                    self.generated = _generate_private_key(self.key_spec)
        return self.generated

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("key_spec", "generated"):  # pickle and copy probe dunders before __init__
            raise AttributeError(name)
        return getattr(self.key(), name)


def patch() -> None:
    moto.kms.models.generate_private_key = LazyPrivateKey  # type: ignore[assignment]  # Key.__init__ calls it by this name
    around_create(Key, before=_api_shapes)
    Key.update_from_cloudformation_json = classmethod(_update_in_place)  # type: ignore[method-assign,assignment]
    wrap(KmsResponse, "sign", _digest_sign)
    wrap(KmsResponse, "verify", _digest_verify)
    for validate in ("_validate_cmk_id", "_validate_alias", "_validate_key_id"):
        wrap(KmsResponse, validate, _deleting_due_keys)
    wrap(KmsBackend, "list_keys", _listing_without_due_keys)
