"""Sports experiences: integrations, shots, commentary, leaderboard resets, replays."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from experiences.models.events import Event, Experience, Player, PublicLink
from experiences.models.photo import Job


def token_hash(token: str) -> str:
    """What is stored of an integration token: its SHA-256, so a database dump reveals none."""
    return hashlib.sha256(token.encode()).hexdigest()


class Integration(models.Model):
    """An outside system (the free-kick sensor and camera) allowed to post to Booth's API.

    It is not a user: its bearer token reaches only the APIs its scopes name, and a staff or
    device login cannot post in its place. The token is shown once, when it is issued.
    """

    class Scope(models.TextChoices):
        SHOTS = "shots", _("Post shots")
        CLIPS = "clips", _("Upload kick-camera clips")

    name = models.CharField(max_length=100)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="integrations")
    scopes = models.JSONField(default=list, help_text=_('What it may do, e.g. ["shots"].'))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(
        max_length=12, editable=False, help_text=_("The token's first characters, to recognise it.")
    )
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.event})"

    def issue_token(self) -> str:
        """A new 256-bit token for this integration (the old one stops working); returned
        once, never stored."""
        token = "booth_" + secrets.token_urlsafe(32)
        self.token_hash = token_hash(token)
        self.token_prefix = token[:12]
        return token

    def allows(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes


class Shot(models.Model):
    """One shot as the sensor measured it; speed stays in m/s as sent, shown in km/h."""

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="shots")
    integration = models.ForeignKey(
        Integration, on_delete=models.SET_NULL, null=True, related_name="shots"
    )
    client_event_id = models.CharField(max_length=64)
    speed_mps = models.FloatField(help_text=_("Ball speed in metres per second (the sensor's)."))
    distance_m = models.FloatField(help_text=_("Shot distance in metres."))
    goal = models.BooleanField()
    shots_done = models.PositiveIntegerField(help_text=_("The sensor's count of shots so far."))
    sensor_ranking = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The sensor's own ranking; Booth computes its own.")
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "client_event_id"], name="one_shot_per_client_event"
            )
        ]
        indexes = [models.Index(fields=["player", "-speed_mps", "received_at"])]

    def __str__(self) -> str:
        return f"{self.player} {self.speed_kmh} km/h"

    @property
    def speed_kmh(self) -> float:
        return kmh(self.speed_mps)


def kmh(speed_mps: float) -> float:
    return round(speed_mps * 3.6, 1)


class CommentaryLine(models.Model):
    """One sentence of live commentary about a shot, as shown on the commentary pages."""

    shot = models.ForeignKey(Shot, on_delete=models.CASCADE, related_name="commentary")
    text = models.TextField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    backend = models.CharField(max_length=64, help_text=_("Which commentator wrote it."))
    template_key = models.CharField(
        max_length=64, blank=True, help_text=_("The local template used, so it is not repeated.")
    )
    hidden = models.BooleanField(default=False, help_text=_("Hidden lines leave every page."))
    edited = models.BooleanField(default=False, editable=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]


class LeaderboardReset(models.Model):
    """A fresh leaderboard for an experience: shots before `at` stop counting (and stay)."""

    experience = models.ForeignKey(
        Experience, on_delete=models.CASCADE, related_name="leaderboard_resets"
    )
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        get_latest_by = "at"

    def __str__(self) -> str:
        return f"{self.experience}: {self.at:%Y-%m-%d %H:%M}"


class Replay(PublicLink):
    """A kick-camera clip and the slow-motion replay made from it (free-kick experience)."""

    State = Job.State  # the same life cycle as a photo job

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="replays")
    shot = models.OneToOneField(
        Shot, on_delete=models.CASCADE, null=True, blank=True, related_name="replay"
    )
    clip = models.FileField(upload_to="clips/")
    clip_seconds = models.FloatField(default=0)
    factor = models.PositiveSmallIntegerField(default=3)
    slow_motion = models.FileField(upload_to="replays/", blank=True)
    side_by_side = models.FileField(upload_to="replays/", blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.FloatField(default=0, help_text=_("Fraction of the work done, 0 to 1."))
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text=_("Seconds per stage."))
    backend = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(default=timezone.now)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Replay {self.pk} of {self.player} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("replay", args=[self.token])

    @property
    def ready(self) -> bool:
        return self.state == self.State.SUCCEEDED


class WorkerHeartbeat(models.Model):
    """A task worker's sign of life, written as it polls the queue (booth.resilient_worker).

    /readyz, the status page and the chat webhook read it to say "no worker has polled for
    N s" when the workers are gone, instead of a healthy-looking booth that makes nothing.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started = models.DateTimeField(default=timezone.now)
    last_poll = models.DateTimeField(default=timezone.now, db_index=True)
    current_task = models.CharField(
        max_length=64, blank=True, help_text=_("The task it runs now (its job's task id).")
    )

    def __str__(self) -> str:
        return f"Worker {self.worker_id} on {self.host}"
