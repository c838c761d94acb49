"""/healthz and /readyz: what a load balancer sees, including a dependency that is down."""

import os

import httpx
import pytest
import redis
from django.test import Client

from tests import servers

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("BOOTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


def _closed_port_url(scheme: str, path: str = "") -> str:
    return f"{scheme}://127.0.0.1:{servers.free_port()}{path}"


def test_liveness_answers_without_touching_anything():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_when_database_and_local_storage_work(media_root, settings):
    settings.REDIS_URL = ""  # embedded mode: the in-memory channel layer
    response = Client().get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage"}  # no Redis configured
    assert all(check["ok"] for check in body["checks"].values())
    assert not list(media_root.rglob("*.txt"))  # the probe object was deleted


def test_ready_checks_redis_when_channels_use_it(settings):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable: {exc}")
        pytest.skip(f"needs Redis at {REDIS_URL}")
    settings.REDIS_URL = REDIS_URL

    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"]["ok"] is True


def test_not_ready_when_redis_is_down(settings):
    settings.REDIS_URL = _closed_port_url("redis", "/6")

    response = Client().get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"]["ok"] is False
    assert "ConnectionError" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_ready_with_s3_storage(s3_media):
    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["storage"]["ok"] is True
    listing = s3_media.list_objects_v2(Bucket=s3_media.bucket)
    assert listing.get("KeyCount", 0) == 0  # the probe object was deleted


def test_not_ready_when_the_s3_store_is_unreachable(s3_media, settings):
    settings.BOOTH_AWS_MAX_ATTEMPTS = 1
    settings.BOOTH_S3_ENDPOINT_URL = _closed_port_url("http")
    settings.STORAGES = {**settings.STORAGES}  # a new storage with the new endpoint

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False
    assert "EndpointConnectionError" in response.json()["checks"]["storage"]["error"]


@pytest.mark.system
def test_a_web_process_whose_database_is_down_is_not_ready_but_alive(tmp_path):
    port = servers.free_port()
    env = servers.booth_env(
        tmp_path,
        DATABASE_URL=_closed_port_url("postgres", "/booth"),
        REDIS_URL=_closed_port_url("redis", "/6"),
        DB_CONNECT_TIMEOUT="2",
    )
    web = servers.start(env, tmp_path / "web.log", "serve", "--no-worker", "--port", str(port))
    try:
        servers.wait_for_port(port, web, tmp_path / "web.log")
        base = f"http://127.0.0.1:{port}"
        ready = httpx.get(f"{base}/readyz", timeout=20)
        alive = httpx.get(f"{base}/healthz", timeout=20)
    finally:
        servers.stop(web)

    assert alive.status_code == 200
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["database"]["ok"] is False and "OperationalError" in checks["database"]["error"]
    assert checks["redis"]["ok"] is False
    assert checks["storage"]["ok"] is True
