"""A certificate authority of the booth's own, for HTTPS on a venue LAN without internet.

Tablets need a secure context for the camera (`getUserMedia` works only on https:// or
localhost), and a venue LAN has no public name a public CA could certify. So `serve
--https` creates, once, a local CA (in BOOTH_TLS_DIR, by default BOOTH_VAR_DIR/tls/; its
key never leaves the machine) and a server certificate for the names and addresses
tablets use. Staff install the CA certificate on each tablet once (/staff/certificate/
says how); after that every server certificate the CA signs is trusted, including a new
one made when the LAN address changes. Written with `cryptography`, not OpenSSL by hand.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kernel.network import lan_address

CA_NAME = "Booth local CA"
# Apple devices refuse server certificates valid for longer than 398 days.
SERVER_DAYS = 397
CA_DAYS = 3650


@dataclass(frozen=True)
class TLSFiles:
    """Where the CA and the server's certificate and key are."""

    folder: Path

    @property
    def ca_cert(self) -> Path:
        return self.folder / "booth-ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.folder / "booth-ca.key"

    @property
    def server_cert(self) -> Path:
        return self.folder / "server.crt"

    @property
    def server_key(self) -> Path:
        return self.folder / "server.key"


def tls_files(folder: Path) -> TLSFiles:
    return TLSFiles(Path(folder))


def server_names(extra_hosts: list[str]) -> tuple[list[str], list[str]]:
    """(DNS names, IP addresses) the server certificate must cover."""
    hostname = socket.gethostname()
    dns = {"localhost", hostname, f"{hostname}.local"}
    ips = {"127.0.0.1", "::1"}
    for host in extra_hosts:
        if not host or host in {"0.0.0.0", "::"}:  # noqa: S104 - wildcard names, not a bind
            continue
        try:
            ips.add(str(ipaddress.ip_address(host.strip("[]"))))
        except ValueError:
            dns.add(host)
    return sorted(dns), sorted(ips)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def ensure_ca(files: TLSFiles) -> x509.Certificate:
    """The local CA, created the first time only (tablets keep trusting the same one)."""
    if files.ca_cert.exists() and files.ca_key.exists():
        return x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{CA_NAME} ({socket.gethostname()})"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Booth"),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(files.ca_key, _key_pem(key))
    files.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert


def _covers(cert: x509.Certificate, dns: list[str], ips: list[str]) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    have_dns = set(san.get_values_for_type(x509.DNSName))
    have_ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    fresh = cert.not_valid_after_utc - _now() > datetime.timedelta(days=7)
    return fresh and set(dns) <= have_dns and set(ips) <= have_ips


def ensure_server_certificate(files: TLSFiles, hosts: list[str]) -> x509.Certificate:
    """A server certificate for `hosts` (plus localhost and this machine's names), signed by
    the local CA; reused while it still covers them, replaced when the LAN address moves."""
    ca_cert = ensure_ca(files)
    dns, ips = server_names(hosts)
    if files.server_cert.exists() and files.server_key.exists():
        current = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
        if current.issuer == ca_cert.subject and _covers(current, dns, ips):
            return current
    ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(name) for name in dns]
                + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(files.server_key, _key_pem(key))
    files.server_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert


def ca_fingerprint(files: TLSFiles) -> str:
    """SHA-256 fingerprint of the CA certificate, as tablets show it before installing."""
    cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def _escape(value: str) -> str:
    """Twisted endpoint strings separate fields with colons."""
    return value.replace("\\", "\\\\").replace(":", "\\:")


def tls_endpoint(host: str, port: int, files: TLSFiles) -> str:
    """A Twisted endpoint description daphne listens on for HTTPS and WSS."""
    return (
        f"ssl:port={port}:interface={_escape(host)}"
        f":privateKey={_escape(str(files.server_key))}"
        f":certKey={_escape(str(files.server_cert))}"
    )


def lan_address_hosts(listen_host: str) -> list[str]:
    """The addresses tablets may use for a server listening on `listen_host`."""
    hosts = [listen_host]
    if listen_host in {"0.0.0.0", "::", ""}:  # noqa: S104 - wildcard names, not a bind
        address = lan_address()
        if address:
            hosts.append(address)
    return hosts
