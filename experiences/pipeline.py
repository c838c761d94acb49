"""The job: base image → composite → story → QR → publish, each stage timed.

`run_job` is safe to run again for the same job (after a crash or restart): a finished
job is left alone and a half-finished one starts over from its stored capture.
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image

from displays import services as displays
from displays import webhooks
from experiences import backends, storage
from experiences.faces import Box
from experiences.imaging import encode_jpeg
from experiences.models import Asset, Job
from experiences.qr import qr_png
from experiences.selectors import choose_base_image

logger = logging.getLogger(__name__)


class PipelineError(RuntimeError):
    """A failure whose message is shown to staff and the tablet as it is."""


@contextmanager
def stage(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round(time.perf_counter() - started, 4)


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
    webhooks.result_ready(job)
    return Job.State.SUCCEEDED


def _produce(job: Job) -> Asset:
    timings = dict(job.timings)
    capture = job.capture
    player = capture.player
    experience = player.experience
    compositor, writer = backends.compositor(), backends.story_writer()
    storage.delete_assets(job)  # leftovers of an interrupted attempt

    with stage(timings, "choose"):
        base = choose_base_image(experience, player, settings.BOOTH_RECENT_BASE_IMAGES)
        if base is None:
            raise PipelineError(
                f"No approved base image for “{experience.name}”. Approve one in admin."
            )
    with stage(timings, "composite"):
        with capture.face_crop.open("rb") as crop_file, base.image.open("rb") as base_file:
            face, base_image = Image.open(crop_file), Image.open(base_file)
            face.load()
            base_image.load()
        result = compositor.composite(
            face, Box.from_list(capture.crop_face_box), base_image, Box.from_list(base.face_box)
        )
        portrait_bytes = encode_jpeg(result, settings.BOOTH_RESULT_JPEG_QUALITY)
    with stage(timings, "story"):
        story = writer.write(base, player)
    with stage(timings, "qr"):
        portrait = Asset(job=job, kind=Asset.Kind.PORTRAIT)
        qr_bytes = qr_png(portrait.public_url)
    with transaction.atomic():
        with stage(timings, "store"):  # closed before job.save, so its time is saved too
            storage.save_asset(job, Asset.Kind.PORTRAIT, portrait_bytes, "jpg", asset=portrait)
            storage.save_asset(job, Asset.Kind.QR, qr_bytes, "png")
        job.base_image = base
        job.story = story
        job.state = Job.State.SUCCEEDED
        job.finished = timezone.now()
        job.timings = timings
        job.backends = {**job.backends, "compositor": compositor.name, "story": writer.name}
        job.save(update_fields=["base_image", "story", "state", "finished", "timings", "backends"])
    return portrait


def _fail(job: Job, exc: Exception) -> None:
    """Record a readable error, tell the tablet, and put the display back as it was."""
    if isinstance(exc, PipelineError):
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
    webhooks.job_failed(job)
