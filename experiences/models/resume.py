"""The résumé experience's rows: the company library and a visitor's cover letter."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from experiences.models.events import Player


class Company(models.Model):
    """A company of the library: who it hires, in one language.

    The text ("people we hire") and keywords are matched against the visitor's MBTI traits
    by the database's own full-text search (experiences/resume/matching.py); the FTS5 table
    (SQLite) or the GIN index (PostgreSQL) is kept by migration 0013_resume.
    """

    name = models.CharField(max_length=200)
    logo = models.ImageField(upload_to="companies/", blank=True)
    profile = models.TextField(
        help_text=_(
            "“People we hire”: the company's own description of whom it looks for. "
            "The cover letter is written from it."
        )
    )
    keywords = models.CharField(
        max_length=500,
        blank=True,
        help_text=_(
            "Trait words separated by spaces or commas (teamwork, analysis, 협업, 분석…); "
            "they weigh more than the text when matching visitors' MBTI traits."
        ),
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    is_active = models.BooleanField(default=True, help_text=_("Offered to visitors."))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="company_name_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class CoverLetter(models.Model):
    """A visitor's cover letter: personal, erased with the visitor (CASCADE from Player).

    Only what the letter needs is kept: the MBTI type the visitor chose (or none), the
    company, the language and the sections as written. The PDF made from these is one of
    the job's assets, erased with them.
    """

    player = models.OneToOneField(Player, on_delete=models.CASCADE, related_name="cover_letter")
    mbti = models.CharField(max_length=4, blank=True)
    company = models.ForeignKey(Company, on_delete=models.SET_NULL, null=True, blank=True)
    company_name = models.CharField(
        max_length=200, help_text=_("Kept if the company leaves the library.")
    )
    language = models.CharField(max_length=8, default="en")
    sections = models.JSONField(default=list, blank=True, help_text=_("[{title, text}, …]"))
    writer = models.CharField(max_length=32, blank=True)
    created = models.DateTimeField(default=timezone.now)
    written = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Cover letter of {self.player} to {self.company_name}"

    @property
    def is_written(self) -> bool:
        return self.written is not None and bool(self.sections)
