"""Base images: the library of portraits a visitor's face goes into."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from experiences.models.events import AgeBand, Experience, Gender


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
    # The story in Korean, for visitors who read the consent in Korean (the reference
    # booths ran at Korean events). Blank: they get the English story, marked lang="en".
    story_ko = models.TextField(
        blank=True,
        help_text=_("The story in Korean; use {nickname} where the visitor's nickname goes."),
    )
    # Provenance, for the base-image library (experiences/library/): generation is resumed
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
    # The face's geometry, found once when the image enters the library (import, generation,
    # approval) so no job searches the portrait again: 468 [x, y] points in MediaPipe's
    # face-mesh order, in image pixels, and the head's pose in degrees.
    face_landmarks = models.JSONField(
        null=True, blank=True, help_text=_("468 face-mesh points [x, y] in pixels.")
    )
    face_pose = models.JSONField(
        null=True, blank=True, help_text=_("Head pose in degrees: yaw, pitch, roll.")
    )
    # When a job last chose this image: the least recently used one is chosen next. Kept on
    # the image rather than read from jobs, so erasing visitors (and their jobs) does not
    # make the images they saw look unused, and jobs running at once see each other's pick.
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    objects = BaseImageQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["experience", "combination_key"]),
            models.Index(fields=["experience", "content_sha256"]),
        ]

    def __str__(self) -> str:
        return self.title

    def story_in(self, language: str) -> tuple[str, str]:
        """The stored story in `language` if there is one, else the English story; with the
        language it is written in, so pages can mark it (lang) when it is not theirs."""
        if language == "ko" and self.story_ko.strip():
            return self.story_ko, "ko"
        return self.story, "en"

    @property
    def review_status(self) -> str:
        if self.approved:
            return _("Approved")
        if self.rejection_reason:
            return _("Rejected: %(reason)s") % {"reason": self.get_rejection_reason_display()}
        return _("Awaiting review")
