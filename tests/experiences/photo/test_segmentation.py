"""The offline person and clothing masks, on the astronaut (regions read off the photo)."""

import numpy as np
import pytest
from PIL import Image

from experiences.models.photo import Job
from experiences.photo.backends.local import detect_faces
from experiences.photo.backends.outfits import recolour
from experiences.photo.faces import Box
from experiences.photo.jobs import run_job
from experiences.photo.segmentation import NoClothesFound, clothing_mask, person_mask
from tests import factories, photos

ASTRONAUT_FACE = Box(175, 63, 99, 99)  # what Haar finds in the photo
SUIT = [(45, 300, 60, 80), (60, 420, 60, 60)]  # orange sleeve and lower body
FACE = (195, 85, 60, 60)
WALL = [(330, 10, 60, 40), (440, 150, 50, 40)]


def share(mask: np.ndarray, box) -> float:
    x, y, w, h = box
    return float((mask[y : y + h, x : x + w] > 0).mean())


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return photos.astronaut_rgb()


def test_person_mask_covers_face_and_suit_but_not_the_wall(astronaut):
    mask = person_mask(astronaut, ASTRONAUT_FACE)

    assert mask.shape == astronaut.shape[:2]
    assert set(np.unique(mask)) <= {0, 255}
    assert share(mask, FACE) > 0.95
    for box in SUIT:
        assert share(mask, box) > 0.9, box
    for box in WALL:
        assert share(mask, box) < 0.05, box


def test_clothing_mask_is_the_suit_without_face_or_wall(astronaut):
    clothes = clothing_mask(astronaut, ASTRONAUT_FACE)

    for box in SUIT:
        assert share(clothes, box) > 0.9, box
    assert share(clothes, FACE) == 0
    assert (
        share(clothes, (ASTRONAUT_FACE.x, 0, ASTRONAUT_FACE.w, 160)) == 0
    )  # nothing above the chin
    for box in WALL:
        assert share(clothes, box) == 0, box


def test_a_face_at_the_edge_of_the_frame_still_gets_a_mask(astronaut):
    shifted = np.ascontiguousarray(astronaut[:, 150:])  # the face now 25 px from the left edge
    face = Box(ASTRONAUT_FACE.x - 150, ASTRONAUT_FACE.y, ASTRONAUT_FACE.w, ASTRONAUT_FACE.h)

    clothes = clothing_mask(shifted, face)

    assert share(clothes, (300 - 150, 250, 40, 60)) > 0.5  # the suit right of the collar


def test_a_close_up_of_a_face_has_no_clothes_to_dress():
    close_up = np.asarray(photos.face_image().crop((150, 20, 300, 200)).resize((450, 540)))
    face = detect_faces(Image.fromarray(close_up))[0]

    with pytest.raises(NoClothesFound):
        clothing_mask(close_up, face)


@pytest.mark.django_db
def test_a_close_up_fails_the_uniform_job_with_advice_for_the_operator():
    booth = factories.make_photo_booth("uniform")
    close_up = photos.face_image().crop((150, 20, 300, 200)).resize((450, 540))
    job = factories.make_job(booth.station, photo=photos.jpeg_bytes(close_up))

    assert run_job(job.pk) == Job.State.FAILED

    job.refresh_from_db()
    assert job.error.startswith("The photo shows too little below the face to put a kit on.")
    assert not job.assets.exists()


@pytest.mark.parametrize(("colour", "dark"), [((25, 25, 28), True), ((245, 245, 245), False)])
def test_black_and_white_kits_keep_the_folds(colour, dark):
    folds = np.tile(np.linspace(120, 240, 200, dtype=np.uint8)[None, :, None], (100, 1, 3))
    folds[..., 1:] //= 3  # an orange-ish gradient
    alpha = np.ones(folds.shape[:2], np.float32)

    kit = recolour(folds, alpha, colour).astype(np.float32)

    lightness = kit.mean(axis=2)
    assert (lightness.mean() < 90) if dark else (lightness.mean() > 170)
    assert lightness[:, -10:].mean() - lightness[:, :10].mean() > 20  # still lighter on the right
    assert np.abs(kit[..., 0] - kit[..., 2]).mean() < 12  # neutral: the orange is gone
