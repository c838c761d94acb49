"""The real server (`manage.py serve`): a foreign page's socket is refused at the
handshake, and an oversized message closes that connection with 1009 "Message Too Big"
before any consumer reads it, while other pages stay."""

import asyncio
import json

import pytest
import websockets

from tests import servers

pytestmark = pytest.mark.system


@pytest.fixture
def served(tmp_path):
    port = servers.free_port()
    env = servers.booth_env(tmp_path, BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES="4096")
    servers.manage(env, "migrate", "-v0")
    servers.manage(env, "seed_demo", "--device-password", "tablet-pass-1234")
    web = servers.start(env, tmp_path / "web.log", "serve", "--port", str(port))
    servers.wait_for_port(port, web, tmp_path / "web.log")
    yield f"127.0.0.1:{port}"
    servers.stop(web)


async def test_the_served_sockets_refuse_foreign_pages_and_oversized_messages(served):
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(
            f"ws://{served}/ws/displays/1/", origin="https://evil.example"
        ):
            pass
    assert refused.value.response.status_code == 403

    url, origin = f"ws://{served}/ws/displays/1/", f"http://{served}"
    async with (
        websockets.connect(url, origin=origin) as page,
        websockets.connect(url, origin=origin) as other,
    ):
        for socket in (page, other):
            state = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
            assert state["type"] == "state"

        await page.send(json.dumps({"type": "ping", "pad": "x" * 4000}))  # under 4096 bytes
        assert json.loads(await asyncio.wait_for(page.recv(), timeout=10)) == {"type": "pong"}
        await page.send(json.dumps({"type": "ping", "pad": "x" * 5000}))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(page.recv(), timeout=10)
        assert page.close_code == 1009

        await other.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(other.recv(), timeout=10)) == {"type": "pong"}
