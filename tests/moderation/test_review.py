"""Result moderation as displays and visitors see it, over real websockets.

Pre-moderation: a result reaches no display until staff approve it. Post-moderation: it
is shown at once and staff can pull it. A pulled or rejected result leaves every display
at once and its result page answers 410 Gone.
"""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client

from displays.models import Station
from experiences.models.events import Experience
from experiences.models.photo import Job
from moderation import review
from tests.displays.test_consumers import (
    TIMEOUT,
    connected,
    portrait_id,
    portrait_token,
    session_cookie,
    visit,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def moderator(db):
    return get_user_model().objects.create_user("moderator", is_staff=True)


async def premoderate(booth) -> Station:
    """Switch the booth's experience to pre-moderation; returns station 1 as reloaded."""
    await Experience.objects.filter(pk=booth.experience.pk).aupdate(
        moderation=Experience.Moderation.PRE
    )
    return await Station.objects.select_related("experience", "display").aget(pk=booth.station.pk)


def page_status(token: str) -> int:
    return Client().get(f"/r/{token}/").status_code


async def test_premoderated_result_waits_for_approval_then_reaches_the_display(booth, moderator):
    station = await premoderate(booth)
    display = await connected("/ws/displays/1/")
    await display.receive_json_from(timeout=TIMEOUT)  # the initial state

    job = await visit(station, "Mina")

    assert (job.state, job.review) == (Job.State.SUCCEEDED, Job.Review.PENDING)
    assert await display.receive_nothing(timeout=0.5)  # not even "processing Mina"
    token = await portrait_token(job)
    assert await database_sync_to_async(page_status)(token) == 404
    late = await connected("/ws/displays/1/")
    assert (await late.receive_json_from(timeout=TIMEOUT))["result"] is None

    await database_sync_to_async(review.approve_results)([job], by=moderator)

    for socket in (display, late):
        state = await socket.receive_json_from(timeout=1)
        assert state["type"] == "state"
        assert state["result"]["id"] == await portrait_id(job)
        assert state["result"]["nickname"] == "Mina"
        await socket.disconnect()
    assert await database_sync_to_async(page_status)(token) == 200


async def test_tablet_hears_its_visitor_waits_for_review_without_the_result(booth):
    station = await premoderate(booth)
    cookie = await database_sync_to_async(session_cookie)(booth.user)
    tablet = await connected("/ws/stations/1/", cookie=cookie)

    job = await visit(station, "Mina")

    outcome = await tablet.receive_json_from(timeout=TIMEOUT)
    assert outcome == {
        "type": "job",
        "job": job.pk,
        "state": "succeeded",
        "display": 1,
        "awaiting_review": True,
    }
    await tablet.disconnect()


async def test_pulling_a_shown_result_takes_it_off_the_display_and_its_page(booth, moderator):
    job = await visit(booth.station, "Mina")
    token = await portrait_token(job)
    display = await connected("/ws/displays/1/")
    shown = (await display.receive_json_from(timeout=TIMEOUT))["result"]
    assert shown["id"] == await portrait_id(job)
    assert await database_sync_to_async(page_status)(token) == 200

    await database_sync_to_async(review.reject_results)([job], by=moderator, reason="Rude sign")

    state = await display.receive_json_from(timeout=1)
    assert state["result"] is None
    assert state["default_image"] == "/static/displays/default.svg"
    assert await database_sync_to_async(page_status)(token) == 410
    image = await database_sync_to_async(Client().get)(f"/r/{token}/image.jpg")
    assert image.status_code == 410
    await job.arefresh_from_db()
    assert (job.review, job.review_reason, job.reviewed_by_id) == (
        Job.Review.REJECTED,
        "Rude sign",
        moderator.pk,
    )
    await display.disconnect()


async def test_rejecting_a_waiting_result_keeps_it_off_displays(booth, moderator):
    station = await premoderate(booth)
    display = await connected("/ws/displays/1/")
    await display.receive_json_from(timeout=TIMEOUT)
    job = await visit(station, "Mina")

    await database_sync_to_async(review.reject_results)([job], by=moderator, reason="Blurry")

    assert await display.receive_nothing(timeout=0.5)  # it never showed: nothing changes
    assert await database_sync_to_async(page_status)(await portrait_token(job)) == 410
    await display.disconnect()


async def test_pulling_one_result_keeps_other_displays_result_but_not_in_attract(booth, moderator):
    station2 = await booth.event.stations.aget(number=2)
    mine = await visit(booth.station, "Mina")
    theirs = await visit(station2, "Joon")
    other = await connected("/ws/displays/2/")
    first = await other.receive_json_from(timeout=TIMEOUT)
    assert first["result"]["id"] == await portrait_id(theirs)
    assert await portrait_id(mine) in [r["id"] for r in first["attract"]]

    await database_sync_to_async(review.reject_results)([mine], by=moderator, reason="x")

    again = await other.receive_json_from(timeout=TIMEOUT)
    assert again["result"]["id"] == await portrait_id(theirs)
    assert [r["id"] for r in again["attract"]] == [await portrait_id(theirs)]
    assert await other.receive_nothing(timeout=0.5)
    assert await database_sync_to_async(page_status)(await portrait_token(theirs)) == 200
    await other.disconnect()
