"""Websocket origin check: a browser may open Booth's sockets only from Booth's own pages.

Channels' AllowedHostsOriginValidator compares the Origin with ALLOWED_HOSTS, which lets
every origin through when ALLOWED_HOSTS is "*" (the embedded default). This check
compares the Origin with the Host the socket was opened on (the display and tablet pages
are served from that same host), and also accepts CSRF_TRUSTED_ORIGINS for set-ups behind
a proxy that rewrites Host. A socket without an Origin header comes from no browser (the
bench, a script), so no other site can be riding a visitor's or tablet's cookies: it passes,
and the consumers' own checks (device account, read-only) apply as to everyone.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def origin_allowed(scope) -> bool:
    """Whether a websocket handshake's Origin (if any) is Booth's own site."""
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    host = (_header(scope, b"host") or "").lower()
    host_name, host_port = split_domain_port(host)
    if not host_name or not validate_host(host_name, settings.ALLOWED_HOSTS):
        return False
    if origin.rstrip("/") in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parts = urlsplit(origin.lower())
    if parts.scheme not in ("http", "https") or not parts.hostname:  # "null", file:, …
        return False
    origin_port = str(parts.port) if parts.port else DEFAULT_PORTS[parts.scheme]
    return parts.hostname == host_name and origin_port == (host_port or DEFAULT_PORTS[parts.scheme])


class SameOriginValidator:
    """ASGI middleware: refuses (closes) a websocket handshake from a foreign origin."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
