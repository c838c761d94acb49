"""The job: picture (by experience type) → story → QR → publish, each stage timed.

Themed portraits choose a base image and composite the face into it; the uniform try-on
and the business portrait edit the visitor's own photo (experiences/photo/experience_types.py).

`run_job` is safe to run again for the same job, even while a presumed-dead worker still
runs it (after a crash, a restart, or a lease that ran out, see experiences.photo.leases):

- a half-finished job starts over from its stored capture, first deleting whatever an
  interrupted attempt left in the job's storage folder;
- each attempt commits its assets only if it still owns the job (the attempt number is a
  fencing token checked under the job's row lock), so one set of assets is ever stored;
- the result is handed to the display and tablet once (`Job.published` is set in the same
  transaction as the display's new result), and a job that finished but was not yet
  published is only published.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from experiences.models import tallies
from experiences.models.photo import Asset, Job
from experiences.models.tallies import Tally
from experiences.photo import backends, leases, narration, signals, storage
from experiences.photo import notifications as webhooks
from experiences.photo.experience_types import make_picture
from experiences.photo.imaging import encode_jpeg
from experiences.photo.qr import qr_png
from kernel.outages import dependency_of
from kernel.stages import PipelineError, stage

__all__ = ["PipelineError", "run_job", "stage"]

logger = logging.getLogger(__name__)


class Superseded(RuntimeError):
    """This attempt no longer owns the job: its lease ran out and the job was queued again
    (or another attempt finished it). It must neither store nor publish anything."""


# The value run_job returns for an attempt that gave the job up to a newer one.
SUPERSEDED = "superseded"


def _claim(job_id: int) -> Job | None:
    """Mark the job running under a new attempt number and lease; None if there is nothing
    left to make (it succeeded already). The row comes with what the job reads of its
    capture, visitor and station, in the same query (only the job's row is locked)."""
    with transaction.atomic():
        job = _with_relations(Job.objects.select_for_update(of=("self",))).get(pk=job_id)
        if job.state == Job.State.SUCCEEDED:
            return None
        job.state = Job.State.RUNNING
        job.attempts += 1
        job.started = timezone.now()
        job.lease_expires = leases.lease_until()
        job.published = None  # a job made again (staff queued it anew) is published anew
        job.error = ""
        job.save(
            update_fields=["state", "attempts", "started", "lease_expires", "published", "error"]
        )
    return job


def _with_relations(jobs):
    return jobs.select_related("capture__player__experience", "capture__station__display")


def _job_with_relations(job_id: int) -> Job:
    return _with_relations(Job.objects).get(pk=job_id)


def _lock_if_owned(job: Job, attempt: int) -> Job:
    """Lock the job's row for the rest of the transaction, if this attempt still owns it."""
    current = Job.objects.select_for_update().filter(pk=job.pk).first()
    if current is None or current.attempts != attempt or current.state != Job.State.RUNNING:
        raise Superseded(f"Job {job.pk} attempt {attempt} was superseded")
    return current


def run_job(job_id: int) -> str:
    """Process one job to a published portrait; return its final state."""
    job = _claim(job_id)
    if job is None:
        publish(_job_with_relations(job_id))  # finished, but perhaps never handed over
        return Job.State.SUCCEEDED
    attempt = job.attempts
    with leases.held(job.pk, attempt):
        signals.processing_started.send(sender=Job, job=job)
        try:
            _produce(job, attempt)
        except Superseded:
            logger.warning("Job %s attempt %s was superseded; dropped its work", job.pk, attempt)
            return SUPERSEDED
        except Exception as exc:
            return _fail(job, exc, attempt)
    publish(job)
    return Job.State.SUCCEEDED


def publish(job: Job) -> bool:
    """Hand a finished job's result to its display and tablet, exactly once per job.

    `published` is set in the same transaction as the display's new current result, so a
    worker killed before the commit leaves the job to be published by the next attempt,
    and one killed after it has published. The push goes out inside that transaction:
    the result itself was committed before, so the display can already load it.
    """
    portrait = job.portrait
    if portrait is None:
        return False
    with transaction.atomic():
        if not Job.objects.filter(
            pk=job.pk, state=Job.State.SUCCEEDED, published__isnull=True
        ).update(published=timezone.now()):
            return False
        signals.result_published.send(sender=Job, job=job, portrait=portrait)
    signals.job_finished.send(sender=Job, job=job)
    webhooks.result_ready(job)  # once, like the push: staff hear of each result one time
    narration.queue_narration(job)  # after the wall has the portrait: it never waits
    return True


def _produce(job: Job, attempt: int) -> Asset:
    timings = dict(job.timings)
    if attempt > 1:  # the first attempt has nothing before it to clear away
        with transaction.atomic():  # leftovers of an interrupted attempt, rows and stray files
            _lock_if_owned(job, attempt)  # never another, newer attempt's finished result
            storage.delete_assets(job)
    picture = make_picture(job, timings)
    with stage(timings, "encode"):  # re-encoded from pixels: no EXIF reaches the public
        portrait_bytes = encode_jpeg(picture.image, settings.BOOTH_RESULT_JPEG_QUALITY)
    with stage(timings, "qr"):
        portrait = Asset(job=job, kind=Asset.Kind.PORTRAIT)
        qr_bytes = qr_png(portrait.public_url)
    with transaction.atomic():
        _lock_if_owned(job, attempt)  # held until commit: no other attempt stores meanwhile
        with stage(timings, "store"):  # closed before job.save, so its time is saved too
            storage.save_asset(job, Asset.Kind.PORTRAIT, portrait_bytes, "jpg", asset=portrait)
            storage.save_asset(job, Asset.Kind.QR, qr_bytes, "png")
            for kind, (content, extension) in picture.extra_assets.items():
                storage.save_asset(job, kind, content, extension)
        job.base_image = picture.base_image
        job.story = picture.story
        job.story_language = picture.story_language
        job.state = Job.State.SUCCEEDED
        job.finished = timezone.now()
        job.lease_expires = None
        job.timings = timings
        job.backends = {**job.backends, **picture.backends}
        job.save(
            update_fields=[
                *("base_image", "story", "story_language", "state", "finished"),
                "lease_expires",
                *("timings", "backends"),
            ]
        )
        _tally(job, Tally.Kind.SUCCEEDED)
    return portrait


def _tally(job: Job, kind: str) -> None:
    """One more job outcome in the event report's counters (they outlive erasure)."""
    station = job.capture.station
    if station is not None:
        tallies.count(station.event_id, kind, station.number, job.finished)


def _fail(job: Job, exc: Exception, attempt: int) -> str:
    """Record a readable error, tell the tablet, and put the display back as it was."""
    if isinstance(exc, PipelineError | backends.BackendFailed):
        message = str(exc)
    elif dependency_of(exc):  # an outage, logged once by the worker: no traceback per job
        logger.warning("Job %s interrupted: %s", job.pk, type(exc).__name__)
        message = f"Processing failed ({type(exc).__name__}: {exc})."
    else:
        logger.exception("Job %s failed", job.pk)
        message = f"Processing failed ({type(exc).__name__}: {exc})."
    try:
        fail_job(job, message, attempt)
    except Superseded:
        return SUPERSEDED
    return Job.State.FAILED


def fail_job(job: Job, message: str, attempt: int) -> None:
    """Mark the job failed with `message` if `attempt` still owns it (else Superseded)."""
    with transaction.atomic():
        _lock_if_owned(job, attempt)
        storage.delete_assets(job)
        job.state = Job.State.FAILED
        job.error = message
        job.finished = timezone.now()
        job.lease_expires = None
        job.save(update_fields=["state", "error", "finished", "lease_expires"])
        _tally(job, Tally.Kind.FAILED)
    signals.job_finished.send(sender=Job, job=job)
    webhooks.job_failed(job)
