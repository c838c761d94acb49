"""Scaled mode on real services: PostgreSQL, Redis, and web and worker as separate processes.

A capture posted to a web process is processed by a separate `manage.py booth_worker`
process and its result reaches a display page connected to a web process through Redis,
which is what lets any process push to any display. The cluster test runs two web
processes, two workers and the scheduler, and SIGKILLs the worker running a job in the
middle of storing its result (the test-only BOOTH_TEST_STAGE_DELAYS makes that stage
last long enough): the job must still finish exactly once.
"""

import asyncio
import json
import os
import re
import signal
import time
import uuid
from pathlib import Path

import httpx
import psycopg2
import pytest
import redis
import websockets

from tests import servers
from tests.photos import face_jpeg

PASSWORD = "station-pass-123"
pytestmark = pytest.mark.system


def _reachable_services() -> tuple[str, str]:
    database = os.environ.get(
        "BOOTH_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
    )
    redis_url = os.environ.get("BOOTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        psycopg2.connect(database, connect_timeout=3).close()
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except (psycopg2.OperationalError, redis.RedisError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL or Redis is not reachable: {exc}")
        pytest.skip(f"needs PostgreSQL and Redis (BOOTH_TEST_DATABASE_URL/REDIS_URL): {exc}")
    return database, redis_url


@pytest.fixture
def fresh_postgres():
    """A new, empty PostgreSQL database, dropped afterwards; yields its URL."""
    admin_url, _ = _reachable_services()
    name = f"booth_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(admin_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield re.sub(r"/[^/]*$", f"/{name}", admin_url)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def scaled_booth(fresh_postgres, tmp_path):
    """One web process (`serve --no-worker`) and one `booth_worker`, on PostgreSQL + Redis."""
    _, redis_url = _reachable_services()
    port = servers.free_port()
    env = servers.booth_env(
        tmp_path,
        DATABASE_URL=fresh_postgres,
        REDIS_URL=redis_url,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )
    servers.manage(env, "migrate", "-v0")
    servers.manage(env, "seed_demo", "--device-password", PASSWORD)
    web = servers.start(env, tmp_path / "web.log", "serve", "--no-worker", "--port", str(port))
    worker = servers.start(
        env, tmp_path / "worker.log", "booth_worker", "--interval", "0.1", "--no-startup-delay"
    )
    servers.wait_for_port(port, web, tmp_path / "web.log")
    yield f"127.0.0.1:{port}", fresh_postgres
    servers.stop(web, worker)


async def _log_in(client: httpx.AsyncClient, username: str) -> str:
    await client.get("/accounts/login/")
    token = client.cookies["csrftoken"]
    response = await client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, "device login failed"
    return client.cookies["csrftoken"]


async def _next_result(socket) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=30))
        if message["type"] == "state" and message["result"]:
            return message["result"]


async def test_capture_reaches_display_through_separate_worker_and_redis(scaled_booth):
    host, database_url = scaled_booth
    async with websockets.connect(
        f"ws://{host}/ws/displays/3/", origin=f"http://{host}"
    ) as display:
        first = json.loads(await asyncio.wait_for(display.recv(), timeout=10))
        assert first["type"] == "state" and first["result"] is None
        async with httpx.AsyncClient(base_url=f"http://{host}") as tablet:
            csrf = await _log_in(tablet, "station3")
            response = await tablet.post(
                "/api/stations/3/captures/",
                data={"nickname": "Grace", "consent_version": "1"},
                files={"image": ("capture.jpg", face_jpeg(), "image/jpeg")},
                headers={"X-CSRFToken": csrf, "Referer": f"http://{host}/tablet/"},
            )
            assert response.status_code == 201, response.text
        result = await _next_result(display)
    assert result["nickname"] == "Grace"
    assert "Grace" in result["story"]

    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT state, attempts FROM experiences_job")
        assert cursor.fetchall() == [("succeeded", 1)]
        cursor.execute("SELECT worker_ids FROM django_tasks_database_dbtaskresult")
        (worker_ids,) = cursor.fetchone()
        assert worker_ids and not worker_ids[0].startswith("embedded-")


# The worker sleeps this long at the end of the "store" stage, with the portrait and QR
# files written and their rows not yet committed: the window in which it is killed.
STORE_DELAY_SECONDS = 4
LEASE_SECONDS = 3  # renewed every second: margin for a busy CI machine


@pytest.fixture
def scaled_cluster(fresh_postgres, tmp_path):
    """Web A and web B (`serve --no-worker`), workers w-a and w-b, and the scheduler."""
    _, redis_url = _reachable_services()
    ports = {"a": servers.free_port(), "b": servers.free_port()}
    env = servers.booth_env(
        tmp_path,
        DATABASE_URL=fresh_postgres,
        REDIS_URL=redis_url,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{ports['a']}",
        BOOTH_TEST_STAGE_DELAYS=f"store={STORE_DELAY_SECONDS}",
        BOOTH_JOB_LEASE_SECONDS=str(LEASE_SECONDS),
        BOOTH_SCHEDULER_INTERVAL_SECONDS="0.5",
    )
    servers.manage(env, "migrate", "-v0")
    servers.manage(env, "seed_demo", "--device-password", PASSWORD)
    processes = {}
    for name, port in ports.items():
        processes[f"web-{name}"] = servers.start(
            env, tmp_path / f"web-{name}.log", "serve", "--no-worker", "--port", str(port)
        )
    for name in ("w-a", "w-b"):
        processes[name] = servers.start(
            env,
            tmp_path / f"{name}.log",
            *("booth_worker", "--interval", "0.1", "--no-startup-delay", "--worker-id", name),
        )
    processes["scheduler"] = servers.start(env, tmp_path / "scheduler.log", "booth_scheduler")
    for name, port in ports.items():
        # Five processes start at once: on a busy 2-core machine that takes more than 30 s.
        servers.wait_for_port(
            port, processes[f"web-{name}"], tmp_path / f"web-{name}.log", seconds=90
        )
    yield {
        "a": f"127.0.0.1:{ports['a']}",
        "b": f"127.0.0.1:{ports['b']}",
        "database": fresh_postgres,
        "media": tmp_path / "media",
        "processes": processes,
    }
    servers.stop(*processes.values())


def _query(database_url: str, sql: str, *params) -> list[tuple]:
    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


async def _wait_for_files(folder: Path, count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if folder.is_dir() and len(list(folder.iterdir())) >= count:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"the worker did not write {count} files into {folder} in {seconds} s")


async def _results_until(socket, portrait: int, quiet_seconds: float) -> list[dict]:
    """Every result the display receives until `token` arrived and then `quiet_seconds`
    passed without another message (so a duplicate push would be seen)."""
    results, seen = [], False
    while True:
        try:
            raw = await asyncio.wait_for(socket.recv(), timeout=quiet_seconds if seen else 90)
        except TimeoutError:
            if seen:
                return results
            pytest.fail("the result never reached the display")
        message = json.loads(raw)
        if message["type"] == "state" and message["result"]:
            results.append(message["result"])
            seen = seen or message["result"]["id"] == portrait


async def test_two_webs_two_workers_and_a_worker_killed_mid_job(scaled_cluster):
    """Ada's job is cut off by a SIGKILL and rescued after its lease; meanwhile Bea, who
    came after her, gets her portrait on the wall. Ada's late result must reach her tablet
    but not push Bea's newer one off the wall (newest wins)."""
    web_a, web_b, database = scaled_cluster["a"], scaled_cluster["b"], scaled_cluster["database"]
    async with websockets.connect(
        f"ws://{web_b}/ws/displays/3/", origin=f"http://{web_b}"
    ) as display:
        first = json.loads(await asyncio.wait_for(display.recv(), timeout=10))
        assert first["type"] == "state" and first["result"] is None
        async with httpx.AsyncClient(base_url=f"http://{web_a}") as tablet:
            csrf = await _log_in(tablet, "station3")

            async def capture(nickname: str) -> int:
                response = await tablet.post(
                    "/api/stations/3/captures/",
                    data={"nickname": nickname, "consent_version": "1"},
                    files={"image": ("capture.jpg", face_jpeg(), "image/jpeg")},
                    headers={"X-CSRFToken": csrf, "Referer": f"http://{web_a}/tablet/"},
                )
                assert response.status_code == 201, response.text
                return response.json()["job"]

            job_id = await capture("Ada")

            # The worker has written the portrait and the QR code and sleeps before commit.
            await _wait_for_files(scaled_cluster["media"] / "assets" / str(job_id), 2)
            [(worker_ids,)] = _query(
                database, "SELECT worker_ids FROM django_tasks_database_dbtaskresult"
            )
            victim = scaled_cluster["processes"][worker_ids[-1]]
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
            newer_id = await capture("Bea")  # taken after Ada's photo

            [(newer_state, _, newer_portrait)] = await _wait_for_job(database, newer_id)
            [(state, attempts, portrait)] = await _wait_for_job(database, job_id)
            results = await _results_until(display, newer_portrait, quiet_seconds=3)
            ada_outcome = (await tablet.get(f"/api/jobs/{job_id}/")).json()

    assert state == "succeeded" and attempts == 2 and newer_state == "succeeded"
    # Bea's result reached the wall once; Ada's late one never replaced it.
    assert [result["id"] for result in results] == [newer_portrait]
    assert results[0]["nickname"] == "Bea"
    [(shown,)] = _query(database, "SELECT current_asset_id FROM displays_display WHERE number = 3")
    assert shown == newer_portrait
    assert ada_outcome["result"]["id"] == portrait  # Ada's tablet still gets hers
    [(token,)] = _query(database, "SELECT token FROM experiences_asset WHERE id = %s", portrait)
    async with httpx.AsyncClient(base_url=f"http://{web_b}") as phone:
        assert (await phone.get(f"/r/{token}/")).status_code == 200  # and her QR page
    assert _query(
        database,
        "SELECT kind FROM experiences_asset WHERE job_id = %s ORDER BY kind",
        job_id,
    ) == [("portrait",), ("qr",)]
    stored = sorted(p.name for p in (scaled_cluster["media"] / "assets" / str(job_id)).iterdir())
    assert len(stored) == 2  # the killed attempt's files were deleted
    tasks = dict(
        _query(
            database,
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE args_kwargs->'args'->>0 = %s",
            str(job_id),
        )
    )
    assert set(tasks) == {"FAILED", "SUCCESSFUL"}
    assert tasks["FAILED"] == worker_ids  # the killed worker's task, marked by the scheduler
    assert tasks["SUCCESSFUL"] != worker_ids  # the job was finished by the other worker


async def _wait_for_job(database: str, job_id: int, seconds: float = 90) -> list[tuple]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = _query(
            database,
            "SELECT j.state, j.attempts, a.id FROM experiences_job j "
            "JOIN experiences_asset a ON a.job_id = j.id AND a.kind = 'portrait' "
            "WHERE j.id = %s AND j.published IS NOT NULL",
            job_id,
        )
        if rows:
            return rows
        await asyncio.sleep(0.2)
    pytest.fail(f"job {job_id} was not published within {seconds} s")
