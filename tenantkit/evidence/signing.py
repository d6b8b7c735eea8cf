"""Signing and verifying evidence (destruction reports, approvals, drill reports): one place.

A signer holds the private half of the security team's key, either
- an Ed25519 key in an unencrypted PEM file (`tenantkit report keygen`), or
- an AWS KMS asymmetric key (`kms:<key ARN>`, KeyUsage SIGN_VERIFY): ECC_NIST_P256 signs with
  ECDSA_SHA_256, an RSA key with RSASSA_PSS_SHA_256. KMS has no Ed25519. The document is hashed
  here and KMS signs the digest (`MessageType: DIGEST`), so documents of any size can be signed
  (KMS's RAW messages stop at 4,096 bytes).

Verification is always offline, from a PEM public key (`report keygen --kms ARN` exports a KMS
key's public half): no AWS call is needed to check evidence.

The detached signature is JSON: `{"algorithm": ..., "public_key_fingerprint": "sha256:<hex>",
"signature": "<base64>"}`, the fingerprint being the SHA-256 of the public key's DER
SubjectPublicKeyInfo (what `openssl pkey -pubin -outform DER | sha256sum` prints). Algorithms:
`Ed25519` (over the document's bytes), `ECDSA_SHA_256` (DER-encoded, over SHA-256 of the bytes),
`RSASSA_PSS_SHA_256` (MGF1 SHA-256, salt of 32 bytes).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tenantkit.aws import parse_arn

ED25519 = "Ed25519"
ECDSA_SHA_256 = "ECDSA_SHA_256"
RSASSA_PSS_SHA_256 = "RSASSA_PSS_SHA_256"
ALGORITHMS = (ED25519, ECDSA_SHA_256, RSASSA_PSS_SHA_256)
KMS_PREFIX = "kms:"


class EvidenceKeyError(Exception):
    """A key that cannot sign or verify: the message is one line naming the file or key."""


class Signer(Protocol):
    """The private half of an evidence key."""

    @property
    def algorithm(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def description(self) -> str: ...

    def sign(self, document: bytes) -> bytes: ...


@dataclass(frozen=True)
class Signature:
    """A detached signature, as written next to the document (`<document>.sig`)."""

    algorithm: str
    fingerprint: str
    signature: str  # base64

    def as_json(self) -> bytes:
        data = {"algorithm": self.algorithm, "public_key_fingerprint": self.fingerprint, "signature": self.signature}
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes) -> Signature:
        """Raises ValueError (with what is wrong) for anything but a well-formed signature file."""
        try:
            parsed = json.loads(data)
            algorithm, fingerprint, signature = (
                parsed["algorithm"], parsed["public_key_fingerprint"], parsed["signature"]
            )  # fmt: skip
        except KeyError as missing:
            raise ValueError(f"no {missing}") from None
        except (TypeError, AttributeError):
            raise ValueError("not a signature object") from None
        if algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm {algorithm!r}, expected one of {', '.join(ALGORITHMS)}")
        try:
            base64.b64decode(signature, validate=True)
        except (ValueError, TypeError):  # binascii.Error is a ValueError
            raise ValueError("the signature is not base64") from None
        return cls(algorithm, fingerprint, signature)


def sign(document: bytes, signer: Signer) -> Signature:
    return Signature(signer.algorithm, signer.fingerprint, base64.b64encode(signer.sign(document)).decode())


# --- keys -----------------------------------------------------------------------------------


def fingerprint(public_key: Any) -> str:
    """`sha256:<hex>` of the DER SubjectPublicKeyInfo of any public key."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(der).hexdigest()


def read_file(path: Path, what: str) -> bytes:
    """A file's bytes; EvidenceKeyError with one line naming the file and `what` it was read as."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise EvidenceKeyError(f"{path}: no such file ({what})") from None
    except OSError as error:
        raise EvidenceKeyError(f"{path}: cannot read {what}: {error.strerror or error}") from None


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key of an unencrypted PEM file."""
    data = read_file(path, "signing key")
    if b"PUBLIC KEY-----" in data:
        raise EvidenceKeyError(f"{path}: is a public key; signing needs the private key")
    try:
        key = serialization.load_pem_private_key(data, None)
    except TypeError:  # what cryptography raises for an encrypted key and no password
        raise EvidenceKeyError(f"{path}: the private key is encrypted; give an unencrypted PEM (keep it safe)") from None
    except (ValueError, UnsupportedAlgorithm):
        raise EvidenceKeyError(f"{path}: not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise EvidenceKeyError(f"{path}: not an Ed25519 key ({type(key).__name__}); use a KMS key for ECDSA or RSA")
    return key


def load_public_key(path: Path) -> Any:
    """A PEM public key of a supported kind (Ed25519, P-256, RSA)."""
    data = read_file(path, "public key")
    if b"PRIVATE KEY-----" in data:
        raise EvidenceKeyError(f"{path}: is a private key; verifying needs the public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise EvidenceKeyError(f"{path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise EvidenceKeyError(f"{path}: not an Ed25519, ECDSA or RSA public key ({type(key).__name__})")
    return key


@dataclass(frozen=True)
class PemSigner:
    """An Ed25519 key from a PEM file."""

    key: Ed25519PrivateKey
    description: str
    algorithm: str = ED25519

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key.public_key())

    def sign(self, document: bytes) -> bytes:
        return self.key.sign(document)


class KmsSigner:
    """An AWS KMS asymmetric key: the private half never leaves KMS."""

    def __init__(self, kms: Any, key_arn: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        self._kms, self.key_arn = kms, key_arn
        self.description = f"{KMS_PREFIX}{key_arn}"
        try:
            answer = kms.get_public_key(KeyId=key_arn)
        except (ClientError, BotoCoreError) as error:
            raise EvidenceKeyError(f"{self.description}: cannot read the key's public half: {error}") from None
        if answer.get("KeyUsage") != "SIGN_VERIFY":
            raise EvidenceKeyError(f"{self.description}: not a signing key (KeyUsage {answer.get('KeyUsage')})")
        offered = answer.get("SigningAlgorithms") or []
        chosen = next((algorithm for algorithm in (ECDSA_SHA_256, RSASSA_PSS_SHA_256) if algorithm in offered), None)
        if chosen is None:
            raise EvidenceKeyError(
                f"{self.description}: offers {', '.join(offered) or 'no signing algorithm'}; "
                "use an ECC_NIST_P256 or RSA key (ECDSA_SHA_256 or RSASSA_PSS_SHA_256)"
            )
        self.algorithm = chosen
        self.public_key = serialization.load_der_public_key(answer["PublicKey"])
        self.fingerprint = fingerprint(self.public_key)

    def sign(self, document: bytes) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        digest = hashlib.sha256(document).digest()
        try:
            answer = self._kms.sign(KeyId=self.key_arn, Message=digest, MessageType="DIGEST", SigningAlgorithm=self.algorithm)
        except (ClientError, BotoCoreError) as error:
            raise EvidenceKeyError(f"{self.description}: KMS refused to sign: {error}") from None
        return answer["Signature"]

    def public_key_pem(self) -> bytes:
        return self.public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def kms_key_arn(spec: str) -> str | None:
    """The key ARN of a `kms:<ARN>` signing-key spec, else None."""
    if not spec.startswith(KMS_PREFIX):
        return None
    arn = spec.removeprefix(KMS_PREFIX)
    try:
        key = parse_arn(arn)
    except ValueError:
        key = None
    if key is None or key.service != "kms" or key.resource_type != "key" or not key.region or not key.resource_id:
        raise EvidenceKeyError(f"{spec}: name the KMS key by its ARN, kms:arn:aws:kms:<region>:<account>:key/<id>")
    return arn


def load_signer(spec: str | Path, kms_client_for: Callable[[str], Any] | None = None) -> Signer:
    """The signer a `--signing-key` names: a PEM file, or `kms:<key ARN>` (`kms_client_for(region)`
    gives a KMS client of the key's region)."""
    text = str(spec)
    arn = kms_key_arn(text)
    if arn is None:
        path = Path(text)
        return PemSigner(load_private_key(path), description=str(path))
    if kms_client_for is None:
        raise EvidenceKeyError(f"{text}: a KMS signing key needs AWS access, not available here")
    return KmsSigner(kms_client_for(parse_arn(arn).region), arn)


# --- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str
    fingerprint: str
    """Of the public key given."""


def verify(document: bytes, signature: Signature, public_key: Any) -> Verdict:
    """Whether `document` is exactly what the holder of `public_key`'s private half signed."""
    mine = fingerprint(public_key)
    raw = base64.b64decode(signature.signature)
    try:
        _check(signature.algorithm, public_key, raw, document)
    except (InvalidSignature, ValueError, TypeError):
        if signature.fingerprint != mine:
            return Verdict(False, f"not signed by this key: signed by {signature.fingerprint}, this key is {mine}", mine)
        return Verdict(False, "TAMPERED: invalid signature (the document or its signature changed since signing)", mine)
    if signature.fingerprint != mine:
        return Verdict(False, f"TAMPERED: the signature file names key {signature.fingerprint}, but {mine} signed", mine)
    return Verdict(True, "valid", mine)


def _check(algorithm: str, key: Any, raw: bytes, document: bytes) -> None:
    if algorithm == ED25519 and isinstance(key, Ed25519PublicKey):
        key.verify(raw, document)
    elif algorithm == ECDSA_SHA_256 and isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(raw, document, ec.ECDSA(hashes.SHA256()))
    elif algorithm == RSASSA_PSS_SHA_256 and isinstance(key, rsa.RSAPublicKey):
        key.verify(raw, document, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
    else:
        raise InvalidSignature(f"a {type(key).__name__} cannot check {algorithm}")
