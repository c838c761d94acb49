"""Scaled mode riding out its dependencies' outages, on a PostgreSQL and a Redis of its own.

Each test starts its own PostgreSQL cluster (initdb + pg_ctl on a free port, in a temporary
folder) or its own `redis-server` on a free port, so it can stop and restart them without
touching the machine's shared services. Under a steady trickle of uploads from tablets
that retry like static/tablet/tablet.js does (same Idempotency-Key after a 503), it checks
what a visitor and an operator would notice: no upload lost or doubled, no HTTP 500,
workers that carry on after the outage, and a /readyz that tells the truth.

Marked `outage` (besides `system`): run with `pytest -m outage` in the PostgreSQL/Redis
pass. Each test prints, per fault, accepted / failed (status) / lost / recovery seconds.
"""

import asyncio
import collections
import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg2
import pytest
import redis
import websockets

from tests import servers
from tests.photos import face_jpeg

PASSWORD = "station-pass-123"
STATIONS = (1, 2, 3, 4)
pytestmark = [pytest.mark.system, pytest.mark.outage]


def _as_postgres(*command: str) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


@dataclass
class OwnPostgres:
    """A throw-away PostgreSQL cluster: never the machine's shared one on 5432."""

    bin: Path
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", *args),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self._ctl("-o", options, "-l", str(self.data / "server.log"), "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")  # disconnects every client, as a restart does


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not versions or not shutil.which("runuser"):
        pytest.skip("needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)")
    folder = Path(tempfile.mkdtemp(prefix="booth-pg-"))
    data = folder / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(data, "postgres")
    cluster = OwnPostgres(Path(versions[-1]).parent, data, servers.free_port())
    subprocess.run(
        _as_postgres(str(cluster.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"),
        check=True,
        capture_output=True,
        timeout=120,
    )
    cluster.start()
    yield cluster
    subprocess.run(
        _as_postgres(str(cluster.bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
        capture_output=True,
        timeout=60,
    )
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Upload:
    station: int
    key: str
    statuses: list[int] = field(default_factory=list)
    job: int | None = None
    accepted_at: float | None = None


async def _log_in(client: httpx.AsyncClient, username: str) -> str:
    await client.get("/accounts/login/")
    response = await client.post(
        "/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 302, "device login failed"
    return client.cookies["csrftoken"]


async def _upload_with_retries(
    client: httpx.AsyncClient, csrf: str, upload: Upload, give_up_after: float = 60
) -> None:
    """What the tablet does: send, and after a 503 or no answer send the same photo with
    the same Idempotency-Key after Retry-After seconds (at most 1 s here)."""
    deadline = time.monotonic() + give_up_after
    while time.monotonic() < deadline:
        try:
            response = await client.post(
                f"/api/stations/{upload.station}/captures/",
                data={"nickname": f"S{upload.station}", "consent_version": "1"},
                files={"image": ("capture.jpg", face_jpeg(), "image/jpeg")},
                headers={
                    "X-CSRFToken": csrf,
                    "Referer": f"{client.base_url}/tablet/",
                    "Idempotency-Key": upload.key,
                },
                timeout=20,
            )
        except httpx.TransportError:
            upload.statuses.append(0)
            await asyncio.sleep(0.5)
            continue
        upload.statuses.append(response.status_code)
        if response.status_code in (200, 201):
            upload.job = response.json()["job"]
            upload.accepted_at = time.monotonic()
            return
        assert response.status_code == 503, response.text  # never a 500
        assert response.headers["Retry-After"]
        assert response.json()["code"] == "unavailable"
        await asyncio.sleep(min(1.0, float(response.headers["Retry-After"])))


def _query(database_url: str, sql: str, *params) -> list[tuple]:
    with (
        psycopg2.connect(database_url, connect_timeout=3) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
        return cursor.fetchall()


async def _wait_for_published(database: str, jobs: set[int], seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        rows = _query(
            database,
            "SELECT count(*) FROM experiences_job WHERE id = ANY(%s) AND published IS NOT NULL",
            list(jobs),
        )
        if rows[0][0] == len(jobs):
            return time.monotonic()
        await asyncio.sleep(0.2)
    pending = _query(
        database,
        "SELECT id, state FROM experiences_job WHERE id = ANY(%s) AND published IS NULL",
        list(jobs),
    )
    pytest.fail(f"jobs not published within {seconds} s: {pending}")


def _start_worker(env: dict, log: Path, worker_id: str) -> subprocess.Popen:
    return servers.start(
        env,
        log,
        *("booth_worker", "--interval", "0.1", "--no-startup-delay", "--worker-id", worker_id),
    )


def _readyz(host: str) -> tuple[int, dict]:
    response = httpx.get(f"http://{host}/readyz", timeout=30)
    return response.status_code, response.json()


async def test_postgres_outage_under_load(own_postgres, tmp_path):
    """PostgreSQL stops for a few seconds while tablets upload: uploads meanwhile get 503
    and go through on retry, the workers survive and finish every job without a restart,
    and /readyz names missing workers once they are gone."""
    redis_url = os.environ.get("BOOTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    port = servers.free_port()
    host = f"127.0.0.1:{port}"
    env = servers.booth_env(
        tmp_path,
        DATABASE_URL=own_postgres.url,
        REDIS_URL=redis_url,
        PUBLIC_BASE_URL=f"http://{host}",
        BOOTH_WORKER_HEARTBEAT_SECONDS="0.5",
        BOOTH_WORKER_STALE_SECONDS="3",
        BOOTH_SCHEDULER_INTERVAL_SECONDS="1",
        BOOTH_RATE_CAPTURE_DEVICE="",
        BOOTH_RATE_CAPTURE_IP="",
        BOOTH_RATE_HEALTH_IP="",
    )
    servers.manage(env, "migrate", "-v0")
    servers.manage(env, "seed_demo", "--device-password", PASSWORD)
    processes = {
        "web": servers.start(env, tmp_path / "web.log", "serve", "--no-worker", "--port", str(port))
    }
    for name in ("w-a", "w-b"):
        processes[name] = _start_worker(env, tmp_path / f"{name}.log", name)
    processes["scheduler"] = servers.start(env, tmp_path / "scheduler.log", "booth_scheduler")
    try:
        servers.wait_for_port(port, processes["web"], tmp_path / "web.log")
        clients = {n: httpx.AsyncClient(base_url=f"http://{host}", timeout=30) for n in STATIONS}
        csrf = {n: await _log_in(client, f"station{n}") for n, client in clients.items()}
        uploads: list[Upload] = []
        tasks = []
        readyz_during: list[int] = []

        async def trickle(seconds: float) -> None:
            """One capture every 0.5 s, round-robin over the stations."""
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                upload = Upload(STATIONS[len(uploads) % len(STATIONS)], uuid.uuid4().hex)
                uploads.append(upload)
                tasks.append(
                    asyncio.create_task(
                        _upload_with_retries(clients[upload.station], csrf[upload.station], upload)
                    )
                )
                await asyncio.sleep(0.5)

        await trickle(2)
        own_postgres.stop()
        stopped = time.monotonic()
        during_start = len(uploads)
        outage = asyncio.create_task(trickle(4))
        await asyncio.sleep(1)
        readyz_during.append((await asyncio.to_thread(_readyz, host))[0])
        await outage
        during_end = len(uploads)
        own_postgres.start()
        restarted = time.monotonic()
        await trickle(2)
        await asyncio.gather(*tasks)
        for client in clients.values():
            await client.aclose()

        jobs = {upload.job for upload in uploads}
        finished = await _wait_for_published(own_postgres.url, jobs, seconds=120)
        survivors = [name for name in ("w-a", "w-b") if processes[name].poll() is None]
        statuses = collections.Counter(s for upload in uploads for s in upload.statuses)
        during = uploads[during_start:during_end]
        first_after = min(
            upload.accepted_at
            for upload in during
            if upload.accepted_at is not None and upload.accepted_at >= restarted
        )
        rows = _query(own_postgres.url, "SELECT count(*) FROM experiences_job")[0][0]
        print(
            f"\nPostgreSQL outage {restarted - stopped:.1f} s: {len(uploads)} uploads, "
            f"{len(jobs)} accepted, statuses {dict(statuses)}, lost {len(uploads) - len(jobs)}, "
            f"first upload accepted {first_after - restarted:.1f} s after restart, all jobs "
            f"published {finished - restarted:.1f} s after restart, workers alive: {survivors}"
        )
        assert None not in jobs and len(jobs) == len(uploads)  # none lost
        assert rows == len(uploads)  # retries made no second job
        assert 500 not in statuses
        assert any(503 in upload.statuses or 0 in upload.statuses for upload in during)
        assert readyz_during == [503]
        assert survivors == ["w-a", "w-b"]  # no manual restart

        # The workers die for good (no supervisor here): /readyz says so.
        for name in ("w-a", "w-b"):
            processes[name].send_signal(signal.SIGKILL)
            processes[name].wait(timeout=10)
        assert (await asyncio.to_thread(_readyz, host))[0] == 200  # heartbeats still fresh
        await asyncio.sleep(4)
        status, body = await asyncio.to_thread(_readyz, host)
        assert status == 503
        assert body["checks"]["workers"]["ok"] is False
        assert "no worker has polled for" in body["checks"]["workers"]["error"]
        # A supervisor restarts one: ready again.
        processes["w-c"] = _start_worker(env, tmp_path / "w-c.log", "w-c")
        deadline = time.monotonic() + 30
        while (await asyncio.to_thread(_readyz, host))[0] != 200:
            assert time.monotonic() < deadline, "a restarted worker did not make /readyz ready"
            await asyncio.sleep(0.3)
        logs = "".join((tmp_path / f"{name}.log").read_text() for name in ("w-a", "w-b"))
        assert "Traceback" not in logs
        assert logs.count("unavailable (") == 2  # one line per worker per outage
    finally:
        servers.stop(*processes.values())


class OwnRedis:
    """A `redis-server` of the test's own on a free port (never the shared one on 6379)."""

    def __init__(self, folder: Path) -> None:
        self.port = servers.free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path) -> Iterator[OwnRedis]:
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


async def _state(socket, timeout: float = 30) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=timeout))
        if message["type"] == "state":
            return message


async def test_redis_outage_walls_stay_up(own_postgres, own_redis, tmp_path):
    """Redis stops for a few seconds: open walls stay connected and keep their picture,
    handshakes meanwhile succeed (no HTTP 500) with the state from the database, uploads go
    through, and a result made during the outage reaches its wall within 2 s of Redis
    coming back."""
    port = servers.free_port()
    host = f"127.0.0.1:{port}"
    env = servers.booth_env(
        tmp_path,
        DATABASE_URL=own_postgres.url,
        REDIS_URL=own_redis.url,
        PUBLIC_BASE_URL=f"http://{host}",
        BOOTH_RATE_CAPTURE_DEVICE="",
        BOOTH_RATE_CAPTURE_IP="",
    )
    servers.manage(env, "migrate", "-v0")
    servers.manage(env, "seed_demo", "--device-password", PASSWORD)
    web_args = ("serve", "--no-worker", "--port", str(port))
    processes = {
        "web": servers.start(env, tmp_path / "web.log", *web_args),
        "worker": _start_worker(env, tmp_path / "worker.log", "w-a"),
    }
    walls = {}
    try:
        servers.wait_for_port(port, processes["web"], tmp_path / "web.log")
        for number in (1, 2, 3, 4):
            walls[number] = await websockets.connect(
                f"ws://{host}/ws/displays/{number}/", origin=f"http://{host}"
            )
            assert (await _state(walls[number]))["result"] is None
        async with httpx.AsyncClient(base_url=f"http://{host}", timeout=30) as tablet:
            csrf = await _log_in(tablet, "station1")
            before = Upload(1, uuid.uuid4().hex)
            await _upload_with_retries(tablet, csrf, before)
        shown = (await _state(walls[1]))["result"]
        assert shown["nickname"] == "S1"

        own_redis.stop()
        stopped = time.monotonic()
        await asyncio.sleep(1)
        # Open walls stay open (a ping still gets its pong)...
        for socket in walls.values():
            await socket.send(json.dumps({"type": "ping"}))
        for socket in walls.values():
            while json.loads(await asyncio.wait_for(socket.recv(), timeout=10))["type"] != "pong":
                pass
        # ...a handshake during the outage succeeds, with the state from the database...
        late = await websockets.connect(f"ws://{host}/ws/displays/1/", origin=f"http://{host}")
        assert (await _state(late, timeout=10))["result"]["id"] == shown["id"]
        # ...and a visitor at station 3 still gets her photo taken and made.
        async with httpx.AsyncClient(base_url=f"http://{host}", timeout=30) as tablet:
            csrf = await _log_in(tablet, "station3")
            during = Upload(3, uuid.uuid4().hex)
            await _upload_with_retries(tablet, csrf, during)
        assert during.statuses == [201]
        await _wait_for_published(own_postgres.url, {during.job}, seconds=60)
        outage_seconds = time.monotonic() - stopped

        own_redis.start()
        restarted = time.monotonic()
        result = (await _state(walls[3], timeout=10))["result"]
        arrived = time.monotonic() - restarted
        assert result["nickname"] == "S3"
        await late.close()

        web_log = (tmp_path / "web.log").read_text()
        print(
            f"\nRedis outage {outage_seconds:.1f} s: walls open {len(walls)}/{len(walls)}, "
            f"handshake during it ok, upload during it {during.statuses}, result made during "
            f"it on its wall {arrived:.2f} s after Redis returned"
        )
        assert arrived < 2
        assert all(socket.close_code is None for socket in walls.values())
        assert " 500 " not in web_log and "Traceback" not in web_log
    finally:
        for socket in walls.values():
            await socket.close()
        servers.stop(*processes.values())
