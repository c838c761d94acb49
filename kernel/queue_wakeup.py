"""Wake idle task workers the moment a task is queued, with PostgreSQL's LISTEN/NOTIFY.

django-tasks-db's workers find new tasks by polling the queue table, so a free worker
starts a job half a poll interval late on average, and an idle fleet queries the database
several times a second for nothing. PostgreSQL, which already is the queue, can push:

- `notify_workers` (connected to django.tasks' `task_enqueued` by `install()`) runs on
  the connection that inserted the task, so its `pg_notify` belongs to the same
  transaction: inside `atomic()` PostgreSQL delivers it exactly when the task row commits
  (never for a rolled-back one); in autocommit (`on_commit` callbacks) right after it.
- `QueueListener.wait(timeout)`, which a worker calls instead of `time.sleep(interval)`,
  waits on a dedicated connection that LISTENs, and returns as soon as a notification
  arrives. The worker then polls as before: the claim stays django-tasks-db's
  `SELECT ... FOR UPDATE SKIP LOCKED`, so a notification only says "look now" and
  exactly-once does not depend on it. A lost notification costs one poll interval.

Not for SQLite (embedded mode, tests) nor psycopg 3 (Booth uses psycopg2): `wait` sleeps.
LISTEN needs a session of its own, so a worker must reach PostgreSQL directly (or through a
session-mode pool), not through PgBouncer in transaction mode; NOTIFY works through either.
"""

import contextlib
import logging
import select
import time

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.psycopg_any import is_psycopg3
from django.tasks.signals import task_enqueued

from kernel.outages import DATABASE_ERRORS

logger = logging.getLogger(__name__)

CHANNEL = "booth_tasks"

# libpq keep-alives on the listening connection: one whose server vanished without closing
# it (a machine lost, a network cut) is noticed in about 30 s rather than never, since it
# only ever reads.
KEEPALIVE_OPTIONS = {
    "keepalives": 1,
    "keepalives_idle": 15,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


def install() -> None:
    """Send a notification for every task queued in this process (call once, in ready())."""
    task_enqueued.connect(notify_workers, dispatch_uid="booth-queue-wakeup")


def notify_workers(sender, task_result, **kwargs) -> None:
    """`task_enqueued` receiver: NOTIFY the listening workers, in the enqueuing transaction.

    The task is already stored and a worker's next poll finds it anyway, so a failure here
    must not fail the enqueue (an `on_commit` callback that raised would turn a stored
    capture into an error for the tablet): it is logged and the poll takes over.
    """
    db_result = getattr(task_result, "db_result", None)  # only django-tasks-db's results
    if db_result is None:
        return
    connection = connections[db_result._state.db or DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, db_result.queue_name])
    except DATABASE_ERRORS as exc:
        logger.info("Could not wake the workers (%s): they find the task at their next poll", exc)


def _listening_supported(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql" and not is_psycopg3


class QueueListener:
    """A worker's own connection LISTENing on CHANNEL, reopened after a failure.

    Used from one thread (the worker's). Its errors are Django's OperationalError or
    InterfaceError, like those of the worker's other queries, so the worker's outage
    handling (log once, back off, retry) covers it too; `wait` reconnects after `close`.
    """

    def __init__(self, alias: str = DEFAULT_DB_ALIAS, *, enabled: bool = True) -> None:
        self.alias = alias
        self.enabled = enabled and _listening_supported(connections[alias])
        self._connection: BaseDatabaseWrapper | None = None

    def wait(self, timeout: float) -> bool:
        """Return when a task is queued (True) or after `timeout` seconds (False).

        Right after (re)connecting it returns True at once: a task queued before LISTEN
        took effect woke nobody, so the caller must look at the queue once more.
        """
        if not self.enabled:
            time.sleep(timeout)
            return False
        if self._connection is None:
            self._listen()
            return True
        raw = self._connection.connection
        with self._connection.wrap_database_errors:
            if self._drain(raw):  # queued while the worker was busy
                return True
            readable, _, _ = select.select([raw], [], [], timeout)
            return bool(readable) and self._drain(raw)

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(*DATABASE_ERRORS):  # already broken: nothing to close
                connection.close()

    def _listen(self) -> None:
        connection = connections.create_connection(self.alias)  # not shared, not pooled
        settings = connection.settings_dict  # the project's own dict: copied, not changed
        options = {**KEEPALIVE_OPTIONS, **settings.get("OPTIONS", {})}
        connection.settings_dict = {**settings, "OPTIONS": options}
        try:
            with connection.cursor() as cursor:  # autocommit: LISTEN takes effect now
                cursor.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            with contextlib.suppress(*DATABASE_ERRORS):
                connection.close()
            raise
        self._connection = connection

    @staticmethod
    def _drain(raw) -> bool:
        """Read what the server sent; True if it held notifications (all consumed)."""
        raw.poll()
        woken = bool(raw.notifies)
        raw.notifies.clear()
        return woken
