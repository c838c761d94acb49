"""Consent, result review, and the traces erasure leaves: tombstones and an audit log.

Neither the tombstones nor the audit log hold personal data: a tombstone keeps only a
hash of a result token, the log only counts, the reason and the staff member.
"""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from experiences.models.events import Experience, Player
from experiences.models.photo import Job


class ConsentTextQuerySet(models.QuerySet):
    def current_for(self, experience: Experience, language: str) -> "ConsentText | None":
        """The newest text in the visitor's language, falling back to any language."""
        texts = self.filter(experience=experience).order_by("-created")
        return texts.filter(language=language).first() or texts.first()


class ConsentText(models.Model):
    experience = models.ForeignKey(
        Experience, on_delete=models.CASCADE, related_name="consent_texts"
    )
    version = models.CharField(max_length=32)
    language = models.CharField(max_length=8, default="en")
    body = models.TextField(
        help_text=_("Shown to the visitor. {retention_hours} is replaced by the retention period.")
    )
    created = models.DateTimeField(default=timezone.now)

    objects = ConsentTextQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["experience", "version", "language"], name="one_consent_text_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.experience.name} v{self.version} ({self.language})"

    def rendered(self) -> str:
        return self.body.replace("{retention_hours}", str(self.experience.retention_hours))

    @property
    def in_use(self) -> bool:
        """Visitors agreed to this wording: it must stay as it was (add a new version)."""
        return ConsentRecord.objects.filter(consent_text=self).exists()


class ConsentRecord(models.Model):
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="consents")
    consent_text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    version = models.CharField(max_length=32)
    language = models.CharField(max_length=8)
    accepted_at = models.DateTimeField(default=timezone.now)
    station = models.ForeignKey(
        "displays.Station", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Consent v{self.version} by player {self.player_id}"


class Result(Job):
    """A generated portrait as the moderation queue sees it (the same rows as Job)."""

    class Meta:
        proxy = True
        verbose_name = _("result")
        verbose_name_plural = _("results to moderate")


def token_digest(token: str) -> str:
    """What a tombstone keeps of a result token: enough to recognise it, not to rebuild it."""
    return hashlib.sha256(token.encode()).hexdigest()


class ErasedTokenQuerySet(models.QuerySet):
    def contains(self, token: str) -> bool:
        return self.filter(digest=token_digest(token)).exists()


class ErasedToken(models.Model):
    """A tombstone: this result link existed and was erased, so it answers 410 Gone."""

    digest = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField(default=timezone.now)

    objects = ErasedTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.digest[:12]}…"


class ErasureLog(models.Model):
    """One erasure: how much went, why and on whose order; nothing about the visitor."""

    class Reason(models.TextChoices):
        VISITOR = "visitor", _("Visitor withdrew")
        STAFF = "staff", _("Staff erased")
        RETENTION = "retention", _("Retention period ended")

    created = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    players = models.PositiveIntegerField()
    rows = models.PositiveIntegerField(help_text=_("Database rows deleted, all kinds together."))
    files = models.PositiveIntegerField(help_text=_("Stored files deleted."))
    detail = models.JSONField(
        default=dict, help_text=_("Rows per kind of record and files per kind of file.")
    )
    staff_user_id = models.IntegerField(null=True, blank=True)
    staff_username = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        when = f"{self.created:%Y-%m-%d %H:%M}"
        return f"{self.get_reason_display()}: {self.players} visitor(s) on {when}"
