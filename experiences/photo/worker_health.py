"""Whether the task workers are alive and keeping up, read from their heartbeats.

Workers (`manage.py booth_worker`) write a `WorkerHeartbeat` as they poll. Where separate
workers are expected (settings.BOOTH_EXPECT_WORKERS), a booth whose workers are all gone
looks healthy from the web side while nothing comes out; /readyz, the status page and the
chat webhook read this module to say so.
"""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from experiences.models.photo import WorkerHeartbeat
from experiences.photo import notifications as webhooks


@dataclass
class WorkerHealth:
    live_workers: int
    # Seconds since the newest poll of any worker (None: no worker ever polled).
    last_poll_age: float | None
    # Seconds the oldest ready task has waited (None: the queue is empty).
    oldest_ready_wait: float | None
    problems: list[str] = field(default_factory=list)

    @property
    def workers_missing(self) -> bool:
        return self.live_workers == 0


def worker_health() -> WorkerHealth:
    """The workers' and the queue's state now, with a sentence per problem."""
    now = timezone.now()
    stale = settings.BOOTH_WORKER_STALE_SECONDS
    polls = list(WorkerHeartbeat.objects.values_list("last_poll", flat=True))
    ages = [(now - poll).total_seconds() for poll in polls]
    live = sum(1 for age in ages if age <= stale)
    last_age = min(ages) if ages else None
    oldest = (
        DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True)
    ).first()
    wait = (now - oldest).total_seconds() if oldest else None
    health = WorkerHealth(live, last_age, wait)
    if live == 0:
        health.problems.append(
            "no worker has ever polled the queue"
            if last_age is None
            else f"no worker has polled for {last_age:.0f} s"
        )
    if wait is not None and wait > settings.BOOTH_QUEUE_WAIT_ALERT_SECONDS:
        health.problems.append(f"the oldest queued job has waited {wait:.0f} s")
    return health


def workers_summary(health: WorkerHealth) -> str:
    """One line for the status page: the problems, or that the workers are fine."""
    if health.problems:
        return "; ".join(health.problems).capitalize()
    return f"{health.live_workers} polling"


class WorkerAlarm:
    """Tells the staff chat once when the workers are missing or the queue is stuck, and
    once when that is over (called by every `booth_scheduler` round; a restarted
    scheduler may tell again)."""

    def __init__(self) -> None:
        self.raised: frozenset[str] = frozenset()
        # Workers start with the scheduler: give them the stale period to poll first.
        self.quiet_until = time.monotonic() + settings.BOOTH_WORKER_STALE_SECONDS

    def check(self) -> None:
        health = worker_health()
        if time.monotonic() < self.quiet_until and health.workers_missing:
            return
        kinds = frozenset(
            "workers" if problem.startswith("no worker") else "queue" for problem in health.problems
        )
        if kinds - self.raised:
            webhooks.notify_now(
                f":warning: Booth: {'; '.join(health.problems)}. Nothing comes out "
                "until a worker runs (check the worker processes)."
            )
        elif self.raised and not kinds:
            webhooks.notify_now(":white_check_mark: Booth: the workers are processing jobs again.")
        self.raised = kinds
