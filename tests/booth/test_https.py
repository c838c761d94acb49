"""`serve --https` on a LAN without internet: a local CA made once, a server certificate that
chains to it, HTTPS and WSS from daphne, a secure context for the tablet's camera, and a
staff page to install the CA on tablets."""

import base64
import hashlib
import socket
import ssl

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.contrib.auth import get_user_model
from django.urls import reverse

from kernel.tls import ensure_server_certificate, tls_files
from tests import servers
from tests.qrcodes import decode_qr
from tests.test_end_to_end import (
    ADMIN_PASSWORD,
    CHROMIUM,
    PASSWORD,
    _log_in,
    _require_chromium,
)


def test_the_ca_is_made_once_and_a_new_lan_address_gets_a_new_certificate_from_it(tmp_path):
    files = tls_files(tmp_path)
    first = ensure_server_certificate(files, ["192.168.1.20"])
    ca = files.ca_cert.read_bytes()
    assert oct(files.ca_key.stat().st_mode)[-3:] == "600"
    assert ensure_server_certificate(files, ["192.168.1.20"]).serial_number == first.serial_number

    moved = ensure_server_certificate(files, ["10.0.0.7"])
    assert files.ca_cert.read_bytes() == ca  # tablets keep trusting the same CA
    assert moved.serial_number != first.serial_number
    names = moved.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "10.0.0.7" in {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    assert "localhost" in names.get_values_for_type(x509.DNSName)


@pytest.mark.django_db
def test_staff_get_a_qr_code_to_the_ca_and_the_steps_for_android_and_ipados(client, settings):
    settings.PUBLIC_BASE_URL = "https://192.168.1.20:8443"
    client.force_login(
        get_user_model().objects.create_user("crew", password="crew-pass-123", is_staff=True)
    )
    page = client.get(reverse("staff-certificate"))
    assert b"serve --https" in page.content  # no CA yet: says how to get one
    assert client.get(reverse("ca-certificate")).status_code == 404

    ensure_server_certificate(tls_files(settings.BOOTH_TLS_DIR), [])
    page = client.get(reverse("staff-certificate")).content.decode()
    assert "Android" in page and "iPadOS" in page and "Certificate Trust Settings" in page
    qr = page.split('id="ca-qr" src="data:image/png;base64,')[1].split('"')[0]
    assert decode_qr(base64.b64decode(qr)) == "https://192.168.1.20:8443/tls/booth-ca.crt"

    client.logout()  # the certificate itself is public: a tablet downloads it with no login
    download = client.get(reverse("ca-certificate"))
    assert download["Content-Type"] == "application/x-x509-ca-cert"
    assert download.content == tls_files(settings.BOOTH_TLS_DIR).ca_cert.read_bytes()


@pytest.fixture(scope="module")
def https_demo(tmp_path_factory):
    demo = servers.ServedDemo(
        tmp_path_factory.mktemp("booth-https"),
        PASSWORD,
        ADMIN_PASSWORD,
        set_public_base_url=False,
        serve_args=("--https",),
    )
    demo.start()
    yield demo
    demo.stop()


@pytest.mark.system
def test_serve_https_answers_tls_with_a_certificate_chaining_to_the_local_ca(https_demo):
    ca = https_demo.var / "tls" / "booth-ca.crt"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies names and chains
    context.load_verify_locations(cafile=str(ca))  # the only trust root
    with (
        socket.create_connection(("127.0.0.1", https_demo.port)) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        assert tls.version() in {"TLSv1.2", "TLSv1.3"}
        tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        assert tls.recv(4096).startswith(b"HTTP/1.1 200")
    answer = httpx.get(f"https://127.0.0.1:{https_demo.port}/", verify=context)
    assert answer.status_code == 200
    assert "QR codes and links point at https://" in (https_demo.var / "serve.log").read_text()

    # A client that does not trust the CA is refused.
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"https://127.0.0.1:{https_demo.port}/", verify=True)


def _spki_hash(cert_path) -> str:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.mark.browser
@pytest.mark.system
def test_the_tablet_page_has_a_secure_context_and_its_socket_over_wss(https_demo):
    """Chromium trusts the booth's certificate by its key's hash (Debian's chromium matches
    the flag against the server's own key, not the CA's; the chain to the CA is checked
    above): the tablet page is a secure context, so the camera may be used."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    ca_hash = _spki_hash(https_demo.var / "tls" / "server.crt")
    base = f"https://localhost:{https_demo.port}"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                f"--ignore-certificate-errors-spki-list={ca_hash}",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                "--no-sandbox",
                "--disable-gpu",
            ],
        )
        try:
            page = chromium.new_page()
            _log_in(page, base, "station1")
            assert page.evaluate("window.isSecureContext") is True
            assert page.evaluate("typeof navigator.mediaDevices?.getUserMedia") == "function"
            # The wall's socket goes over WSS on the same port.
            wall = chromium.new_page()
            wall.goto(f"{base}/displays/1/")
            wall.wait_for_selector("#connection[data-connected=true]", state="attached")
        finally:
            chromium.close()
