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
    return group_send_many([(group, message)]) == 1


def group_send_many(messages: list[tuple[str, dict[str, Any]]]) -> int:
    """Send each (group, message); return how many were sent. Never raises (see group_send).

    All of them go in one hand-over to the server's loop (or one `async_to_sync`), not one
    each: from a request's thread every hand-over waits for the loop, which under a crowd
    of sockets is busy, so "refresh all displays" paid that wait eight times.
    """
    layer = get_channel_layer()
    if layer is None or not messages:
        return 0

    async def send_all() -> int:
        sent = 0
        for group, message in messages:
            try:
                await layer.group_send(group, message)
            except Exception as exc:
                _failed(exc, group, message)
            else:
                sent += 1
        return sent

    try:
        loop = _server_loop
        if loop is not None and loop.is_running() and threading.get_ident() != _loop_thread:
            future = asyncio.run_coroutine_threadsafe(send_all(), loop)
            sent = future.result(timeout=SEND_TIMEOUT_SECONDS)
        else:
            sent = async_to_sync(send_all)()
    except Exception as exc:
        _failed(exc, *messages[0])
        return 0
    if sent:
        PUSH_OUTAGE.recovered()
    return sent


def _failed(exc: Exception, group: str, message: dict[str, Any]) -> None:
    if dependency_of(exc) == "redis":  # an outage: one line for it, not one per push
        PUSH_OUTAGE.failed(exc)
    else:
        logger.exception("Could not push %s to %s", message.get("type"), group, exc_info=exc)
