"""The chat webhook against a real local HTTP server: what it sends, and that a slow or
failing chat service never delays or breaks a visitor's job."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from experiences.models.library import BaseImage
from experiences.models.photo import Job
from experiences.photo.jobs import run_job
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 10


class ChatServer:
    """A Slack-like incoming-webhook endpoint on 127.0.0.1 that keeps what it receives."""

    def __init__(self, status: int = 200) -> None:
        self.received: list[dict] = []
        self.arrived = threading.Event()
        self.release = threading.Event()  # a slow server answers only once this is set
        self.release.set()
        chat = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                chat.received.append(
                    {"json": json.loads(body), "content_type": self.headers["Content-Type"]}
                )
                chat.arrived.set()
                chat.release.wait(WAIT)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"invalid_token")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T0/B0/secret"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def chat(settings):
    server = ChatServer()
    settings.BOOTH_CHAT_WEBHOOK_URL = server.url
    yield server
    server.close()


def test_a_ready_result_is_announced_naming_station_and_display(booth, chat, public_base_url):
    job = factories.make_finished_job(booth.station, "Mina")

    assert chat.arrived.wait(WAIT), "no webhook arrived"
    (message,) = chat.received
    assert message["content_type"] == "application/json"
    text = message["json"]["text"]
    assert "Portrait ready" in text
    assert "Tablet 1" in text and "LED wall 1 (display 1)" in text
    assert f"job {job.pk}" in text
    assert f"{public_base_url}/admin/experiences/job/{job.pk}/change/" in text
    assert "Mina" not in text  # visitors stay unnamed in the chat


def test_a_failed_job_is_announced_with_its_reason(booth, chat):
    BaseImage.objects.update(approved=False)

    job = factories.make_finished_job(booth.station, "Mina")

    assert job.state == Job.State.FAILED
    assert chat.arrived.wait(WAIT)
    text = chat.received[0]["json"]["text"]
    assert f"Job {job.pk} failed" in text and "display 1" in text
    assert "No approved base image" in text


def test_a_slow_chat_server_does_not_hold_up_the_job(booth, chat):
    chat.release.clear()  # the server will not answer until the job has finished
    job = factories.make_job(booth.station, nickname="Mina")

    state = run_job(job.pk)  # returns while the webhook request is still hanging

    assert state == Job.State.SUCCEEDED
    assert not chat.release.is_set()
    assert chat.arrived.wait(WAIT)  # it was sent meanwhile, from the background
    chat.release.set()


def test_a_failing_chat_server_is_logged_and_the_job_succeeds(booth, settings, caplog):
    failing = ChatServer(status=500)
    settings.BOOTH_CHAT_WEBHOOK_URL = failing.url
    done = threading.Event()

    class Done(logging.Handler):
        def emit(self, record) -> None:
            done.set()

    handler = Done(level=logging.ERROR)
    logging.getLogger("experiences.photo.notifications").addHandler(handler)
    try:
        with caplog.at_level(logging.ERROR, logger="experiences.photo.notifications"):
            job = factories.make_finished_job(booth.station, "Mina")
            assert done.wait(WAIT), "the failure was not logged"
    finally:
        logging.getLogger("experiences.photo.notifications").removeHandler(handler)
        failing.close()

    assert job.state == Job.State.SUCCEEDED
    assert failing.received  # it was tried
    assert "Chat webhook to http://127.0.0.1" in caplog.text and "500" in caplog.text
    assert "HTTP Error 500" in caplog.text
    assert "secret" not in caplog.text  # a Slack webhook's path is its secret


def test_nothing_is_sent_unless_configured(booth, settings):
    listener = ChatServer()
    settings.BOOTH_CHAT_WEBHOOK_URL = ""
    try:
        factories.make_finished_job(booth.station, "Mina")
        assert not listener.arrived.wait(1)
    finally:
        listener.close()
