"""The signed certificate of a conformance run: what a region can check without trusting
whoever hands it the report.

``certificate.json`` holds the rule verdicts, the profile (key, name and the SHA-256 of its
content), the suite version, the vendor identity the adapter's ``/health`` gave, the
simulator and wall times, and the SHA-256 of each evidence file (``report.json``, which
carries every finding and SOAP body, and ``junit.xml``). It is signed with Ed25519
(``cryptography``); ``verify`` checks it offline with the public key alone, and the
evidence files too when they are given. ``index.html`` is not an evidence file: it shows
the certificate, so it is rendered after signing and cannot be part of what is signed.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "kallelse-conformance-certificate/1"
ALGORITHM = "Ed25519"
FILE_NAME = "certificate.json"
EVIDENCE_FILES = ("report.json", "junit.xml")
PRIVATE_KEY_FILE = "conformance-signing-key.pem"
PUBLIC_KEY_FILE = "conformance-signing-key.pub.pem"


class CertificateError(Exception):
    """A key or certificate file that cannot be used; the message says which and why."""


def canonical(value: object) -> bytes:
    """The bytes that are signed: JSON with sorted keys, no whitespace, UTF-8, no floats.

    Written by hand (one ``json.dumps`` call with fixed options) because a signature needs
    one byte sequence per document, and ``json.dumps`` defaults vary (spaces after
    separators, key order, ASCII escaping). Floats are refused rather than formatted,
    since their text form is where JSON implementations disagree (the reason RFC 8785
    exists); the certificate holds only strings, integers, booleans and null, so the
    plain sorted-keys form is canonical without an RFC 8785 library.
    """
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _refuse_floats(value: object) -> None:
    if isinstance(value, float):
        raise TypeError(f"a certificate holds no floats (got {value!r}); use a string or an integer")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- keys ------------------------------------------------------------------------------------
def fingerprint(public_key: Ed25519PublicKey) -> str:
    """``SHA256:<hex>`` of the raw 32-byte public key: what the report shows and the
    verifier compares, so a wrong key is named as such."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + sha256_hex(raw)


def init_keys(directory: Path, overwrite: bool = False) -> tuple[Path, Path]:
    """A new key pair: the private key PEM readable by its owner only (0600 from the start,
    written to a temporary name and linked into place, so two runs making the default key
    at once end with one pair), the public key PEM to hand to whoever verifies."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / PRIVATE_KEY_FILE, directory / PUBLIC_KEY_FILE
    if private_path.exists() and not overwrite:
        raise CertificateError(f"{private_path} exists already (a key is never replaced silently)")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    temporary = directory / f".{PRIVATE_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    os.chmod(temporary, 0o600)  # the umask can only narrow; this states the intent
    try:
        if overwrite:
            os.replace(temporary, private_path)
        else:
            os.link(temporary, private_path)  # fails if another process made one meanwhile
    except FileExistsError:
        raise CertificateError(f"{private_path} exists already (a key is never replaced silently)") from None
    finally:
        temporary.unlink(missing_ok=True)
    public_path.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private_path, public_path


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise CertificateError(f"cannot read the signing key {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CertificateError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CertificateError(f"cannot read the public key {path}: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CertificateError(f"{path} is not an Ed25519 public key")
    return key


def public_key_path(private_path: Path) -> Path:
    """Where ``init_keys`` put the public half of a private key."""
    if private_path.name == PRIVATE_KEY_FILE:
        return private_path.with_name(PUBLIC_KEY_FILE)
    return private_path.with_name(private_path.stem + ".pub.pem")


# --- signing ---------------------------------------------------------------------------------
def evidence_digests(directory: Path, names: tuple[str, ...] = EVIDENCE_FILES) -> dict[str, str]:
    return {name: sha256_hex((directory / name).read_bytes()) for name in names}


def sign(payload: dict, key: Ed25519PrivateKey) -> dict:
    """The certificate document: the payload and an Ed25519 signature over its canonical bytes."""
    payload = {"format": FORMAT, **payload}
    signature = key.sign(canonical(payload))
    return {
        "certificate": payload,
        "signature": {
            "algorithm": ALGORITHM,
            "key_fingerprint": fingerprint(key.public_key()),
            "value": base64.b64encode(signature).decode("ascii"),
        },
    }


def write(directory: Path, document: dict) -> Path:
    path = directory / FILE_NAME
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")
    return path


# --- verifying -------------------------------------------------------------------------------
@dataclasses.dataclass
class Verification:
    problems: list[str]
    checked: list[str]
    payload: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(certificate_path: Path, public_key: Ed25519PublicKey, evidence_dir: Path | None = None) -> Verification:
    """Every check a holder of the public key can make offline; each failure named."""
    result = Verification([], [])
    try:
        document = json.loads(certificate_path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        result.problems.append(f"cannot read {certificate_path} as JSON: {exc}")
        return result
    payload = document.get("certificate") if isinstance(document, dict) else None
    signature = document.get("signature") if isinstance(document, dict) else None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        result.problems.append(f"not a conformance certificate (expected a 'certificate' object of format {FORMAT})")
        return result
    result.payload = payload
    if not isinstance(signature, dict) or not signature.get("value"):
        result.problems.append("the certificate carries no signature")
        return result
    if signature.get("algorithm") != ALGORITHM:
        result.problems.append(f"signature algorithm {signature.get('algorithm')!r}, expected {ALGORITHM}")
        return result
    given = fingerprint(public_key)
    if signature.get("key_fingerprint") != given:
        result.problems.append(
            f"signed with key {signature.get('key_fingerprint')}, but the public key given is {given} (wrong key?)"
        )
    try:
        key_signature = base64.b64decode(str(signature["value"]), validate=True)
        public_key.verify(key_signature, canonical(payload))
        result.checked.append(f"Ed25519 signature by {given}")
    except (InvalidSignature, ValueError, TypeError):
        result.problems.append(
            "the signature does not match the certificate: it was changed after signing, or signed with another key"
        )
    if evidence_dir is not None:
        _verify_evidence(result, payload, evidence_dir)
    return result


def _verify_evidence(result: Verification, payload: dict, directory: Path) -> None:
    expected = payload.get("evidence_sha256") or {}
    if not expected:
        result.problems.append("the certificate names no evidence files")
    for name, digest in sorted(expected.items()):
        path = directory / name
        if not path.is_file():
            result.problems.append(f"evidence file {name} is missing in {directory}")
            continue
        seen = sha256_hex(path.read_bytes())
        if seen != digest:
            result.problems.append(f"evidence file {name} was changed: SHA-256 {seen}, the certificate says {digest}")
        else:
            result.checked.append(f"{name} SHA-256 {digest}")
