"""The job: picture (by experience type) → story → QR → publish, each stage timed.

Themed portraits choose a base image and composite the face into it; the uniform try-on
and the business portrait edit the visitor's own photo (experiences/experience_types.py).

`run_job` is safe to run again for the same job (after a crash or restart): a finished
job is left alone and a half-finished one starts over from its stored capture.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from displays import services as displays
from experiences import backends, storage
from experiences.experience_types import make_picture
from experiences.imaging import encode_jpeg
from experiences.models import Asset, Job
from experiences.qr import qr_png
from experiences.stages import PipelineError, stage

__all__ = ["PipelineError", "run_job", "stage"]

logger = logging.getLogger(__name__)


def _claim(job_id: int) -> Job | None:
    """Mark the job running, or return None if it already succeeded."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.state == Job.State.SUCCEEDED:
            return None
        job.state = Job.State.RUNNING
        job.attempts += 1
        job.started = timezone.now()
        job.error = ""
        job.save(update_fields=["state", "attempts", "started", "error"])
    return Job.objects.select_related(
        "capture__player__experience", "capture__station__display"
    ).get(pk=job_id)


def run_job(job_id: int) -> str:
    """Process one job to a published portrait; return its final state."""
    job = _claim(job_id)
    if job is None:
        return Job.State.SUCCEEDED
    displays.announce_processing(job)
    try:
        portrait = _produce(job)
    except Exception as exc:
        _fail(job, exc)
        return Job.State.FAILED
    displays.publish_result(job, portrait)
    displays.notify_station(job.capture.station, displays.job_outcome(job))
    return Job.State.SUCCEEDED


def _produce(job: Job) -> Asset:
    timings = dict(job.timings)
    storage.delete_assets(job)  # leftovers of an interrupted attempt
    picture = make_picture(job, timings)
    with stage(timings, "encode"):  # re-encoded from pixels: no EXIF reaches the public
        portrait_bytes = encode_jpeg(picture.image, settings.BOOTH_RESULT_JPEG_QUALITY)
    with stage(timings, "qr"):
        portrait = Asset(job=job, kind=Asset.Kind.PORTRAIT)
        qr_bytes = qr_png(portrait.public_url)
    with transaction.atomic():
        with stage(timings, "store"):  # closed before job.save, so its time is saved too
            storage.save_asset(job, Asset.Kind.PORTRAIT, portrait_bytes, "jpg", asset=portrait)
            storage.save_asset(job, Asset.Kind.QR, qr_bytes, "png")
        job.base_image = picture.base_image
        job.story = picture.story
        job.state = Job.State.SUCCEEDED
        job.finished = timezone.now()
        job.timings = timings
        job.backends = {**job.backends, **picture.backends}
        job.save(update_fields=["base_image", "story", "state", "finished", "timings", "backends"])
    return portrait


def _fail(job: Job, exc: Exception) -> None:
    """Record a readable error, tell the tablet, and put the display back as it was."""
    if isinstance(exc, PipelineError | backends.BackendFailed):
        message = str(exc)
    else:
        logger.exception("Job %s failed", job.pk)
        message = f"Processing failed ({type(exc).__name__}: {exc})."
    storage.delete_assets(job)
    job.state = Job.State.FAILED
    job.error = message
    job.finished = timezone.now()
    job.save(update_fields=["state", "error", "finished"])
    station = job.capture.station
    if station is not None:
        displays.push_state(station.display)  # clears "processing" on the display
    displays.notify_station(station, displays.job_outcome(job))
