"""Events, experiences, base images and the capture → job → asset chain."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
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
            "These two need no base images. Sports challenge: shots from the sensor API, "
            "a leaderboard, live commentary and slow-motion replays."
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


class BaseImageQuerySet(models.QuerySet):
    def approved(self) -> "BaseImageQuerySet":
        return self.filter(approved=True)

    def awaiting_review(self) -> "BaseImageQuerySet":
        return self.filter(approved=False, rejection_reason="")

    def approve(self, by) -> int:
        """Let the pipeline use these images from the next job on.

        Images generated without a detectable face have no face box to composite into, so
        they stay rejected whatever the selection.
        """
        return self.exclude(rejection_reason=BaseImage.RejectionReason.NO_FACE).update(
            approved=True, rejection_reason="", reviewed_at=timezone.now(), reviewed_by=by
        )

    def reject(self, reason: str, by) -> int:
        """Take these images out of use, saying why (one of BaseImage.RejectionReason)."""
        if reason not in BaseImage.RejectionReason.values:
            raise ValueError(f"Unknown rejection reason {reason!r}")
        return self.update(
            approved=False, rejection_reason=reason, reviewed_at=timezone.now(), reviewed_by=by
        )


class BaseImage(models.Model):
    """A pre-generated portrait with a marked face region and its story."""

    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="base_images")
    title = models.CharField(max_length=200)
    country = models.CharField(max_length=100, blank=True)
    era = models.CharField(max_length=100, blank=True)
    occupation = models.CharField(max_length=100, blank=True)
    gender = models.CharField(max_length=16, choices=Gender.choices, blank=True)
    age_band = models.CharField(max_length=16, choices=AgeBand.choices, blank=True)
    image = models.ImageField(upload_to="base_images/")
    face_box = models.JSONField(help_text=_("[x, y, width, height] of the face, in pixels."))
    story = models.TextField(help_text=_("Use {nickname} where the visitor's nickname goes."))
    # Provenance, for the base-image library (experiences/library.py): generation is resumed
    # by combination key and imports are idempotent on the stored file's hash.
    prompt = models.TextField(blank=True, help_text=_("The prompt the image was generated from."))
    generator = models.CharField(
        max_length=100, blank=True, help_text=_("The image model, or “import”.")
    )
    combination_key = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("Digest of the generation attributes: a resumed run skips it."),
    )
    content_sha256 = models.CharField(
        max_length=64, blank=True, help_text=_("SHA-256 of the stored image file.")
    )

    class RejectionReason(models.TextChoices):
        FACE_IN_PROFILE = "face_in_profile", _("Face in profile")
        PERSON_TOO_SMALL = "person_too_small", _("Person too small")
        BAD_HANDS_OR_EYES = "bad_hands_or_eyes", _("Bad hands or eyes")
        OFF_THEME = "off_theme", _("Off-theme")
        NO_FACE = "no_face", _("No face found")
        OTHER = "other", _("Other")

    approved = models.BooleanField(
        default=False, help_text=_("Only approved base images are used for portraits.")
    )
    rejection_reason = models.CharField(max_length=32, choices=RejectionReason.choices, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = BaseImageQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["experience", "combination_key"]),
            models.Index(fields=["experience", "content_sha256"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def review_status(self) -> str:
        if self.approved:
            return _("Approved")
        if self.rejection_reason:
            return _("Rejected: %(reason)s") % {"reason": self.get_rejection_reason_display()}
        return _("Awaiting review")


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


class Capture(models.Model):
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="captures")
    station = models.ForeignKey(
        "displays.Station", on_delete=models.SET_NULL, null=True, related_name="captures"
    )
    original = models.ImageField(upload_to="captures/")
    face_box = models.JSONField(help_text=_("[x, y, width, height] in the stored original."))
    face_crop = models.ImageField(upload_to="faces/")
    crop_face_box = models.JSONField(help_text=_("[x, y, width, height] inside the face crop."))
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Capture {self.pk} of {self.player}"


class JobQuerySet(models.QuerySet):
    def visible(self) -> "JobQuerySet":
        """Results that displays and result pages may show."""
        return self.filter(state=Job.State.SUCCEEDED, review=Job.Review.APPROVED)

    def awaiting_review(self) -> "JobQuerySet":
        return self.filter(state=Job.State.SUCCEEDED, review=Job.Review.PENDING)


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class Review(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Shown")
        REJECTED = "rejected", _("Rejected or pulled")

    capture = models.OneToOneField(Capture, on_delete=models.CASCADE, related_name="job")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text=_("Seconds per stage."))
    backends = models.JSONField(default=dict, blank=True)
    base_image = models.ForeignKey(BaseImage, on_delete=models.SET_NULL, null=True, blank=True)
    story = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(default=timezone.now)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    lease_expires = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("The worker running this job renews it; once past, the job is queued again."),
    )
    published = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the result was handed to the display and tablet (once per job)."),
    )
    review = models.CharField(
        max_length=16,
        choices=Review.choices,
        default=Review.APPROVED,
        help_text=_("Pre-moderated results wait as “awaiting review” until staff approve them."),
    )
    review_reason = models.CharField(max_length=200, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = JobQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["state", "created"]),
            models.Index(fields=["review", "state"]),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.state})"

    @property
    def visible(self) -> bool:
        """Whether displays and the result page may show this job's portrait."""
        return self.state == self.State.SUCCEEDED and self.review == self.Review.APPROVED

    @property
    def awaiting_review(self) -> bool:
        """Made, but held until staff approve it (pre-moderation)."""
        return self.state == self.State.SUCCEEDED and self.review == self.Review.PENDING

    @property
    def player(self) -> Player:
        return self.capture.player

    @property
    def portrait(self) -> "Asset | None":
        return self.assets.filter(kind=Asset.Kind.PORTRAIT).first()


class Asset(PublicLink):
    class Kind(models.TextChoices):
        PORTRAIT = "portrait", _("Portrait")
        QR = "qr", _("QR code")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="assets/")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "kind"], name="one_asset_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.token[:8]}…"

    def get_absolute_url(self) -> str:
        return reverse("result", args=[self.token])


# --- Sports experiences: shots from the sensor system, leaderboard, live commentary -------


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
