"""Embedded mode's in-memory channel layer with many open pages: every member gets each
push, and a full or dead member costs only its own message."""

import asyncio

from kernel.layers import FanOutInMemoryChannelLayer

MEMBERS = 1000


async def test_every_member_of_a_crowded_group_gets_each_push_once():
    layer = FanOutInMemoryChannelLayer()
    channels = [await layer.new_channel() for _ in range(MEMBERS)]
    for channel in channels:
        await layer.group_add("display.1", channel)

    await layer.group_send("display.1", {"type": "display.message", "text": "first"})
    await layer.group_send("display.1", {"type": "display.message", "text": "second"})

    for channel in channels:
        assert (await layer.receive(channel))["text"] == "first"
        assert (await layer.receive(channel))["text"] == "second"
    assert not layer.channels  # nothing left queued


async def test_a_full_member_misses_the_push_and_the_others_still_get_it():
    layer = FanOutInMemoryChannelLayer(capacity=2)
    stuck, listening = await layer.new_channel(), await layer.new_channel()
    for channel in (stuck, listening):
        await layer.group_add("display.1", channel)
    for n in range(3):
        await layer.group_send("display.1", {"type": "display.message", "text": str(n)})
        if n < 2:
            assert (await layer.receive(listening))["text"] == str(n)

    assert (await layer.receive(listening))["text"] == "2"
    assert [(await layer.receive(stuck))["text"] for _ in range(2)] == ["0", "1"]


async def test_a_member_that_stopped_reading_leaves_the_group_once_its_messages_expire():
    layer = FanOutInMemoryChannelLayer(expiry=0.05)
    layer.SWEEP_SECONDS = 0
    dead, alive = await layer.new_channel(), await layer.new_channel()
    for channel in (dead, alive):
        await layer.group_add("display.1", channel)
    await layer.group_send("display.1", {"type": "display.message", "text": "old"})
    assert (await layer.receive(alive))["text"] == "old"

    await asyncio.sleep(0.1)
    await layer.group_send("display.1", {"type": "display.message", "text": "new"})

    assert list(layer.groups["display.1"]) == [alive]
    assert (await layer.receive(alive))["text"] == "new"
