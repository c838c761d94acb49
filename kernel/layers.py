"""The Channels layer configuration for scaled mode (Redis), kept out of settings.py so the
tests can build the very configuration production uses."""

import asyncio
import contextlib
import time
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer


def redis_channel_layer(url: str, *, socket_timeout: float, prefix: str = "asgi") -> dict[str, Any]:
    """channels_redis on `url`, with a read timeout longer than its blocking receive.

    redis-py 8 times reads out after 5 s by default: exactly channels_redis's 5 s
    blocking receive (BZPOPMIN), so on a busy event loop consumers crashed with "Timeout
    reading from" Redis and their pages stopped getting pushes (bench/fanout.py --redis
    with 1,000 idle pages lost pushes until this was set).
    """
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {"address": url, "socket_timeout": socket_timeout, "socket_connect_timeout": 5}
            ],
            "prefix": prefix,
        },
    }


class FanOutInMemoryChannelLayer(InMemoryChannelLayer):
    """Channels' in-memory layer (embedded mode) without its per-socket overheads.

    With hundreds of open wall pages Channels' layer made a push cost O(sockets²): every
    `receive` (one per socket per push) swept every channel and group for expired messages,
    `group_send` started one task per member, and every member got a deep copy of the
    message. bench/fanout.py with 1,000 idle subscribers measured a refresh reaching the
    walls after a second. Here:

    - one shallow copy of a group message is shared by all members: consumers only read
      messages, and what Booth pushes is already JSON text (displays.services.send_to_display);
    - `group_send` puts it straight into each member's queue, no task per member;
    - expired messages and stale memberships are swept at most every SWEEP_SECONDS, not on
      every receive (a message still expires after `expiry`, give or take that).
    """

    SWEEP_SECONDS = 1.0
    _swept = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept < self.SWEEP_SECONDS:
            return
        self._swept = now
        super()._clean_expired()

    def _queue(self, channel: str) -> asyncio.Queue:
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        assert "__asgi_channel__" not in message
        self.require_valid_channel_name(channel)
        try:
            self._queue(channel).put_nowait((time.time() + self.expiry, dict(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        shared = (time.time() + self.expiry, dict(message))
        for channel in list(self.groups.get(group, ())):
            with contextlib.suppress(asyncio.QueueFull):  # a full socket misses it, as before
                self._queue(channel).put_nowait(shared)
