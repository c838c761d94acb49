from django.core.management.base import BaseCommand, CommandError

from experiences.models.events import Event
from experiences.models.sports import Integration
from experiences.selectors import active_event


class Command(BaseCommand):
    help = (
        "Create an integration (e.g. the free-kick sensor) and print its API token once; "
        "Booth stores only its hash."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", default="Free-kick sensor")
        parser.add_argument("--event", help="The event's slug (default: the active event).")
        parser.add_argument(
            "--scope",
            action="append",
            choices=Integration.Scope.values,
            help="What it may do (repeatable; default: shots).",
        )

    def handle(self, *args, name: str, event: str | None, scope: list[str] | None, **options):
        target = Event.objects.filter(slug=event).first() if event else active_event()
        if target is None:
            raise CommandError(
                f"No event with slug {event!r}." if event else "There is no active event."
            )
        integration = Integration(name=name, event=target, scopes=scope or ["shots"])
        token = integration.issue_token()
        integration.save()
        self.stdout.write(self.style.SUCCESS(f"Integration “{name}” for {target} created."))
        self.stdout.write("Its token (shown only now; send it as 'Authorization: Bearer <token>'):")
        self.stdout.write(token)
