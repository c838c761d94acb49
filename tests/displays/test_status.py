"""Display presence (rows per open page), silent displays, and the staff status page/socket."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from displays import status
from displays.consumers import CLOSE_FORBIDDEN
from displays.models import DisplayConnection
from experiences.models.library import BaseImage
from experiences.models.photo import Job
from tests.displays.test_consumers import (
    TIMEOUT,
    connected,
    open_socket,
    portrait_id,
    session_cookie,
    visit,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("boss", "", "boss-pass-1234")


def by_number(statuses: list[dict]) -> dict[int, dict]:
    return {row["number"]: row for row in statuses}


async def test_an_open_page_is_counted_with_what_it_shows_and_its_version(booth):
    job = await visit(booth.station, "Mina")
    page = await connected("/ws/displays/1/")
    await page.receive_json_from(timeout=TIMEOUT)
    shown = await portrait_id(job)

    await page.send_json_to(
        {"type": "hello", "version": "2026.11-walls", "showing": "result", "result": shown}
    )
    await page.send_json_to({"type": "ping"})  # the pong comes after the hello is stored
    assert await page.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}

    rows = by_number(await database_sync_to_async(status.display_statuses)())
    assert rows[1]["pages"] == 1 and not rows[1]["silent"]
    assert rows[1]["showing"] == "result" and rows[1]["showing_token"] == str(shown)
    assert rows[1]["client_versions"] == ["2026.11-walls"]
    assert rows[1]["result"] == "Mina"
    assert rows[2]["pages"] == 0 and rows[2]["silent"]  # nobody opened display 2

    await page.disconnect()
    rows = by_number(await database_sync_to_async(status.display_statuses)())
    assert rows[1]["pages"] == 0 and rows[1]["silent"]
    assert not await DisplayConnection.objects.aexists()


async def test_a_page_that_stops_sending_heartbeats_is_flagged_silent(booth, settings):
    page = await connected("/ws/displays/1/")
    await page.receive_json_from(timeout=TIMEOUT)
    later = timezone.now() + timedelta(seconds=settings.BOOTH_DISPLAY_SILENT_SECONDS + 1)

    rows = by_number(await database_sync_to_async(status.display_statuses)(now=later))

    assert rows[1]["silent"] and rows[1]["pages"] == 0
    assert rows[1]["last_heartbeat"] is not None  # it was heard from, once
    await page.disconnect()


async def test_rows_left_by_a_dead_web_process_are_pruned(booth):
    display = await booth.event.displays.aget(number=1)
    long_ago = timezone.now() - timedelta(days=1)
    await DisplayConnection.objects.acreate(
        display=display, channel_name="specific.dead-process!x", last_seen=long_ago
    )

    snapshot = await database_sync_to_async(status.snapshot)()

    assert by_number(snapshot["displays"])[1]["last_heartbeat"] is None
    assert not await DisplayConnection.objects.aexists()


async def test_a_forged_report_cannot_store_junk(booth):
    page = await connected("/ws/displays/1/")
    await page.receive_json_from(timeout=TIMEOUT)

    await page.send_json_to(
        {"type": "hello", "version": ["x"], "showing": "<script>", "result": ["x"]}
    )
    await page.send_json_to({"type": "ping"})
    assert await page.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}

    row = await DisplayConnection.objects.aget()
    assert (row.client_version, row.showing, row.showing_token) == ("", "", "")
    await page.disconnect()


async def test_staff_socket_pushes_snapshots_periodically(booth, staff, settings):
    settings.BOOTH_STATUS_PUSH_SECONDS = 0.2
    cookie = await database_sync_to_async(session_cookie)(staff)
    socket = await connected("/ws/staff/status/", cookie=cookie)
    first = await socket.receive_json_from(timeout=TIMEOUT)
    assert first["type"] == "status"
    assert first["booth"]["displays_online"] == 0
    assert first["booth"]["displays_total"] == 2

    page = await connected("/ws/displays/2/")
    await page.receive_json_from(timeout=TIMEOUT)

    for _ in range(50):  # the next snapshots see the new page
        snapshot = await socket.receive_json_from(timeout=TIMEOUT)
        if snapshot["booth"]["displays_online"] == 1:
            break
    assert by_number(snapshot["displays"])[2]["pages"] == 1
    await page.disconnect()
    await socket.disconnect()


@pytest.mark.parametrize("who", ["nobody", "a tablet"])
async def test_staff_socket_refuses_non_staff(booth, who):
    cookie = None
    if who == "a tablet":
        cookie = await database_sync_to_async(session_cookie)(booth.user)
    socket = await open_socket("/ws/staff/status/", cookie=cookie)

    assert await socket.connect(timeout=TIMEOUT) == (False, CLOSE_FORBIDDEN)


async def test_booth_status_counts_jobs_stage_timings_and_queue(booth):
    await visit(booth.station, "Ok")
    await BaseImage.objects.aupdate(approved=False)
    await visit(booth.station, "Broken")
    old = await visit(booth.station, "Old")
    await Job.objects.filter(pk=old.pk).aupdate(created=timezone.now() - timedelta(hours=2))

    figures = await database_sync_to_async(status.booth_status)()

    assert figures["jobs_last_hour"] == {"queued": 0, "running": 0, "succeeded": 1, "failed": 1}
    assert figures["queue"] == {"queued": 0, "running": 0}
    stages = figures["stages"]
    assert {"detect", "composite", "story", "qr", "store", "queue", "total"} <= set(stages)
    assert stages["composite"]["n"] == 1  # the failed job never composited
    assert 0 < stages["composite"]["p50"] <= stages["composite"]["p95"]
    assert stages["total"]["p50"] >= stages["composite"]["p50"]


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert status.percentile(values, 0.5) == 50.0
    assert status.percentile(values, 0.95) == 95.0
    assert status.percentile([3.0], 0.95) == 3.0
    assert status.percentile([], 0.5) is None


def test_status_page_is_for_staff_and_carries_the_figures(booth, staff):
    anonymous = Client().get("/displays/status/")
    assert anonymous.status_code == 302
    client = Client()
    client.force_login(staff)

    page = client.get("/displays/status/")

    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="status-snapshot"' in body and "Jobs in the last hour" in body
    assert page.context["snapshot"]["booth"]["displays_total"] == 2
