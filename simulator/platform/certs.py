"""Throw-away certificates for mutual TLS in tests: a test CA, a server certificate for
localhost/127.0.0.1, and one client certificate per consumer HSA-id with the HSA-id as
the subject's serialNumber — where NTjP reads the calling system's identity from.

Layout of the folder (``kallelse certs init --dir DIR``)::

    ca.pem  ca-key.pem  server.pem  server-key.pem
    consumers/<HSA-id>.pem  consumers/<HSA-id>-key.pem  consumers/<HSA-id>.p12 (password "changeit")

Keys are unencrypted and the CA signs anything: never use them outside a test bed.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

P12_PASSWORD = b"changeit"
VALID_DAYS = 825
HSA_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _name(common_name: str, serial_number: str | None = None) -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kallelse Testbed"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if serial_number:
        parts.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    return x509.Name(parts)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _builder(subject: x509.Name, issuer: x509.Name, public_key, now: dt.datetime) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
    )


class ThrowawayCA:
    """A CA on disk: created by :meth:`create`, reopened by :meth:`load`."""

    def __init__(self, folder: Path, key, cert: x509.Certificate):
        self.folder = Path(folder)
        self.key = key
        self.cert = cert

    @classmethod
    def create(cls, folder: Path, now: dt.datetime) -> ThrowawayCA:
        key = _key()
        name = _name("Kallelse Testbed test CA")
        cert = (
            _builder(name, name, key.public_key(), now)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        _write(Path(folder) / "ca-key.pem", _pem_key(key))
        _write(Path(folder) / "ca.pem", cert.public_bytes(serialization.Encoding.PEM))
        return cls(folder, key, cert)

    @classmethod
    def load(cls, folder: Path) -> ThrowawayCA:
        folder = Path(folder)
        key = serialization.load_pem_private_key((folder / "ca-key.pem").read_bytes(), None)
        return cls(folder, key, x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes()))

    def _issue(self, subject: x509.Name, usage, now: dt.datetime, names=None):
        key = _key()
        builder = (
            _builder(subject, self.cert.subject, key.public_key(), now)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return key, builder.sign(self.key, hashes.SHA256())

    def server(self, now: dt.datetime, hosts: tuple[str, ...] = ("localhost", "127.0.0.1")) -> Path:
        names: list[x509.GeneralName] = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        key, cert = self._issue(_name(hosts[0]), ExtendedKeyUsageOID.SERVER_AUTH, now, names)
        _write(self.folder / "server-key.pem", _pem_key(key))
        return _write(self.folder / "server.pem", cert.public_bytes(serialization.Encoding.PEM))

    def consumer(self, hsa_id: str | None, now: dt.datetime, name: str | None = None) -> Path:
        """A client certificate whose subject serialNumber is ``hsa_id``. ``hsa_id=None``
        makes one without serialNumber (named ``name``), which NTjP refuses with VP002."""
        if hsa_id is not None and not HSA_ID.match(hsa_id):
            raise ValueError(f"not an HSA-id: {hsa_id!r} (letters, digits, '.', '_', '-')")
        label = hsa_id or name or "no-serial"
        key, cert = self._issue(_name(f"Test consumer {label}", hsa_id), ExtendedKeyUsageOID.CLIENT_AUTH, now)
        folder = self.folder / "consumers"
        _write(folder / f"{label}-key.pem", _pem_key(key))
        _write(
            folder / f"{label}.p12",
            pkcs12.serialize_key_and_certificates(
                label.encode(), key, cert, [self.cert], serialization.BestAvailableEncryption(P12_PASSWORD)
            ),
        )
        return _write(folder / f"{label}.pem", cert.public_bytes(serialization.Encoding.PEM))


def consumer_files(folder: Path, hsa_id: str) -> tuple[str, str]:
    """(certificate, key) paths for requests' ``cert=`` or zeep's transport session."""
    base = Path(folder) / "consumers"
    return str(base / f"{hsa_id}.pem"), str(base / f"{hsa_id}-key.pem")
