"""What Booth does while the database or Redis is unreachable: answer 503, log once.

A dependency outage is not a bug in Booth: a request that meets one gets 503 with
Retry-After (the tablet retries by itself), and the log says once that the outage began
and once that it ended, instead of a traceback per request. `Outage` keeps that state per
dependency and per process; the web's 500 handler (booth.errors), the rate limiter
(kernel.throttling) and the workers (booth.resilient_worker) share it.
"""

import logging
import threading
import time

import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger("kernel.outages")

# Seconds a client is told to wait before retrying: a PostgreSQL restart or a Redis
# fail-over takes a few seconds, and the tablet keeps the photo meanwhile.
RETRY_AFTER_SECONDS = 2

DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
REDIS_ERRORS: tuple[type[BaseException], ...] = (redis.ConnectionError, redis.TimeoutError)


def dependency_of(exc: BaseException | None) -> str | None:
    """ "database" or "redis" when `exc` (or what caused it) says that dependency is down."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DATABASE_ERRORS):
            return "database"
        if isinstance(exc, REDIS_ERRORS):
            return "redis"
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


class Outage:
    """One dependency's outage as this process sees it: logged when it starts and ends.

    `failed()` on every failure and `recovered()` on every success are cheap; only the
    first failure after a success, and the first success after a failure, write a line.
    Where no success is reported (web requests), a failure after `quiet_seconds` without
    one counts as a new outage.
    """

    def __init__(self, name: str, log: logging.Logger = logger, quiet_seconds: float = 60) -> None:
        self.name = name
        self.log = log
        self.quiet_seconds = quiet_seconds
        self.since: float | None = None
        self.last_failure = 0.0
        self.failures = 0
        self._lock = threading.Lock()

    @property
    def ongoing(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            new = self.since is None or now - self.last_failure > self.quiet_seconds
            self.last_failure = now
            self.failures += 1
            if not new:
                return
            self.since, self.failures = now, 1
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        self.log.warning(
            "%s unavailable (%s); retrying quietly until it is back", self.name, reason
        )

    def recovered(self) -> None:
        if self.since is None:
            return
        with self._lock:
            if self.since is None:
                return
            seconds, failures = time.monotonic() - self.since, self.failures
            self.since, self.failures = None, 0
        self.log.warning(
            "%s available again after %.1f s (%d failed attempt(s) meanwhile)",
            self.name,
            seconds,
            failures,
        )


# Per-process outages as the web requests see them.
WEB_OUTAGES = {"database": Outage("The database"), "redis": Outage("Redis")}

UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Back in a moment</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Back in a moment</h1>
<p>Booth is briefly unavailable. This page will work again in a few seconds: reload it.</p>
</body></html>
"""


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse | None:
    """503 with Retry-After when `exc` is a dependency outage, else None.

    The API answers JSON with `code: "unavailable"`; pages a plain page that needs neither
    the database nor a template. The outage is logged once, not with each request (Django
    skips its own traceback for a response marked as logged).
    """
    dependency = dependency_of(exc)
    if dependency is None:
        return None
    WEB_OUTAGES[dependency].failed(exc)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "code": "unavailable",
                "detail": "Booth is briefly unavailable (a service it depends on is "
                f"restarting). Nothing was stored: send the same request again in "
                f"{RETRY_AFTER_SECONDS} seconds.",
                "retry_after": RETRY_AFTER_SECONDS,
            },
            status=503,
        )
    else:
        response = HttpResponse(UNAVAILABLE_PAGE, status=503, content_type="text/html")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # django.utils.log.log_response: logged above, once
    return response
