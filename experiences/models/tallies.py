"""Counters for the event report that outlive erasure and store nothing personal.

A visitor's rows go when they withdraw or their retention ends, yet the client's report
still needs "1,848 visitors". So each countable moment (a capture accepted, a photo
without a face, a result page opened, a download, a job's outcome) adds one to a counter
per event, station and hour: no token, no address, no visitor, just a number.
"""

import atexit
import logging
import threading
import time
from collections import Counter
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from experiences.models.events import Event

logger = logging.getLogger(__name__)


class Tally(models.Model):
    class Kind(models.TextChoices):
        CAPTURE = "capture", _("Capture accepted (one visitor)")
        NO_FACE = "no_face", _("Photo without a face")
        SUCCEEDED = "succeeded", _("Portrait made")
        FAILED = "failed", _("Job failed")
        RESULT_OPEN = "result_open", _("Result page opened")
        DOWNLOAD = "download", _("Portrait downloaded")
        NARRATION = "narration", _("Story narrated")
        EMAIL_SENT = "email_sent", _("Portrait emailed")
        LETTER = "letter", _("Cover letter written")
        LETTER_FALLBACK = "letter_fallback", _("Cover letter written offline after a failure")
        RESUME_PDF = "resume_pdf", _("Résumé PDF downloaded")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tallies")
    # 0 when no station is known (not NULL: SQLite cannot make NULLs equal in the key).
    station_number = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    hour = models.DateTimeField(help_text=_("Start of the hour (UTC) counted."))
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "station_number", "kind", "hour"],
                name="one_tally_per_event_station_kind_hour",
            )
        ]
        verbose_name_plural = "tallies"

    def __str__(self) -> str:
        return (
            f"{self.kind} · station {self.station_number} · {self.hour:%Y-%m-%d %H}h · {self.count}"
        )


def count(
    event_id: int, kind: str, station_number: int, at: datetime | None = None, *, by: int = 1
) -> None:
    """Add to the counter (a race on the first of an hour is settled by the unique key)."""
    hour = (at or timezone.now()).replace(minute=0, second=0, microsecond=0)
    key = {"event_id": event_id, "station_number": station_number, "kind": kind, "hour": hour}
    if Tally.objects.filter(**key).update(count=F("count") + by):
        return
    _, created = Tally.objects.get_or_create(**key, defaults={"count": by})
    if not created:
        Tally.objects.filter(**key).update(count=F("count") + by)


# Counts of cached result pages and downloads wait here, per process, and reach the
# database at most every BOOTH_TALLY_FLUSH_SECONDS (one write per counter, not one per
# request: a crowd of phones opening results would otherwise make every cached page a
# database write). What a killed process held is lost: at most that many seconds of
# opens and downloads, never anything a visitor or staff stored.
_pending: Counter[tuple[int, int, str, datetime]] = Counter()
_pending_lock = threading.Lock()
_last_flush = time.monotonic()


def count_soon(event_id: int, kind: str, station_number: int) -> None:
    """Add one to the counter with the next flush (see above); flush if one is due."""
    global _last_flush
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    with _pending_lock:
        _pending[event_id, station_number, kind, hour] += 1
        due = time.monotonic() - _last_flush >= settings.BOOTH_TALLY_FLUSH_SECONDS
    if due:
        flush()


def flush() -> None:
    """Write the waiting counts (the event report calls this before it reads)."""
    global _last_flush
    with _pending_lock:
        pending = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    for (event_id, station_number, kind, hour), n in pending.items():
        try:
            count(event_id, kind, station_number, hour, by=n)
        except DatabaseError:  # e.g. the event was deleted meanwhile: its counts go with it
            logger.warning("Could not count %s %s for event %s", n, kind, event_id, exc_info=True)


@atexit.register
def _flush_at_exit() -> None:
    """A server stopping normally writes what it still holds."""
    if _pending:
        try:
            flush()
        except Exception:  # the interpreter is going down: never fail its exit
            logger.warning("Could not write the last counts at exit", exc_info=True)
