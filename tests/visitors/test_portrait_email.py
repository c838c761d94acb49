""" "Email me my portrait": the form page, the one email (link and JPEG), the limits, a real
SMTP server on loopback, and that nothing of the address outlives the send or an erasure."""

import logging
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booth.worker import task_worker
from experiences.models.delivery import PortraitEmail
from experiences.models.photo import Asset
from experiences.models.tallies import Tally
from experiences.photo.jobs import run_job
from experiences.photo.portrait_email import backoff_seconds
from moderation.review import reject_results
from moderation.services import erase_player
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
ADDRESS = "mina.visitor@example.org"
EMAIL_TASK = "experiences.photo.portrait_email.send_portrait_email"


def run_queue() -> None:
    """What the embedded worker or `manage.py db_worker` does: run every task now due."""
    task_worker("test", 0, batch=True).run()


@pytest.fixture
def portrait(booth, public_base_url) -> Asset:
    return factories.make_finished_job(booth.station, nickname="Mina").portrait


def ask(client, portrait: Asset, address: str = ADDRESS, **headers):
    return client.post(f"/r/{portrait.token}/email/", {"address": address}, **headers)


def stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def traces_of(address: str) -> list[str]:
    """Every place in the database that still holds the address (task rows, email rows)."""
    found = []
    for row in DBTaskResult.objects.all():
        if address in f"{row.args_kwargs} {row.return_value} {row.exception_class_path}":
            found.append(f"task {row.task_path}")
    found += [f"email {e.pk}" for e in PortraitEmail.objects.filter(address=address)]
    return found


def test_the_result_page_links_to_the_email_form(client, portrait):
    page = client.get(f"/r/{portrait.token}/").content.decode()
    assert f'href="/r/{portrait.token}/email/"' in page
    assert "csrfmiddlewaretoken" not in page  # the result page stays cacheable

    form = client.get(f"/r/{portrait.token}/email/")
    assert form.status_code == 200
    assert 'type="email"' in form.content.decode()
    assert "csrfmiddlewaretoken" in form.content.decode()


def test_one_email_with_the_link_and_the_portrait_attached(client, portrait):
    response = ask(client, portrait)

    assert response.status_code == 200
    assert 'data-email="sent"' in response.content.decode()
    queued = DBTaskResult.objects.get(task_path=EMAIL_TASK)
    assert ADDRESS not in str(queued.args_kwargs)  # the queue names the row, not the address
    assert PortraitEmail.objects.get().address == ADDRESS  # …which holds it until sent
    assert mail.outbox == []  # sent by a worker, never in the visitor's request

    run_queue()

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [ADDRESS]
    assert sent.subject == f"Your portrait from {portrait.job.capture.station.event.name}"
    assert f"https://booth.example.org/r/{portrait.token}/" in sent.body
    assert "Mina" in sent.body
    [(name, content, mimetype)] = sent.attachments
    assert name.endswith(".jpg") and mimetype == "image/jpeg"
    assert content == stored(portrait.file)
    assert traces_of(ADDRESS) == []  # deleted once sent
    assert Tally.objects.get(kind=Tally.Kind.EMAIL_SENT).count == 1


def test_a_korean_visitor_gets_a_korean_email(client, booth):
    job = factories.make_job(booth.station, nickname="민아", language="ko")
    run_job(job.pk)
    portrait = job.portrait
    ask(client, portrait, HTTP_ACCEPT_LANGUAGE="en")
    run_queue()
    [sent] = mail.outbox
    assert sent.subject.endswith("에서 찍은 초상화")
    assert "민아님, 안녕하세요." in sent.body


def test_a_large_portrait_goes_as_a_link_only(client, portrait, settings):
    settings.BOOTH_EMAIL_ATTACHMENT_MAX_BYTES = 1000
    ask(client, portrait)
    run_queue()
    [sent] = mail.outbox
    assert sent.attachments == []
    assert f"/r/{portrait.token}/" in sent.body


@pytest.mark.parametrize(
    ("address", "sentence"),
    [
        ("mina@", "This is not an email address: check it, e.g. name@example.com."),
        ("", "Type the email address to send your portrait to."),
    ],
)
def test_a_bad_address_is_a_400_with_a_sentence(client, portrait, address, sentence):
    response = ask(client, portrait, address)

    assert response.status_code == 400
    assert sentence in response.content.decode()
    assert not PortraitEmail.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=EMAIL_TASK).exists()


def test_the_form_page_is_korean_for_a_korean_browser(client, portrait):
    response = ask(client, portrait, "mina@", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 400
    assert "올바른 이메일 주소가 아닙니다" in response.content.decode()


def test_emails_are_limited_per_result(client, portrait, settings):
    settings.BOOTH_RATE_LIMITS = {**settings.BOOTH_RATE_LIMITS, "email_result": "2/hour"}
    for n in range(2):
        assert ask(client, portrait, f"friend{n}@example.org").status_code == 200

    refused = ask(client, portrait, "friend3@example.org", HTTP_ACCEPT="application/json")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("Too many requests from this result: wait ")
    assert PortraitEmail.objects.count() == 2


def test_emails_are_limited_per_address_across_results(client, booth, settings):
    settings.BOOTH_RATE_LIMITS = {**settings.BOOTH_RATE_LIMITS, "email_address": "1/day"}
    first, second = (factories.make_finished_job(booth.station).portrait for _ in range(2))
    assert ask(client, first).status_code == 200

    refused = ask(client, second, ADDRESS.upper(), HTTP_ACCEPT="text/html")

    assert refused.status_code == 429
    assert "wait" in refused.content.decode().lower()
    assert PortraitEmail.objects.count() == 1


def test_an_erased_result_has_no_email_form(client, portrait):
    erase_player(portrait.job.capture.player)
    assert client.get(f"/r/{portrait.token}/email/").status_code == 410
    assert ask(client, portrait).status_code == 410


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        self.arrived.set()
        return "250 Message accepted for delivery"


def test_the_email_goes_through_a_real_smtp_server(client, portrait, settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
            }
        }
        ask(client, portrait)
        run_queue()
        assert inbox.arrived.wait(10)
    finally:
        controller.stop()

    [(recipients, content)] = inbox.messages
    assert recipients == [ADDRESS]
    assert f"/r/{portrait.token}/".encode() in content
    assert b"Content-Type: image/jpeg" in content
    assert DBTaskResult.objects.get(task_path=EMAIL_TASK).return_value == "sent"
    assert traces_of(ADDRESS) == []


def test_a_failing_mail_server_is_retried_then_given_up_without_logging_the_address(
    client, portrait, settings, caplog
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    settings.BOOTH_EMAIL_ATTEMPTS = 2
    with caplog.at_level(logging.INFO):
        ask(client, portrait)
        run_queue()
        retry = DBTaskResult.objects.get(task_path=EMAIL_TASK, status="READY")
        assert retry.args_kwargs["args"][2] == 2
        assert 20 < (retry.run_after - timezone.now()).total_seconds() <= 30
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
        run_queue()

    assert [backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert "trying again in 30 s: ConnectionRefusedError" in caplog.text
    assert "failed 2 times, given up" in caplog.text
    assert ADDRESS not in caplog.text
    assert traces_of(ADDRESS) == []  # given up: the address goes too


def test_erasure_removes_every_trace_of_an_email(client, booth, settings, caplog):
    sent = factories.make_finished_job(booth.station).portrait
    waiting = factories.make_finished_job(booth.station).portrait
    with caplog.at_level(logging.DEBUG):
        ask(client, sent)
        run_queue()
        ask(client, waiting, "other.visitor@example.org")  # erased before a worker sends it
        assert PortraitEmail.objects.count() == 1

        erase_player(sent.job.capture.player)
        erase_player(waiting.job.capture.player)
        run_queue()

    assert len(mail.outbox) == 1  # the waiting email was never sent
    assert not PortraitEmail.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=EMAIL_TASK).exists()
    for address in (ADDRESS, "other.visitor@example.org"):
        assert traces_of(address) == []
        assert address not in caplog.text
        if connection.vendor == "sqlite":  # secure_delete zeroes deleted rows in the file
            with open(connection.settings_dict["NAME"], "rb") as database:
                assert address.encode() not in database.read()


def test_an_email_for_a_result_taken_down_meanwhile_is_not_sent(client, portrait):
    ask(client, portrait)
    reject_results([portrait.job], by=None, reason="Not suitable")

    run_queue()

    assert mail.outbox == []
    assert DBTaskResult.objects.get(task_path=EMAIL_TASK).return_value == (
        "dropped: the result is not shown"
    )
    assert traces_of(ADDRESS) == []
