"""Real photos of real people through the tablet's capture API: the visitor's face is the
one chosen (by overlap with the hand-labelled box), and a photo that would make a bad
portrait gets a specific 422 the visitor can act on. The frames are tests/face_photos."""

import numpy as np
import pytest
from django_tasks_db.models import DBTaskResult

from experiences.models.events import Player
from experiences.models.photo import Capture, Job
from experiences.photo import facemesh, guidance
from experiences.photo.backends import local
from experiences.photo.experience_types import face_in_crop
from experiences.photo.imaging import ImageRejected
from experiences.photo.jobs import run_job
from moderation.services import erase_player
from tests import face_photos
from tests.visitors.test_api import post

pytestmark = pytest.mark.django_db

ACCEPTED = [f for f in face_photos.frames() if f.expect == ("ok",)]
REFUSED = [f for f in face_photos.frames() if f.expect != ("ok",)]


def _ids(frames):
    return [f.name for f in frames]


@pytest.mark.parametrize("frame", ACCEPTED, ids=_ids(ACCEPTED))
def test_the_visitors_face_is_found_and_its_landmarks_stored(frame, booth, device_client):
    response = post(device_client, frame.jpeg())

    assert response.status_code == 201, response.json()
    capture = Job.objects.get().capture
    # Tilted heads, small faces, a cat or a clock beside the visitor: still their face.
    assert face_photos.iou(tuple(capture.face_box), frame.visitor.box) >= 0.6
    landmarks = np.asarray(capture.face_landmarks["landmarks"]).reshape(468, 2)
    x, y, w, h = capture.face_box
    assert (landmarks[:, 0] >= x - 1).all() and (landmarks[:, 0] <= x + w + 1).all()
    assert (landmarks[:, 1] >= y - 1).all() and (landmarks[:, 1] <= y + h + 1).all()
    assert capture.face_landmarks["roll"] == pytest.approx(frame.visitor.roll, abs=8)


@pytest.mark.parametrize("frame", REFUSED, ids=_ids(REFUSED))
def test_a_photo_that_would_make_a_bad_portrait_gets_a_specific_retake(
    frame, booth, device_client, media_root
):
    stored = {p for p in media_root.rglob("*") if p.is_file()}

    response = post(device_client, frame.jpeg())

    assert response.status_code == 422
    assert response.json()["code"] in frame.expect
    assert Capture.objects.count() == Player.objects.count() == DBTaskResult.objects.count() == 0
    assert {p for p in media_root.rglob("*") if p.is_file()} == stored


@pytest.mark.parametrize(
    ("name", "english", "korean"),
    [
        ("two_people_same_size", "One person at a time, please.", "한 번에 한 분씩"),
        ("cameraman_turned", "Face the camera.", "카메라를 정면으로"),
        ("hopper_step_back_9pc", "Come closer.", "조금 더 가까이"),
        ("empty_wall", "We could not find a face", "얼굴을 찾지 못했습니다"),
    ],
)
def test_the_retake_sentence_is_in_the_visitors_language(
    name, english, korean, booth, device_client
):
    jpeg = face_photos.frame(name).jpeg()

    in_english = post(device_client, jpeg, language="en").json()["detail"]
    in_korean = post(device_client, jpeg, language="ko").json()["detail"]

    assert in_english.startswith(english)
    assert korean in in_korean


def _with_eyes_shut(face: facemesh.FaceObservation) -> facemesh.FaceObservation:
    """The same face with each upper eyelid's points lowered onto the lower lid."""
    points = face.landmarks.copy()
    for top, bottom in (
        (facemesh.RIGHT_EYE_TOP, facemesh.RIGHT_EYE_BOTTOM),
        (facemesh.LEFT_EYE_TOP, facemesh.LEFT_EYE_BOTTOM),
    ):
        points[top] = points[bottom] - [0, 0.5]
    data = {**face.to_dict(), "landmarks": points.flatten().tolist()}
    return facemesh.FaceObservation.from_dict(data)


def test_closed_eyes_are_refused_and_open_ones_are_not():
    """No photo in the set has closed eyes, so the rule is checked on a real face's
    landmarks with the lids moved together."""
    frame = face_photos.frame("hopper")
    (face,) = facemesh.detect_faces(frame.image)

    assert guidance.choose_visitor([face], (1280, 720)) is face
    with pytest.raises(ImageRejected) as refused:
        guidance.choose_visitor([_with_eyes_shut(face)], (1280, 720))
    assert (refused.value.code, refused.value.status) == ("eyes_closed", 422)


def test_the_job_reuses_the_stored_landmarks_instead_of_searching_the_face_again(
    booth, device_client, monkeypatch
):
    frame = face_photos.frame("hopper_roll_cw_25")
    assert post(device_client, frame.jpeg()).status_code == 201
    job = Job.objects.get()
    searched = []
    real_detect_eyes = local.detect_eyes

    def detect_eyes(image, face):
        searched.append(image.shape)
        return real_detect_eyes(image, face)

    monkeypatch.setattr(local, "detect_eyes", detect_eyes)

    run_job(job.pk)

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    with job.capture.face_crop.open("rb") as handle:
        from PIL import Image

        crop_shape = np.asarray(Image.open(handle)).shape
    assert crop_shape not in searched  # the visitor's crop was not searched again
    # The landmarks the job used sit on the crop's eyes: the mesh run on the crop agrees.
    stored = face_in_crop(job.capture)
    with job.capture.face_crop.open("rb") as handle:
        (found,) = facemesh.detect_faces(np.asarray(Image.open(handle).convert("RGB")))
    assert np.allclose(stored.eye_centres(), found.eye_centres(), atol=6)


def test_landmarks_are_erased_with_the_visitor(booth, device_client):
    assert post(device_client, face_photos.frame("hopper").jpeg()).status_code == 201
    capture = Capture.objects.get()
    assert len(capture.face_landmarks["landmarks"]) == 468 * 2

    erase_player(capture.player)

    assert not Capture.objects.exists()
