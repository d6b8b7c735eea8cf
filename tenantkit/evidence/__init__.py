"""Evidence a security lead or a customer can check offline: signing and verifying in one place
(destruction reports today; approvals and drill reports use the same), see `signing`."""

from tenantkit.evidence.signing import (
    ALGORITHMS,
    KMS_PREFIX,
    EvidenceKeyError,
    KmsSigner,
    PemSigner,
    Signature,
    Signer,
    Verdict,
    fingerprint,
    kms_key_arn,
    load_private_key,
    load_public_key,
    load_signer,
    sign,
    verify,
)

__all__ = [
    "ALGORITHMS",
    "KMS_PREFIX",
    "EvidenceKeyError",
    "KmsSigner",
    "PemSigner",
    "Signature",
    "Signer",
    "Verdict",
    "fingerprint",
    "kms_key_arn",
    "load_private_key",
    "load_public_key",
    "load_signer",
    "sign",
    "verify",
]
