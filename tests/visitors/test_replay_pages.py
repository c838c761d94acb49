"""A kick clip becomes a replay the visitor can watch, download and delete from a phone."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from experiences.models.events import Player
from experiences.models.sports import Replay
from experiences.sports.replays import accept_clip, run_replay
from experiences.sports.video import ClipRejected, probe
from moderation.services import erase_player
from tests import factories
from tests.clips import ball_clip, needs_ffmpeg

pytestmark = [pytest.mark.django_db, needs_ffmpeg]


@pytest.fixture
def player(booth):
    return Player.objects.create(
        experience=booth.experience,
        nickname="Sarah",
        delete_after=timezone.now() + timedelta(days=2),
    )


def visitor_files(root) -> set[str]:
    """Stored files other than the experience's base portraits."""
    return {name for name in factories.media_files(root) if not name.startswith("base_images/")}


@pytest.fixture
def clip_upload(tmp_path):
    path = ball_clip(tmp_path / "kick.mp4")
    return SimpleUploadedFile("kick.mp4", path.read_bytes(), content_type="video/mp4")


@pytest.fixture
def replay(player, clip_upload):
    replay = accept_clip(player, clip_upload)
    assert run_replay(replay.pk) == Replay.State.SUCCEEDED
    replay.refresh_from_db()
    return replay


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_clip_becomes_a_slow_motion_and_a_side_by_side_video(replay, tmp_path):
    assert replay.state == Replay.State.SUCCEEDED
    assert replay.progress == 1.0
    assert replay.backend == "opencv-dis-flow"
    assert set(replay.timings) == {"slow_motion", "side_by_side", "store"}
    slow = tmp_path / "slow.mp4"
    slow.write_bytes(replay.slow_motion.read())
    assert probe(slow).duration == pytest.approx(3 * replay.clip_seconds, abs=0.3)


def test_running_a_replay_twice_keeps_one_set_of_files(replay, media_root):
    Replay.objects.filter(pk=replay.pk).update(state=Replay.State.RUNNING)  # a crashed worker

    run_replay(replay.pk)

    replay.refresh_from_db()
    assert replay.attempts == 2
    assert visitor_files(media_root) == {
        replay.clip.name,
        replay.slow_motion.name,
        replay.side_by_side.name,
    }


def test_the_page_shows_both_videos_with_downloads(client, replay):
    response = client.get(f"/replays/{replay.token}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"/replays/{replay.token}/slow.mp4" in page
    assert f"/replays/{replay.token}/side-by-side.mp4" in page
    assert "Download the slow motion" in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


def test_a_replay_in_progress_shows_its_progress(client, player, clip_upload):
    replay = accept_clip(player, clip_upload)
    Replay.objects.filter(pk=replay.pk).update(state=Replay.State.RUNNING, progress=0.42)

    page = client.get(f"/replays/{replay.token}/").content.decode()
    status = client.get(f"/replays/{replay.token}/status").json()

    assert 'value="0.420"' in page
    assert status == {"state": "running", "progress": 0.42, "error": False}
    assert client.get(f"/replays/{replay.token}/slow.mp4").status_code == 404


def test_phones_can_seek_the_video_with_byte_ranges(client, replay):
    whole = body(client.get(f"/replays/{replay.token}/slow.mp4"))

    response = client.get(f"/replays/{replay.token}/slow.mp4", HTTP_RANGE="bytes=100-199")
    tail = client.get(f"/replays/{replay.token}/slow.mp4", HTTP_RANGE="bytes=-50")
    beyond = client.get(f"/replays/{replay.token}/slow.mp4", HTTP_RANGE=f"bytes={len(whole)}-")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert body(response) == whole[100:200]
    assert body(tail) == whole[-50:]
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(whole)}"


def test_download_is_an_attachment(client, replay):
    response = client.get(f"/replays/{replay.token}/side-by-side.mp4?download=1")

    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"].startswith('attachment; filename="booth-replay-')


def test_erasing_the_player_deletes_clip_and_videos_and_the_link_is_gone(
    client, replay, media_root
):
    erase_player(replay.player)

    assert visitor_files(media_root) == set()
    assert not Replay.objects.exists()
    assert client.get(f"/replays/{replay.token}/").status_code == 410
    assert client.get(f"/replays/{replay.token}/slow.mp4").status_code == 410


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kick.avi", b"RIFF....AVI ", ".mp4 or .mov"),
        ("kick.mp4", b"not a video at all", "not a video Booth can read"),
    ],
)
def test_a_bad_upload_is_refused_and_nothing_is_stored(player, media_root, name, content, message):
    with pytest.raises(ClipRejected, match=message):
        accept_clip(player, SimpleUploadedFile(name, content))

    assert visitor_files(media_root) == set()
    assert not Replay.objects.exists()
