"""A self-signed RSA key pair for signing SAML messages (the SP's, made by `advocacy saml-keygen`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def self_signed_pair(common_name: str, *, years: int = 10) -> tuple[bytes, bytes]:
    """(private key PEM, certificate PEM). SAML trusts the certificate as published in metadata, not through
    a CA, so a self-signed one is what identity providers expect."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * years))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def write_pair(folder: Path, common_name: str) -> tuple[Path, Path]:
    """Write sp.key (readable by its owner only) and sp.crt into `folder`; refuses to overwrite a key."""
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / "sp.key", folder / "sp.crt"
    if key_path.exists():
        raise FileExistsError(f"{key_path} exists: move it away to make a new key pair")
    key_pem, cert_pem = self_signed_pair(common_name)
    key_path.touch(mode=0o600)
    key_path.write_bytes(key_pem)
    cert_path.write_bytes(cert_pem)
    return key_path, cert_path
