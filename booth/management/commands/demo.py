from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kernel.network import reachable_base_url


class Command(BaseCommand):
    help = "Prepare everything for the embedded demo, then serve it (one command)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--device-password", help="Use this password for every device.")
        parser.add_argument(
            "--https", action="store_true", help="Serve HTTPS with Booth's local CA (see serve)."
        )
        parser.add_argument(
            "--server", choices=["uvicorn", "daphne"], help="The web server (see serve)."
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        device_password=None,
        https: bool = False,
        server: str | None = None,
        **options,
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("compiletranslations")
        call_command("seed_demo", device_password=device_password)
        # The addresses printed are the ones a tablet or phone types: the LAN address when
        # listening on every interface, not 0.0.0.0.
        base = reachable_base_url(host, port, "https" if https else "http")
        if settings.PUBLIC_BASE_URL_IS_SET:
            base = settings.PUBLIC_BASE_URL
        self.stdout.write(
            f"\nOpen a tablet:   {base}/tablet/   (log in as station1)\n"
            f"Open its display: {base}/displays/1/\n"
            f"All displays:     {base}/\n"
            f"The LED wall:     {base}/displays/wall/\n"
            f"Free-kick commentary: {base}/displays/commentary/\n"
            f"Staff: control panel {base}/displays/control/, "
            f"status {base}/displays/status/, admin {base}/admin/\n"
        )
        if https:
            self.stdout.write(f"Install the CA on each tablet: {base}/staff/certificate/\n")
        call_command("serve", host=host, port=port, https=https, server=server)
