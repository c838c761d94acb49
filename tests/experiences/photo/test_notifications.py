"""The chat webhook against a real local HTTP server: what it sends, that a slow or
failing chat service never delays or breaks a visitor's job, and that messages are tasks
on the persistent queue, retried with backoff, so a restart loses none."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booth.worker import task_worker
from experiences.models.library import BaseImage
from experiences.models.photo import Job
from experiences.photo.jobs import run_job
from experiences.photo.notifications import backoff_seconds
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


CHAT_TASK = "experiences.photo.notifications.send_chat_message"


def chat_tasks(status: str | None = None):
    rows = DBTaskResult.objects.filter(task_path=CHAT_TASK).order_by("enqueued_at")
    return rows.filter(status=status) if status else rows


def run_queue() -> None:
    """What the embedded worker or `manage.py db_worker` does: run every task now due."""
    task_worker("test", 0, batch=True).run()


def test_a_ready_result_is_announced_naming_station_and_display(booth, chat, public_base_url):
    job = factories.make_finished_job(booth.station, "Mina")
    run_queue()

    assert chat.arrived.wait(WAIT), "no webhook arrived"
    (message,) = chat.received
    assert message["content_type"] == "application/json"
    text = message["json"]["text"]
    assert "Portrait ready" in text
    assert "Tablet 1" in text and "LED wall 1 (display 1)" in text
    assert f"job {job.pk}" in text
    assert f"{public_base_url}/admin/experiences/job/{job.pk}/change/" in text
    assert "Mina" not in text  # visitors stay unnamed in the chat
    assert chat_tasks("SUCCESSFUL").count() == 1


def test_a_failed_job_is_announced_with_its_reason(booth, chat):
    BaseImage.objects.update(approved=False)

    job = factories.make_finished_job(booth.station, "Mina")
    run_queue()

    assert job.state == Job.State.FAILED
    assert chat.arrived.wait(WAIT)
    text = chat.received[0]["json"]["text"]
    assert f"Job {job.pk} failed" in text and "display 1" in text
    assert "No approved base image" in text


def test_a_slow_chat_server_does_not_hold_up_the_job(booth, chat):
    chat.release.clear()  # the server would hang the sender
    job = factories.make_job(booth.station, nickname="Mina")

    state = run_job(job.pk)  # sends nothing itself: the message waits in the queue

    assert state == Job.State.SUCCEEDED
    assert not chat.received
    assert chat_tasks("READY").count() == 1
    chat.release.set()
    run_queue()
    assert chat.arrived.wait(WAIT)


def test_a_message_queued_before_a_restart_is_still_sent(booth, chat):
    """The queue is the database: a message survives the process that queued it."""
    factories.make_finished_job(booth.station, "Mina")
    queued = chat_tasks("READY").get()
    assert queued.args_kwargs["args"][0]["text"].startswith(":frame_with_picture:")
    run_queue()  # as a worker started after the restart would
    assert chat.arrived.wait(WAIT)
    assert chat_tasks("SUCCESSFUL").count() == 1


def test_a_failing_chat_server_is_retried_with_backoff_then_given_up(booth, settings, caplog):
    failing = ChatServer(status=500)
    settings.BOOTH_CHAT_WEBHOOK_URL = failing.url
    settings.BOOTH_CHAT_WEBHOOK_ATTEMPTS = 3
    settings.BOOTH_CHAT_WEBHOOK_BACKOFF_SECONDS = 5
    try:
        with caplog.at_level(logging.WARNING, logger="experiences.photo.notifications"):
            job = factories.make_finished_job(booth.station, "Mina")
            assert job.state == Job.State.SUCCEEDED
            run_queue()
            assert len(failing.received) == 1
            retry = chat_tasks("READY").get()
            assert retry.args_kwargs["args"][1] == 2  # the second try…
            wait = (retry.run_after - timezone.now()).total_seconds()
            assert 3 < wait <= 5  # …5 s later, so a worker running now leaves it
            run_queue()
            assert len(failing.received) == 1

            for _ in range(2):  # its time comes, and the next one's
                chat_tasks("READY").update(run_after=timezone.now())
                run_queue()
            assert len(failing.received) == 3
            assert not chat_tasks("READY").exists()  # given up after 3 tries
    finally:
        failing.close()

    assert [backoff_seconds(n) for n in (1, 2, 3)] == [5, 10, 20]
    assert "trying again in 5 s" in caplog.text and "trying again in 10 s" in caplog.text
    assert "failed 3 times, message given up" in caplog.text
    assert "HTTP Error 500" in caplog.text
    assert "secret" not in caplog.text  # a Slack webhook's path is its secret


def test_nothing_is_sent_unless_configured(booth, settings):
    listener = ChatServer()
    settings.BOOTH_CHAT_WEBHOOK_URL = ""
    try:
        factories.make_finished_job(booth.station, "Mina")
        run_queue()
        assert not chat_tasks().exists()
        assert not listener.arrived.wait(1)
    finally:
        listener.close()
