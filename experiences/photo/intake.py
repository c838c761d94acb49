"""Accepting a visitor's capture: validate, find the face, store, queue the job."""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from PIL import Image

from experiences.models import tallies
from experiences.models.events import Player
from experiences.models.photo import Capture, Job
from experiences.models.tallies import Tally
from experiences.photo import backends, guidance
from experiences.photo.facemesh import FaceObservation
from experiences.photo.faces import Box, crop_face
from experiences.photo.imaging import ImageRejected, encode_jpeg, fit_within, load_upload
from experiences.photo.tasks import process_job


@dataclass
class VisitorProfile:
    nickname: str
    gender: str = ""
    age_band: str = ""
    language: str = "en"
    uniform_colour: str = ""


def find_face(image: Image.Image) -> tuple[Box, FaceObservation | None]:
    """The visitor's face in the photo (and its landmarks, when the detector gives them),
    or a rejection the visitor can act on at once (experiences/photo/guidance.py has the codes)."""
    detector = backends.face_detector()
    if isinstance(detector, backends.FaceObserver):
        face = guidance.choose_visitor(detector.observe(image), image.size)
        return Box.from_list(face.box), face
    return guidance.choose_visitor_box(detector.detect(image), image.size), None


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
    record_consent: Callable[[Player], object],
    idempotency_key: str = "",
) -> Job:
    """Store a consented capture and queue its job; raise before storing anything if invalid.

    `record_consent(player)` runs in the rows' transaction: the caller (visitors.capture)
    checked the consent text and moderation keeps the record, so a capture never exists
    without its consent, and this subdomain needs no knowledge of consent texts.

    Decoding and face detection run here, in the request, so a photo without a face is
    refused while the visitor is still at the tablet. Nothing is written until every
    check has passed, and the rows are created in one transaction. With an
    `idempotency_key` (the tablet's, one per photo) a retry that races the first attempt
    gets the first attempt's job: the key is unique per station.
    """
    experience = station.experience
    started = time.perf_counter()
    image = fit_within(decode_photo(photo), settings.BOOTH_STORED_CAPTURE_MAX_SIDE)
    # The guidance is read on the tablet, in the language the visitor chose there.
    try:
        with translation.override(profile.language):
            face, landmarks = find_face(image)
    except ImageRejected as rejected:
        if rejected.code == "no_face":  # counted for the event report
            tallies.count(station.event_id, Tally.Kind.NO_FACE, station.number)
        raise
    crop, crop_box = crop_face(image, face, settings.BOOTH_FACE_PADDING)
    detect_seconds = time.perf_counter() - started

    now = timezone.now()
    capture = Capture(
        station=station,
        face_box=face.as_list(),
        crop_face_box=crop_box.as_list(),
        # In the stored original's pixels; the row (and so this) goes with the visitor.
        face_landmarks=landmarks.to_dict() if landmarks is not None else {},
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
            record_consent(capture.player)  # moderation keeps what the visitor agreed to
            capture.save()
            job = Job.objects.create(
                capture=capture,
                review=Job.Review.PENDING if experience.premoderated else Job.Review.APPROVED,
                timings={"detect": round(detect_seconds, 4)},
                backends={"face": backends.face_detector().name},
            )
            tallies.count(station.event_id, Tally.Kind.CAPTURE, station.number, now)
            # In the rows' transaction: the job and its task commit together, or neither
            # does, in one write instead of three (workers are woken on commit).
            enqueue_job(job)
        # The detector's age guess (Rekognition), for the waiting screen only: handed back
        # on the object, never stored.
        job.age_range = getattr(face, "age_range", None)
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
    """Hand the job to the task backend. Inside a transaction the task row commits with it;
    booth.worker wakes the embedded workers only once it has."""
    result = process_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
