"""Optional chat notifications (a Slack-compatible incoming webhook) for staff.

"Result ready" and "job failed" messages name the station and its display. They are off
unless BOOTH_CHAT_WEBHOOK_URL is set. A chat service that is slow, down or refusing must
never delay or fail a visitor's job, so messages are handed (after the job's transaction
commits) to one background sender thread with a bounded queue and a short timeout;
failures are logged, and when the queue is full a message is dropped, not waited for.
"""

import json
import logging
import queue
import threading
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from experiences.models.photo import Job

logger = logging.getLogger(__name__)

QUEUE_SIZE = 200
_outbox: queue.Queue[tuple[str, dict[str, Any], float]] = queue.Queue(maxsize=QUEUE_SIZE)
_sender: threading.Thread | None = None
_sender_lock = threading.Lock()


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
    url = settings.BOOTH_CHAT_WEBHOOK_URL
    if not url:
        return
    payload = {"text": text}
    timeout = settings.BOOTH_CHAT_WEBHOOK_TIMEOUT
    transaction.on_commit(lambda: _enqueue(url, payload, timeout))


def _enqueue(url: str, payload: dict[str, Any], timeout: float) -> None:
    _ensure_sender()
    try:
        _outbox.put_nowait((url, payload, timeout))
    except queue.Full:
        logger.warning("Chat webhook queue is full: message dropped (%s)", payload["text"][:80])


def _ensure_sender() -> None:
    global _sender
    with _sender_lock:
        if _sender is None or not _sender.is_alive():
            _sender = threading.Thread(target=_send_forever, name="booth-webhook", daemon=True)
            _sender.start()


def _send_forever() -> None:
    while True:
        url, payload, timeout = _outbox.get()
        try:
            send(url, payload, timeout)
        except Exception as error:
            # Only scheme and host: a Slack webhook's path is its secret.
            where = urllib.parse.urlsplit(url)
            logger.error("Chat webhook to %s://%s failed: %s", where.scheme, where.netloc, error)
        finally:
            _outbox.task_done()


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
