"""Health that tells the truth: where separate workers are expected, /readyz, the status
page and the chat webhook say when no worker has polled the queue lately, and a worker run
by `booth_worker` leaves the heartbeat they read."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from booth.resilient_worker import ResilientWorker
from displays.status import snapshot
from experiences.models.photo import Job, WorkerHeartbeat
from experiences.photo.worker_health import WorkerAlarm
from tests import factories
from tests.experiences.photo.test_notifications import WAIT, ChatServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def expect_workers(settings, media_root):
    settings.BOOTH_EXPECT_WORKERS = True
    settings.BOOTH_WORKER_STALE_SECONDS = 30
    settings.BOOTH_RATE_LIMITS = {**settings.BOOTH_RATE_LIMITS, "health_ip": ""}


def beat(seconds_ago: float, worker_id: str = "w-1") -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": "box",
            "pid": 1,
            "last_poll": timezone.now() - timedelta(seconds=seconds_ago),
        },
    )


def test_readyz_fails_when_no_worker_has_polled_lately(expect_workers):
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["workers"]["error"].endswith(
        "no worker has ever polled the queue"
    )

    beat(seconds_ago=95)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert "no worker has polled for 95 s" in response.json()["checks"]["workers"]["error"]

    beat(seconds_ago=1, worker_id="w-2")
    assert Client().get("/readyz").status_code == 200


def test_embedded_mode_has_no_worker_check(settings, media_root):
    settings.BOOTH_EXPECT_WORKERS = False
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert "workers" not in response.json()["checks"]


def test_the_status_page_says_how_long_no_worker_has_polled(expect_workers):
    beat(seconds_ago=200)
    assert snapshot()["booth"]["workers"] == "No worker has polled for 200 s"
    beat(seconds_ago=0)
    assert snapshot()["booth"]["workers"] == "1 polling"


def test_a_queue_waiting_too_long_is_flagged(expect_workers, booth, settings):
    settings.BOOTH_QUEUE_WAIT_ALERT_SECONDS = 0.5
    beat(seconds_ago=0)
    _queued_job(booth)
    time.sleep(1)
    assert "the oldest queued job has waited" in snapshot()["booth"]["workers"].lower()


def _queued_job(booth) -> Job:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests import photos

    client = Client()
    assert client.login(username=booth.user.username, password=factories.DEVICE_PASSWORD)
    response = client.post(
        "/api/stations/1/captures/",
        {
            "image": SimpleUploadedFile("photo.jpg", photos.face_jpeg(), "image/jpeg"),
            "nickname": "Mina",
            "consent_version": factories.CONSENT_VERSION,
        },
    )
    assert response.status_code == 201
    return Job.objects.get(pk=response.json()["job"])


def test_the_chat_hears_once_that_the_workers_are_gone_and_once_that_they_are_back(
    expect_workers, settings
):
    chat = ChatServer()
    settings.BOOTH_CHAT_WEBHOOK_URL = chat.url
    settings.BOOTH_WORKER_STALE_SECONDS = 0  # no start-up grace in this test
    try:
        alarm = WorkerAlarm()
        beat(seconds_ago=60)
        for _ in range(3):
            alarm.check()
        assert chat.arrived.wait(WAIT)
        time.sleep(0.5)
        assert len(chat.received) == 1
        assert "no worker has polled for 60 s" in chat.received[0]["json"]["text"]

        chat.arrived.clear()
        settings.BOOTH_WORKER_STALE_SECONDS = 30
        beat(seconds_ago=0)
        alarm.check()
        alarm.check()
        assert chat.arrived.wait(WAIT)
        time.sleep(0.5)
        assert len(chat.received) == 2
        assert "processing jobs again" in chat.received[1]["json"]["text"]
    finally:
        chat.close()


def test_booth_worker_runs_a_job_with_its_heartbeat_and_removes_it_when_it_stops(
    booth, media_root, settings
):
    settings.BOOTH_WORKER_HEARTBEAT_SECONDS = 0
    job = _queued_job(booth)
    seen: list[tuple[str, str]] = []
    worker = ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w-test",
        excluded_queue_names=[],
    )
    beat = worker.beat

    def watching(*, force: bool = False) -> None:
        beat(force=force)
        seen.extend(WorkerHeartbeat.objects.values_list("worker_id", "current_task"))

    worker.beat = watching
    worker.run()

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert ("w-test", "") in seen  # polling
    assert ("w-test", job.task_id) in seen  # then naming the job's task while running it
    assert not WorkerHeartbeat.objects.exists()  # a clean stop leaves no stale row
