"""Pushes reach open walls without waiting for Django's thread for sync code."""

import asyncio
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from displays.models import Display
from tests.displays.test_consumers import TIMEOUT, connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_push_reaches_the_wall_while_a_slow_request_holds_the_sync_thread(booth):
    """Every sync view runs on one thread; a wall's push used to queue a job there first
    (Channels' close_old_connections), so one slow request held up every wall."""
    page = await connected("/ws/displays/1/")
    await page.receive_json_from(timeout=TIMEOUT)  # the state on connect
    display = await Display.objects.aget(number=1)
    release = threading.Event()
    slow_request = asyncio.create_task(sync_to_async(release.wait)(5))  # the sync thread, busy
    await asyncio.sleep(0.1)
    try:
        started = time.monotonic()
        await get_channel_layer().group_send(
            display.group_name, {"type": "display.message", "text": '{"type":"reload"}'}
        )
        assert await page.receive_json_from(timeout=2) == {"type": "reload"}
        assert time.monotonic() - started < 1
        assert not slow_request.done()  # it really was holding the thread meanwhile
    finally:
        release.set()
        await slow_request
        await page.disconnect()
