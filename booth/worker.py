"""Job processing inside the web server process, for embedded mode.

The in-memory channel layer only reaches consumers in its own process, so in embedded
mode the jobs run in threads beside daphne and push results through its event loop
(kernel.realtime). The threads run django-tasks-db's own worker loop over the same
persistent queue a separate `manage.py db_worker` process would use.
"""

import logging
import threading

from django.conf import settings
from django.db import connections, transaction
from django.tasks.signals import task_enqueued
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from kernel.outages import DATABASE_ERRORS, Outage
from kernel.pools import available_cores
from moderation.services import purge_expired

logger = logging.getLogger(__name__)


def task_worker(name: str, interval: float, *, batch: bool = False) -> Worker:
    """django-tasks-db's worker loop on the default queue, as `manage.py db_worker` runs it."""
    return Worker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"{name}-{get_random_string(12)}",
        excluded_queue_names=[],
    )


# How long a worker waits before retrying when SQLite is locked by another writer.
LOCKED_RETRY_SECONDS = 0.02
# The pause after a failed poll during a database outage, doubling up to the maximum.
OUTAGE_BACKOFF_FIRST_SECONDS = 0.25
OUTAGE_BACKOFF_MAX_SECONDS = 2.0


class EmbeddedWorkers:
    """A few django-tasks-db workers on threads, plus the retention purge, stopped together.

    A job queued in this process wakes a worker as soon as its task's row is committed
    (django.tasks' `task_enqueued` signal, then the transaction's commit), so they need
    not poll: polling every few milliseconds would cost CPU and take SQLite's write lock
    away from the uploads. They still look every `idle_poll` seconds for jobs queued by
    other processes (management commands, restarts).

    One job wakes one idle worker, not all of them: each look at the queue is a write
    transaction (django-tasks-db claims under BEGIN IMMEDIATE on SQLite), so every worker
    woken for a job another one takes costs a write and a turn at the lock. When none is
    idle, all are told: a busy worker drains the queue before it sleeps, and being told
    while busy makes it look once more, so no job waits for `idle_poll`.
    """

    def __init__(self, threads: int, idle_poll: float, purge_every: float) -> None:
        self.idle_poll = idle_poll
        self.purge_every = purge_every
        self.stopping = threading.Event()
        self.workers = [
            task_worker("embedded", LOCKED_RETRY_SECONDS, batch=True) for _ in range(threads)
        ]
        self.wake_events = [threading.Event() for _ in self.workers]
        self.idle: list[threading.Event] = []  # wake events of the workers asleep
        self.idle_lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        task_enqueued.connect(self._wake, weak=False, dispatch_uid=f"booth-wake-{id(self)}")
        for number, (worker, wake) in enumerate(zip(self.workers, self.wake_events, strict=True)):
            thread = threading.Thread(
                target=self._run,
                args=(worker, wake),
                name=f"booth-worker-{number + 1}",
                daemon=True,
            )
            thread.start()
            self.threads.append(thread)
        purge = threading.Thread(target=self._purge_periodically, name="booth-purge", daemon=True)
        purge.start()
        self.threads.append(purge)

    def _wake(self, **kwargs) -> None:
        """On `task_enqueued`: wake a worker once the task's row is committed (at once
        outside a transaction), so it never looks before the task is there to find."""
        transaction.on_commit(self._wake_one)

    def _wake_one(self) -> None:
        with self.idle_lock:
            if self.idle:
                self.idle.pop().set()  # the one that went to sleep last: its cache is warm
                return
        for wake in self.wake_events:
            wake.set()

    def _sleep(self, wake: threading.Event) -> None:
        """Wait until woken or `idle_poll` has passed, listed as idle meanwhile."""
        with self.idle_lock:
            self.idle.append(wake)
        wake.wait(self.idle_poll)
        with self.idle_lock:
            if wake in self.idle:
                self.idle.remove(wake)

    def _purge_periodically(self) -> None:
        """Erase expired visitors now and then every `purge_every` seconds."""

        while not self.stopping.is_set():
            try:
                erased = purge_expired()
                if erased.players:
                    logger.info("Retention purge erased %d visitor(s)", erased.players)
            except Exception:
                logger.exception("Retention purge failed; it runs again later")
            finally:
                connections.close_all()
            self.stopping.wait(self.purge_every)

    def _run(self, worker: Worker, wake: threading.Event) -> None:
        """Drain the queue (the worker's batch mode), then sleep until woken.

        A database outage (django-tasks-db's loop raises anything but "database is
        locked") is waited out with a growing pause and logged once, not the thread's end.
        """
        outage = Outage(f"The database (embedded worker {worker.worker_id})", logger)
        backoff = OUTAGE_BACKOFF_FIRST_SECONDS
        try:
            while not self.stopping.is_set():
                wake.clear()  # before draining: a job queued meanwhile wakes the next round
                try:
                    worker.run()
                except DATABASE_ERRORS as exc:
                    outage.failed(exc)
                    connections.close_all()
                    self.stopping.wait(backoff)
                    backoff = min(backoff * 2, OUTAGE_BACKOFF_MAX_SECONDS)
                    continue
                outage.recovered()
                backoff = OUTAGE_BACKOFF_FIRST_SECONDS
                self._sleep(wake)
        except Exception:
            logger.exception("Embedded worker %s stopped", worker.worker_id)
        finally:
            connections.close_all()

    def stop(self, timeout: float = 30) -> None:
        """Let each worker finish its current job, then return."""
        task_enqueued.disconnect(dispatch_uid=f"booth-wake-{id(self)}")
        self.stopping.set()
        for worker, wake in zip(self.workers, self.wake_events, strict=True):
            worker.running = False
            wake.set()
        for thread in self.threads:
            thread.join(timeout)


def default_worker_threads() -> int:
    """One job thread per core, at least two: a job is mostly CPU (compositing) on the
    local backends, and a second thread keeps the queue moving while one job waits on an
    AWS backend or on SQLite's write lock."""
    return max(2, available_cores())


def embedded_workers() -> EmbeddedWorkers:
    return EmbeddedWorkers(
        settings.BOOTH_EMBEDDED_WORKER_THREADS or default_worker_threads(),
        settings.BOOTH_WORKER_POLL_SECONDS,
        settings.BOOTH_PURGE_INTERVAL_SECONDS,
    )
