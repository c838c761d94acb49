"""Events, experiences, base images and the capture → job → asset chain."""

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


class Experience(models.Model):
    class Pipeline(models.TextChoices):
        PORTRAIT = "portrait", _("Face into a themed portrait")

    class Theme(models.TextChoices):
        PAST_LIFE = "past_life", _("Past life")
        TEAM_UNIFORM = "team_uniform", _("Team uniform")
        BUSINESS = "business", _("Business portrait")

    PROFILE_FIELD_CHOICES = ("gender", "age_band")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="experiences")
    name = models.CharField(max_length=200)
    theme = models.CharField(max_length=32, choices=Theme.choices, default=Theme.PAST_LIFE)
    pipeline = models.CharField(max_length=32, choices=Pipeline.choices, default=Pipeline.PORTRAIT)
    retention_hours = models.PositiveIntegerField(
        default=48, help_text=_("Visitor data is deleted this many hours after capture.")
    )
    profile_fields = models.JSONField(
        default=list,
        blank=True,
        help_text=_('Optional fields the tablet asks for, from: "gender", "age_band".'),
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

    def __str__(self) -> str:
        return f"{self.name} ({self.event})"

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
        """Let the pipeline use these images from the next job on."""
        return self.update(
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

    class RejectionReason(models.TextChoices):
        FACE_IN_PROFILE = "face_in_profile", _("Face in profile")
        PERSON_TOO_SMALL = "person_too_small", _("Person too small")
        BAD_HANDS_OR_EYES = "bad_hands_or_eyes", _("Bad hands or eyes")
        OFF_THEME = "off_theme", _("Off-theme")
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


class Asset(models.Model):
    class Kind(models.TextChoices):
        PORTRAIT = "portrait", _("Portrait")
        QR = "qr", _("QR code")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="assets/")
    token = models.CharField(max_length=64, unique=True, default=new_public_token, editable=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "kind"], name="one_asset_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.token[:8]}…"

    def get_absolute_url(self) -> str:
        return reverse("result", args=[self.token])

    @property
    def public_url(self) -> str:
        return settings.PUBLIC_BASE_URL + self.get_absolute_url()
