"""A web process's start and stop, as the pages on its sockets should experience them.

On SIGTERM (a deploy, a restart, docker stop) every open websocket is closed with 1001
"going away" before the server cancels the consumers (booth/uvicorn_server.py, or
booth/daphne_server.py under daphne), so a wall or tablet knows the server left on purpose
and reconnects at once (static/booth/socket.js) to another process, instead of seeing a
dropped connection and backing off. At start-up, presence rows
(DisplayConnection) left by a process that was killed are removed, so the status page
does not count pages nobody holds.
"""

import logging
from datetime import timedelta

from django.utils import timezone

from displays.models import DisplayConnection
from displays.status import silent_after
from kernel.outages import DATABASE_ERRORS

logger = logging.getLogger(__name__)

GOING_AWAY = 1001


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
