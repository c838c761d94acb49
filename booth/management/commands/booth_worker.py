"""`manage.py booth_worker`: django-tasks-db's `db_worker`, surviving database outages.

Same options as `db_worker`; the loop is booth.resilient_worker.ResilientWorker, which
reconnects with back-off after a database outage instead of exiting, leaves the
heartbeat that /readyz reads and, on PostgreSQL, is woken by a queued task between polls
(`--no-listen` turns that off). Run it under a supervisor that restarts it if it does exit
(compose `restart: unless-stopped`, systemd `Restart=always`; see the README).
"""

import logging
from argparse import ArgumentParser, BooleanOptionalAction

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from booth.resilient_worker import ResilientWorker


class Command(db_worker.Command):
    help = "Run a task worker that outlives database outages and writes a heartbeat."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--listen",
            action=BooleanOptionalAction,
            default=True,
            help="On PostgreSQL, start a queued task at once: wait for its NOTIFY between "
            "polls (default: on). Turn off where LISTEN cannot work, e.g. through PgBouncer "
            "in transaction mode; the worker then only polls every --interval seconds.",
        )

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 1:
            # The library's loop, run once per poll in batch mode, would log start and stop
            # at every poll; its warnings (shutdown) still show.
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        listen: bool,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        if reload:
            self.stderr.write(
                "booth_worker ignores --reload: use `db_worker --reload` in development."
            )
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
            listen=listen,
        )
        worker.configure_signals()
        worker.run()
