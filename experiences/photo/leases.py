"""Job leases: how a job survives the death of the worker running it.

The worker that claims a job holds a lease on it (`Job.lease_expires`) and renews it from
a side thread while the job runs. A worker that is killed or loses its machine stops
renewing; once the lease has run out, `manage.py booth_scheduler` queues the job again
(experiences.photo.recovery). The attempt number is the fencing token: a worker whose job was
queued again meanwhile cannot commit its result (experiences.photo.jobs).
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from experiences.models.photo import Job
from kernel.outages import DATABASE_ERRORS

logger = logging.getLogger(__name__)


def lease_until() -> datetime:
    return timezone.now() + timedelta(seconds=settings.BOOTH_JOB_LEASE_SECONDS)


def renew(job_id: int, attempt: int) -> bool:
    """Extend the lease, if this attempt still owns the job; False once it does not."""
    return bool(
        Job.objects.filter(pk=job_id, attempts=attempt, state=Job.State.RUNNING).update(
            lease_expires=lease_until()
        )
    )


def give_up(task_ids: list[str]) -> int:
    """End the leases of the jobs these tasks were running, so the scheduler queues them
    again at its next pass instead of after the lease: the worker lost them to a database
    outage (booth.resilient_worker) and knows they will not finish."""
    if not task_ids:
        return 0
    return Job.objects.filter(task_id__in=task_ids, state=Job.State.RUNNING).update(
        lease_expires=timezone.now()
    )


@contextmanager
def held(job_id: int, attempt: int) -> Iterator[None]:
    """Keep renewing the job's lease every third of its length while the block runs."""
    stop = threading.Event()

    def keep_renewing() -> None:
        try:
            while not stop.wait(settings.BOOTH_JOB_LEASE_SECONDS / 3):
                if not renew(job_id, attempt):
                    logger.warning("Job %s attempt %s lost its lease", job_id, attempt)
                    return
        except DATABASE_ERRORS as exc:  # an outage: the worker's own log says so, once
            logger.warning("Could not renew the lease of job %s: %s", job_id, type(exc).__name__)
        except Exception:
            logger.exception("Could not renew the lease of job %s", job_id)
        finally:
            connections.close_all()  # this thread's own connections only

    thread = threading.Thread(target=keep_renewing, name=f"lease-job-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
