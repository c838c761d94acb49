"""A web process stopped with SIGTERM (a deploy, `docker stop`) goes quickly and says why:
open walls get 1001 "going away" (so they reconnect at once) and the process exits within
5 s; presence rows a killed process left behind are gone after the next start."""

import asyncio
import json
import signal
import sqlite3
import time

import pytest
import websockets

from tests import servers

pytestmark = pytest.mark.system


def _start(var, port):
    env = servers.booth_env(var, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    log = var / "serve.log"
    server = servers.start(env, log, "serve", "--port", str(port))
    servers.wait_for_port(port, server, log)
    return server


def _presence_rows(database) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM displays_displayconnection").fetchone()[0]


async def test_sigterm_closes_walls_with_1001_and_exits_within_5_s(tmp_path):
    port = servers.free_port()
    env = servers.booth_env(tmp_path, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    servers.manage(env, "migrate", "-v0")
    servers.manage(env, "seed_demo", "--device-password", "station-pass-123")
    server = _start(tmp_path, port)
    walls = []
    try:
        for number in (1, 2, 3):
            wall = await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/displays/{number}/", origin=f"http://127.0.0.1:{port}"
            )
            assert json.loads(await asyncio.wait_for(wall.recv(), 10))["type"] == "state"
            walls.append(wall)
        # A killed process leaves its pages' presence rows behind.
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        database = tmp_path / "booth.sqlite3"
        with sqlite3.connect(database) as connection:
            (left,) = connection.execute(
                "SELECT count(*) FROM displays_displayconnection"
            ).fetchone()
        assert left == 3
        for wall in walls:
            await wall.close()

        server = _start(tmp_path, port)
        with sqlite3.connect(database) as connection:
            (left,) = connection.execute(
                "SELECT count(*) FROM displays_displayconnection"
            ).fetchone()
        assert left == 0  # removed at start-up

        walls = []
        for number in (1, 2):
            wall = await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/displays/{number}/", origin=f"http://127.0.0.1:{port}"
            )
            await asyncio.wait_for(wall.recv(), 10)
            walls.append(wall)
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        codes = []
        for wall in walls:
            with pytest.raises(websockets.ConnectionClosed):
                while True:
                    await asyncio.wait_for(wall.recv(), 10)
            codes.append(wall.close_code)
        await asyncio.to_thread(server.wait, 15)
        exited = time.monotonic() - started
        print(f"\nSIGTERM → exit {exited:.2f} s, close codes {codes}")
        assert codes == [1001, 1001]
        assert exited < 5
    finally:
        for wall in walls:
            await wall.close()
        servers.stop(server)
