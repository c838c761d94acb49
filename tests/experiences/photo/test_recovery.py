"""Jobs whose worker died: leases, the scheduler's recovery, and exactly-once results."""

import asyncio
import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booth.worker import task_worker
from displays.models import Display
from experiences.models.photo import Job
from experiences.photo import jobs as pipeline
from experiences.photo.leases import renew
from experiences.photo.recovery import recover_jobs
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def _run_queue() -> None:
    """Drain the task queue as a `manage.py db_worker` would."""
    task_worker("test", 0, batch=True).run()


def _kill_mid_job(job: Job) -> Job:
    """What a SIGKILLed worker leaves: its task running, the job running on an old lease."""
    task = DBTaskResult.objects.get(pk=job.task_id)
    task.claim("dead-worker")
    claimed = pipeline._claim(job.pk)
    Job.objects.filter(pk=job.pk).update(lease_expires=timezone.now() - timedelta(seconds=1))
    return claimed


def _listen_to(display: Display) -> str:
    """A channel in the display's group, as an open display page has."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(display.group_name, channel)
    return channel


def _drain(channel: str) -> list[dict]:
    """Every message the display's pages were sent so far."""
    layer = get_channel_layer()

    async def receive_all() -> list[dict]:
        received = []
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=0.2)
            except TimeoutError:
                return received
            received.append(json.loads(message["text"]))  # encoded once for all pages

    return async_to_sync(receive_all)()


def test_a_job_whose_worker_died_is_queued_again_and_finishes_once(booth):
    job = factories.make_job(booth.station)
    _kill_mid_job(job)
    old_task = job.task_id
    channel = _listen_to(booth.display)

    assert recover_jobs().requeued == 1
    _run_queue()

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.attempts == 2
    assert sorted(job.assets.values_list("kind", flat=True)) == ["portrait", "qr"]
    assert DBTaskResult.objects.get(pk=old_task).status == "FAILED"
    assert DBTaskResult.objects.get(pk=job.task_id).status == "SUCCESSFUL"
    results = [m for m in _drain(channel) if m["type"] == "state" and m["result"]]
    assert [r["result"]["id"] for r in results] == [job.portrait.pk]
    assert recover_jobs().requeued == 0  # nothing left to rescue


def test_a_job_with_a_live_lease_is_left_to_its_worker(booth):
    job = factories.make_job(booth.station)
    DBTaskResult.objects.get(pk=job.task_id).claim("busy-worker")
    claimed = pipeline._claim(job.pk)
    assert renew(job.pk, claimed.attempts)

    assert recover_jobs().requeued == 0
    assert Job.objects.get(pk=job.pk).state == Job.State.RUNNING


def test_a_superseded_attempt_stores_and_publishes_nothing(booth, media_root):
    """The 'dead' worker was only stalled: when it wakes after the job was made again, its
    work is dropped, so there is still one portrait and one QR code."""
    job = factories.make_job(booth.station)
    stalled = _kill_mid_job(job)
    recover_jobs()
    _run_queue()
    finished = Job.objects.get(pk=job.pk)
    published = finished.published

    with pytest.raises(pipeline.Superseded):
        pipeline._produce(stalled, stalled.attempts)

    finished.refresh_from_db()
    assert finished.state == Job.State.SUCCEEDED and finished.published == published
    assert finished.assets.count() == 2
    stored = {f for f in factories.media_files(media_root) if f.startswith("assets/")}
    assert stored == {asset.file.name for asset in finished.assets.all()}


def test_files_left_by_a_killed_attempt_are_deleted_by_the_next(booth, media_root):
    job = factories.make_job(booth.station)
    stray = media_root / "assets" / str(job.pk) / "half-written.jpg"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"\xff\xd8 cut off")
    _kill_mid_job(job)
    recover_jobs()
    _run_queue()

    job.refresh_from_db()
    assert not stray.exists()
    stored = {f for f in factories.media_files(media_root) if f.startswith("assets/")}
    assert stored == {asset.file.name for asset in job.assets.all()}


def test_a_job_that_keeps_killing_workers_is_failed_with_a_readable_error(booth, settings):
    settings.BOOTH_JOB_MAX_ATTEMPTS = 1
    job = factories.make_job(booth.station)
    _kill_mid_job(job)

    assert recover_jobs().failed == 1

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "A worker stopped while making this portrait 1 times" in job.error
    assert DBTaskResult.objects.get(pk=job.task_id).status == "FAILED"


def test_a_finished_but_unpublished_job_is_published_once(booth):
    job = factories.make_job(booth.station)
    _run_queue()
    # The worker died after storing the result and before handing it to the display.
    Job.objects.filter(pk=job.pk).update(
        published=None, finished=timezone.now() - timedelta(minutes=5)
    )
    Display.objects.filter(pk=booth.display.pk).update(current_asset=None)
    channel = _listen_to(booth.display)

    assert recover_jobs().requeued == 1
    _run_queue()
    assert recover_jobs().requeued == 0

    job.refresh_from_db()
    assert job.attempts == 1  # not made again, only published
    assert Display.objects.get(pk=booth.display.pk).current_asset == job.portrait
    results = [m for m in _drain(channel) if m["type"] == "state" and m["result"]]
    assert len(results) == 1


def test_a_queued_job_whose_task_was_lost_is_queued_again(booth):
    job = factories.make_job(booth.station)
    DBTaskResult.objects.filter(pk=job.task_id).delete()  # the enqueue never happened
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - timedelta(minutes=5))

    assert recover_jobs().requeued == 1
    _run_queue()
    assert Job.objects.get(pk=job.pk).state == Job.State.SUCCEEDED


def test_a_queued_job_waiting_for_a_busy_worker_is_not_queued_twice(booth):
    job = factories.make_job(booth.station)
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - timedelta(minutes=5))

    assert recover_jobs().requeued == 0
    assert DBTaskResult.objects.count() == 1


def test_the_scheduler_command_rescues_jobs(booth):
    job = factories.make_job(booth.station)
    _kill_mid_job(job)

    call_command("booth_scheduler", "--once")

    job.refresh_from_db()
    assert job.state == Job.State.QUEUED
    assert DBTaskResult.objects.get(pk=job.task_id).status == "READY"
