"""Events, experiences and the players who visit them."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_public_token() -> str:
    """192 random bits, URL-safe: result links can be neither guessed nor enumerated."""
    return secrets.token_urlsafe(24)


class PublicLink(models.Model):
    """Something a visitor opens from a QR code: an unguessable token in its URL."""

    token = models.CharField(max_length=64, unique=True, default=new_public_token, editable=False)

    class Meta:
        abstract = True

    @property
    def public_url(self) -> str:
        return settings.PUBLIC_BASE_URL + self.get_absolute_url()


class Event(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    is_active = models.BooleanField(
        default=True, help_text=_("Display and tablet pages serve the newest active event.")
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.name


class UniformColour(models.TextChoices):
    """The reference booth's 11 kit colours; the value (spaces for underscores) goes into
    the Titan prompt, the label is shown to people."""

    RED = "red", _("Red")
    BLUE = "blue", _("Blue")
    WHITE = "white", _("White")
    BLACK = "black", _("Black")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")
    ORANGE = "orange", _("Orange")
    PURPLE = "purple", _("Purple")
    PINK = "pink", _("Pink")
    SKY_BLUE = "sky_blue", _("Sky blue")
    NAVY = "navy", _("Navy")

    @property
    def rgb(self) -> tuple[int, int, int]:
        """The kit colour the offline recolour paints with."""
        return UNIFORM_RGB[self.value]

    @property
    def prompt_name(self) -> str:
        return self.value.replace("_", " ")


UNIFORM_RGB = {
    "red": (200, 30, 40),
    "blue": (30, 80, 200),
    "white": (245, 245, 245),
    "black": (25, 25, 28),
    "yellow": (245, 215, 30),
    "green": (20, 150, 60),
    "orange": (245, 120, 20),
    "purple": (110, 40, 160),
    "pink": (240, 110, 170),
    "sky_blue": (100, 180, 235),
    "navy": (20, 35, 90),
}


class Experience(models.Model):
    class Pipeline(models.TextChoices):
        PORTRAIT = "portrait", _("Face into a themed portrait")
        SPORTS = "sports", _("Sports challenge: shots, leaderboard and live commentary")
        UNIFORM = "uniform", _("Uniform try-on")
        BUSINESS = "business", _("Business portrait")
        RESUME = "resume", _("Résumé: business portrait and a cover letter")

    class Theme(models.TextChoices):
        PAST_LIFE = "past_life", _("Past life")
        TEAM_UNIFORM = "team_uniform", _("Team uniform")
        BUSINESS = "business", _("Business portrait")

    PROFILE_FIELD_CHOICES = ("gender", "age_band", "uniform_colour")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="experiences")
    name = models.CharField(max_length=200)
    theme = models.CharField(max_length=32, choices=Theme.choices, default=Theme.PAST_LIFE)
    pipeline = models.CharField(
        max_length=32,
        choices=Pipeline.choices,
        default=Pipeline.PORTRAIT,
        help_text=_(
            "Themed portrait: the visitor's face in an approved base image, with its story. "
            "Uniform try-on: the visitor's clothes become a soccer kit in the uniform colour. "
            "Business portrait: the visitor's face in a suit on a light-blue studio background. "
            "These two need no base images. Résumé: the business portrait and a cover letter "
            "to one of three companies matched to the visitor's MBTI type (no base images "
            "either). Sports challenge: shots from the sensor API, a leaderboard, live "
            "commentary and slow-motion replays."
        ),
    )
    uniform_colour = models.CharField(
        max_length=16,
        choices=UniformColour.choices,
        default=UniformColour.BLUE,
        help_text=_(
            "Kit colour for the uniform try-on (one of the reference booth's 11); preselected "
            'on the tablet when the visitor may choose ("uniform_colour" in profile fields).'
        ),
    )
    retention_hours = models.PositiveIntegerField(
        default=48, help_text=_("Visitor data is deleted this many hours after capture.")
    )
    profile_fields = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            'Optional fields the tablet asks for, from: "gender", "age_band", '
            '"uniform_colour" (the visitor picks the kit colour; the uniform colour below '
            "is then only preselected)."
        ),
    )

    class Moderation(models.TextChoices):
        POST = "post", _("Post-moderation: shown at once, staff can pull it")
        PRE = "pre", _("Pre-moderation: shown only after staff approve it")

    moderation = models.CharField(
        max_length=8,
        choices=Moderation.choices,
        default=Moderation.POST,
        help_text=_("Whether results go on the displays at once or wait in the review queue."),
    )
    default_image = models.ImageField(upload_to="defaults/", blank=True)
    commentary_language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="ko",
        help_text=_("Sports experiences: the language of the live commentary."),
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.event})"

    @property
    def is_sports(self) -> bool:
        return self.pipeline == self.Pipeline.SPORTS

    @property
    def premoderated(self) -> bool:
        return self.moderation == self.Moderation.PRE

    @property
    def retention(self) -> timedelta:
        return timedelta(hours=self.retention_hours)


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNSPECIFIED = "", _("Prefer not to say")


class AgeBand(models.TextChoices):
    CHILD = "child", _("Under 13")
    TEEN = "teen", _("13-19")
    ADULT = "adult", _("20-59")
    SENIOR = "senior", _("60+")
    UNSPECIFIED = "", _("Prefer not to say")


class Player(models.Model):
    experience = models.ForeignKey(Experience, on_delete=models.PROTECT, related_name="players")
    nickname = models.CharField(max_length=40)
    gender = models.CharField(max_length=16, choices=Gender.choices, blank=True)
    age_band = models.CharField(max_length=16, choices=AgeBand.choices, blank=True)
    uniform_colour = models.CharField(
        max_length=16,
        choices=UniformColour.choices,
        blank=True,
        help_text=_("The kit colour the visitor chose (blank: the experience's colour)."),
    )
    created = models.DateTimeField(default=timezone.now)
    delete_after = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.nickname
