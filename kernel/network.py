"""Where phones reach this server: the base of every QR code, worked out from how it listens.

An operator runs `manage.py demo --host 0.0.0.0 --port 18080` and expects the QR code on
the wall to open on a phone. A fixed default (`http://localhost:8000`) points a phone at
itself, so unless PUBLIC_BASE_URL is set explicitly the base follows the address and port
the server really listens on; with a wildcard address that is the machine's LAN address.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from urllib.parse import urlsplit

WILDCARDS = {"0.0.0.0", "::", ""}  # noqa: S104 - names of the wildcard, not a bind


def lan_address() -> str | None:
    """The machine's address on the network its default route leaves by, or None.

    Connecting a UDP socket sends no packet; it only makes the kernel pick the outgoing
    interface, whose address is the one phones on the same Wi-Fi can reach. Falls back to
    what the host name resolves to when there is no route at all (a venue LAN without a
    gateway still has addresses on the interface).
    """
    candidates: list[str] = []
    for probe in ("10.255.255.255", "192.168.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                candidates.append(sock.getsockname()[0])
        except OSError:
            continue
    with contextlib.suppress(OSError):
        candidates += socket.gethostbyname_ex(socket.gethostname())[2]
    for address in candidates:
        if not is_loopback(address):
            return address
    return None


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`: addresses a phone resolves to itself."""
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def reachable_base_url(host: str, port: int, scheme: str = "http") -> str:
    """The base URL a browser uses to reach a server listening on `host`:`port`."""
    if host in WILDCARDS:
        host = lan_address() or "localhost"
    default_port = {"http": 80, "https": 443}[scheme]
    suffix = "" if port == default_port else f":{port}"
    return f"{scheme}://{_url_host(host)}{suffix}"


def qr_base_warnings(base_url: str, listen_host: str, listen_port: int) -> list[str]:
    """Sentences for the operator when phones could not open the QR codes' links."""
    warnings = []
    parts = urlsplit(base_url)
    base_host = parts.hostname or ""
    if is_loopback(base_host):
        if listen_host in WILDCARDS:
            warnings.append(
                f"QR codes point at {base_url}, which a phone resolves to itself: "
                "no LAN address was found. Connect this machine to the venue network, or "
                "set PUBLIC_BASE_URL to the address phones reach it at."
            )
        else:
            warnings.append(
                f"QR codes point at {base_url}, which only this machine can open. For "
                "phones, serve with --host 0.0.0.0 (or this machine's LAN address), or set "
                "PUBLIC_BASE_URL to where a proxy makes Booth reachable."
            )
    elif listen_host not in WILDCARDS and is_loopback(listen_host):
        warnings.append(
            f"QR codes point at {base_url}, but this server listens on {listen_host} only: "
            "that works behind a proxy on this machine; otherwise serve with --host 0.0.0.0."
        )
    return warnings
