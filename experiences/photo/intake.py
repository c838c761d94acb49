"""Accepting a visitor's capture: validate, find the face, store, queue the job."""

import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from experiences.models.events import Player
from experiences.models.photo import Capture, Job
from experiences.photo import backends
from experiences.photo.faces import crop_face, largest
from experiences.photo.imaging import ImageRejected, encode_jpeg, fit_within, load_upload
from moderation.models import ConsentRecord, ConsentText


@dataclass
class ConsentMismatch(ValueError):
    """The tablet showed a consent text that is no longer current."""

    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class VisitorProfile:
    nickname: str
    gender: str = ""
    age_band: str = ""
    language: str = "en"
    uniform_colour: str = ""


def find_face(image: Image.Image):
    """The largest face in the photo, or a rejection the visitor can act on at once."""
    faces = backends.face_detector().detect(image)
    if not faces:
        raise ImageRejected(
            "no_face",
            _(
                "We could not find a face in the photo. Look at the camera, move closer and "
                "make sure your face is well lit, then take it again."
            ),
            status=422,
        )
    return largest(faces)


def decode_photo(data: bytes) -> Image.Image:
    return load_upload(
        data,
        max_bytes=settings.BOOTH_MAX_UPLOAD_BYTES,
        max_pixels=settings.BOOTH_MAX_IMAGE_PIXELS,
        min_side=settings.BOOTH_MIN_IMAGE_SIDE,
    )


def accept_capture(
    station,
    photo: bytes,
    profile: VisitorProfile,
    consent_version: str,
    idempotency_key: str = "",
) -> Job:
    """Store a consented capture and queue its job; raise before storing anything if invalid.

    Decoding and face detection run here, in the request, so a photo without a face is
    refused while the visitor is still at the tablet. Nothing is written until every
    check has passed, and the rows are created in one transaction. With an
    `idempotency_key` (the tablet's, one per photo) a retry that races the first attempt
    gets the first attempt's job: the key is unique per station.
    """
    experience = station.experience
    consent = ConsentText.objects.current_for(experience, profile.language)
    if consent is None or consent.version != consent_version:
        raise ConsentMismatch(
            _(
                "The consent text has changed since this screen was opened. "
                "Please reload the tablet page and read the new text."
            )
        )
    started = time.perf_counter()
    image = fit_within(decode_photo(photo), settings.BOOTH_STORED_CAPTURE_MAX_SIDE)
    face = find_face(image)
    crop, crop_box = crop_face(image, face, settings.BOOTH_FACE_PADDING)
    detect_seconds = time.perf_counter() - started

    now = timezone.now()
    capture = Capture(
        station=station,
        face_box=face.as_list(),
        crop_face_box=crop_box.as_list(),
        created=now,
        idempotency_key=idempotency_key,
    )
    name = uuid.uuid4().hex
    try:
        capture.original.save(f"{name}.jpg", ContentFile(encode_jpeg(image, 90)), save=False)
        capture.face_crop.save(f"{name}.jpg", ContentFile(encode_jpeg(crop, 92)), save=False)
        with transaction.atomic():
            capture.player = Player.objects.create(
                experience=experience,
                nickname=profile.nickname,
                gender=profile.gender,
                age_band=profile.age_band,
                # Kept only where the experience lets visitors choose: store the minimum.
                uniform_colour=profile.uniform_colour
                if "uniform_colour" in experience.profile_fields
                else "",
                created=now,
                delete_after=now + experience.retention,
            )
            ConsentRecord.objects.create(
                player=capture.player,
                consent_text=consent,
                version=consent.version,
                language=consent.language,
                accepted_at=now,
                station=station,
            )
            capture.save()
            job = Job.objects.create(
                capture=capture,
                review=Job.Review.PENDING if experience.premoderated else Job.Review.APPROVED,
                timings={"detect": round(detect_seconds, 4)},
                backends={"face": backends.face_detector().name},
            )
            transaction.on_commit(lambda: enqueue_job(job))
    except BaseException as exc:
        # The rows roll back with the transaction; stored files do not.
        for field in (capture.original, capture.face_crop):
            if field.name:
                field.storage.delete(field.name)
        if idempotency_key and isinstance(exc, IntegrityError):
            earlier = Job.objects.filter(
                capture__station=station, capture__idempotency_key=idempotency_key
            ).first()
            if earlier is not None:  # the same photo's other attempt committed first
                return earlier
        raise
    return job


def enqueue_job(job: Job) -> None:
    """Hand the job to the task backend (after commit, so a worker can see its rows)."""
    from experiences.tasks import process_job

    result = process_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
