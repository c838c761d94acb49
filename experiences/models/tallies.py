"""Counters for the event report that outlive erasure and store nothing personal.

A visitor's rows go when they withdraw or their retention ends, yet the client's report
still needs "1,848 visitors". So each countable moment (a capture accepted, a photo
without a face, a result page opened, a download, a job's outcome) adds one to a counter
per event, station and hour: no token, no address, no visitor, just a number.
"""

from datetime import datetime

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from experiences.models.events import Event


class Tally(models.Model):
    class Kind(models.TextChoices):
        CAPTURE = "capture", _("Capture accepted (one visitor)")
        NO_FACE = "no_face", _("Photo without a face")
        SUCCEEDED = "succeeded", _("Portrait made")
        FAILED = "failed", _("Job failed")
        RESULT_OPEN = "result_open", _("Result page opened")
        DOWNLOAD = "download", _("Portrait downloaded")
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


def count(event_id: int, kind: str, station_number: int, at: datetime | None = None) -> None:
    """Add one to the counter (a race on the first of an hour is settled by the unique key)."""
    hour = (at or timezone.now()).replace(minute=0, second=0, microsecond=0)
    key = {"event_id": event_id, "station_number": station_number, "kind": kind, "hour": hour}
    if Tally.objects.filter(**key).update(count=F("count") + 1):
        return
    _, created = Tally.objects.get_or_create(**key, defaults={"count": 1})
    if not created:
        Tally.objects.filter(**key).update(count=F("count") + 1)
