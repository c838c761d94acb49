"""A portrait a visitor would share: their face inside the painted head, nothing else of
their photo, the portrait's own geometry, at the portrait's full resolution."""

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from experiences.library import demo_art
from experiences.models.library import BaseImage
from experiences.photo import base_faces, facemesh, mesh_compositing
from experiences.photo.jobs import run_job
from tests import factories, photos

pytestmark = pytest.mark.django_db


def _decoded(field_file) -> np.ndarray:
    with field_file.open("rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("RGB"))


def _grey_detail(rgb: np.ndarray) -> np.ndarray:
    """Features without colour or broad light: what should survive the colour match."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return grey - cv2.GaussianBlur(grey, (0, 0), 6)


def _correlation(a: np.ndarray, b: np.ndarray, where: np.ndarray) -> float:
    return float(np.corrcoef(a[where], b[where])[0, 1])


GRACE_HOPPER = Path(__file__).resolve().parents[3] / "tests" / "face_photos" / "grace_hopper.jpg"
VISITORS = {
    # Two real people: scikit-image's astronaut (Eileen Collins, NASA, public domain) and
    # matplotlib's Grace Hopper (U.S. Navy, public domain; see tests/face_photos).
    "astronaut": photos.astronaut_rgb,
    "grace_hopper": lambda: np.asarray(Image.open(GRACE_HOPPER).convert("RGB")),
}


@pytest.fixture(params=sorted(VISITORS))
def visitor(request) -> np.ndarray:
    return VISITORS[request.param]()


@pytest.fixture
def portrait_job(db, visitor):
    """A real visitor at a booth with the painted Joseon scholar as its only portrait."""
    booth = factories.make_booth(personas=("joseon-scholar",))
    job = factories.make_job(booth.station, photo=photos.jpeg_bytes(Image.fromarray(visitor)))
    assert run_job(job.pk) == "succeeded", job.error
    job.refresh_from_db()
    return job


def test_the_portrait_is_at_the_base_images_full_resolution(portrait_job):
    base = _decoded(portrait_job.base_image.image)

    assert _decoded(portrait_job.portrait.file).shape == base.shape == (1024, 768, 3)


def test_the_visitors_features_are_in_the_portraits_face(portrait_job, visitor):
    """The inner face of the result follows the visitor's features, not the painting's."""
    base_image = portrait_job.base_image
    base = _decoded(base_image.image)
    result = _decoded(portrait_job.portrait.file)
    base_points = base_faces.stored_landmarks(base_image)
    (visitor_face,) = facemesh.detect_faces(visitor)
    # The visitor's photo laid on the portrait's face geometry: the reference for "their
    # features". Compared only where the blend is solid.
    geometry = mesh_compositing._geometry(base_points, base.shape[:2])
    x0, y0, x1, y1 = geometry.window
    reference = mesh_compositing.warp_face(visitor, visitor_face.landmarks, geometry)
    solid = geometry.mask > 0.95

    with_visitor = _correlation(_grey_detail(result[y0:y1, x0:x1]), _grey_detail(reference), solid)
    with_painting = _correlation(
        _grey_detail(result[y0:y1, x0:x1]), _grey_detail(base[y0:y1, x0:x1]), solid
    )

    assert with_visitor > 0.6  # grain is added and the job meshes the JPEG crop
    assert with_painting < with_visitor - 0.3, (with_visitor, with_painting)
    # And the face mesh still finds one face, where the painted one was and as upright.
    (found,) = facemesh.detect_faces(result)
    assert facemesh.box_iou(found.box, tuple(base_image.face_box)) > 0.7
    assert abs(found.roll) < 5


def test_nothing_of_the_visitors_photo_lands_outside_the_face(portrait_job):
    """Outside the painted face's outline the portrait is the painting (up to JPEG noise):
    no background, hair or collar of the visitor comes along."""
    base_image = portrait_job.base_image
    base = _decoded(base_image.image).astype(np.int16)
    result = _decoded(portrait_job.portrait.file).astype(np.int16)
    hull = np.zeros(base.shape[:2], np.uint8)
    cv2.fillPoly(hull, [base_faces_hull(base_image)], 1)
    outside = hull == 0

    difference = np.abs(result - base).max(axis=2)

    assert np.percentile(difference[outside], 99.9) <= 12
    # Whereas inside it, the face did change.
    assert difference[hull == 1].mean() > 15


def base_faces_hull(base_image: BaseImage) -> np.ndarray:
    return mesh_compositing.face_hull(base_faces.stored_landmarks(base_image))


def test_a_tilted_visitor_is_put_upright_into_the_portrait(db):
    """The portrait keeps its own pose: a visitor whose head leans 20° is not pasted in
    leaning."""
    booth = factories.make_booth(personas=("roman-senator",))
    image = photos.astronaut_rgb()
    matrix = cv2.getRotationMatrix2D((256, 256), 20, 1.0)
    tilted = cv2.warpAffine(image, matrix, (512, 512), borderMode=cv2.BORDER_REFLECT)
    job = factories.make_job(booth.station, photo=photos.jpeg_bytes(Image.fromarray(tilted)))
    assert run_job(job.pk) == "succeeded", job.error
    job.refresh_from_db()

    (found,) = facemesh.detect_faces(_decoded(job.portrait.file))

    assert abs(found.roll) < 5


@pytest.mark.parametrize("persona", demo_art.PERSONAS, ids=lambda p: p.key)
def test_every_demo_portrait_has_a_face_the_library_accepts(persona):
    face = base_faces.measure(demo_art.paint_portrait(persona))

    assert face.landmarks.shape == (468, 2)
    assert abs(face.pose["yaw"]) < 10 and abs(face.pose["roll"]) < 5


def test_stored_demo_portraits_know_their_face(booth):
    for base in booth.base_images:
        base.refresh_from_db()
        assert base_faces.stored_landmarks(base) is not None
        assert set(base.face_pose) == {"yaw", "pitch", "roll"}


def test_a_base_image_without_landmarks_is_measured_on_first_use(db):
    booth = factories.make_booth(personas=("edo-merchant",))
    BaseImage.objects.update(face_landmarks=None, face_pose=None)
    job = factories.make_job(booth.station)

    assert run_job(job.pk) == "succeeded"
    base = BaseImage.objects.get()
    assert base_faces.stored_landmarks(base) is not None


def test_a_base_image_in_profile_or_without_a_face_is_refused_with_its_reason():
    with pytest.raises(base_faces.UnusableFace) as no_face:
        base_faces.measure(photos.no_face_image())
    assert no_face.value.reason == BaseImage.RejectionReason.NO_FACE

    small = Image.new("RGB", (800, 800), (90, 110, 130))
    small.paste(photos.face_image(), (0, 0))  # a face ~107 px tall: under 15% of 800
    with pytest.raises(base_faces.UnusableFace) as too_small:
        base_faces.measure(small)
    assert too_small.value.reason == BaseImage.RejectionReason.PERSON_TOO_SMALL
    assert "short side" in str(too_small.value)


def test_approval_measures_faces_and_leaves_out_a_faceless_image(db):
    booth = factories.make_booth(personas=("viking-navigator",))
    good = BaseImage.objects.get()
    BaseImage.objects.update(approved=False, face_landmarks=None)
    faceless = factories.save_base_image(
        booth.experience,
        factories.PERSONAS["edo-merchant"],
        photos.jpeg_bytes(photos.no_face_image()),
        approved=False,
    )
    images = BaseImage.objects.all()

    refused = base_faces.measure_for_approval(images)
    images.exclude(pk__in=refused).approve(by=None)

    good.refresh_from_db()
    faceless.refresh_from_db()
    assert good.approved and base_faces.stored_landmarks(good) is not None
    assert list(refused) == [faceless.pk]
    assert not faceless.approved
    assert faceless.rejection_reason == BaseImage.RejectionReason.NO_FACE


def test_the_captures_stored_landmarks_are_used_in_the_crops_pixels(db):
    """A capture whose request stored the face mesh (in the original's pixels) gives the
    compositor that mesh moved into the face crop: the same face the crop shows."""
    from experiences.photo.experience_types import face_in_crop

    booth = factories.make_booth(personas=("joseon-scholar",))
    capture = factories.make_job(booth.station).capture
    original = _decoded(capture.original)
    (seen,) = facemesh.detect_faces(original)
    capture.face_landmarks = seen.to_dict()

    moved = face_in_crop(capture)

    (in_crop,) = facemesh.detect_faces(_decoded(capture.face_crop))
    assert np.abs(moved.landmarks - in_crop.landmarks).mean() < 3


def test_a_base_image_repainted_under_the_same_landmarks_gets_its_own_colour_match():
    """What is worked out once per base image (its skin colour and light) follows the
    image's pixels: a base repainted warmer, its face where it was, gives a warmer face."""
    visitor = photos.astronaut_rgb()
    face = facemesh.detect_faces(visitor)[0]
    scholar = next(p for p in demo_art.PERSONAS if p.key == "joseon-scholar")
    base = np.asarray(demo_art.paint_portrait(scholar).convert("RGB"))
    base_points = facemesh.detect_faces(base)[0].landmarks
    warmer = np.clip(base.astype(np.int16) + np.int16([40, 10, -30]), 0, 255).astype(np.uint8)
    inside = mesh_compositing.blend_mask(base_points, base.shape[:2]) > 0.9

    first = mesh_compositing.composite(visitor, face.landmarks, base, base_points)
    second = mesh_compositing.composite(visitor, face.landmarks, warmer, base_points)
    again = mesh_compositing.composite(visitor, face.landmarks, base, base_points)

    red_minus_blue = (second[inside, 0].astype(float) - second[inside, 2]).mean()
    assert red_minus_blue > (first[inside, 0].astype(float) - first[inside, 2]).mean() + 20
    assert np.array_equal(again, first)  # and the first base's result is as it was
