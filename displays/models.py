"""Stations (a tablet's device account) and the LED displays they feed."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from experiences.models.events import Event, Experience
from experiences.models.photo import Asset

MAX_DISPLAYS = 8


class Display(models.Model):
    class Mode(models.TextChoices):
        LIVE = "live", _("Live: newest result")
        DEFAULT = "default", _("Default image")
        PAUSED = "paused", _("Paused: keep what it shows")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="displays")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DISPLAYS)]
    )
    name = models.CharField(max_length=100, blank=True)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.LIVE)
    current_asset = models.ForeignKey(
        Asset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    default_image = models.ImageField(upload_to="defaults/", blank=True)
    commentary_overlay = models.BooleanField(
        default=False,
        help_text=_("Show the live commentary of the event's sports challenge over this wall."),
    )
    sound = models.BooleanField(
        default=False,
        help_text=_(
            "Play each new result's narrated story on this wall (its browser must be allowed "
            "to play sound without a tap: docs/operators.md)."
        ),
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="one_display_number_per_event")
        ]

    def __str__(self) -> str:
        return self.name or f"Display {self.number}"

    def default_image_file(self):
        """The display's own default image, else its station's experience's, else None."""
        if self.default_image:
            return self.default_image
        try:
            experience_image = self.station.experience.default_image
        except Display.station.RelatedObjectDoesNotExist:
            return None
        return experience_image or None

    @property
    def group_name(self) -> str:
        """The channel-layer group every open page of this display listens on."""
        return f"display.{self.pk}"


class Station(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="stations")
    experience = models.ForeignKey(Experience, on_delete=models.PROTECT, related_name="stations")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DISPLAYS)]
    )
    name = models.CharField(max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="station",
        help_text=_("The tablet's device account: it can post captures to this station only."),
    )
    display = models.OneToOneField(Display, on_delete=models.PROTECT, related_name="station")

    class Meta:
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="one_station_number_per_event")
        ]

    def __str__(self) -> str:
        return self.name or f"Station {self.number}"

    @property
    def group_name(self) -> str:
        """The channel-layer group the station's tablet listens on for job outcomes."""
        return f"station.{self.pk}"


class DisplayConnection(models.Model):
    """One open display page, as its web process last heard of it.

    A row per websocket (keyed by its channel name) rather than in-process counters, so
    any web process can tell the truth about every screen. A page refreshes `last_seen`
    with every heartbeat; a row whose page stopped talking (a crashed process cannot
    delete its rows) ages out of the status and is pruned.
    """

    display = models.ForeignKey(Display, on_delete=models.CASCADE, related_name="connections")
    channel_name = models.CharField(max_length=200, unique=True)
    connected_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)
    client_version = models.CharField(max_length=40, blank=True)
    showing = models.CharField(
        max_length=40, blank=True, help_text=_("What the page reports it shows.")
    )
    showing_token = models.CharField(max_length=64, blank=True)
    screen_size = models.CharField(
        max_length=20, blank=True, help_text=_("width×height the page reports, in CSS pixels")
    )
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["display", "-last_seen"]

    def __str__(self) -> str:
        return f"{self.display} page {self.channel_name[-8:]}"


class ControlAction(models.Model):
    """One staff command to the walls (audit trail): who, what, which displays, when."""

    class Kind(models.TextChoices):
        SET_MODE = "set_mode", _("Set mode")
        PUSH_ASSET = "push_asset", _("Push a result")
        REFRESH = "refresh", _("Force refresh")
        RELOAD = "reload", _("Reload page")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    displays = models.JSONField(default=list, help_text=_("Display numbers it was sent to."))
    detail = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    via = models.CharField(max_length=16, blank=True, help_text=_("admin or control page"))
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.displays} by {self.username or '?'}"
