"""Jobs on the persistent database task queue: processed by its worker, never lost."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booth.worker import EmbeddedWorkers, embedded_workers, task_worker
from displays.models import Display
from experiences.models.photo import Job
from experiences.photo.jobs import run_job
from experiences.photo.recovery import requeue_after_restart
from tests import factories, photos

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker_until_queue_is_empty() -> None:
    """django-tasks-db's own worker loop, as `manage.py db_worker --batch` runs it."""
    task_worker("test", 0, batch=True).run()


def interrupt(job: Job) -> DBTaskResult:
    """What a server stop leaves behind: the task claimed by a worker that is gone, and
    the job marked running."""
    task = DBTaskResult.objects.get(pk=job.task_id)
    task.claim("worker-that-died")
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, attempts=1)
    return task


def test_worker_processes_a_capture_uploaded_through_the_api(demo):
    tablet = Client()
    assert tablet.login(username="station3", password=factories.DEVICE_PASSWORD)
    response = tablet.post(
        "/api/stations/3/captures/",
        {
            "image": SimpleUploadedFile("photo.jpg", photos.face_jpeg(), "image/jpeg"),
            "nickname": "Mina",
            "consent_version": "1",
        },
    )
    assert response.status_code == 201
    job = Job.objects.get(pk=response.json()["job"])
    assert DBTaskResult.objects.get(pk=job.task_id).status == "READY"

    run_worker_until_queue_is_empty()

    job.refresh_from_db()
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert (task.status, task.return_value) == ("SUCCESSFUL", "succeeded")
    assert job.state == Job.State.SUCCEEDED
    portrait = job.portrait
    assert Display.objects.get(event=demo.event, number=3).current_asset == portrait
    assert tablet.get(response.json()["status_url"]).json()["result"]["id"] == portrait.pk
    page = Client().get(f"/r/{portrait.token}/")
    assert page.status_code == 200
    assert "Mina" in page.content.decode()


def test_worker_runs_every_queued_job_and_records_failures_on_the_job(booth):
    good = factories.make_job(booth.station, nickname="Good")
    refused = factories.make_job(booth.station, nickname="Refused")
    refused.capture.face_crop.storage.delete(refused.capture.face_crop.name)  # file lost

    run_worker_until_queue_is_empty()

    good.refresh_from_db()
    refused.refresh_from_db()
    assert good.state == Job.State.SUCCEEDED
    assert refused.state == Job.State.FAILED
    assert "FileNotFoundError" in refused.error
    # A failed job is handled, not a crashed task: the task itself finished normally.
    assert DBTaskResult.objects.get(pk=refused.task_id).return_value == "failed"
    assert not DBTaskResult.objects.ready().exists()


def test_a_job_interrupted_mid_run_is_queued_again_and_then_processed(booth):
    job = factories.make_job(booth.station)
    old_task = interrupt(job)

    assert requeue_after_restart() == 1

    old_task.refresh_from_db()
    assert old_task.status == "FAILED"
    assert old_task.exception_class_path == "experiences.photo.recovery.ServerStopped"
    assert "stopped" in old_task.traceback
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED
    assert job.task_id and job.task_id != str(old_task.pk)
    new_task = DBTaskResult.objects.get(pk=job.task_id)
    assert new_task.status == "READY"
    assert new_task.args_kwargs["args"] == [job.pk]

    run_worker_until_queue_is_empty()

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.attempts == 2
    assert sorted(job.assets.values_list("kind", flat=True)) == ["portrait", "qr"]


def test_a_queued_job_whose_task_was_never_written_is_queued(booth):
    job = factories.make_job(booth.station)
    DBTaskResult.objects.filter(pk=job.task_id).delete()  # stopped before the enqueue
    Job.objects.filter(pk=job.pk).update(task_id="")

    assert requeue_after_restart() == 1

    job.refresh_from_db()
    assert DBTaskResult.objects.get(pk=job.task_id).status == "READY"


def test_jobs_waiting_or_finished_are_left_alone(booth):
    waiting = factories.make_job(booth.station, nickname="Waiting")
    done = factories.make_job(booth.station, nickname="Done")
    run_job(done.pk)
    DBTaskResult.objects.filter(pk=done.task_id).update(
        status="SUCCESSFUL", finished_at=timezone.now()
    )
    tasks_before = set(DBTaskResult.objects.values_list("pk", "status"))

    assert requeue_after_restart() == 0

    assert set(DBTaskResult.objects.values_list("pk", "status")) == tasks_before
    waiting.refresh_from_db()
    assert waiting.state == Job.State.QUEUED
    assert Job.objects.get(pk=done.pk).state == Job.State.SUCCEEDED


def test_a_job_made_but_never_published_is_published_at_start_up_not_made_again(booth):
    job = factories.make_job(booth.station)
    run_worker_until_queue_is_empty()
    token = Job.objects.get(pk=job.pk).portrait.token
    # The server stopped between storing the result and handing it to the display.
    Job.objects.filter(pk=job.pk).update(published=None)
    Display.objects.filter(pk=booth.display.pk).update(current_asset=None)

    assert requeue_after_restart() == 1
    run_worker_until_queue_is_empty()

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 1
    assert job.published is not None
    assert Display.objects.get(pk=booth.display.pk).current_asset.token == token


def test_embedded_workers_wake_as_soon_as_a_job_is_queued(booth):
    """With an idle poll of a minute, only the enqueue wake-up can make this quick."""
    workers = EmbeddedWorkers(threads=2, idle_poll=60, purge_every=3600)
    workers.start()
    try:
        time.sleep(0.3)  # both workers have drained the empty queue and are asleep
        started = time.monotonic()
        job = factories.make_job(booth.station, nickname="Quick")
        while time.monotonic() - started < 20:
            job.refresh_from_db()
            if job.state in (Job.State.SUCCEEDED, Job.State.FAILED):
                break
            time.sleep(0.05)
    finally:
        workers.stop()
    assert job.state == Job.State.SUCCEEDED
    assert time.monotonic() - started < 10
    assert all(not thread.is_alive() for thread in workers.threads)


def test_a_job_queued_while_one_worker_is_busy_starts_at_once_on_the_idle_one(booth, settings):
    """One job wakes one idle worker; the next job, queued while that one is busy, must
    wake the other at once, not wait for the minute-long idle poll or the first job."""
    settings.BOOTH_TEST_STAGE_DELAYS = {"composite": 1.5}
    workers = EmbeddedWorkers(threads=2, idle_poll=60, purge_every=3600)
    workers.start()
    try:
        time.sleep(0.3)  # both workers have drained the empty queue and are asleep
        first = factories.make_job(booth.station, nickname="First")
        time.sleep(0.3)  # the first job is running (its composite stage lasts 1.5 s)
        second = factories.make_job(booth.station, nickname="Second")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            first.refresh_from_db()
            second.refresh_from_db()
            if first.finished and second.finished:
                break
            time.sleep(0.05)
    finally:
        workers.stop()
    assert (first.state, second.state) == (Job.State.SUCCEEDED, Job.State.SUCCEEDED)
    assert second.started < first.finished, "the second job waited for the first"
    assert (second.started - second.capture.created).total_seconds() < 1


def test_embedded_workers_follow_the_cores_unless_told(settings):
    settings.BOOTH_EMBEDDED_WORKER_THREADS = 0
    assert len(embedded_workers().workers) == max(2, len(os.sched_getaffinity(0)))
    settings.BOOTH_EMBEDDED_WORKER_THREADS = 5
    assert len(embedded_workers().workers) == 5
