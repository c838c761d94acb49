"""Hostile websocket clients: foreign origins, oversized and malformed messages, writes to
a read-only socket. One bad client never costs the other pages their pushes."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from booth.asgi import application
from displays.consumers import CLOSE_TOO_BIG
from displays.services import push_state

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 10


def socket(path: str = "/ws/displays/1/", *, origin: bytes | None, host: bytes = b"testserver"):
    headers = [(b"host", host)]
    if origin is not None:
        headers.append((b"origin", origin))
    return WebsocketCommunicator(application, path, headers=headers)


async def opened(path: str = "/ws/displays/1/") -> WebsocketCommunicator:
    """A display page's socket after its initial state."""
    page = socket(path, origin=b"http://testserver")
    connected, _ = await page.connect(timeout=TIMEOUT)
    assert connected
    await page.receive_json_from(timeout=TIMEOUT)
    return page


@pytest.mark.parametrize(
    "origin",
    [b"https://evil.example", b"http://testserver.evil.example", b"null", b"file://"],
)
@pytest.mark.parametrize("path", ["/ws/displays/1/", "/ws/stations/1/", "/ws/commentary/1/"])
async def test_a_page_of_another_site_cannot_open_a_socket(booth, origin, path):
    connected, _ = await socket(path, origin=origin).connect(timeout=TIMEOUT)

    assert not connected


@pytest.mark.parametrize(
    "origin,host",
    [
        (b"http://testserver", b"testserver"),
        (b"http://booth.local:8000", b"booth.local:8000"),
        (b"https://booth.local", b"booth.local:443"),
        (None, b"testserver"),  # no browser: no cookies to ride on
    ],
)
async def test_booths_own_pages_and_non_browser_clients_connect(booth, origin, host):
    page = socket(origin=origin, host=host)

    connected, _ = await page.connect(timeout=TIMEOUT)

    assert connected
    await page.disconnect()


async def test_the_same_origin_on_another_port_is_refused(booth):
    connected, _ = await socket(
        origin=b"http://booth.local:9000", host=b"booth.local:8000"
    ).connect(timeout=TIMEOUT)

    assert not connected


async def test_a_trusted_proxy_origin_is_accepted(booth, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://booth.example.org"]
    page = socket(origin=b"https://booth.example.org", host=b"10.0.0.5:8000")

    connected, _ = await page.connect(timeout=TIMEOUT)

    assert connected
    await page.disconnect()


async def test_a_host_outside_allowed_hosts_is_refused_even_from_its_own_origin(booth, settings):
    settings.ALLOWED_HOSTS = ["booth.example.org"]

    good = socket(origin=b"https://booth.example.org", host=b"booth.example.org")
    bad = socket(origin=b"http://attacker.example", host=b"attacker.example")

    assert (await good.connect(timeout=TIMEOUT))[0]
    assert not (await bad.connect(timeout=TIMEOUT))[0]
    await good.disconnect()


async def test_an_oversized_message_closes_only_its_own_socket(booth, settings):
    settings.BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES = 1024
    bad, other = await opened(), await opened()

    await bad.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * 2000}))

    assert await bad.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": CLOSE_TOO_BIG,
    }
    await database_sync_to_async(push_state)(booth.display)
    assert (await other.receive_json_from(timeout=TIMEOUT))["type"] == "state"
    await other.disconnect()


async def test_an_oversized_binary_frame_is_refused_too(booth, settings):
    settings.BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES = 1024
    bad = await opened()

    await bad.send_to(bytes_data=b"\0" * 2048)

    assert (await bad.receive_output(timeout=TIMEOUT))["code"] == CLOSE_TOO_BIG


async def test_a_message_at_the_limit_is_answered(booth, settings):
    settings.BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES = 1024
    page = await opened()
    message = json.dumps({"type": "ping", "pad": ""})
    message = json.dumps({"type": "ping", "pad": "x" * (1024 - len(message))})
    assert len(message.encode()) == 1024

    await page.send_to(text_data=message)

    assert await page.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    await page.disconnect()


async def test_multibyte_text_counts_in_bytes(booth, settings):
    settings.BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES = 1024
    page = await opened()

    await page.send_to(text_data=json.dumps({"type": "ping", "n": "한" * 400}, ensure_ascii=False))

    assert (await page.receive_output(timeout=TIMEOUT))["code"] == CLOSE_TOO_BIG


MALFORMED = [
    "not json at all",
    "{",
    "[1, 2, 3]",
    '"ping"',
    "null",
    '{"type": 5}',
    '{"type": ["ping"]}',
    '{"type": "unknown-command"}',
    '{"no": "type"}',
    " ",
]


@pytest.mark.parametrize("path", ["/ws/displays/1/", "/ws/commentary/{sports}/"])
async def test_malformed_messages_are_ignored_and_the_other_pages_keep_receiving(booth, path):
    from tests import factories

    sports = await database_sync_to_async(factories.make_sports_experience)(booth.event)
    path = path.format(sports=sports.pk)
    bad, other = await opened(path), await opened(path)

    for message in MALFORMED:
        await bad.send_to(text_data=message)
    await bad.send_to(bytes_data=b"\x00\xff binary")

    assert await bad.receive_nothing(timeout=0.3)
    await bad.send_to(text_data='{"type": "ping"}')
    assert await bad.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}  # still open
    assert await other.receive_nothing(timeout=0.1)
    if path.startswith("/ws/displays/"):
        await database_sync_to_async(push_state)(booth.display)
        assert (await other.receive_json_from(timeout=TIMEOUT))["type"] == "state"
        assert (await bad.receive_json_from(timeout=TIMEOUT))["type"] == "state"
    await bad.disconnect()
    await other.disconnect()


async def test_a_display_socket_cannot_push_to_the_other_pages(booth):
    """The socket is read-only: a message shaped like a push reaches nobody."""
    writer, other = await opened(), await opened()

    forged = {"type": "display.message", "payload": {"type": "state", "result": "pwned"}}
    await writer.send_json_to(forged)
    await writer.send_json_to(forged["payload"])

    assert await other.receive_nothing(timeout=0.3)
    assert await writer.receive_nothing(timeout=0.1)
    await writer.disconnect()
    await other.disconnect()


async def test_a_flooding_page_has_its_extra_messages_dropped(booth, settings):
    settings.BOOTH_WEBSOCKET_MESSAGES_PER_MINUTE = 3
    flood, other = await opened(), await opened()

    for _ in range(6):
        await flood.send_to(text_data='{"type": "ping"}')

    for _ in range(3):
        assert await flood.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    assert await flood.receive_nothing(timeout=0.3)
    await other.send_to(text_data='{"type": "ping"}')
    assert await other.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    await database_sync_to_async(push_state)(booth.display)
    assert (await flood.receive_json_from(timeout=TIMEOUT))["type"] == "state"  # still served
    await flood.disconnect()
    await other.disconnect()
