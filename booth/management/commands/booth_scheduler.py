"""The scheduler process of scaled mode: rescues jobs of dead workers, purges expired data."""

import logging
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from experiences.photo.recovery import recover_jobs
from experiences.photo.worker_health import WorkerAlarm
from kernel.outages import Outage, dependency_of
from moderation.services import purge_expired

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Every BOOTH_SCHEDULER_INTERVAL_SECONDS, queue again the jobs whose worker died; "
        "every BOOTH_PURGE_INTERVAL_SECONDS, erase visitors past their retention. Safe to "
        "run on several machines at once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Do one round, then exit.")

    def handle(self, *args, once: bool, **options) -> None:
        stopping = threading.Event()
        if not once:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stopping.set())
            self.stdout.write(
                f"Booth scheduler: job leases every {settings.BOOTH_SCHEDULER_INTERVAL_SECONDS:g}"
                f" s, retention every {settings.BOOTH_PURGE_INTERVAL_SECONDS:g} s."
            )
        next_purge = 0.0
        alarm = WorkerAlarm() if settings.BOOTH_EXPECT_WORKERS else None
        outage = Outage("The database (scheduler)", logger)
        while not stopping.is_set():
            close_old_connections()
            try:
                recovered = recover_jobs()
                if recovered.requeued or recovered.failed:
                    self.stdout.write(
                        f"Queued {recovered.requeued} job(s) again, failed {recovered.failed}."
                    )
                if time.monotonic() >= next_purge:
                    erased = purge_expired()
                    next_purge = time.monotonic() + settings.BOOTH_PURGE_INTERVAL_SECONDS
                    if erased.players:
                        self.stdout.write(f"Erased {erased.players} visitor(s) past retention.")
                if alarm is not None:
                    alarm.check()
                outage.recovered()
            except Exception as exc:
                if once:
                    raise
                if dependency_of(exc):
                    outage.failed(exc)  # one line per outage, not a traceback per round
                else:
                    logger.exception("Scheduler round failed; it runs again later")
            if once:
                return
            stopping.wait(settings.BOOTH_SCHEDULER_INTERVAL_SECONDS)
