"""Start Booth: daphne (HTTP + websockets) and, in embedded mode, job processing."""

import asyncio

from daphne.server import Server  # first: installs Twisted's asyncio reactor

from daphne.endpoints import build_endpoint_description_strings  # isort: skip
from channels.routing import get_default_application
from django.conf import settings
from django.core.management.base import BaseCommand

from booth.shutdown import close_websockets_on_shutdown, remove_stale_presence
from booth.worker import embedded_workers
from experiences.photo.recovery import requeue_after_restart
from kernel.network import qr_base_warnings, reachable_base_url
from kernel.realtime import bind_server_loop
from kernel.tls import ensure_server_certificate, lan_address_hosts, tls_endpoint, tls_files


class Command(BaseCommand):
    help = "Serve Booth over HTTP and websockets, with job processing in embedded mode."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not process jobs here (separate `manage.py booth_worker` processes do).",
        )
        parser.add_argument(
            "--https",
            action="store_true",
            help="Serve HTTPS and WSS with a certificate from Booth's own local CA "
            "(created once in BOOTH_VAR_DIR/tls/); tablets install the CA from "
            "/staff/certificate/.",
        )

    def handle(
        self, *args, host: str, port: int, no_worker: bool, https: bool = False, **options
    ) -> None:
        self.check(display_num_errors=False)
        endpoints = build_endpoint_description_strings(host=host, port=port)
        if https:
            files = tls_files(settings.BOOTH_TLS_DIR)
            ensure_server_certificate(files, lan_address_hosts(host))
            endpoints = [tls_endpoint(host, port, files)]
            # Cookies over HTTPS only. No HSTS or redirect: the CA is the booth's own, and a
            # browser told "HTTPS only" for this address would keep refusing plain HTTP
            # after the event.
            settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
            self.stdout.write(f"Local CA certificate for the tablets: {files.ca_cert}")
        scheme = "https" if https else "http"
        if not settings.PUBLIC_BASE_URL_IS_SET:
            # The QR codes follow where this server is really reachable (embedded workers
            # run in this process and read the setting when they draw a QR code).
            settings.PUBLIC_BASE_URL = reachable_base_url(host, port, scheme)
        self.stdout.write(f"QR codes and links point at {settings.PUBLIC_BASE_URL}/")
        for warning in qr_base_warnings(settings.PUBLIC_BASE_URL, host, port):
            self.stderr.write(f"Warning: {warning}", self.style.WARNING)
        workers = None
        embedded = settings.BOOTH_EMBEDDED_WORKER and not no_worker
        remove_stale_presence(all_rows=embedded)
        if embedded:
            requeue_after_restart()
            workers = embedded_workers()

        def ready() -> None:
            bind_server_loop(asyncio.get_event_loop())
            if workers is not None:
                workers.start()
            mode = f"{len(workers.workers)} job worker thread(s)" if workers else "no job worker"
            self.stdout.write(
                f"Booth is serving on {scheme}://{host}:{port}/ with {mode}.", self.style.SUCCESS
            )

        try:
            server = Server(
                application=get_default_application(),
                endpoints=endpoints,
                signal_handlers=True,
                ready_callable=ready,
                # Daphne closes a connection whose message is larger (1009 Message Too Big)
                # before a consumer sees it; consumers check the same limit themselves.
                websocket_max_message_size=settings.BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES,
                websocket_max_frame_size=settings.BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES,
            )
            close_websockets_on_shutdown(server)
            server.run()
        finally:
            if workers is not None:
                workers.stop()
