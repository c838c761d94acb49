"""Optional chat notifications (a Slack-compatible incoming webhook) for staff.

"Result ready" and "job failed" messages name the station and its display. They are off
unless BOOTH_CHAT_WEBHOOK_URL is set. A chat service that is slow, down or refusing must
never delay or fail a visitor's job, and a restart must lose no message: so each message
is a django.tasks task (`send_chat_message`, on the persistent database queue) enqueued
after the job's transaction commits. A failed send is tried again later with exponential
backoff, up to BOOTH_CHAT_WEBHOOK_ATTEMPTS, then logged and given up.
"""

import json
import logging
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from experiences.models.photo import Job

logger = logging.getLogger(__name__)


def _where(job: Job) -> str:
    station = job.capture.station
    if station is None:
        return "a removed station"
    return f"{station} → {station.display} (display {station.display.number})"


def _admin_link(job: Job) -> str:
    return settings.PUBLIC_BASE_URL + reverse("admin:experiences_job_change", args=[job.pk])


def result_ready(job: Job) -> None:
    """Tell staff a portrait is ready (or waits for their review)."""
    total = ""
    if job.finished and job.created:
        total = f" in {(job.finished - job.created).total_seconds():.1f} s"
    waiting = " It waits for review before it is shown." if job.awaiting_review else ""
    notify(
        f":frame_with_picture: Portrait ready{total} at {_where(job)}: job {job.pk}.{waiting} "
        f"<{_admin_link(job)}|Open in admin>"
    )


def job_failed(job: Job) -> None:
    """Tell staff a job failed and why, so they can help the visitor at that station."""
    notify(
        f":warning: Job {job.pk} failed at {_where(job)}: {job.error} "
        f"<{_admin_link(job)}|Open in admin>"
    )


def notify(text: str) -> None:
    """Queue a Slack-compatible message once the current transaction commits."""
    if not settings.BOOTH_CHAT_WEBHOOK_URL:
        return
    transaction.on_commit(lambda: send_chat_message.enqueue({"text": text}, 1))


def notify_now(text: str) -> None:
    """Send a message at once, from this process, and queue it only if that fails.

    For alarms about the queue itself ("no worker has polled for N s"): a queued message is
    delivered by a worker, and the workers are what is missing. Called by the scheduler,
    never in a visitor's request (it may wait BOOTH_CHAT_WEBHOOK_TIMEOUT).
    """
    url = settings.BOOTH_CHAT_WEBHOOK_URL
    if not url:
        return
    try:
        send(url, {"text": text}, settings.BOOTH_CHAT_WEBHOOK_TIMEOUT)
    except Exception as error:
        where = urllib.parse.urlsplit(url)
        logger.warning(
            "Chat webhook to %s://%s failed, message queued instead: %s",
            *(where.scheme, where.netloc, error),
        )
        notify(text)


def backoff_seconds(attempt: int) -> float:
    """Seconds before try `attempt + 1`: 5, 10, 20, 40 s… capped at 10 minutes."""
    return min(settings.BOOTH_CHAT_WEBHOOK_BACKOFF_SECONDS * 2 ** (attempt - 1), 600)


@task()
def send_chat_message(payload: dict[str, Any], attempt: int) -> str:
    """Send one chat message; on failure queue the next try later (the URL is read when
    sending, so a webhook changed in the environment applies to messages still queued)."""
    url = settings.BOOTH_CHAT_WEBHOOK_URL
    if not url:
        return "dropped: no webhook configured"
    try:
        send(url, payload, settings.BOOTH_CHAT_WEBHOOK_TIMEOUT)
    except Exception as error:
        # Only scheme and host: a Slack webhook's path is its secret.
        where = urllib.parse.urlsplit(url)
        if attempt >= settings.BOOTH_CHAT_WEBHOOK_ATTEMPTS:
            logger.error(
                "Chat webhook to %s://%s failed %d times, message given up: %s",
                *(where.scheme, where.netloc, attempt, error),
            )
            return "given up"
        delay = backoff_seconds(attempt)
        logger.warning(
            "Chat webhook to %s://%s failed (try %d), trying again in %.0f s: %s",
            *(where.scheme, where.netloc, attempt, delay, error),
        )
        send_chat_message.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
            payload, attempt + 1
        )
        return "retry queued"
    return "sent"


def send(url: str, payload: dict[str, Any], timeout: float) -> None:
    """POST the JSON now; raises on a network error or a non-2xx answer."""
    request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "Booth"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        response.read(1024)
