"""Putting the visitor's face into a painted portrait, without visible pasting."""

import cv2
import numpy as np
import pytest
from PIL import Image

from experiences.library import demo_art
from experiences.photo.backends.local import BlendCompositor, HaarFaceDetector
from experiences.photo.compositing import face_mask, face_transform, match_colour
from experiences.photo.faces import Box, crop_face
from tests import photos
from tests.factories import PERSONAS

BASE_BOX = demo_art.FACE_BOX


def visitor_crop() -> tuple[Image.Image, Box]:
    image = photos.face_image()
    (face,) = HaarFaceDetector().detect(image)
    return crop_face(image, face, 0.5)


def faces_inside(image: Image.Image, box: Box) -> list[Box]:
    return [
        face
        for face in HaarFaceDetector().detect(image)
        if box.x <= face.center[0] <= box.x + box.w and box.y <= face.center[1] <= box.y + box.h
    ]


def apply(matrix: np.ndarray, point: tuple[float, float]) -> tuple[float, float]:
    x, y = point
    return (
        matrix[0, 0] * x + matrix[0, 1] * y + matrix[0, 2],
        matrix[1, 0] * x + matrix[1, 1] * y + matrix[1, 2],
    )


@pytest.mark.parametrize("persona", ["joseon-scholar", "joseon-painter", "viking-navigator"])
def test_the_visitors_face_appears_in_the_portraits_face_box(persona):
    base = demo_art.paint_portrait(PERSONAS[persona])
    face, face_box = visitor_crop()

    result = BlendCompositor().composite(face, face_box, base, BASE_BOX)

    assert result.size == base.size
    assert result.mode == "RGB"
    (found,) = faces_inside(result, BASE_BOX)
    # Scaled to the portrait: about as large as the painted face region.
    assert 0.8 * BASE_BOX.w < found.w < 1.6 * BASE_BOX.w


def test_the_portrait_outside_the_face_is_left_as_painted():
    base = demo_art.paint_portrait(demo_art.PERSONAS[0])
    face, face_box = visitor_crop()

    result = np.asarray(BlendCompositor().composite(face, face_box, base, BASE_BOX))
    painted = np.asarray(base)

    # Backdrop corners and the robe at the bottom are untouched, pixel for pixel.
    assert np.array_equal(result[:120, :120], painted[:120, :120])
    assert np.array_equal(result[:120, -120:], painted[:120, -120:])
    assert np.array_equal(result[-150:], painted[-150:])
    # The face region did change.
    x, y, w, h = BASE_BOX.as_list()
    region = (slice(y + h // 4, y + 3 * h // 4), slice(x + w // 4, x + 3 * w // 4))
    assert np.abs(result[region].astype(int) - painted[region].astype(int)).mean() > 10


def test_box_alignment_puts_the_face_centre_on_the_portraits_face_centre():
    face_box, base_box = Box(40, 50, 100, 100), Box(300, 260, 250, 250)

    matrix = face_transform(face_box, base_box, None, None)

    assert apply(matrix, face_box.center) == pytest.approx(base_box.center)
    assert np.hypot(matrix[0, 0], matrix[1, 0]) == pytest.approx(2.5)


def test_eye_alignment_puts_the_eyes_on_the_portraits_eyes():
    face_box, base_box = Box(40, 40, 100, 100), Box(300, 260, 250, 250)
    face_eyes = ((70.0, 80.0), (110.0, 84.0))  # slightly tilted head
    base_eyes = ((375.0, 350.0), (475.0, 350.0))

    matrix = face_transform(face_box, base_box, face_eyes, base_eyes)

    assert apply(matrix, face_eyes[0]) == pytest.approx(base_eyes[0])
    assert apply(matrix, face_eyes[1]) == pytest.approx(base_eyes[1])


def test_implausible_eyes_fall_back_to_box_alignment():
    """Eyes 4× closer together than the box suggests are a misdetection, not a tiny face."""
    face_box, base_box = Box(40, 40, 100, 100), Box(300, 260, 250, 250)
    face_eyes = ((85.0, 80.0), (95.0, 80.0))
    base_eyes = ((375.0, 350.0), (475.0, 350.0))

    matrix = face_transform(face_box, base_box, face_eyes, base_eyes)

    assert apply(matrix, face_box.center) == pytest.approx(base_box.center)


def test_mask_is_solid_over_the_face_and_clear_far_from_it():
    mask = face_mask((demo_art.HEIGHT, demo_art.WIDTH), BASE_BOX)
    cx, cy = (round(v) for v in BASE_BOX.center)

    assert mask[cy, cx] == pytest.approx(1.0, abs=1e-3)
    assert mask[0, 0] == 0
    assert mask[demo_art.HEIGHT - 1, demo_art.WIDTH - 1] == 0
    # Feathered: the edge of the ellipse is neither solid nor clear.
    assert 0.1 < mask[cy, BASE_BOX.x] < 0.9


def test_colour_matching_moves_the_skin_toward_the_portraits_palette():
    face = np.full((64, 64, 3), (120, 160, 220), np.uint8)  # a cold, blue-lit face
    base = np.full((64, 64, 3), demo_art.SKIN, np.uint8)
    region = np.ones((64, 64), bool)

    matched = match_colour(face, base, region)

    def lab_mean(pixels):
        return cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(float).mean(axis=0)

    before = np.linalg.norm(lab_mean(face) - lab_mean(base))
    after = np.linalg.norm(lab_mean(matched) - lab_mean(base))
    assert after < before * 0.4


def test_colour_matching_leaves_a_face_alone_when_the_region_is_too_small():
    face = np.full((8, 8, 3), 100, np.uint8)
    base = np.full((8, 8, 3), 200, np.uint8)
    region = np.zeros((8, 8), bool)
    region[0, :3] = True

    assert np.array_equal(match_colour(face, base, region), face)
