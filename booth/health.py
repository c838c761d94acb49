"""Liveness and readiness endpoints for load balancers and orchestrators.

`/healthz` says only that the process answers (restart it if not). `/readyz` checks what a
request needs: the database, Redis when the channel layer uses it, and the media storage
(a tiny probe object written, read back and deleted), and answers 503 with the failing
check named, so a load balancer takes the process out of rotation and an operator sees why.
"""

import time
import uuid
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from experiences.photo.worker_health import worker_health
from kernel.throttling import health_rate_limited

# Seconds before a check of Redis gives up: a readiness probe must answer quickly.
REDIS_TIMEOUT_SECONDS = 2
PROBE_FOLDER = "readyz"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 did not return 1")


def check_redis() -> None:
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def check_storage() -> None:
    content = uuid.uuid4().hex.encode()
    name = default_storage.save(f"{PROBE_FOLDER}/{uuid.uuid4().hex}.txt", ContentFile(content))
    try:
        with default_storage.open(name, "rb") as probe:
            if probe.read() != content:
                raise RuntimeError("the probe object read back differs from what was written")
    finally:
        default_storage.delete(name)


def check_workers() -> None:
    """Where separate workers are expected: one has polled lately, or nothing comes out."""
    health = worker_health()
    if health.workers_missing:
        raise RuntimeError(health.problems[0])


def readiness_checks() -> dict[str, Callable[[], None]]:
    checks = {"database": check_database}
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    checks["storage"] = check_storage
    if settings.BOOTH_EXPECT_WORKERS:
        checks["workers"] = check_workers
    return checks


def run_checks(checks: dict[str, Callable[[], None]]) -> dict[str, dict]:
    """Each check's outcome and time; a failure is reported, never raised."""
    results = {}
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return results


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@health_rate_limited
def readyz(request: HttpRequest) -> JsonResponse:
    results = run_checks(readiness_checks())
    ready = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )
