"""Display walls and tablets over real websockets: booth.asgi with the in-memory layer."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from booth.asgi import application
from displays.consumers import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND
from experiences.models.events import Event
from experiences.models.library import BaseImage
from experiences.models.photo import Job
from experiences.photo.jobs import run_job
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 10  # seconds: a job composites a real photo before its result is pushed


def session_cookie(user) -> bytes:
    """The cookie header of a browser logged in as `user` (as the tablet page would be)."""
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def open_socket(path: str, *, cookie: bytes | None = None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


async def connected(path: str, *, cookie: bytes | None = None) -> WebsocketCommunicator:
    socket = await open_socket(path, cookie=cookie)
    is_open, _ = await socket.connect(timeout=TIMEOUT)
    assert is_open, f"{path} refused the connection"
    return socket


async def visit(station, nickname: str) -> Job:
    """A visitor's capture, then its job run the way a worker thread runs it."""
    job = await database_sync_to_async(factories.make_job)(station, nickname=nickname)
    await database_sync_to_async(run_job)(job.pk)
    return await Job.objects.select_related("base_image").aget(pk=job.pk)


async def portrait_token(job: Job) -> str:
    return (await job.assets.aget(kind="portrait")).token


async def portrait_id(job: Job) -> int:
    """What display payloads name a result by: its row id, never its token."""
    return (await job.assets.aget(kind="portrait")).pk


async def test_display_gets_its_state_with_the_default_image_before_any_result(booth):
    display = await connected("/ws/displays/1/")

    state = await display.receive_json_from(timeout=TIMEOUT)

    assert state == {
        "type": "state",
        "display": 1,
        "mode": "live",
        "sound": False,
        "default_image": "/static/displays/default.svg",
        "result": None,
        "commentary": None,
        "attract": [],
    }
    await display.disconnect()


async def test_display_shows_processing_then_the_result(booth):
    display = await connected("/ws/displays/1/")
    await display.receive_json_from(timeout=TIMEOUT)  # the initial state

    job = await visit(booth.station, "Mina")

    processing = await display.receive_json_from(timeout=TIMEOUT)
    assert processing == {"type": "processing", "nickname": "Mina"}
    state = await display.receive_json_from(timeout=TIMEOUT)
    assert state["type"] == "state"
    token = await portrait_token(job)
    result = state["result"]
    assert result["id"] == await portrait_id(job)
    assert result["nickname"] == "Mina"
    assert result["story"] == job.story and "Mina" in result["story"]
    # Display-scoped links only: the visitor's key stays off the public socket.
    assert result["image"].startswith("/displays/media/")
    assert result["qr"].startswith("/displays/media/")
    assert token not in json.dumps(state) and "url" not in result
    assert await display.receive_nothing()
    await display.disconnect()


async def test_other_displays_hear_nothing_of_station_1s_visitor(booth):
    other = await connected("/ws/displays/2/")
    await other.receive_json_from(timeout=TIMEOUT)

    await visit(booth.station, "Mina")

    assert await other.receive_nothing(timeout=0.5)
    await other.disconnect()


async def test_a_display_that_connects_later_gets_the_current_result(booth):
    job = await visit(booth.station, "Mina")

    display = await connected("/ws/displays/1/")
    state = await display.receive_json_from(timeout=TIMEOUT)

    assert state["result"]["id"] == await portrait_id(job)
    assert state["result"]["nickname"] == "Mina"
    await display.disconnect()


async def test_a_failed_job_puts_the_display_back_on_its_previous_result(booth):
    first = await visit(booth.station, "First")
    display = await connected("/ws/displays/1/")
    await display.receive_json_from(timeout=TIMEOUT)
    await BaseImage.objects.aupdate(approved=False)

    failed = await visit(booth.station, "Second")

    assert failed.state == Job.State.FAILED
    assert await display.receive_json_from(timeout=TIMEOUT) == {
        "type": "processing",
        "nickname": "Second",
    }
    state = await display.receive_json_from(timeout=TIMEOUT)
    assert state["type"] == "state"
    assert state["result"]["id"] == await portrait_id(first)
    assert state["result"]["nickname"] == "First"
    await display.disconnect()


@pytest.mark.parametrize("number", [5, 8, 99])
async def test_unknown_display_number_is_closed(booth, number):
    socket = await open_socket(f"/ws/displays/{number}/")

    is_open, code = await socket.connect(timeout=TIMEOUT)

    assert not is_open
    assert code == CLOSE_NOT_FOUND


async def test_display_of_an_inactive_event_is_closed(booth):
    await Event.objects.filter(pk=booth.event.pk).aupdate(is_active=False)
    socket = await open_socket("/ws/displays/1/")

    is_open, code = await socket.connect(timeout=TIMEOUT)

    assert (is_open, code) == (False, CLOSE_NOT_FOUND)


async def test_station_socket_tells_the_tablet_its_visitors_outcome(booth):
    cookie = await database_sync_to_async(session_cookie)(booth.user)
    tablet = await connected("/ws/stations/1/", cookie=cookie)

    job = await visit(booth.station, "Mina")

    outcome = await tablet.receive_json_from(timeout=TIMEOUT)
    assert {key: outcome[key] for key in ("type", "job", "state", "display")} == {
        "type": "job",
        "job": job.pk,
        "state": "succeeded",
        "display": 1,
    }
    assert outcome["result"]["id"] == await portrait_id(job)
    assert await portrait_token(job) not in json.dumps(outcome)
    assert outcome["result"]["nickname"] == "Mina"
    await tablet.disconnect()


async def test_station_socket_reports_a_failure_with_its_reason(booth):
    await BaseImage.objects.aupdate(approved=False)
    cookie = await database_sync_to_async(session_cookie)(booth.user)
    tablet = await connected("/ws/stations/1/", cookie=cookie)

    job = await visit(booth.station, "Mina")

    outcome = await tablet.receive_json_from(timeout=TIMEOUT)
    assert outcome == {
        "type": "job",
        "job": job.pk,
        "state": "failed",
        "display": 1,
        "error": "No approved base image for “Past life”. Approve one in admin.",
    }
    await tablet.disconnect()


async def test_a_station_hears_nothing_of_another_stations_jobs(booth):
    station2 = await booth.event.stations.select_related("user").aget(number=2)
    cookie = await database_sync_to_async(session_cookie)(station2.user)
    tablet2 = await connected("/ws/stations/2/", cookie=cookie)

    await visit(booth.station, "Mina")

    assert await tablet2.receive_nothing(timeout=0.5)
    await tablet2.disconnect()


async def test_only_the_stations_own_device_may_open_its_socket(booth):
    station2 = await booth.event.stations.select_related("user").aget(number=2)
    admin = await database_sync_to_async(get_user_model().objects.create_superuser)(
        "boss", "", "boss-pass-1234"
    )
    cookies = {
        "another station's device": await database_sync_to_async(session_cookie)(station2.user),
        "a staff account": await database_sync_to_async(session_cookie)(admin),
        "nobody": None,
    }

    for who, cookie in cookies.items():
        socket = await open_socket("/ws/stations/1/", cookie=cookie)
        is_open, code = await socket.connect(timeout=TIMEOUT)
        assert (is_open, code) == (False, CLOSE_FORBIDDEN), who


async def test_ping_is_answered_with_pong(booth):
    display = await connected("/ws/displays/1/")
    await display.receive_json_from(timeout=TIMEOUT)

    await display.send_json_to({"type": "ping"})

    assert await display.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    await display.disconnect()


@pytest.mark.parametrize(
    "garbage",
    [
        {"text_data": "{not json"},
        {"text_data": " "},
        {"text_data": "[1, 2]"},
        {"text_data": '"ping"'},
        {"text_data": '{"type": "reboot"}'},
        {"bytes_data": b"\x00\x01binary"},
    ],
    ids=["broken-json", "blank", "list", "string", "unknown-type", "binary-frame"],
)
async def test_malformed_messages_are_ignored_and_the_socket_stays_open(booth, garbage):
    cookie = await database_sync_to_async(session_cookie)(booth.user)
    for path, with_cookie in (("/ws/displays/1/", None), ("/ws/stations/1/", cookie)):
        socket = await connected(path, cookie=with_cookie)
        if path.startswith("/ws/displays/"):
            await socket.receive_json_from(timeout=TIMEOUT)

        await socket.send_to(**garbage)

        assert await socket.receive_nothing(timeout=0.2)  # no error, no close
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
        await socket.disconnect()
