"""Scaled mode on real services: PostgreSQL, Redis, and web and worker as separate processes.

A capture posted to the web process is processed by a separate `manage.py db_worker`
process and its result reaches a display page connected to the web process through
Redis, which is what lets any process push to any display.
"""

import asyncio
import json
import os
import re
import uuid

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
    """One web process (`serve --no-worker`) and one `db_worker`, on PostgreSQL + Redis."""
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
        env, tmp_path / "worker.log", "db_worker", "--interval", "0.1", "--no-startup-delay"
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
