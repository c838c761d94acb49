"""Booth's default web server: uvicorn (httptools for HTTP, websockets for sockets).

Chosen over daphne because it reads a request body only as fast as the application asks
for it: past 64 KB unread it stops reading the socket (uvicorn's flow control), so
kernel.body_limits can refuse an oversized upload after at most its limit plus 64 KB,
where daphne reads every body whole before the application sees the request. Its
websockets protocol closes a message over `ws_max_size` with 1009 "Message Too Big",
where daphne's drops the connection. bench/web_servers.py compares them (docs/deployment.md).

What `manage.py serve` needs beyond `uvicorn.run`:
- a callback once the sockets listen, on the server's event loop (embedded workers start
  there and hand their pushes to that loop);
- SIGTERM closes every open websocket with 1001 "going away" (uvicorn's own close is
  1012), so walls reconnect at once (static/booth/socket.js);
- no access log (it would write result links' tokens) and no logging configuration of
  uvicorn's own: Django's LOGGING, with its token masking, stays in charge;
- no proxy headers: Booth decides itself which proxies to believe (BOOTH_TRUSTED_PROXIES).
"""

import signal
from collections.abc import Callable

import uvicorn
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from booth.shutdown import GOING_AWAY
from kernel.tls import TLSFiles

# Seconds a stopping server waits for requests in flight before it cancels them.
GRACEFUL_SECONDS = 3


class GoingAwayWebSockets(WebSocketsSansIOProtocol):
    """uvicorn's websockets protocol, closing with 1001 instead of 1012 at shutdown."""

    def shutdown(self) -> None:
        if self.handshake_complete and self.initial_response is None and not self.close_sent:
            self.stop_keepalive()
            self.queue.put_nowait({"type": "websocket.disconnect", "code": GOING_AWAY})
            self.conn.send_close(GOING_AWAY, "server restarting")
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.close_sent = True
            self.transport.close()
            return
        super().shutdown()


class BoothUvicorn(uvicorn.Server):
    """uvicorn.Server that calls `ready` on its loop once its sockets listen."""

    def __init__(self, config: uvicorn.Config, ready: Callable[[], None]) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self.ready()


def _handled_already(signum, frame) -> None:
    """uvicorn raises the signal that stopped it once more after its graceful shutdown;
    by then the server has stopped, and `serve` stops the job workers and returns."""


def run_uvicorn(
    application,
    *,
    host: str,
    port: int,
    ready: Callable[[], None],
    websocket_max_bytes: int,
    tls: TLSFiles | None = None,
) -> None:
    """Serve `application` until SIGTERM or SIGINT; HTTPS with `tls`."""
    config = uvicorn.Config(
        application,
        host=host,
        port=port,
        http="httptools",
        ws=GoingAwayWebSockets,
        ws_max_size=websocket_max_bytes,
        lifespan="off",
        access_log=False,
        log_config=None,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        ssl_certfile=str(tls.server_cert) if tls else None,
        ssl_keyfile=str(tls.server_key) if tls else None,
    )
    previous = {
        sig: signal.signal(sig, _handled_already) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        BoothUvicorn(config, ready).run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
