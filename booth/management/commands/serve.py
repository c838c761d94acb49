"""Start Booth: a web server (HTTP + websockets) and, in embedded mode, job processing.

The server is uvicorn unless `--server daphne` (or BOOTH_WEB_SERVER=daphne) asks for daphne;
booth/uvicorn_server.py says why. Each server's module is imported only when chosen:
importing daphne installs Twisted's reactor.
"""

import asyncio
import importlib

from channels.routing import get_default_application
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from booth.shutdown import remove_stale_presence
from booth.worker import embedded_workers
from experiences.photo.recovery import requeue_after_restart
from kernel.network import qr_base_warnings, reachable_base_url
from kernel.realtime import bind_server_loop
from kernel.tls import ensure_server_certificate, lan_address_hosts, tls_files

# The function that runs each server (same signature), by the name `--server` takes.
SERVERS = {
    "uvicorn": "booth.uvicorn_server.run_uvicorn",
    "daphne": "booth.daphne_server.run_daphne",
}


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
        parser.add_argument(
            "--server",
            choices=sorted(SERVERS),
            help="The web server: uvicorn (the default, BOOTH_WEB_SERVER) or daphne, which "
            "reads whole request bodies before Booth can refuse them (docs/deployment.md).",
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        no_worker: bool,
        https: bool = False,
        server: str | None = None,
        **options,
    ) -> None:
        self.check(display_num_errors=False)
        server = server or settings.BOOTH_WEB_SERVER
        if server not in SERVERS:
            raise CommandError(f"Unknown web server {server!r}: choose {' or '.join(SERVERS)}.")
        module, _, name = SERVERS[server].rpartition(".")
        run_server = getattr(importlib.import_module(module), name)
        files = None
        if https:
            files = tls_files(settings.BOOTH_TLS_DIR)
            ensure_server_certificate(files, lan_address_hosts(host))
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
                f"Booth is serving on {scheme}://{host}:{port}/ ({server}) with {mode}.",
                self.style.SUCCESS,
            )

        try:
            run_server(
                get_default_application(),
                host=host,
                port=port,
                ready=ready,
                # The server closes a socket whose message is larger with 1009 "Message Too
                # Big" before a consumer sees it; consumers check the same limit themselves.
                websocket_max_bytes=settings.BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES,
                tls=files,
            )
        finally:
            if workers is not None:
                workers.stop()
