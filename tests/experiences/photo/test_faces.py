"""Finding the visitor's face and cutting the padded crop the compositor works from."""

import pytest
from PIL import Image

from experiences.photo.backends.local import HaarFaceDetector, detect_eyes
from experiences.photo.faces import Box, NoFaceFound, crop_face, largest, padded_crop_box
from tests import photos


def test_haar_finds_the_astronauts_face_where_it_is():
    faces = HaarFaceDetector().detect(photos.face_image())

    assert len(faces) == 1
    (face,) = faces
    # The astronaut's face sits left of centre in the upper third of the photo.
    assert 150 < face.center[0] < 300
    assert 70 < face.center[1] < 160
    assert 70 < face.w < 130


def test_no_face_in_a_coffee_cup_or_a_gradient():
    detector = HaarFaceDetector()

    assert detector.detect(photos.no_face_image()) == []
    assert detector.detect(photos.gradient_image()) == []


def test_faces_in_large_photos_come_back_in_full_resolution_coordinates():
    small = HaarFaceDetector().detect(photos.face_image())[0]
    large_photo = photos.face_image().resize((2048, 2048), Image.Resampling.LANCZOS)

    (large,) = HaarFaceDetector().detect(large_photo)

    assert large.center == pytest.approx((small.center[0] * 4, small.center[1] * 4), abs=24)
    assert large.w == pytest.approx(small.w * 4, rel=0.2)


def test_the_largest_of_two_faces_is_the_visitor():
    """A passer-by behind the visitor is smaller: the largest face wins."""
    group = Image.new("RGB", (1400, 1000), (90, 90, 90))
    group.paste(photos.face_image().resize((350, 350)), (50, 100))
    group.paste(photos.face_image().resize((700, 700)), (600, 100))

    faces = HaarFaceDetector().detect(group)
    visitor = largest(faces)

    assert visitor.center[0] > 600  # the face in the bigger copy, on the right
    assert visitor.area == max(face.area for face in faces)


def test_largest_picks_by_area_and_refuses_an_empty_list():
    tall, wide = Box(0, 0, 10, 90), Box(50, 50, 40, 40)

    assert largest([tall, wide]) == wide
    with pytest.raises(NoFaceFound):
        largest([])


def test_padding_half_grows_the_box_by_half_its_size_on_every_side():
    crop = padded_crop_box(Box(200, 200, 100, 80), (1000, 1000), 0.5)

    assert crop == Box(150, 160, 200, 160)


def test_padding_is_clamped_to_the_image():
    # A face in the top-left corner: the crop cannot start before pixel 0.
    assert padded_crop_box(Box(10, 20, 100, 100), (400, 300), 0.5) == Box(0, 0, 160, 170)
    # A face in the bottom-right corner: the crop stops at the image's edge.
    assert padded_crop_box(Box(320, 220, 60, 60), (400, 300), 0.5) == Box(290, 190, 110, 110)


def test_crop_face_returns_the_crop_and_the_face_inside_it():
    image = photos.face_image()
    (face,) = HaarFaceDetector().detect(image)

    crop, inside = crop_face(image, face, 0.5)

    # Half the face's size on every side (±1 px of rounding), the face box unchanged in size.
    assert crop.size == pytest.approx((face.w * 2, face.h * 2), abs=1)
    assert (inside.x, inside.y) == pytest.approx((face.w / 2, face.h / 2), abs=1)
    assert (inside.w, inside.h) == (face.w, face.h)
    # The face is still findable in the crop, where `inside` says it is.
    (found,) = HaarFaceDetector().detect(crop)
    assert found.center == pytest.approx(inside.center, abs=10)


def test_crop_of_a_face_at_the_edge_keeps_the_face_box_aligned():
    image = photos.face_image().crop((150, 40, 512, 512))  # the face now near the top left
    (face,) = HaarFaceDetector().detect(image)

    crop, inside = crop_face(image, face, 0.5)

    assert crop.size[0] < face.w * 2 or crop.size[1] < face.h * 2  # clamped on some side
    assert photos.mean_difference(
        crop.crop((inside.x, inside.y, inside.x + inside.w, inside.y + inside.h)),
        image.crop((face.x, face.y, face.x + face.w, face.y + face.h)),
    ) == pytest.approx(0)


def test_eyes_are_found_level_inside_the_astronauts_face():
    array = photos.astronaut_rgb()
    (face,) = HaarFaceDetector().detect(photos.face_image())

    eyes = detect_eyes(array, face)

    assert eyes is not None
    (lx, ly), (rx, ry) = eyes
    assert face.x < lx < face.center[0] < rx < face.x + face.w
    assert face.y < ly < face.center[1] and face.y < ry < face.center[1]
    assert abs(ly - ry) < face.h * 0.15


def test_box_round_trips_through_a_list_and_scales():
    box = Box.from_list([10.0, 20.4, 30, 40])

    assert box.as_list() == [10, 20, 30, 40]
    assert box.scaled(2) == Box(20, 40, 60, 80)
    assert box.center == (25.0, 40.0)
