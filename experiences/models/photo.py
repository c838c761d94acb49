"""The capture → job → asset chain of the photo experiences."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from experiences.models.events import Player, PublicLink
from experiences.models.library import BaseImage


class Capture(models.Model):
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="captures")
    station = models.ForeignKey(
        "displays.Station", on_delete=models.SET_NULL, null=True, related_name="captures"
    )
    original = models.ImageField(upload_to="captures/")
    face_box = models.JSONField(help_text=_("[x, y, width, height] in the stored original."))
    face_crop = models.ImageField(upload_to="faces/")
    crop_face_box = models.JSONField(help_text=_("[x, y, width, height] inside the face crop."))
    # Found once, in the upload request, and reused by the job: the 468 landmarks, head
    # pose and scores of experiences.photo.facemesh.FaceObservation.to_dict(), in the stored
    # original's pixels; {} when the detector gives boxes only. Biometric-ish: never shown
    # in admin or the API, and erased with the row (and so with the visitor).
    face_landmarks = models.JSONField(default=dict, blank=True, editable=False)
    created = models.DateTimeField(default=timezone.now)
    idempotency_key = models.CharField(
        max_length=64,
        blank=True,
        help_text=_(
            "The tablet's Idempotency-Key header: a retried upload with the same key returns "
            "this capture's job instead of making a second one."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="capture_idempotency_key_unique_per_station",
            )
        ]

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
    story_language = models.CharField(
        max_length=8,
        blank=True,
        help_text=_("The language the story is written in (pages mark it when not theirs)."),
    )
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

    @property
    def narration(self) -> "Asset | None":
        """The story read aloud, when a narrator made it (experiences.photo.narration).

        Uses the job's prefetched assets when a caller loaded them (a staff "refresh all"
        builds every display's state from one read).
        """
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("assets")
        if prefetched is not None:
            return next((a for a in prefetched if a.kind == Asset.Kind.NARRATION), None)
        return self.assets.filter(kind=Asset.Kind.NARRATION).first()


class Asset(PublicLink):
    class Kind(models.TextChoices):
        PORTRAIT = "portrait", _("Portrait")
        QR = "qr", _("QR code")
        NARRATION = "narration", _("Narration (the story read aloud)")
        RESUME_PDF = "resume_pdf", _("Résumé PDF")

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
