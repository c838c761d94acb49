"""django-tasks-db's worker, made to outlive a database outage and to leave a heartbeat.

django-tasks-db's `Worker.run` retries only SQLite's "database is locked"; any other
OperationalError (PostgreSQL restarting, a fail-over, a dropped connection) escapes its
loop and the `db_worker` process exits, leaving queued jobs to sit until someone restarts
it. `ResilientWorker` keeps the library's loop and its claim/run logic untouched: it runs
that loop in batch mode (drain the ready tasks, return when none is left) inside a loop of
its own, which

- on a database error closes the connections, logs once per outage, waits with a growing
  back-off (capped at BACKOFF_MAX_SECONDS) and polls again, and logs once when it is back;
- writes a `WorkerHeartbeat` row (id, host, pid, last poll, current task) at most every
  HEARTBEAT_SECONDS, which /readyz and the status page read;
- between polls waits on PostgreSQL's LISTEN (kernel.queue_wakeup) instead of sleeping, so
  a task queued anywhere starts within milliseconds on a free worker; the poll interval
  is only the safety net (a lost notification, a task deferred with `run_after`). The
  listening connection fails and comes back with the others, through the same back-off.

An upstream fix would be for `Worker.run` to treat every OperationalError/InterfaceError
as transient (close the connection, back off, retry) and to offer a per-poll hook; then
this module shrinks to the heartbeat.
"""

import contextlib
import logging
import os
import random
import socket
import time

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from experiences.models.photo import WorkerHeartbeat
from experiences.photo import leases
from kernel.outages import DATABASE_ERRORS, Outage
from kernel.queue_wakeup import QueueListener

logger = logging.getLogger(__name__)

BACKOFF_FIRST_SECONDS = 0.25
BACKOFF_MAX_SECONDS = 2.0


class ResilientWorker(Worker):
    """A django-tasks-db `Worker` that survives database outages and writes a heartbeat."""

    def __init__(self, *, heartbeat: bool = True, listen: bool = True, **options) -> None:
        self.keep_polling = not options["batch"]
        self.first_delay = options["startup_delay"]
        # The library's loop runs in batch mode: it returns when the queue is empty, which
        # is where this loop beats, sleeps and handles errors.
        super().__init__(**{**options, "batch": True, "startup_delay": False})
        self.heartbeat = heartbeat
        self.outage = Outage(f"The database (worker {self.worker_id})", logger)
        self.last_beat = 0.0
        self.current_task = ""
        self.interrupted: list[str] = []  # tasks cut off by an outage
        self.listener = QueueListener(DBTaskResult.objects.db, enabled=listen)

    def run(self) -> None:
        logger.info(
            "Worker %s polls the queue every %s s%s",
            self.worker_id,
            self.interval,
            " and when woken by a queued task" if self.listener.enabled and self.interval else "",
        )
        if self.first_delay and self.interval:
            time.sleep(random.random())  # spreads a fleet's first polls
        backoff = BACKOFF_FIRST_SECONDS
        try:
            while self.running:
                try:
                    self.beat(force=self.outage.ongoing)
                    if self.outage.ongoing:  # the heartbeat was written: it is back
                        self.outage.recovered()
                        leases.give_up(self.interrupted)
                        self.interrupted = []
                    super().run()
                    backoff = BACKOFF_FIRST_SECONDS
                    if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                        return
                    if not self.keep_polling:
                        return
                    self._idle()
                except DATABASE_ERRORS as exc:
                    self.outage.failed(exc)
                    self.current_task = ""
                    self._close_connections()
                    time.sleep(backoff)
                    backoff = min(backoff * 2, BACKOFF_MAX_SECONDS)
        finally:
            self._forget()

    def _idle(self) -> None:
        """Wait until a task is queued or the next poll is due, beating meanwhile.

        The heartbeat goes on while the worker waits, so a long --interval (the poll is only
        a safety net when NOTIFY wakes the worker) never makes a waiting worker look dead.
        """
        due = time.monotonic() + self.interval
        every = settings.BOOTH_WORKER_HEARTBEAT_SECONDS if self.heartbeat else 0
        while self.running:
            left = due - time.monotonic()
            if left <= 0 or self.listener.wait(min(left, every) if every > 0 else left):
                return
            self.beat()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.current_task = str(db_task_result.pk)
        self.beat(force=True)
        try:
            super().run_task(db_task_result)
        except DATABASE_ERRORS:
            # Even its failure could not be recorded: the job's lease is ended once the
            # database is back, so the scheduler queues it again at once.
            self.interrupted.append(self.current_task)
            raise
        finally:
            self.current_task = ""

    def beat(self, *, force: bool = False) -> None:
        """Record a poll, at most every BOOTH_WORKER_HEARTBEAT_SECONDS (cheap otherwise)."""
        if not self.heartbeat:
            return
        now = time.monotonic()
        if not force and now - self.last_beat < settings.BOOTH_WORKER_HEARTBEAT_SECONDS:
            return
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "last_poll": timezone.now(),
                "current_task": self.current_task,
            },
            create_defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "current_task": self.current_task,
            },
        )
        self.last_beat = now

    def _forget(self) -> None:
        """A worker that stops cleanly removes its heartbeat (a killed one's goes stale)."""
        self.listener.close()
        if not self.heartbeat:
            return
        # With the database down the row stays, goes stale and is read as such.
        with contextlib.suppress(*DATABASE_ERRORS):
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        self._close_connections()

    def _close_connections(self) -> None:
        """Drop broken connections (the listener's too) so the next poll opens new ones."""
        self.listener.close()
        for connection in connections.all(initialized_only=True):
            with contextlib.suppress(*DATABASE_ERRORS):
                connection.close()
