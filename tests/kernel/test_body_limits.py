"""kernel.body_limits in front of a real ASGI application: a body over its route's limit is
refused with 413 before the application reads it (declared) or as soon as it passes the
limit (streamed), in the API's JSON shape on API routes; bodies within it pass untouched."""

import json

from kernel.body_limits import BodyLimit, BodyTooLarge

LIMITS = [BodyLimit(r"/api/photo/", 1000, "The photo is too large.", json=True)]
DEFAULT = BodyLimit("", 100, "The body is too large.")


class EchoApp:
    """Reads the whole body as Django's ASGI handler does, then answers with its length."""

    def __init__(self) -> None:
        self.calls = 0
        self.aborted = False

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.aborted = True
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(len(body)).encode()})


async def call(path: str, chunks: list[bytes], *, declared: int | None = None):
    app = EchoApp()
    headers = [] if declared is None else [(b"content-length", str(declared).encode())]
    scope = {"type": "http", "path": path, "headers": headers}
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": number < len(chunks) - 1}
        for number, chunk in enumerate(chunks)
    ]
    read = 0

    async def receive():
        nonlocal read
        read += 1
        return incoming[read - 1] if read <= len(incoming) else {"type": "http.disconnect"}

    sent = []

    async def send(message):
        sent.append(message)

    await BodyTooLarge(app, LIMITS, DEFAULT)(scope, receive, send)
    status = sent[0]["status"]
    headers = dict(sent[0]["headers"])
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return app, status, headers, body, read


async def test_a_declared_length_over_the_limit_is_refused_without_calling_booth():
    app, status, headers, body, read = await call("/api/photo/", [b""], declared=10**9)
    assert (status, app.calls, read) == (413, 0, 0)
    assert headers[b"connection"] == b"close"
    assert headers[b"content-type"] == b"application/json"
    assert json.loads(body) == {"code": "too_large", "detail": "The photo is too large."}


async def test_a_streamed_body_is_cut_off_where_it_passes_the_limit():
    app, status, headers, body, read = await call("/healthz", [b"x" * 60] * 1000)
    assert status == 413
    assert read == 2  # 120 bytes read of 60,000: the rest is never asked for
    assert app.aborted  # Booth was told the client went away, and answered nothing
    assert headers[b"content-type"].startswith(b"text/plain")
    assert body == b"The body is too large.\n"


async def test_bodies_within_their_route_limit_reach_booth_whole():
    _, status, _, body, _ = await call("/api/photo/", [b"x" * 500, b"y" * 500], declared=1000)
    assert (status, body) == (200, b"1000")
    _, status, _, body, _ = await call("/healthz", [b"x" * 100])
    assert (status, body) == (200, b"100")


async def test_websockets_and_other_scopes_pass_through():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    limited = BodyTooLarge(app, LIMITS, DEFAULT)
    await limited({"type": "websocket", "path": "/ws/displays/1/"}, None, None)
    await limited({"type": "lifespan"}, None, None)
    assert seen == ["websocket", "lifespan"]
