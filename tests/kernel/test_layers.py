"""Scaled mode's Redis channel layer reaches every open page of a crowded display."""

import os
import uuid

import pytest
import redis
from channels.db import database_sync_to_async

from displays import services
from kernel.layers import redis_channel_layer
from tests.displays.test_consumers import TIMEOUT, connected

pytestmark = pytest.mark.django_db(transaction=True)
PAGES = 150  # more than channels_redis's default capacity (100) of one channel


def _redis_url() -> str:
    url = os.environ.get("BOOTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable: {exc}")
        pytest.skip(f"needs Redis (BOOTH_TEST_REDIS_URL): {exc}")
    return url


@pytest.fixture
def redis_layer(settings):
    """Booth's production Redis layer configuration, on a key prefix of its own."""
    url = _redis_url()
    prefix = f"booth-test-{uuid.uuid4().hex[:8]}"
    settings.CHANNEL_LAYERS = {
        "default": redis_channel_layer(url, socket_timeout=30, prefix=prefix)
    }
    yield
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


async def test_a_push_reaches_every_page_of_a_display_with_many_open(booth, redis_layer):
    pages = [await connected("/ws/displays/1/") for _ in range(PAGES)]
    for page in pages:
        assert (await page.receive_json_from(timeout=TIMEOUT))["type"] == "state"
    display = await booth.event.displays.aget(number=1)

    await database_sync_to_async(services.send_to_display)(display, {"type": "reload"})

    for page in pages:
        assert await page.receive_json_from(timeout=TIMEOUT) == {"type": "reload"}
    for page in pages:
        await page.disconnect()
