from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Prepare everything for the embedded demo, then serve it (one command)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--device-password", help="Use this password for every device.")

    def handle(self, *args, host: str, port: int, device_password=None, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("compiletranslations")
        call_command("seed_demo", device_password=device_password)
        self.stdout.write(
            f"\nOpen a tablet:   http://{host}:{port}/tablet/   (log in as station1)\n"
            f"Open its display: http://{host}:{port}/displays/1/\n"
            f"All displays:     http://{host}:{port}/\n"
            f"The LED wall:     http://{host}:{port}/displays/wall/\n"
            f"Free-kick commentary: http://{host}:{port}/displays/commentary/\n"
            f"Staff: control panel http://{host}:{port}/displays/control/, "
            f"status http://{host}:{port}/displays/status/, admin http://{host}:{port}/admin/\n"
        )
        call_command("serve", host=host, port=port)
