"""Websocket consumers: display pages (read-only), a station's tablet, staff pages."""

import asyncio
import contextlib
import logging
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from displays import selectors, services, status
from experiences.sports import feed as commentary
from kernel.admin_site import is_verified_staff
from kernel.outages import REDIS_ERRORS, Outage

logger = logging.getLogger(__name__)
# The channel layer (Redis) lost or refused: logged once per outage per process.
LAYER_OUTAGE = Outage("Redis (channel layer)", logger)
LAYER_ERRORS = (*REDIS_ERRORS, OSError)
# How often a socket that lost the layer tries to rejoin its group: a wall gets what was
# published meanwhile within about this long of Redis returning.
REJOIN_SECONDS = 0.5

CLOSE_NOT_FOUND = 4404
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_BIG = 1009  # RFC 6455 "Message Too Big", what daphne itself sends above its limit


def too_big(text_data: str | None, bytes_data: bytes | None) -> bool:
    """Larger than BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES (UTF-8 bytes, as on the wire)."""
    limit = settings.BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES
    if bytes_data is not None and len(bytes_data) > limit:
        return True
    # A str has at most 4 bytes per character: encode only when it might be over.
    return text_data is not None and len(text_data) * 4 > limit and len(text_data.encode()) > limit


class GroupConsumer(AsyncJsonWebsocketConsumer):
    """Joins one group, answers pings, and ignores malformed messages instead of closing.

    Rides out a channel-layer (Redis) outage: a handshake during one is accepted anyway
    (the page gets its state from the database), and a socket whose layer fails stays
    open, showing what it shows, and rejoins its group every REJOIN_SECONDS until Redis
    answers; then `rejoined()` sends what it missed.
    """

    group: str | None = None
    window_start = 0.0
    window_count = 0
    needs_rejoin = False
    # Handlers of pushes from the channel layer that only forward text to the page.
    PUSH_HANDLERS = frozenset({"display_message", "station_message", "commentary_message"})

    async def dispatch(self, message) -> None:
        """Channels runs `close_old_connections` on Django's one thread for sync code before
        every handler, also before a push that only forwards text to the page: with 1,000
        open walls one "refresh all" queued 1,000 such jobs on the thread every sync view
        waits for, and the staff's own request came back last (bench/fanout.py). Pushes
        skip it; everything else (connects, page messages) goes through Channels as before,
        and handlers that use the database do so through database_sync_to_async, which
        closes old connections itself."""
        handler_name = get_handler_name(message)
        if handler_name in self.PUSH_HANDLERS:
            await getattr(self, handler_name)(message)
            return
        await super().dispatch(message)

    async def join(self, group: str) -> None:
        self.group = group
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except LAYER_ERRORS as exc:
            LAYER_OUTAGE.failed(exc)
            self.needs_rejoin = True  # the receive loop keeps trying
        await self.accept()

    # Channels sets `channel_receive` (the layer's receive for this socket) when the
    # consumer starts; it is wrapped here so a layer error does not end the socket.
    @property
    def channel_receive(self):
        return self._receive_through_outages

    @channel_receive.setter
    def channel_receive(self, receive) -> None:
        self._layer_receive = receive

    async def _receive_through_outages(self) -> dict:
        while True:
            if self.needs_rejoin and not await self._rejoin():
                await asyncio.sleep(REJOIN_SECONDS)
                continue
            try:
                return await self._layer_receive()
            except LAYER_ERRORS as exc:
                LAYER_OUTAGE.failed(exc)
                self.needs_rejoin = True
                await asyncio.sleep(REJOIN_SECONDS)

    async def _rejoin(self) -> bool:
        try:
            if self.group is not None:
                # Redis may have restarted empty: the group membership is gone with it.
                await self.channel_layer.group_add(self.group, self.channel_name)
        except LAYER_ERRORS:
            return False
        self.needs_rejoin = False
        LAYER_OUTAGE.recovered()
        await self.rejoined()
        return True

    async def rejoined(self) -> None:
        """Back in the group after an outage: send what was missed (subclasses)."""

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            # With Redis down its group entry expires (or Redis restarted empty).
            with contextlib.suppress(*LAYER_ERRORS):
                await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if too_big(text_data, bytes_data):
            # Only this connection closes; everyone else in the group keeps receiving.
            await self.close(code=CLOSE_TOO_BIG)
            return
        if not text_data:  # binary or empty frames are no message of ours: ignore them
            return
        if self.flooding():
            return
        await super().receive(text_data=text_data, **kwargs)

    def flooding(self) -> bool:
        """More than BOOTH_WEBSOCKET_MESSAGES_PER_MINUTE from this page this minute: the
        rest are dropped unread (pages send a heartbeat every few seconds; each costs a
        database write)."""
        now = time.monotonic()
        if now - self.window_start >= 60:
            self.window_start, self.window_count = now, 0
        self.window_count += 1
        return self.window_count > settings.BOOTH_WEBSOCKET_MESSAGES_PER_MINUTE

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})


class DisplayConsumer(GroupConsumer):
    """Pushes a display's state. On (re)connect the full state comes first, so nothing
    published while the page was away stays missing. Heartbeats and hellos keep the
    page's presence row (displays.status) up to date."""

    display = None

    async def connect(self) -> None:
        number = self.scope["url_route"]["kwargs"]["number"]
        display = await database_sync_to_async(selectors.active_display)(number)
        if display is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.display = display
        await self.join(display.group_name)
        user_agent = dict(self.scope.get("headers", [])).get(b"user-agent", b"")
        await database_sync_to_async(status.page_connected)(
            display, self.channel_name, user_agent.decode("latin-1")
        )
        await self.send_json(await database_sync_to_async(services.full_state)(display))

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if self.display is not None:
            await database_sync_to_async(status.page_disconnected)(self.channel_name)

    async def rejoined(self) -> None:
        """Results published while the layer was down reached the database, not the page."""
        display = await database_sync_to_async(selectors.active_display)(self.display.number)
        if display is not None:  # read afresh: `self.display` is as it was at connect
            self.display = display
            await self.send_json(await database_sync_to_async(services.full_state)(display))

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind in ("ping", "hello"):
            await database_sync_to_async(status.page_seen)(self.channel_name, content)
        if kind == "attract":  # the page starts a round of its attract loop: fresh list
            results = await database_sync_to_async(services.attract_payload)(self.display.event_id)
            await self.send_json({"type": "attract", "results": results})
            return
        await super().receive_json(content, **kwargs)

    async def display_message(self, event) -> None:
        """A push for every page of this display, already JSON (services.send_to_display)."""
        await self.send(text_data=event["text"])


class StationConsumer(GroupConsumer):
    """Tells a station's tablet how its visitors' jobs end. Its device account only."""

    async def connect(self) -> None:
        number = self.scope["url_route"]["kwargs"]["number"]
        station = await database_sync_to_async(selectors.station_of)(self.scope.get("user"))
        if station is None or station.number != number:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.join(station.group_name)

    async def station_message(self, event) -> None:
        await self.send_json(event["payload"])  # one tablet per station: no fan-out


class CommentaryConsumer(GroupConsumer):
    """Live commentary of a sports experience (read-only): the full state on connect, then
    shots, lines and removals as they happen."""

    async def connect(self) -> None:
        experience_id = self.scope["url_route"]["kwargs"]["experience"]
        experience = await database_sync_to_async(commentary.sports_experience)(experience_id)
        if experience is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.join(commentary.group_name(experience.pk))
        await self.send_json(await database_sync_to_async(commentary.commentary_state)(experience))

    async def commentary_message(self, event) -> None:
        """A push for every open commentary page, already JSON (feed._send)."""
        await self.send(text_data=event["text"])


class StaffStatusConsumer(GroupConsumer):
    """Pushes displays.status.snapshot() to staff pages now and every few seconds."""

    pusher: asyncio.Task | None = None

    async def connect(self) -> None:
        staff = await database_sync_to_async(is_verified_staff)(
            self.scope.get("user"), self.scope.get("session"), "displays.view_display"
        )
        if not staff:  # with BOOTH_STAFF_2FA, a password-only session is not staff
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.accept()
        self.pusher = asyncio.create_task(self._push_periodically())

    async def _push_periodically(self) -> None:
        while True:
            await self.send_json(await database_sync_to_async(status.snapshot)())
            await asyncio.sleep(settings.BOOTH_STATUS_PUSH_SECONDS)

    async def disconnect(self, code: int) -> None:
        if self.pusher is not None:
            self.pusher.cancel()
        await super().disconnect(code)
