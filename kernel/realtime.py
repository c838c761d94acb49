"""Sending channel-layer messages from synchronous code, wherever it runs.

In embedded mode the job worker is a thread beside the web server's event loop, and the
in-memory channel layer's queues belong to that loop: a message must be handed to the
loop, not sent from a second loop in the worker thread. `manage.py serve` binds the
server's loop here; everywhere else (views, tests, Redis workers) asgiref's
`async_to_sync` is right.
"""

import asyncio
import logging
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from kernel.outages import Outage, dependency_of

logger = logging.getLogger(__name__)
PUSH_OUTAGE = Outage("Redis (pushes to pages)", logger)

_server_loop: asyncio.AbstractEventLoop | None = None
_loop_thread: int | None = None
SEND_TIMEOUT_SECONDS = 5


def bind_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Called from the server's loop thread once it runs (see `manage.py serve`)."""
    global _server_loop, _loop_thread
    _server_loop, _loop_thread = loop, threading.get_ident()


def group_send(group: str, message: dict[str, Any]) -> bool:
    """Send to a group; return False (and log) instead of raising if it cannot be sent.

    A display that misses a push resyncs on reconnect, so a failed push must never
    fail the job that produced the result.
    """
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        loop = _server_loop
        if loop is not None and loop.is_running() and threading.get_ident() != _loop_thread:
            future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
            future.result(timeout=SEND_TIMEOUT_SECONDS)
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception as exc:
        if dependency_of(exc) == "redis":  # an outage: one line for it, not one per push
            PUSH_OUTAGE.failed(exc)
        else:
            logger.exception("Could not push %s to %s", message.get("type"), group)
        return False
    PUSH_OUTAGE.recovered()
    return True
