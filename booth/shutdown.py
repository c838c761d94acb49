"""A web process's start and stop, as the pages on its sockets should experience them.

On SIGTERM (a deploy, a restart, docker stop) every open websocket is closed with 1001
"going away" before daphne cancels the consumers, so a wall or tablet knows the server
left on purpose and reconnects at once (static/booth/socket.js) to another process,
instead of seeing a dropped connection and backing off. At start-up, presence rows
(DisplayConnection) left by a process that was killed are removed, so the status page
does not count pages nobody holds.
"""

import logging
from datetime import timedelta

from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from django.utils import timezone
from twisted.internet import reactor
from twisted.internet.task import deferLater

from displays.models import DisplayConnection
from displays.status import silent_after
from kernel.outages import DATABASE_ERRORS

logger = logging.getLogger(__name__)

GOING_AWAY = 1001
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


def remove_stale_presence(*, all_rows: bool) -> int:
    """Delete presence rows nobody holds: all of them when this is the only web process
    (embedded mode), else those unheard of for a silent period (a killed process's)."""
    rows = DisplayConnection.objects.all()
    if not all_rows:
        rows = rows.filter(last_seen__lt=timezone.now() - silent_after() - timedelta(seconds=1))
    try:
        deleted, _ = rows.delete()
    except DATABASE_ERRORS as exc:  # start anyway: pages get 503 until it is back
        logger.warning("Stale presence rows not removed: the database is unavailable (%s)", exc)
        return 0
    return deleted
