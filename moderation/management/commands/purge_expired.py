from django.core.management.base import BaseCommand

from moderation.services import purge_expired
from moderation.tasks import purge_expired_visitors


class Command(BaseCommand):
    help = "Erase visitors whose retention period has ended (rows and files). Safe to rerun."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the purge as a task for the task workers instead of running it here.",
        )

    def handle(self, *args, enqueue: bool = False, **options) -> None:
        if enqueue:
            result = purge_expired_visitors.enqueue()
            self.stdout.write(f"Queued the retention purge as task {result.id}.")
            return
        erased = purge_expired()
        self.stdout.write(
            f"Erased {erased.players} visitor(s): {erased.rows} row(s), {erased.files} file(s)."
        )
