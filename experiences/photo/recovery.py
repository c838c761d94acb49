"""Finding jobs whose worker died and queueing them again (run by `manage.py booth_scheduler`).

Three ways a job can be stranded in scaled mode, each found by time alone, so any number
of scheduler processes on any machines may run this at once (rows are locked with
SKIP LOCKED and every condition is checked again under the lock):

- running, but its lease ran out: the worker was killed or lost its machine;
- succeeded, but never published: the worker died between storing and publishing;
- queued, but no task will run it: the web process died between commit and enqueue,
  or its task ended without running the job.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from experiences.models.photo import Job
from experiences.photo import jobs as pipeline
from experiences.photo.intake import enqueue_job

logger = logging.getLogger(__name__)

# Tasks in these states will still run (or are running) their job.
IN_FLIGHT = ("READY", "RUNNING")


@dataclass
class Recovery:
    requeued: int = 0
    failed: int = 0


def _stranded(now: datetime) -> Q:
    grace = now - timedelta(seconds=settings.BOOTH_JOB_LEASE_SECONDS)
    return (
        Q(state=Job.State.RUNNING, lease_expires__lt=now)
        | Q(state=Job.State.SUCCEEDED, published__isnull=True, finished__lt=grace)
        | Q(state=Job.State.QUEUED, created__lt=grace)
    )


def _uses_task_table() -> bool:
    return isinstance(task_backends["default"], DatabaseBackend)


def _task_in_flight(job: Job) -> bool:
    """Whether the job's task will still run it (always assumed for non-database queues)."""
    if not _uses_task_table():
        return True
    return DBTaskResult.objects.filter(pk=job.task_id or None, status__in=IN_FLIGHT).exists()


WORKER_LOST = (
    "experiences.photo.recovery.WorkerLost",
    "The worker running this task stopped renewing its job's lease; the job was queued again.",
)
SERVER_STOPPED = (
    "experiences.photo.recovery.ServerStopped",
    "The server stopped while this task ran; its job was queued again.",
)


def _mark_task_interrupted(job: Job, why: tuple[str, str] = WORKER_LOST) -> None:
    if _uses_task_table() and job.task_id:
        DBTaskResult.objects.filter(pk=job.task_id, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path=why[0],
            traceback=why[1],
        )


def recover_jobs(now: datetime | None = None) -> Recovery:
    """Queue every stranded job again, or fail it once it has used up its attempts."""
    now = now or timezone.now()
    recovery = Recovery()
    for pk in Job.objects.filter(_stranded(now)).values_list("pk", flat=True):
        with transaction.atomic():
            job = (
                Job.objects.select_for_update(skip_locked=True)
                .filter(_stranded(now), pk=pk)
                .first()
            )
            if job is None:
                continue  # handled meanwhile, or another scheduler holds it
            if job.state == Job.State.RUNNING:
                _mark_task_interrupted(job)
                if job.attempts >= settings.BOOTH_JOB_MAX_ATTEMPTS:
                    _give_up(job)
                    recovery.failed += 1
                    continue
                job.state = Job.State.QUEUED
                job.lease_expires = None
                job.save(update_fields=["state", "lease_expires"])
            elif _task_in_flight(job):
                continue  # queued or publishing, and a task will still do it
            enqueue_job(job)
            recovery.requeued += 1
            logger.warning("Queued job %s again (its worker stopped)", job.pk)
    return recovery


def _give_up(job: Job) -> None:
    message = (
        f"A worker stopped while making this portrait {job.attempts} times, so it was not "
        "tried again. Check the photo and the workers' logs, then ask the visitor to retake it."
    )
    job = Job.objects.select_related("capture__station__display", "capture__player").get(pk=job.pk)
    pipeline.fail_job(job, message, job.attempts)
    logger.error("Job %s failed after %s attempts", job.pk, job.attempts)


def requeue_after_restart() -> int:
    """Queue again every unfinished or unpublished job whose task is not waiting to run.

    Only for a single embedded process at start-up (manage.py serve): any task still
    marked running then was cut off by the previous stop, whatever its lease says, so it
    is marked failed and its job queued anew; a job that succeeded but was never handed to
    its display is only published (experiences.photo.jobs.run_job).
    """
    requeued = 0
    unfinished = Q(state__in=[Job.State.QUEUED, Job.State.RUNNING]) | Q(
        state=Job.State.SUCCEEDED, published__isnull=True
    )
    for job in Job.objects.filter(unfinished):
        if (
            _uses_task_table()
            and job.task_id
            and DBTaskResult.objects.filter(pk=job.task_id, status="READY").exists()
        ):
            continue  # still queued: the worker will run it
        with transaction.atomic():
            _mark_task_interrupted(job, SERVER_STOPPED)
            if job.state != Job.State.SUCCEEDED:
                Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
            enqueue_job(job)
        requeued += 1
    if requeued:
        logger.warning("Queued %d interrupted job(s) again", requeued)
    return requeued
