"""The vendored face models and the mesh detector built on them (experiences/photo/facemesh.py)."""

import hashlib
import json

import cv2
import numpy as np
import pytest
from skimage import data

from experiences.photo import facemesh
from tests import photos

# The values experiences/photo/mlmodels/README.md publishes: a changed or truncated file (a bad
# checkout, Git LFS pointer, hand edit) fails here rather than detecting nothing at a show.
MODEL_SHA256 = {
    "face_detection_short_range.tflite": (
        "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8"
    ),
    "face_landmark.tflite": "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814",
}


@pytest.mark.parametrize("name", sorted(MODEL_SHA256))
def test_vendored_models_are_the_published_files(name):
    path = facemesh.MODELS / name
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    assert digest == MODEL_SHA256[name]
    assert MODEL_SHA256[name] in (facemesh.MODELS / "README.md").read_text()
    assert "Apache License" in (facemesh.MODELS / "LICENSE-Apache-2.0.txt").read_text()[:200]


def _rotated(image: np.ndarray, degrees: float) -> np.ndarray:
    """`image` turned anticlockwise by `degrees` about its centre, edges mirrored."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)


def test_the_astronauts_face_with_landmarks_on_her_eyes():
    (face,) = facemesh.detect_faces(photos.astronaut_rgb())

    x, y, w, h = face.box
    # Her face is left of centre in the upper third (as Haar also says).
    assert 150 < x + w / 2 < 300 and 70 < y + h / 2 < 170
    assert face.landmarks.shape == (468, 2) and face.landmarks.dtype == np.float32
    assert face.presence > 0.9 and face.score > 0.5
    (lx, ly), (rx, ry) = face.eye_centres()
    assert lx < rx and abs(ly - ry) < 8  # level eyes, image-left first
    assert y < ly < y + h / 2  # in the upper half of the face
    assert abs(face.yaw) < 15 and abs(face.roll) < 10
    assert face.eyes_open_ratio > 0.2


@pytest.mark.parametrize("degrees", [-30, -20, 20, 30])
def test_a_tilted_head_is_found_and_its_roll_measured(degrees):
    upright = facemesh.detect_faces(photos.astronaut_rgb())[0]

    (tilted,) = facemesh.detect_faces(_rotated(photos.astronaut_rgb(), degrees))

    # Turning the photo anticlockwise tilts the head anticlockwise: roll goes negative.
    assert tilted.roll == pytest.approx(upright.roll - degrees, abs=5)
    assert tilted.eyes_open_ratio > 0.2


def test_a_mirrored_face_mirrors_its_yaw_and_roll():
    face = facemesh.detect_faces(data.camera())[0]  # the cameraman looks to one side
    (mirrored,) = facemesh.detect_faces(np.ascontiguousarray(data.camera()[:, ::-1]))

    assert abs(face.yaw) > 25
    assert mirrored.yaw == pytest.approx(-face.yaw, abs=8)
    assert mirrored.roll == pytest.approx(-face.roll, abs=5)


@pytest.mark.parametrize(
    "image", [data.coffee(), data.chelsea(), np.zeros((720, 1280, 3), np.uint8)]
)
def test_no_face_in_a_coffee_cup_a_cat_or_the_dark(image):
    assert facemesh.detect_faces(image) == []


def test_largest_face_first_in_a_wide_frame():
    frame = np.full((720, 1280, 3), 100, np.uint8)
    astronaut = photos.astronaut_rgb()
    # A passer-by (face 13% of the frame's height) left, the visitor (18%) right.
    frame[200:712, 20:532] = astronaut
    frame[10:710, 560:1260] = cv2.resize(astronaut, (700, 700), interpolation=cv2.INTER_AREA)

    faces = facemesh.detect_faces(frame)

    assert len(faces) == 2
    assert faces[0].box[0] > 560 and faces[1].box[0] < 532
    assert faces[0].area > faces[1].area * 1.5


def test_an_observation_survives_json():
    (face,) = facemesh.detect_faces(photos.astronaut_rgb())

    again = facemesh.FaceObservation.from_dict(json.loads(json.dumps(face.to_dict())))

    assert again.box == face.box
    assert np.abs(again.landmarks - face.landmarks).max() <= 0.051
    assert again.yaw == pytest.approx(face.yaw, abs=0.01)
    assert np.allclose(again.eye_centres(), face.eye_centres(), atol=0.1)
