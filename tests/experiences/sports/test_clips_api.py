"""The kick camera's clip upload: token and scope, the shot it belongs to, retries, bad files."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from experiences.models.sports import Replay
from experiences.sports.replays import run_replay
from tests import factories
from tests.bad_uploads import CLIP_CORPUS
from tests.clips import ball_clip, needs_ffmpeg

pytestmark = [pytest.mark.django_db, needs_ffmpeg]


@pytest.fixture
def sports(db):
    event = factories.make_event()
    experience = factories.make_sports_experience(event)
    _, sensor = factories.make_integration(event)
    _, camera = factories.make_integration(event, scopes=("clips",))
    return experience, sensor, camera


@pytest.fixture
def kick(tmp_path) -> bytes:
    return ball_clip(tmp_path / "kick.mp4").read_bytes()


def post_shot(token: str, event_id: str = "evt-1"):
    response = Client().post(
        "/api/shots/",
        factories.shot_json(event_id),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content


def post_clip(token: str | None, content: bytes, event_id: str = "evt-1", name="kick.mp4"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().post(
        f"/api/shots/{event_id}/clip",
        {"clip": SimpleUploadedFile(name, content, content_type="video/mp4")},
        headers=headers,
    )


def test_a_clip_of_a_posted_shot_becomes_its_replay(sports, kick, media_root):
    _, sensor, camera = sports
    post_shot(sensor)

    response = post_clip(camera, kick)

    assert response.status_code == 202, response.json()
    replay = Replay.objects.get()
    body = response.json()
    assert body["state"] == "queued"
    assert body["page_url"].endswith(f"/replays/{replay.token}/")
    assert body["status_url"].endswith(f"/replays/{replay.token}/status")
    assert replay.shot.client_event_id == "evt-1"
    assert replay.player.nickname == "Sarah"
    assert run_replay(replay.pk) == Replay.State.SUCCEEDED


def test_a_retried_upload_returns_the_same_replay(sports, kick):
    _, sensor, camera = sports
    post_shot(sensor)

    first = post_clip(camera, kick)
    retry = post_clip(camera, kick)

    assert (first.status_code, retry.status_code) == (202, 200)
    assert retry.json()["replay"] == first.json()["replay"]
    assert Replay.objects.count() == 1


def test_a_clip_before_its_shot_is_refused_with_what_to_do(sports, kick):
    response = post_clip(sports[2], kick, event_id="evt-unknown")

    assert response.status_code == 404
    assert "post the shot first" in response.json()["detail"]


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("kick.mp4", b"this is not a video", 400, "not a video Booth can read"),
        ("kick.avi", b"RIFF\x00\x00\x00\x00AVI ", 415, ".mp4 or .mov"),
    ],
)
def test_a_bad_clip_gets_a_specific_error_and_nothing_is_kept(
    sports, media_root, name, content, status, message
):
    post_shot(sports[1])

    response = post_clip(sports[2], content, name=name)

    assert response.status_code == status
    assert response.json()["code"] == "clip_rejected"
    assert message in response.json()["detail"]
    assert not Replay.objects.exists()
    assert not (media_root / "clips").exists() or not any((media_root / "clips").iterdir())


def test_an_oversized_clip_is_refused_as_too_large(sports, kick, settings):
    post_shot(sports[1])
    settings.BOOTH_MAX_CLIP_BYTES = 1024

    response = post_clip(sports[2], kick)

    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_a_missing_file_field_is_named(sports):
    response = Client().post(
        "/api/shots/evt-1/clip", {}, headers={"Authorization": f"Bearer {sports[2]}"}
    )

    assert response.status_code == 400
    assert "multipart field 'clip'" in response.json()["detail"]


def test_only_a_token_with_the_clips_scope_may_upload(sports, kick):
    _, sensor, _ = sports
    post_shot(sensor)

    assert post_clip(sensor, kick).status_code == 403  # the sensor's token: shots only
    assert post_clip(None, kick).status_code == 401
    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("staff", "", "staff-pass-1234"))
    response = staff.post("/api/shots/evt-1/clip", {"clip": SimpleUploadedFile("kick.mp4", kick)})
    assert response.status_code == 401


# The bad-clip corpus (tests/bad_uploads.py): name → (status, words the detail must contain).
BAD_CLIPS = {
    "zero_bytes": (400, "empty (0 bytes)"),
    "truncated_mp4": (400, "incomplete"),
    "truncated_mp4_index_at_end": (400, "not a video Booth can read"),
    "audio_only_mp4": (400, "no video track"),
    "huge_resolution": (422, "4096×2160"),
    "mkv_renamed_mp4": (415, "MP4 or MOV"),
    "jpeg_renamed_mp4": (415, "MP4 or MOV"),
    "html_renamed_mov": (415, "MP4 or MOV"),
}


def test_the_bad_clip_corpus_is_classified_completely():
    assert set(BAD_CLIPS) == set(CLIP_CORPUS)


@pytest.mark.parametrize("name", sorted(BAD_CLIPS))
def test_each_bad_clip_in_the_corpus_is_refused_and_nothing_is_kept(
    sports, media_root, tmp_path, name
):
    make, filename = CLIP_CORPUS[name]
    content = make(tmp_path)
    post_shot(sports[1])
    status, words = BAD_CLIPS[name]

    response = post_clip(sports[2], content, name=filename)

    assert response.status_code == status, response.content
    assert response.json()["code"] == "clip_rejected"
    assert words in response.json()["detail"]
    assert not Replay.objects.exists()
    assert not (media_root / "clips").exists() or not any((media_root / "clips").iterdir())


def test_a_clip_declared_larger_than_the_limit_is_refused_before_it_is_read(sports, kick):
    post_shot(sports[1])
    boundary = "BoUnDaRy"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="clip"; filename="kick.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + kick
        + f"\r\n--{boundary}--\r\n".encode()
    )

    response = Client().generic(
        "POST",
        "/api/shots/evt-1/clip",
        body,
        f"multipart/form-data; boundary={boundary}",
        headers={"Authorization": f"Bearer {sports[2]}"},
        CONTENT_LENGTH=str(3 * 1024**3),
    )

    assert response.status_code == 413
    assert "larger than 50 MB" in response.json()["detail"]
    assert not Replay.objects.exists()
