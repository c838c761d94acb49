"""Queue wait in scaled mode: workers polling every 0.2 s vs woken by PostgreSQL's NOTIFY.

    .venv/bin/python bench/queue_wait.py [--workers N] [--tasks 100] [--every 0.1]
        [--idle 10] [--modes poll,notify] [--database-url URL]

Creates a database of its own on the PostgreSQL at --database-url (migrated, dropped at
the end, also on error), then for each mode starts N `manage.py booth_worker` processes
(DB_CONN_MAX_AGE=600, as the Procfile runs them) and waits until each has written its
heartbeat. It then measures, over --idle seconds with nothing queued, what the idle fleet
costs: the workers' CPU time, their PostgreSQL backends' CPU time and the transactions the
database committed. Then it queues a no-op task (bench/noop_task.py) every --every seconds
from this process and prints the queue wait, from each task row's enqueued_at to its
started_at (p50, p95, max). Other processes on the machine skew every figure: the load
average is printed beside them.

Modes:
  poll    booth_worker --interval 0.2 --no-listen: how the Procfile ran workers before
  notify  booth_worker --interval 2: woken by NOTIFY, polling every 2 s only as a safety net
  notify-0.2  booth_worker --interval 0.2: NOTIFY with the old poll interval
  rq      django-tasks-rq's backend on RQ over Redis (--redis-url), with N `rqworker`
          processes (BLPOP: Redis pushes the job), for comparison only, not a Booth backend.
          Needs `.venv/bin/pip install django-tasks-rq` (it brings django-rq, rq and the
          django-tasks backport; bench/rq_settings.py adds them to Booth's settings). The
          queue wait is then measured from RQ's own job timestamps (enqueued_at to
          started_at, which RQ sets in the work-horse process it forks per job).
  rq-simple  the same with RQ's SimpleWorker, which runs jobs in the worker (no fork).
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Mode:
    name: str
    worker: list[str]  # manage.py arguments
    env: dict[str, str] = field(default_factory=dict)


MODES = {
    "poll": Mode("poll", ["booth_worker", "--interval", "0.2", "--no-listen"]),
    "notify": Mode("notify", ["booth_worker", "--interval", "2"]),
    "notify-0.2": Mode("notify-0.2", ["booth_worker", "--interval", "0.2"]),
    "rq": Mode(
        "rq",
        ["rqworker", "default", "-v0", "--job-class", "django_tasks_rq.Job"],
        {"DJANGO_SETTINGS_MODULE": "bench.rq_settings"},
    ),
    "rq-simple": Mode(
        "rq-simple",
        [
            *("rqworker", "default", "-v0", "--job-class", "django_tasks_rq.Job"),
            *("--worker-class", "rq.worker.SimpleWorker"),
        ],
        {"DJANGO_SETTINGS_MODULE": "bench.rq_settings"},
    ),
}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load() -> str:
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--every", type=float, default=0.1, help="seconds between tasks")
    parser.add_argument("--idle", type=float, default=10, help="seconds of idle measurement")
    parser.add_argument("--modes", default="poll,notify")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--quiet", action="store_true", help="no heading (rq's own process)")
    args = parser.parse_args()
    modes = [MODES[name] for name in args.modes.split(",")]

    import psycopg2  # the project's driver; imported here to keep --help instant

    name = f"bench_queue_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(args.database_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/[^/]*$", f"/{name}", args.database_url)
    var_dir = tempfile.mkdtemp(prefix="booth-queue-bench-")
    env = {
        **os.environ,
        # RQ's mode runs alone, in a process of its own (see run_rq).
        "DJANGO_SETTINGS_MODULE": "bench.rq_settings"
        if args.modes.startswith("rq")
        else "booth.settings",
        "BOOTH_VAR_DIR": var_dir,
        "DATABASE_URL": url,
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "BENCH_RQ_URL": args.redis_url,
    }
    env.pop("REDIS_URL", None)  # the task queue is PostgreSQL; RQ's mode sets its own
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        os.environ.clear()
        os.environ.update(env)  # this process queues the tasks: same settings as the workers
        if not args.quiet:
            print(
                f"{args.workers} workers, {args.tasks} no-op tasks one every "
                f"{args.every * 1000:.0f} ms, idle cost over {args.idle:.0f} s; "
                f"{os.cpu_count()} CPUs, {load()}"
            )
        for mode in modes:
            if mode.name.startswith("rq"):
                run_rq(mode, env, args)
            else:
                run_db(mode, env, args, name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        shutil.rmtree(var_dir, ignore_errors=True)


def start_workers(mode: Mode, env: dict, count: int) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", *mode.worker, *worker_options(mode, number)],
            cwd=ROOT,
            env={**env, **mode.env},
            stdout=subprocess.DEVNULL,
            stderr=None,
        )
        for number in range(count)
    ]


def worker_options(mode: Mode, number: int) -> list[str]:
    if mode.worker[0] == "booth_worker":
        return ["-v0", "--no-startup-delay", "--worker-id", f"bench-{mode.name}-{number}"]
    return []


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def run_db(mode: Mode, env: dict, args, database: str) -> None:
    """django-tasks-db's queue on PostgreSQL, with `booth_worker` processes."""
    import django

    django.setup()
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from bench.noop_task import do_nothing
    from experiences.models.photo import WorkerHeartbeat

    DBTaskResult.objects.all().delete()
    workers = start_workers(mode, env, args.workers)
    try:
        deadline = time.monotonic() + 60
        while WorkerHeartbeat.objects.count() < args.workers:
            if any(worker.poll() is not None for worker in workers):
                sys.exit(f"a {mode.name} worker exited at start-up")
            if time.monotonic() > deadline:
                sys.exit(f"the {mode.name} workers did not start within 60 s")
            time.sleep(0.2)
        time.sleep(2)  # past their first polls and LISTEN

        def backends() -> list[int]:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                    "pg_backend_pid()",
                    [database],
                )
                return [pid for (pid,) in cursor.fetchall()]

        def commits() -> int:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", [database]
                )
                return cursor.fetchone()[0]

        idle_backends = backends()
        cpu_before = [cpu_seconds(w.pid) for w in workers]
        db_before = [cpu_seconds(pid) for pid in idle_backends]
        commits_before = commits()
        time.sleep(args.idle)
        commits_after = commits()
        worker_cpu = sum(cpu_seconds(w.pid) for w in workers) - sum(cpu_before)
        db_cpu = sum(cpu_seconds(pid) for pid in idle_backends) - sum(db_before)
        idle_load = load()

        queued = []
        cpu_before = [cpu_seconds(w.pid) for w in workers]
        next_at = time.monotonic()
        for _ in range(args.tasks):
            queued.append(do_nothing.enqueue().id)
            next_at += args.every
            time.sleep(max(0.0, next_at - time.monotonic()))
        deadline = time.monotonic() + 60
        while DBTaskResult.objects.filter(pk__in=queued, status="SUCCESSFUL").count() < len(queued):
            if time.monotonic() > deadline:
                sys.exit(f"{mode.name}: not every task ran within 60 s")
            time.sleep(0.2)
        busy_cpu = sum(cpu_seconds(w.pid) for w in workers) - sum(cpu_before)
        waits = [
            (row.started_at - row.enqueued_at).total_seconds() * 1000
            for row in DBTaskResult.objects.filter(pk__in=queued)
        ]
    finally:
        stop_workers(workers)
        connection.close()
    report(mode.name, waits, args, worker_cpu, db_cpu, commits_after - commits_before, idle_load)
    print(f"    workers' CPU while running them: {busy_cpu * 1000 / len(waits):.1f} ms per task")


def run_rq(mode: Mode, env: dict, args) -> None:
    """The same tasks on RQ over Redis, through django-tasks-rq (measurement only).

    Its Django runs with bench/rq_settings.py, so it runs in a process of its own."""
    if os.environ.get("DJANGO_SETTINGS_MODULE") != "bench.rq_settings":
        child = [sys.executable, __file__, "--modes", mode.name, "--quiet"]
        for option in ("workers", "tasks", "every", "idle", "database_url", "redis_url"):
            child += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
        subprocess.run(child, env=env, check=True)
        return
    import django

    django.setup()
    import django_rq
    from rq import Worker
    from rq.job import Job

    from bench.noop_task import do_nothing

    redis = django_rq.get_connection("default")
    django_rq.get_queue("default").empty()
    workers = start_workers(mode, env, args.workers)
    try:
        deadline = time.monotonic() + 60
        pids = {worker.pid for worker in workers}
        while not pids <= {worker.pid for worker in Worker.all(connection=redis)}:
            if any(worker.poll() is not None for worker in workers):
                sys.exit("an rq worker exited at start-up")
            if time.monotonic() > deadline:
                sys.exit("the rq workers did not start within 60 s")
            time.sleep(0.2)
        time.sleep(2)  # past their start-up
        cpu_before = [cpu_seconds(w.pid) for w in workers]
        time.sleep(args.idle)
        worker_cpu = sum(cpu_seconds(w.pid) for w in workers) - sum(cpu_before)
        idle_load = load()

        queued = []
        cpu_before = [cpu_seconds(w.pid) for w in workers]
        next_at = time.monotonic()
        for _ in range(args.tasks):
            queued.append(do_nothing.enqueue().id)
            next_at += args.every
            time.sleep(max(0.0, next_at - time.monotonic()))
        deadline = time.monotonic() + 60
        while True:
            jobs = Job.fetch_many(queued, connection=redis)
            if all(job is not None and job.ended_at is not None for job in jobs):
                break
            if time.monotonic() > deadline:
                sys.exit("rq: not every task ran within 60 s")
            time.sleep(0.2)
        busy_cpu = sum(cpu_seconds(w.pid) for w in workers) - sum(cpu_before)
        failed = [job.id for job in jobs if not job.is_finished]
        if failed:
            sys.exit(f"rq: {len(failed)} tasks failed, e.g. {failed[0]}")
        waits = [(job.started_at - job.enqueued_at).total_seconds() * 1000 for job in jobs]
    finally:
        stop_workers(workers)
    report(mode.name, waits, args, worker_cpu, None, None, idle_load)
    print(
        f"    workers' CPU while running them: {busy_cpu * 1000 / len(waits):.1f} ms per task "
        "(the work-horse processes RQ forks per job not counted)"
    )


def report(
    name: str,
    waits: list[float],
    args,
    worker_cpu: float,
    db_cpu: float | None,
    commits: int | None,
    idle_load: str,
) -> None:
    per_second = args.idle * args.workers
    print(
        f"{name:>10}: queue wait p50 {statistics.median(waits):6.1f} ms, "
        f"p95 {percentile(waits, 0.95):6.1f} ms, max {max(waits):6.1f} ms ({len(waits)} tasks)"
    )
    idle = f"    idle: workers' CPU {worker_cpu * 1000 / per_second:.2f} ms/s per worker"
    if db_cpu is not None:
        idle += f", their PostgreSQL backends' CPU {db_cpu * 1000 / per_second:.2f} ms/s"
    if commits is not None:
        idle += f", {commits / per_second:.1f} transactions/s per worker"
    print(f"{idle} ({idle_load})")


if __name__ == "__main__":
    main()
