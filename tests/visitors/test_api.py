"""The tablet's capture upload: accepted photos are queued, refused ones leave no trace."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult
from PIL import Image

from experiences.models.events import Player
from experiences.models.photo import Capture, Job
from experiences.photo.jobs import run_job
from moderation.models import ConsentRecord, ConsentText
from tests import factories, photos

pytestmark = pytest.mark.django_db

URL = "/api/stations/{}/captures/"


def form(photo: bytes, *, name: str = "photo.jpg", **fields) -> dict:
    return {
        "image": SimpleUploadedFile(name, photo, content_type="image/jpeg"),
        "nickname": "Mina",
        "consent_version": factories.CONSENT_VERSION,
        **fields,
    }


def post(client: Client, photo: bytes, *, station: int = 1, **fields):
    return client.post(URL.format(station), form(photo, **fields))


@pytest.fixture
def stored_before(media_root) -> set[str]:
    """The media files that exist before the upload (the base images)."""
    return factories.media_files(media_root)


def assert_nothing_stored(media_root, stored_before) -> None:
    assert Player.objects.count() == 0
    assert Capture.objects.count() == 0
    assert Job.objects.count() == 0
    assert ConsentRecord.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    assert factories.media_files(media_root) == stored_before


def test_good_photo_is_accepted_and_its_job_queued(
    booth, device_client, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(device_client, photos.face_jpeg(), nickname="  Mina  ")

    assert response.status_code == 201
    job = Job.objects.get()
    assert response.json() == {
        "job": job.pk,
        "state": "queued",
        "display": 1,
        "status_url": f"/api/jobs/{job.pk}/",
    }
    assert job.state == Job.State.QUEUED
    task = DBTaskResult.objects.get()
    assert str(task.pk) == job.task_id
    assert task.status == "READY"
    assert task.task_path == "experiences.photo.tasks.process_job"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    player = job.capture.player
    assert player.nickname == "Mina"
    assert player.experience == booth.experience
    assert player.delete_after == player.created + booth.experience.retention
    assert job.capture.station == booth.station
    consent = ConsentRecord.objects.get(player=player)
    assert (consent.version, consent.language) == (factories.CONSENT_VERSION, "en")
    stored = factories.media_files(media_root)
    assert job.capture.original.name in stored and job.capture.face_crop.name in stored


def test_the_face_is_located_in_the_stored_original(booth, device_client):
    response = post(device_client, photos.face_jpeg())

    assert response.status_code == 201
    capture = Job.objects.get().capture
    x, y, w, h = capture.face_box
    assert 150 < x + w / 2 < 300 and 70 < y + h / 2 < 160
    with capture.face_crop.open("rb") as crop:
        assert Image.open(crop).size == pytest.approx((2 * w, 2 * h), abs=1)


def test_profile_and_language_are_recorded(booth, device_client):
    response = post(
        device_client, photos.face_jpeg(), gender="female", age_band="senior", language="ko"
    )

    assert response.status_code == 201
    player = Player.objects.get()
    assert (player.gender, player.age_band) == ("female", "senior")
    assert ConsentRecord.objects.get().language == "ko"


def test_gps_and_camera_data_are_stripped_and_orientation_applied(booth, device_client):
    photo = photos.face_jpeg(portrait=True, orientation=6, gps=True, comment=True)
    assert photos.gps_of(photo)  # precondition: the upload gives away where it was taken
    assert Image.open(io.BytesIO(photo)).size == (512, 400)  # and is stored sideways

    response = post(device_client, photo)

    assert response.status_code == 201
    capture = Job.objects.get().capture
    for field in (capture.original, capture.face_crop):
        with field.open("rb") as handle:
            stored = handle.read()
        assert photos.gps_of(stored) == {}
        assert photos.exif_of(stored) == {}
        assert photos.CAMERA_MAKE.encode() not in stored
        assert photos.JPEG_COMMENT not in stored
    with capture.original.open("rb") as handle:
        original = photos.open_rgb(handle.read())
    assert original.size == (400, 512)
    assert photos.mean_difference(original, photos.face_image(portrait=True)) < 6


def test_png_photo_is_accepted(booth, device_client):
    response = post(device_client, photos.face_png(transparent_margin=20), name="photo.png")

    assert response.status_code == 201


def test_photo_without_a_face_is_refused_and_nothing_is_stored(
    booth, device_client, media_root, stored_before, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(device_client, photos.no_face_jpeg())

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "no_face"
    assert body["detail"].startswith("We could not find a face in the photo.")
    assert_nothing_stored(media_root, stored_before)


@pytest.mark.parametrize(
    ("photo", "code"),
    [
        (b"Some notes, not a photo.\n" * 200, "not_an_image"),
        (b"", "empty"),
        (photos.face_jpeg()[:4000], "corrupt"),
    ],
    ids=["text", "empty", "truncated"],
)
def test_unreadable_files_are_refused_with_400(
    booth, device_client, media_root, stored_before, photo, code
):
    response = post(device_client, photo)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert_nothing_stored(media_root, stored_before)


def test_too_big_photo_is_refused_with_413(
    booth, device_client, media_root, stored_before, settings
):
    settings.BOOTH_MAX_UPLOAD_BYTES = 20_000
    photo = photos.face_jpeg()
    assert len(photo) > 20_000

    response = post(device_client, photo)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "the limit is" in response.json()["detail"]
    assert_nothing_stored(media_root, stored_before)


def test_too_small_photo_is_refused(booth, device_client, media_root, stored_before):
    tiny = photos.jpeg_bytes(photos.face_image().resize((150, 150)))

    response = post(device_client, tiny)

    assert response.status_code == 400
    assert response.json()["code"] == "too_small"
    assert_nothing_stored(media_root, stored_before)


def test_posting_to_another_station_is_forbidden(booth, device_client, media_root, stored_before):
    response = post(device_client, photos.face_jpeg(), station=2)

    assert response.status_code == 403
    assert "station 1" in response.json()["detail"]
    assert_nothing_stored(media_root, stored_before)


def test_anonymous_upload_is_forbidden(booth, media_root, stored_before):
    response = post(Client(), photos.face_jpeg())

    assert response.status_code == 403
    assert_nothing_stored(media_root, stored_before)


def test_staff_account_that_is_no_device_is_forbidden(booth, media_root, stored_before, db):
    admin = get_user_model().objects.create_superuser("boss", "", "boss-pass-1234")
    client = Client()
    client.force_login(admin)

    response = post(client, photos.face_jpeg())

    assert response.status_code == 403
    assert "not a station" in response.json()["detail"]
    assert_nothing_stored(media_root, stored_before)


def test_upload_without_csrf_token_is_refused(booth, media_root, stored_before):
    client = Client(enforce_csrf_checks=True)
    client.force_login(booth.user)

    refused = post(client, photos.face_jpeg())
    token = "a" * 32
    client.cookies["csrftoken"] = token
    accepted = client.post(URL.format(1), form(photos.face_jpeg()), headers={"X-CSRFToken": token})

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 201


def test_stale_consent_version_is_refused_with_409(booth, device_client, media_root, stored_before):
    # Staff published a new consent text after the tablet page was loaded.
    ConsentText.objects.create(
        experience=booth.experience, version="3", language="en", body="New text."
    )

    response = post(device_client, photos.face_jpeg())

    assert response.status_code == 409
    assert response.json()["code"] == "consent_changed"
    assert "reload" in response.json()["detail"]
    assert_nothing_stored(media_root, stored_before)


def test_missing_nickname_names_the_field(booth, device_client, media_root, stored_before):
    data = form(photos.face_jpeg())
    del data["nickname"]

    response = device_client.post(URL.format(1), data)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "nickname" in body["fields"]
    assert body["detail"].startswith("nickname:")
    assert_nothing_stored(media_root, stored_before)


def test_job_status_follows_the_job_for_its_own_station_only(booth, device_client):
    job_id = post(device_client, photos.face_jpeg(), nickname="Mina").json()["job"]
    other = Client()
    other.force_login(booth.event.stations.get(number=2).user)

    queued = device_client.get(f"/api/jobs/{job_id}/")
    run_job(job_id)
    done = device_client.get(f"/api/jobs/{job_id}/")
    foreign = other.get(f"/api/jobs/{job_id}/")

    assert queued.status_code == 200
    assert queued.json() == {"type": "job", "job": job_id, "state": "queued", "display": 1}
    assert done.json()["state"] == "succeeded"
    result = done.json()["result"]
    assert result["nickname"] == "Mina"
    assert result["image"].startswith("/displays/media/")  # display-scoped: no token
    assert foreign.status_code == 403
