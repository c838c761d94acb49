"""Daphne, the optional web server (`serve --server daphne` or BOOTH_WEB_SERVER=daphne).

Kept for deployments that relied on it, with one limit it cannot lift: daphne reads every
request body completely before the application sees the request. Twisted's HTTP channel
buffers the body into `Request.content` and calls `process()` only once all of it has
arrived; daphne's `WebRequest.process` (daphne/http_protocol.py) then passes
`self.content` to the application in `request_buffer_size` chunks ("Run application
against request"). Measured with daphne 4.2: an anonymous 400 MB POST to /healthz was read
whole (the process grew 493 → 671 MB) before the 403; in bench/web_servers.py a 200 MB one
was read whole in 4.9 s (+173 MB) before its 413, where uvicorn refused it at once. So
under daphne the body limits of kernel.body_limits spare Django, not the server; front it
with a proxy that enforces them (docs/deployment.md has nginx and Caddy settings).

Import this module before anything else imports Twisted's reactor: `daphne.server`
installs the asyncio reactor on import.
"""

import logging
from collections.abc import Callable

from daphne.server import Server  # first: installs Twisted's asyncio reactor

from daphne.endpoints import build_endpoint_description_strings  # isort: skip
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import reactor
from twisted.internet.task import deferLater

from booth.shutdown import GOING_AWAY
from kernel.tls import TLSFiles, tls_endpoint

logger = logging.getLogger(__name__)
# Time for the close frames to leave before the reactor stops.
FLUSH_SECONDS = 0.2


def close_websockets_on_shutdown(server: Server) -> None:
    """Register (once the reactor runs) the 1001 close of every socket at shutdown."""

    def close_all():
        sockets = [p for p in list(server.connections) if isinstance(p, WebSocketProtocol)]
        for protocol in sockets:
            if protocol.state == protocol.STATE_OPEN:
                # autobahn's sendClose() allows applications only 1000 and 3000-4999;
                # 1001 is the server's own code, sent as its closing handshake does.
                protocol.sendCloseFrame(
                    code=GOING_AWAY, reasonUtf8=b"server restarting", isReply=False
                )
        if sockets:
            logger.info("Closed %d websocket(s) with 1001 going away", len(sockets))
        return deferLater(reactor, FLUSH_SECONDS, lambda: None)

    reactor.addSystemEventTrigger("before", "shutdown", close_all)


def run_daphne(
    application,
    *,
    host: str,
    port: int,
    ready: Callable[[], None],
    websocket_max_bytes: int,
    tls: TLSFiles | None = None,
) -> None:
    """Serve `application` with daphne until SIGTERM or SIGINT; HTTPS with `tls`."""
    if tls:
        endpoints = [tls_endpoint(host, port, tls)]
    else:
        endpoints = build_endpoint_description_strings(host=host, port=port)
    server: Server

    def started() -> None:
        # autobahn fails a protocol violation, such as a message over the limit, by
        # dropping the connection (the page sees 1006); without failByDrop it first sends
        # the close frame, so the page gets 1009 "Message Too Big" as under uvicorn.
        server.ws_factory.setProtocolOptions(failByDrop=False)
        ready()

    server = Server(
        application=application,
        endpoints=endpoints,
        signal_handlers=True,
        ready_callable=started,
        # A larger message is refused (1009) before any consumer sees it.
        websocket_max_message_size=websocket_max_bytes,
        websocket_max_frame_size=websocket_max_bytes,
    )
    close_websockets_on_shutdown(server)
    server.run()
