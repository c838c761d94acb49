"""Request bodies refused at their route's limit before they are read, not after.

Django checks sizes (DATA_UPLOAD_MAX_MEMORY_SIZE, the upload views' own limits) only once
the ASGI handler has read the whole body into a spooled file, so on its own a 300 MB POST
to any URL is received in full before it is refused. This ASGI middleware sits in front of
everything HTTP (booth/asgi.py) and

- answers 413 at once when the declared Content-Length is over the route's limit, without
  calling the application or reading a byte of the body;
- counts the bytes of a body without a length (chunked) as the application receives them,
  and answers 413 as soon as they pass the limit; the application is then told the client
  went away (`http.disconnect`), which Django takes as an aborted request.

Either way the answer carries `Connection: close`, so the server closes the connection
after it instead of reading and discarding the rest of the body. What this saves depends on
the server reading the body only as the application asks for it: uvicorn stops reading a
socket once 64 KB wait unread (its flow control), so at most the limit plus 64 KB are read.
Daphne reads every body completely before it calls the application (daphne/http_protocol.py,
`WebRequest.process`: "Get upload body" from `self.content`, Twisted's buffer of the whole
request, then "Run application against request" with the body already in memory), so under
daphne this middleware only spares Django the work, not the server the reading; that is why
`manage.py serve` uses uvicorn by default (docs/deployment.md, "The web server").
"""

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class BodyLimit:
    """The largest body a group of routes accepts, and the sentence a refused client reads.

    `path` is a regular expression matched at the start of the request path; `json` routes
    (the API) are answered in the API's error shape, `{"code": "too_large", "detail": ...}`.
    """

    path: str
    max_bytes: int
    detail: str
    json: bool = False
    _pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", re.compile(self.path))

    def covers(self, path: str) -> bool:
        return self._pattern.match(path) is not None


class BodyTooLarge:
    """ASGI middleware: each HTTP request's body capped at the first matching limit."""

    def __init__(self, app: ASGIApp, limits: Sequence[BodyLimit], default: BodyLimit) -> None:
        self.app = app
        self.limits = tuple(limits)
        self.default = default

    def limit_for(self, path: str) -> BodyLimit:
        return next((limit for limit in self.limits if limit.covers(path)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        if _declared_length(scope) > limit.max_bytes:
            await _refuse(send, limit)
            return
        received = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > limit.max_bytes:
                    refused = True
                    if not started:
                        await _refuse(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused and not started:
                return  # the 413 has been sent; the application's answer has nowhere to go
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0  # the server refuses a malformed length itself
    return 0


async def _refuse(send: Send, limit: BodyLimit) -> None:
    if limit.json:
        body = json.dumps({"code": "too_large", "detail": limit.detail}).encode()
        content_type = b"application/json"
    else:
        body = f"{limit.detail}\n".encode()
        content_type = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                # The server closes the connection instead of reading the rest of the body.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
