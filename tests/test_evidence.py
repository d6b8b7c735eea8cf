"""tenantkit.evidence: signing with an Ed25519 PEM key or an AWS KMS key (moto, with the sandbox's
KMS extension for MessageType DIGEST), verifying offline from a PEM public key, and every way a
signature can fail."""

from __future__ import annotations

import base64
import dataclasses

import boto3
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tenantkit import evidence

DOCUMENT = b'{"tenant_id":"maple-ca","destroyed":' + b"1" * 10_000 + b"}"  # over KMS's 4,096-byte RAW limit


@pytest.fixture
def kms(moto_with_extensions):
    return boto3.client("kms", region_name="ca-central-1")


def _kms_key(kms, spec: str) -> str:
    return kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec=spec)["KeyMetadata"]["Arn"]


@pytest.mark.parametrize(("spec", "algorithm"), [("ECC_NIST_P256", "ECDSA_SHA_256"), ("RSA_2048", "RSASSA_PSS_SHA_256")])
def test_a_kms_key_signs_and_its_exported_public_key_verifies_offline(kms, spec, algorithm):
    signer = evidence.load_signer(f"kms:{_kms_key(kms, spec)}", lambda region: kms)
    assert signer.algorithm == algorithm
    signature = evidence.sign(DOCUMENT, signer)
    public_key = evidence.signing.serialization.load_pem_public_key(signer.public_key_pem())
    assert evidence.verify(DOCUMENT, signature, public_key) == evidence.Verdict(True, "valid", signer.fingerprint)
    assert kms.verify(KeyId=signer.key_arn, Message=__import__("hashlib").sha256(DOCUMENT).digest(), MessageType="DIGEST",
                      Signature=base64.b64decode(signature.signature), SigningAlgorithm=algorithm)["SignatureValid"]  # fmt: skip
    tampered = evidence.verify(DOCUMENT + b" ", signature, public_key)
    assert not tampered.ok and tampered.reason.startswith("TAMPERED")


def test_an_encryption_key_or_an_ecc_key_kms_cannot_use_is_refused_in_one_line(kms):
    encrypting = kms.create_key()["KeyMetadata"]["Arn"]
    with pytest.raises(evidence.EvidenceKeyError, match="not a signing key"):
        evidence.load_signer(f"kms:{encrypting}", lambda region: kms)
    secp384 = _kms_key(kms, "ECC_NIST_P384")
    with pytest.raises(evidence.EvidenceKeyError, match="offers ECDSA_SHA_384; use an ECC_NIST_P256 or RSA key"):
        evidence.load_signer(f"kms:{secp384}", lambda region: kms)


@pytest.mark.parametrize("spec", ["kms:alias/reports", "kms:1234abcd-12ab-34cd-56ef-1234567890ab", "kms:arn:aws:s3:::bucket"])
def test_a_kms_key_is_named_by_its_arn(spec):
    with pytest.raises(evidence.EvidenceKeyError, match="name the KMS key by its ARN"):
        evidence.load_signer(spec, lambda region: None)


def test_a_pem_key_signs_ed25519_and_another_key_or_a_changed_byte_fails(tmp_path):
    key = Ed25519PrivateKey.generate()
    signer = evidence.PemSigner(key, "test key")
    signature = evidence.sign(DOCUMENT, signer)
    assert evidence.verify(DOCUMENT, signature, key.public_key()).ok
    other = Ed25519PrivateKey.generate().public_key()
    verdict = evidence.verify(DOCUMENT, signature, other)
    assert not verdict.ok and verdict.reason.startswith("not signed by this key")
    relabelled = dataclasses.replace(signature, fingerprint=evidence.fingerprint(other))
    assert evidence.verify(DOCUMENT, relabelled, key.public_key()).reason.startswith("TAMPERED: the signature file names key")


def test_an_algorithm_the_key_cannot_check_fails(kms):
    signer = evidence.load_signer(f"kms:{_kms_key(kms, 'ECC_NIST_P256')}", lambda region: kms)
    signature = dataclasses.replace(evidence.sign(DOCUMENT, signer), algorithm="Ed25519")
    assert not evidence.verify(DOCUMENT, signature, signer.public_key).ok


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{}", "no 'algorithm'"),
        (b'{"algorithm": "RSA", "public_key_fingerprint": "x", "signature": ""}', "algorithm 'RSA'"),
        (b'{"algorithm": "Ed25519", "public_key_fingerprint": "x", "signature": "***"}', "the signature is not base64"),
        (b"[]", "not a signature object"),
    ],
)
def test_a_malformed_signature_file_names_what_is_wrong(content, problem):
    with pytest.raises(ValueError, match=problem):
        evidence.Signature.from_json(content)


def test_an_encrypted_or_public_pem_cannot_sign(tmp_path):
    from cryptography.hazmat.primitives import serialization

    key = Ed25519PrivateKey.generate()
    encrypted = tmp_path / "encrypted.pem"
    encrypted.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.BestAvailableEncryption(b"secret")))  # fmt: skip
    with pytest.raises(evidence.EvidenceKeyError, match="the private key is encrypted"):
        evidence.load_signer(encrypted)
    public = tmp_path / "public.pem"
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    with pytest.raises(evidence.EvidenceKeyError, match="is a public key"):
        evidence.load_signer(public)


@pytest.mark.skipif(__import__("shutil").which("openssl") is None, reason="no openssl binary")
@pytest.mark.parametrize(
    ("spec", "options"),
    [("ECC_NIST_P256", []), ("RSA_2048", ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"])],
)
def test_the_readmes_openssl_recipe_verifies_a_kms_signature(kms, tmp_path, spec, options):
    import subprocess

    signer = evidence.load_signer(f"kms:{_kms_key(kms, spec)}", lambda region: kms)
    signature = evidence.sign(DOCUMENT, signer)
    (tmp_path / "REPORT.json").write_bytes(DOCUMENT)
    (tmp_path / "REPORT.sig.bin").write_bytes(base64.b64decode(signature.signature))
    (tmp_path / "key.pub.pem").write_bytes(signer.public_key_pem())
    command = ["openssl", "dgst", "-sha256", *options, "-verify", "key.pub.pem", "-signature", "REPORT.sig.bin", "REPORT.json"]
    assert subprocess.run(command, cwd=tmp_path, capture_output=True, check=False).returncode == 0
    (tmp_path / "REPORT.json").write_bytes(DOCUMENT + b"x")
    assert subprocess.run(command, cwd=tmp_path, capture_output=True, check=False).returncode == 1
