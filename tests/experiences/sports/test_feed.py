"""The live commentary socket and page: state on connect, shots, lines, edits, resets."""

import json
import re

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from displays.consumers import CLOSE_NOT_FOUND
from displays.models import Display
from experiences.models.sports import CommentaryLine, Shot
from experiences.sports.replays import replay_for_shot, run_replay
from moderation.services import erase_player
from tests import factories
from tests.clips import ball_clip, needs_ffmpeg
from tests.displays.test_consumers import TIMEOUT, connected, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sports(db):
    event = factories.make_event()
    experience = factories.make_sports_experience(event, language="en")
    _, token = factories.make_integration(event)
    return experience, token


@database_sync_to_async
def post_shot(token: str, event_id: str, **fields) -> dict:
    response = Client().post(
        "/api/shots/",
        factories.shot_json(event_id, **fields),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (200, 201), response.content
    return response.json()


@database_sync_to_async
def staff_client() -> Client:
    admin = get_user_model().objects.create_superuser("staff", "", "staff-pass-1234")
    client = Client()
    client.force_login(admin)
    return client


async def test_the_page_gets_the_whole_state_on_connect(sports):
    experience, token = sports
    await post_shot(token, "a", player_name="Ana", shot_speed=25, shot_goal=True)
    await post_shot(token, "b", player_name="Ben", shot_speed=28)

    socket = await connected(f"/ws/commentary/{experience.pk}/")
    state = await socket.receive_json_from(timeout=TIMEOUT)

    assert state["type"] == "state"
    assert state["language"] == "en"
    assert state["shot"]["nickname"] == "Ben" and state["shot"]["speed_kmh"] == 100.8
    assert [row["nickname"] for row in state["leaderboard"]] == ["Ben", "Ana"]
    assert [row["rank"] for row in state["leaderboard"]] == [1, 2]
    assert len(state["lines"]) == 2
    assert "Ana" in state["lines"][0]["text"] and "Ben" in state["lines"][1]["text"]
    await socket.disconnect()


async def test_a_posted_shot_reaches_the_page_then_its_commentary(sports):
    experience, token = sports
    socket = await connected(f"/ws/commentary/{experience.pk}/")
    await socket.receive_json_from(timeout=TIMEOUT)

    posted = await post_shot(token, "a", player_name="Sarah", shot_speed=30.5, shot_goal=True)

    shot = await socket.receive_json_from(timeout=TIMEOUT)
    assert shot["type"] == "shot"
    assert shot["shot"]["id"] == posted["shot"]
    assert shot["shot"]["speed_kmh"] == 109.8 and shot["shot"]["goal"] is True
    assert shot["leaderboard"] == [
        {
            "rank": 1,
            "player": posted["player"]["id"],
            "nickname": "Sarah",
            "best_kmh": 109.8,
            "shots": 1,
        }
    ]
    line = await socket.receive_json_from(timeout=TIMEOUT)
    assert line["type"] == "line"
    assert line["line"]["shot"] == posted["shot"]
    assert "Sarah" in line["line"]["text"] and "109.8" in line["line"]["text"]
    assert await socket.receive_nothing()
    await socket.disconnect()


async def test_a_retried_shot_is_not_pushed_again(sports):
    experience, token = sports
    await post_shot(token, "a")
    socket = await connected(f"/ws/commentary/{experience.pk}/")
    await socket.receive_json_from(timeout=TIMEOUT)

    await post_shot(token, "a")

    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_hidden_and_edited_lines_change_on_open_pages(sports):
    experience, token = sports
    await post_shot(token, "a", player_name="Ana")
    await post_shot(token, "b", player_name="Ben")
    socket = await connected(f"/ws/commentary/{experience.pk}/")
    await socket.receive_json_from(timeout=TIMEOUT)
    ana, ben = [line async for line in CommentaryLine.objects.order_by("pk")]
    staff = await staff_client()

    await database_sync_to_async(staff.post)(
        "/admin/experiences/commentaryline/",
        {"action": "hide", "_selected_action": [ana.pk]},
    )
    removed = await socket.receive_json_from(timeout=TIMEOUT)
    edited = await database_sync_to_async(staff.post)(
        f"/admin/experiences/commentaryline/{ben.pk}/change/",
        {"text": "Ben, what a strike!", "hidden": ""},
    )
    updated = await socket.receive_json_from(timeout=TIMEOUT)

    assert removed == {"type": "line_removed", "id": ana.pk}
    assert edited.status_code == 302
    assert updated["type"] == "line"
    assert updated["line"]["id"] == ben.pk and updated["line"]["text"] == "Ben, what a strike!"
    await ben.arefresh_from_db()
    assert ben.edited
    reconnected = await connected(f"/ws/commentary/{experience.pk}/")
    state = await reconnected.receive_json_from(timeout=TIMEOUT)
    assert [line["text"] for line in state["lines"]] == ["Ben, what a strike!"]
    await socket.disconnect()
    await reconnected.disconnect()


async def test_a_leaderboard_reset_empties_the_board_on_open_pages(sports):
    experience, token = sports
    await post_shot(token, "a")
    socket = await connected(f"/ws/commentary/{experience.pk}/")
    assert (await socket.receive_json_from(timeout=TIMEOUT))["leaderboard"]
    staff = await staff_client()

    await database_sync_to_async(staff.post)(
        "/admin/experiences/experience/",
        {
            "action": "reset_leaderboard",
            "_selected_action": [experience.pk],
            "confirm": "yes",
            "note": "Day 2",
        },
    )

    state = await socket.receive_json_from(timeout=TIMEOUT)
    assert state["type"] == "state" and state["leaderboard"] == []
    assert await Shot.objects.acount() == 1  # the shot is kept
    await socket.disconnect()


async def test_an_erased_player_leaves_the_feed_and_the_board(sports):
    experience, token = sports
    ana = await post_shot(token, "a", player_name="Ana", shot_speed=29)
    await post_shot(token, "b", player_name="Ben", shot_speed=25)
    socket = await connected(f"/ws/commentary/{experience.pk}/")
    await socket.receive_json_from(timeout=TIMEOUT)
    player = await experience.players.aget(pk=ana["player"]["id"])

    await database_sync_to_async(erase_player)(player)

    state = await socket.receive_json_from(timeout=TIMEOUT)
    assert [row["nickname"] for row in state["leaderboard"]] == ["Ben"]
    assert all("Ana" not in line["text"] for line in state["lines"]) and len(state["lines"]) == 1
    assert state["shot"]["nickname"] == "Ben"
    await socket.disconnect()


async def test_unknown_or_portrait_experiences_are_closed(sports):
    experience, _ = sports
    portrait = await database_sync_to_async(factories.make_experience)(experience.event)
    for experience_id in (999999, portrait.pk):
        socket = await open_socket(f"/ws/commentary/{experience_id}/")
        is_open, code = await socket.connect(timeout=TIMEOUT)
        assert (is_open, code) == (False, CLOSE_NOT_FOUND)


async def test_the_socket_is_read_only(sports):
    experience, _ = sports
    socket = await connected(f"/ws/commentary/{experience.pk}/")
    await socket.receive_json_from(timeout=TIMEOUT)

    await socket.send_json_to({"type": "line", "line": {"id": 1, "text": "spoofed"}})
    await socket.send_json_to({"type": "ping"})

    assert await socket.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    assert await socket.receive_nothing(timeout=0.3)
    assert not await CommentaryLine.objects.aexists()
    await socket.disconnect()


# --- Pages ----------------------------------------------------------------------------


def page_state(response, script_id: str) -> dict:
    match = re.search(
        rf'<script id="{script_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page carries no initial state"
    return json.loads(match.group(1))


def test_the_commentary_page_starts_with_the_current_state(sports, client):
    experience, _ = sports
    shot = factories.make_shot(factories.make_player(experience, "Ana"), 25)

    response = client.get("/displays/commentary/")

    assert response.status_code == 200
    state = page_state(response, "commentary-state")
    assert state["experience"] == experience.pk
    assert state["shot"]["id"] == shot.pk and state["leaderboard"][0]["nickname"] == "Ana"
    assert f'data-experience="{experience.pk}"' in response.content.decode()


def test_without_a_sports_experience_the_page_says_what_to_do(booth, client):
    response = client.get("/displays/commentary/")

    assert response.status_code == 404
    assert "has no sports experience" in response.content.decode()


def test_a_display_with_the_overlay_names_the_commentary_it_shows(sports, client):
    experience, _ = sports
    display = Display.objects.create(event=experience.event, number=3)
    assert page_state(client.get("/displays/3/"), "display-state")["commentary"] is None

    display.commentary_overlay = True
    display.save()

    assert page_state(client.get("/displays/3/"), "display-state")["commentary"] == experience.pk


def test_the_page_speaks_the_experiences_commentary_language(client):
    factories.make_sports_experience(factories.make_event(), language="ko")

    page = client.get("/displays/commentary/").content.decode()

    assert "첫 슛을 기다리는 중" in page and "TOP 10" in page
    assert 'lang="ko"' in page


async def test_commentary_reaches_pages_through_redis_in_scaled_mode(sports, settings):
    """With REDIS_URL set, the shot's request and the page's socket share only Redis."""
    import os

    import redis

    url = os.environ.get("BOOTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"needs Redis at {url}: {exc}")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": f"booth-test-{os.getpid()}"},
        }
    }
    experience, token = sports
    socket = await connected(f"/ws/commentary/{experience.pk}/")
    await socket.receive_json_from(timeout=TIMEOUT)

    posted = await post_shot(token, "redis-1", player_name="Sarah")

    assert (await socket.receive_json_from(timeout=TIMEOUT))["shot"]["id"] == posted["shot"]
    line = await socket.receive_json_from(timeout=TIMEOUT)
    assert line["type"] == "line" and "Sarah" in line["line"]["text"]
    await socket.disconnect()


@needs_ffmpeg
async def test_a_finished_replay_plays_on_the_commentary_pages(sports, tmp_path):
    experience, token = sports
    await post_shot(token, "kick-1", player_name="Ana")
    replay = await database_sync_to_async(make_replay)(tmp_path, "kick-1")
    socket = await connected(f"/ws/commentary/{experience.pk}/")
    before = await socket.receive_json_from(timeout=TIMEOUT)

    await database_sync_to_async(run_replay)(replay.pk)

    message = await socket.receive_json_from(timeout=TIMEOUT)
    assert before["replay"] is None
    assert message["type"] == "replay"
    assert message["replay"]["nickname"] == "Ana"
    assert message["replay"]["video"].startswith("/displays/media/")
    assert message["replay"]["qr"].startswith("/displays/media/")
    assert replay.token not in str(message)
    await socket.disconnect()
    # A page that connects later (or reconnects) still gets it with the state.
    again = await connected(f"/ws/commentary/{experience.pk}/")
    state = await again.receive_json_from(timeout=TIMEOUT)
    assert state["replay"]["id"] == replay.pk
    await again.disconnect()


def make_replay(folder, event_id: str):
    shot = Shot.objects.get(client_event_id=event_id)
    clip = ball_clip(folder / "kick.mp4")
    upload = SimpleUploadedFile("kick.mp4", clip.read_bytes(), content_type="video/mp4")
    replay, _ = replay_for_shot(shot, upload)
    return replay
