"""The real server refuses an oversized body before reading it, and an oversized websocket
message with 1009: a 300 MB upload, declared or chunked, to the photo API or to /healthz
gets its 413 (or a closed connection) within 2 s while the server grows by at most 32 MB;
a 17 KiB message on a wall's or the commentary's socket is closed with 1009 "Message Too
Big", under the default server (uvicorn) and under daphne."""

import asyncio
import json
import re
import select
import socket
import time

import httpx
import pytest
import websockets

from tests import servers

pytestmark = pytest.mark.system

PASSWORD = "tablet-pass-1234"
HUGE = 300 * 1024 * 1024
BLOCK = b"\0" * (64 * 1024)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    served = servers.ServedDemo(tmp_path_factory.mktemp("bodycap"), PASSWORD, "admin-pass-1234")
    served.start()
    yield served
    served.stop()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def zeros(chunked: bool):
    """The body, generated as it is sent: HUGE zero bytes, as chunks or raw."""
    for _ in range(HUGE // len(BLOCK)):
        yield (b"%x\r\n%s\r\n" % (len(BLOCK), BLOCK)) if chunked else BLOCK
    if chunked:
        yield b"0\r\n\r\n"


def post_huge(port: int, path: str, *, chunked: bool) -> tuple[bytes, float, float]:
    """POST HUGE bytes to `path`, sending until the server answers or closes.

    Returns (what the server answered, seconds until it answered or closed, seconds until
    it had closed the connection after that)."""
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {HUGE}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/octet-stream\r\n{framing}\r\n\r\n"
    )
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(head.encode())
    client.setblocking(False)
    body = zeros(chunked)
    pending = b""
    answer = b""
    started = time.monotonic()
    answered_after = closed_after = None
    try:
        while time.monotonic() - started < 10:
            readable, writable, _ = select.select(
                [client], [] if answered_after else [client], [], 1
            )
            if readable:
                try:
                    data = client.recv(65536)
                except ConnectionResetError:
                    data = b""
                if answered_after is None:
                    answered_after = time.monotonic() - started
                if not data:
                    closed_after = time.monotonic() - started - answered_after
                    break
                answer += data
            if writable:
                pending = pending or next(body, b"")
                if not pending:
                    break
                try:
                    pending = pending[client.send(pending) :]
                except BlockingIOError:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    answered_after = time.monotonic() - started
                    closed_after = 0.0
                    break
    finally:
        client.close()
    assert answered_after is not None, f"no answer to {path} within 10 s"
    return answer, answered_after, closed_after if closed_after is not None else 99.0


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
@pytest.mark.parametrize("path", ["/api/stations/1/captures/", "/healthz"])
def test_a_300_mb_body_is_refused_before_it_is_read(demo, path, chunked):
    pid = demo.process.pid
    httpx.get(f"{demo.url}/healthz", timeout=10)  # warm: the first request loads the views
    before = rss_mb(pid)

    answer, answered_after, closed_after = post_huge(demo.port, path, chunked=chunked)

    grown = rss_mb(pid) - before
    print(
        f"\n{path} {'chunked' if chunked else 'declared'}: answered in {answered_after:.2f} s, "
        f"closed {closed_after:.2f} s later, server grew {grown:.1f} MB: {answer[:40]!r}"
    )
    assert answered_after < 2
    assert closed_after < 1  # the server does not read and discard the other 290 MB
    assert grown < 32
    if answer:  # a closed connection without an answer is also a refusal
        assert answer.startswith(b"HTTP/1.1 413 ")
        head, _, text = answer.partition(b"\r\n\r\n")
        assert b"connection: close" in head.lower()
        if path.startswith("/api/"):
            refusal = json.loads(text)
            assert refusal["code"] == "too_large"
            assert "at most 10.5 MB" in refusal["detail"]
        else:
            assert b"too large" in text
    # Still serving everyone else.
    assert httpx.get(f"{demo.url}/healthz", timeout=10).status_code == 200


def test_bodies_within_the_limits_still_reach_booth(demo):
    response = httpx.post(
        f"{demo.url}/api/stations/1/captures/",
        files={"image": ("photo.jpg", b"\xff\xd8" + b"\0" * (5 * 1024 * 1024), "image/jpeg")},
        timeout=30,
    )
    # A 5 MB photo passes the size limit and reaches the view, which wants a station login.
    assert response.status_code in {401, 403}
    assert response.json()["code"] != "too_large"


def _commentary_experience(url: str) -> str:
    page = httpx.get(f"{url}/displays/commentary/", timeout=10).text
    return re.search(r'data-experience="(\d+)"', page).group(1)


async def _closed_with(url: str, origin: str) -> int | None:
    async with websockets.connect(url, origin=origin, max_size=None) as socket_:
        await asyncio.wait_for(socket_.recv(), 10)  # the page's state
        await socket_.send(json.dumps({"type": "ping", "pad": "x" * (17 * 1024)}))
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(socket_.recv(), 10)
        return socket_.close_code


async def test_a_17_kib_message_closes_the_socket_with_1009(demo):
    host = f"127.0.0.1:{demo.port}"
    experience = await asyncio.to_thread(_commentary_experience, demo.url)
    for path in ("/ws/displays/1/", f"/ws/commentary/{experience}/"):
        assert await _closed_with(f"ws://{host}{path}", f"http://{host}") == 1009, path


@pytest.fixture
def daphne_demo(tmp_path):
    served = servers.ServedDemo(
        tmp_path, PASSWORD, "admin-pass-1234", serve_args=("--server", "daphne")
    )
    served.start()
    yield served
    served.stop()


async def test_daphne_also_closes_an_oversized_message_with_1009(daphne_demo):
    host = f"127.0.0.1:{daphne_demo.port}"
    log = daphne_demo.var / "serve.log"
    for _ in range(50):
        if "Booth is serving" in log.read_text():
            break
        await asyncio.sleep(0.2)
    assert "(daphne)" in log.read_text()
    assert await _closed_with(f"ws://{host}/ws/displays/1/", f"http://{host}") == 1009
