"""A free worker starts a queued job at once: PostgreSQL's NOTIFY wakes it, not its next poll.

The workers here poll every 30 s, so a job started within a second was started because
kernel.queue_wakeup woke the worker. PostgreSQL only (CI's PostgreSQL pass, or
DATABASE_URL=postgres://...): on SQLite the workers poll, and these tests skip.
"""

import threading
import time

import psycopg2
import pytest
from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booth.resilient_worker import ResilientWorker
from experiences.models.photo import WorkerHeartbeat
from kernel.queue_wakeup import CHANNEL, QueueListener
from tests import servers
from tests.booth.test_outages import own_postgres  # noqa: F401 - fixture

POLL_SECONDS = 30  # never reached in these tests: only a notification can start a job
WOKEN_WITHIN_SECONDS = 1.0


@pytest.fixture
def on_postgresql(transactional_db) -> None:
    """The test database, committed for real (NOTIFY is delivered on commit)."""
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's: run with DATABASE_URL=postgres://...")


@task()
def do_nothing() -> None:
    """The cheapest job there is: what is measured is the wait before it starts."""


def _listening_sessions(cursor) -> int:
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = %s",
        [f"LISTEN {CHANNEL}"],
    )
    return cursor.fetchone()[0]


def test_an_idle_worker_starts_a_queued_task_within_a_second_not_at_its_next_poll(
    on_postgresql, settings
):
    settings.BOOTH_WORKER_HEARTBEAT_SECONDS = 0.2
    worker = ResilientWorker(
        queue_names=["default"],
        interval=POLL_SECONDS,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="w-wakeup",
        excluded_queue_names=[],
    )
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while not _listening_sessions(cursor):
            assert time.monotonic() < deadline, "the worker never started listening"
            time.sleep(0.05)
    time.sleep(1)  # past its first polls: idle, with 30 s to go before the next one
    # Waiting is not dying: its heartbeat stays fresh between polls 30 s apart.
    beat = WorkerHeartbeat.objects.get(worker_id="w-wakeup").last_poll
    assert (timezone.now() - beat).total_seconds() < 0.6

    queued = time.monotonic()
    result = do_nothing.enqueue()
    thread.join(timeout=POLL_SECONDS / 2)
    finished = time.monotonic() - queued

    assert not thread.is_alive(), "the worker slept until its next poll"
    row = DBTaskResult.objects.get(pk=result.id)
    waited = (row.started_at - row.enqueued_at).total_seconds()
    assert row.status == "SUCCESSFUL" and row.worker_ids == ["w-wakeup"]
    assert waited < WOKEN_WITHIN_SECONDS, f"started {waited:.3f} s after it was queued"
    assert finished < WOKEN_WITHIN_SECONDS + 1
    print(f"\nqueued → started {waited * 1000:.1f} ms with a {POLL_SECONDS} s poll interval")


def test_a_task_queued_in_a_transaction_wakes_the_workers_when_it_commits_not_before(
    on_postgresql,
):
    """A worker woken before the commit would find no task, then sleep a whole interval."""
    listener = QueueListener()
    try:
        assert listener.wait(0) is True  # just connected: "look once", then quiet
        assert listener.wait(0.2) is False
        with transaction.atomic():
            do_nothing.enqueue()
            assert listener.wait(0.3) is False  # not committed: invisible, so no wake-up
        assert listener.wait(2) is True
        assert listener.wait(0.2) is False  # one task, one wake-up

        with pytest.raises(RuntimeError), transaction.atomic():
            do_nothing.enqueue()
            raise RuntimeError("the capture failed")
        assert listener.wait(0.3) is False  # rolled back: no task, no wake-up
    finally:
        listener.close()


@pytest.mark.system
@pytest.mark.outage
def test_a_worker_still_woken_at_once_after_postgresql_restarts(own_postgres, tmp_path):  # noqa: F811
    """The listening connection dies with the server and comes back with the worker's
    back-off: after the restart a queued task still starts at once."""
    env = servers.booth_env(
        tmp_path, DATABASE_URL=own_postgres.url, BOOTH_WORKER_HEARTBEAT_SECONDS="0.2"
    )
    servers.manage(env, "migrate", "-v0")
    log = tmp_path / "worker.log"
    worker = servers.start(
        env, log, "booth_worker", "--interval", str(POLL_SECONDS), "--no-startup-delay"
    )
    try:
        _wait_until_listening(own_postgres.url, worker, log)
        before = _queue_and_wait(env, own_postgres.url)
        own_postgres.stop()
        time.sleep(2)
        own_postgres.start()
        restarted = time.monotonic()
        _wait_until_listening(own_postgres.url, worker, log)
        back = time.monotonic() - restarted
        after = _queue_and_wait(env, own_postgres.url)
        print(
            f"\nqueued → started {before * 1000:.0f} ms before the restart, "
            f"{after * 1000:.0f} ms after it (listening again {back:.1f} s after the restart)"
        )
        assert before < WOKEN_WITHIN_SECONDS
        # The first task after the restart also pays the enqueuing process's connection to a
        # server with cold caches (once 0.6 s on a loaded machine); its poll is 30 s away.
        assert after < 3 * WOKEN_WITHIN_SECONDS
        assert worker.poll() is None
    finally:
        servers.stop(worker)
    output = log.read_text()
    assert "Traceback" not in output
    assert output.count("unavailable (") == 1 and output.count("available again") == 1


def _query(url: str, sql: str, *params) -> list[tuple]:
    with psycopg2.connect(url, connect_timeout=3) as db, db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _wait_until_listening(url: str, worker, log, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert worker.poll() is None, log.read_text()
        try:
            if _query(
                url, "SELECT count(*) FROM pg_stat_activity WHERE query = %s", "LISTEN " + CHANNEL
            )[0][0]:
                time.sleep(0.5)  # then idle, 30 s before its next poll
                return
        except psycopg2.OperationalError:
            pass  # still starting
        assert time.monotonic() < deadline, f"the worker did not listen again:\n{log.read_text()}"
        time.sleep(0.1)


def _queue_and_wait(env: dict, url: str) -> float:
    """Queue the retention purge (cheap on an empty database) from another process; the
    seconds from its enqueue to its start, by the task row's own timestamps."""
    servers.manage(env, "purge_expired", "--enqueue")
    deadline = time.monotonic() + POLL_SECONDS / 2
    while True:
        rows = _query(
            url,
            "SELECT extract(epoch FROM started_at - enqueued_at) FROM "
            "django_tasks_database_dbtaskresult WHERE started_at IS NOT NULL "
            "ORDER BY enqueued_at DESC LIMIT 1",
        )
        count = _query(
            url, "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE started_at IS NULL"
        )
        if rows and not count[0][0]:
            return float(rows[0][0])
        assert time.monotonic() < deadline, "the queued task was not started: no wake-up"
        time.sleep(0.1)
