"""The wall of all displays, the attract loop's results, and settings reaching the pages."""

import json
import re

import pytest
from channels.db import database_sync_to_async

from displays import selectors
from experiences.models.photo import Job
from moderation import review
from moderation.services import erase_player
from tests import factories
from tests.displays.test_consumers import TIMEOUT, connected, portrait_id, visit


def screens(response) -> dict[int, dict]:
    """Each screen's data attributes and initial state on a display or wall page."""
    html = response.content.decode()
    found = {}
    for tag in re.findall(r"<(?:div|main)[^>]*data-screen-root[^>]*>", html):
        attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))
        number = int(attributes["display"])
        state = re.search(
            rf'<script id="display-state(?:-{number})?" type="application/json">(.*?)</script>',
            html,
            re.S,
        )
        found[number] = {"attributes": attributes, "state": json.loads(state.group(1))}
    return found


@pytest.mark.django_db
def test_the_wall_shows_every_display_of_the_event_with_its_state(client):
    booth = factories.make_booth(stations=8)
    job = factories.make_finished_job(booth.station, "Mina")

    response = client.get("/displays/wall/")

    assert response.status_code == 200
    tiles = screens(response)
    assert sorted(tiles) == list(range(1, 9))
    assert tiles[1]["state"]["result"]["id"] == job.portrait.pk
    assert tiles[2]["state"]["result"] is None
    assert 'src="/static/displays/wall.js"' in response.content.decode()
    assert 'data-columns="4" data-rows="2"' in response.content.decode()


@pytest.mark.django_db
def test_the_wall_without_an_active_event_says_what_to_do(client):
    response = client.get("/displays/wall/")

    assert response.status_code == 404
    assert "There is no active event with displays" in response.content.decode()


@pytest.mark.django_db
def test_the_wall_speaks_korean(client):
    response = client.get("/displays/wall/", headers={"accept-language": "ko"})

    assert "디스플레이가 있는 활성 이벤트가 없습니다" in response.content.decode()
    assert "<title>모든 디스플레이 · Booth</title>" in response.content.decode()


@pytest.mark.django_db
def test_timings_from_settings_reach_the_pages(client, booth, settings):
    settings.BOOTH_DISPLAY_FAILURES_BEFORE_DEFAULT = 3
    settings.BOOTH_DISPLAY_OFFLINE_DEFAULT_SECONDS = 12.5
    settings.BOOTH_ATTRACT_AFTER_SECONDS = 60
    settings.BOOTH_ATTRACT_INTERVAL_SECONDS = 5

    for path in ("/displays/1/", "/displays/wall/"):
        attributes = screens(client.get(path))[1]["attributes"]
        assert attributes["failures-before-default"] == "3", path
        assert attributes["offline-default-ms"] == "12500", path
        assert attributes["attract-after-ms"] == "60000", path
        assert attributes["attract-interval-ms"] == "5000", path
        assert attributes["heartbeat-ms"] == "15000", path


@pytest.mark.django_db
def test_attract_cycles_only_through_shown_results_newest_first(booth, settings):
    settings.BOOTH_ATTRACT_RESULTS = 3
    shown = [factories.make_finished_job(booth.station, f"Shown {n}") for n in range(4)]
    pulled = factories.make_finished_job(booth.station, "Pulled")
    review.reject_results([pulled], by=None, reason="x")
    erased = factories.make_finished_job(booth.station, "Erased")
    erase_player(erased.capture.player)
    booth.experience.moderation = "pre"
    booth.experience.save()
    factories.make_finished_job(booth.station, "Waiting")  # awaiting review
    other_event = factories.make_event(slug="other", active=False)
    other = factories.make_station(
        other_event, factories.make_experience(other_event, name="Other"), 1
    )
    factories.make_base_image(other.experience)
    factories.make_finished_job(other, "Elsewhere")

    attract = selectors.attract_portraits(booth.event)

    assert [a.job.capture.player.nickname for a in attract] == ["Shown 3", "Shown 2", "Shown 1"]
    assert Job.objects.filter(capture__player__nickname="Waiting").get().awaiting_review
    assert shown[0].portrait not in attract


@pytest.mark.django_db(transaction=True)
async def test_a_display_asks_for_a_fresh_attract_list(booth):
    first = await visit(booth.station, "First")
    page = await connected("/ws/displays/2/")
    state = await page.receive_json_from(timeout=TIMEOUT)
    assert [r["id"] for r in state["attract"]] == [await portrait_id(first)]
    second = await visit(booth.station, "Second")

    await page.send_json_to({"type": "attract"})

    answer = await page.receive_json_from(timeout=TIMEOUT)
    assert answer["type"] == "attract"
    assert [r["nickname"] for r in answer["results"]] == ["Second", "First"]
    assert answer["results"][0]["id"] == await portrait_id(second)
    assert answer["results"][0]["image"].startswith("/displays/media/")
    assert answer["results"][0]["qr"] is None  # no visitor's key in the attract loop
    await page.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_erasing_a_visitor_takes_their_result_out_of_every_attract_loop(booth):
    kept = await visit(booth.station, "Kept")
    gone = await visit(booth.station, "Gone")
    page = await connected("/ws/displays/2/")
    state = await page.receive_json_from(timeout=TIMEOUT)
    assert len(state["attract"]) == 2
    player = await database_sync_to_async(lambda: gone.capture.player)()

    await database_sync_to_async(erase_player)(player)

    again = await page.receive_json_from(timeout=TIMEOUT)
    assert [r["id"] for r in again["attract"]] == [await portrait_id(kept)]
    await page.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_new_result_is_pushed_without_the_attract_list(booth):
    page = await connected("/ws/displays/1/")
    assert (await page.receive_json_from(timeout=TIMEOUT))["attract"] == []

    job = await visit(booth.station, "Mina")

    assert (await page.receive_json_from(timeout=TIMEOUT))["type"] == "processing"
    state = await page.receive_json_from(timeout=TIMEOUT)
    assert state["result"]["id"] == await portrait_id(job)
    assert "attract" not in state  # small pushes; the page keeps its list until it asks
    await page.disconnect()
