"""A tablet that retries an upload (after a 503 or a lost answer) never makes two jobs.

The tablet sends one Idempotency-Key per photo and repeats it on retry; the key is unique
per station (Capture.idempotency_key), so the retry answers with the first job.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from experiences.models.events import Player
from experiences.models.photo import Capture, Job
from tests import factories, photos

pytestmark = pytest.mark.django_db

KEY = "3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b"


def upload(client: Client, station: int = 1, key: str | None = KEY, nickname: str = "Mina"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        f"/api/stations/{station}/captures/",
        {
            "image": SimpleUploadedFile("photo.jpg", photos.face_jpeg(), "image/jpeg"),
            "nickname": nickname,
            "consent_version": factories.CONSENT_VERSION,
        },
        headers=headers,
    )


def device(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=factories.DEVICE_PASSWORD)
    return client


def test_a_retry_with_the_same_key_returns_the_first_job(
    booth, device_client, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(device_client)
    stored = factories.media_files(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        retry = upload(device_client)

    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert (Player.objects.count(), Capture.objects.count(), Job.objects.count()) == (1, 1, 1)
    assert DBTaskResult.objects.count() == 1  # queued once
    assert factories.media_files(media_root) == stored  # the retry's photo was not kept


def test_a_new_photo_with_a_new_key_makes_a_new_job(booth, device_client):
    assert upload(device_client).status_code == 201
    assert upload(device_client, key="a-second-photo-key", nickname="Ola").status_code == 201
    assert upload(device_client, key=None, nickname="Kim").status_code == 201
    assert Job.objects.count() == 3


def test_keys_are_per_station(booth):
    other = device(booth.event.stations.get(number=2).user)
    first = upload(device(booth.user))
    second = upload(other, station=2)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["job"] != second.json()["job"]


def test_a_malformed_key_is_refused_with_a_sentence_saying_what_to_send(booth, device_client):
    response = upload(device_client, key="no spaces!")

    assert response.status_code == 400
    assert "Idempotency-Key header must be 8-64 letters" in response.content.decode()
    assert Job.objects.count() == 0
