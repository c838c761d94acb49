"""Uniform try-on and business portrait, end to end through the job with the offline
backends: the astronaut (orange flight suit, grey studio wall) is the visitor."""

import colorsys
import io

import numpy as np
import pytest
from PIL import Image

from displays.models import Display
from displays.services import display_state
from experiences.models.events import Experience
from experiences.models.library import BaseImage
from experiences.models.photo import Asset, Job
from experiences.photo.backends.local import HaarFaceDetector
from experiences.photo.backends.outfits import STUDIO_BLUE
from experiences.photo.jobs import run_job
from moderation.services import erase_player
from tests import factories, photos
from tests.qrcodes import decode_qr

pytestmark = pytest.mark.django_db

# Regions of the astronaut photo (x, y, width, height), read off the picture.
SUIT_LEFT_ARM = (45, 300, 60, 80)  # orange sleeve
FACE = (195, 85, 60, 60)  # cheeks, nose and mouth
WALL = (330, 10, 60, 40)  # grey studio wall above the shuttle model


def read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def region(image: Image.Image, box: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = box
    return np.asarray(image.convert("RGB"), np.float32)[y : y + h, x : x + w]


def hue_degrees(pixels: np.ndarray) -> float:
    r, g, b = (pixels.reshape(-1, 3).mean(axis=0) / 255).tolist()
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def hue_distance(a: float, b: float) -> float:
    return min(abs(a - b), 360 - abs(a - b))


def portrait_of(job: Job) -> tuple[Image.Image, bytes]:
    data = read(job.portrait.file)
    return Image.open(io.BytesIO(data)), data


def assert_published_jpeg(data: bytes, image: Image.Image) -> None:
    assert image.format == "JPEG"
    assert not image.getexif()
    assert b"Exif\x00\x00" not in data


@pytest.mark.parametrize(("colour", "kit_rgb"), [("blue", (30, 80, 200)), ("green", (20, 150, 60))])
def test_uniform_try_on_recolours_the_suit_and_keeps_face_and_wall(colour, kit_rgb):
    booth = factories.make_photo_booth("uniform", uniform_colour=colour)
    job = factories.make_job(booth.station, nickname="Mina", gender="female")
    original = photos.face_image()
    assert hue_distance(hue_degrees(region(original, SUIT_LEFT_ARM)), 20) < 15  # orange

    assert run_job(job.pk) == Job.State.SUCCEEDED

    job.refresh_from_db()
    portrait, data = portrait_of(job)
    assert_published_jpeg(data, portrait)
    assert portrait.size == original.size
    kit_hue = colorsys.rgb_to_hsv(*(c / 255 for c in kit_rgb))[0] * 360
    assert hue_distance(hue_degrees(region(portrait, SUIT_LEFT_ARM)), kit_hue) < 15
    face_change = np.abs(region(portrait, FACE) - region(original, FACE)).mean()
    wall_change = np.abs(region(portrait, WALL) - region(original, WALL)).mean()
    assert face_change < 4  # JPEG noise only
    assert wall_change < 4
    arm = region(portrait, SUIT_LEFT_ARM)
    assert arm.std(axis=(0, 1)).max() > 4  # folds and shading survive the recolour


def test_uniform_job_needs_no_base_image_and_names_its_backend():
    booth = factories.make_photo_booth("uniform")
    assert not BaseImage.objects.exists()
    job = factories.make_job(booth.station)

    assert run_job(job.pk) == Job.State.SUCCEEDED

    job.refresh_from_db()
    assert job.base_image is None
    assert set(job.timings) == {"detect", "uniform", "story", "encode", "qr", "store"}
    assert job.timings["uniform"] > 0
    assert job.backends == {"face": "local-mesh", "uniform": "local-recolour"}


def test_uniform_caption_names_the_visitor_and_the_kit_colour_in_their_language():
    booth = factories.make_photo_booth("uniform", uniform_colour="sky_blue")
    english = factories.make_job(booth.station, nickname="Mina")
    korean = factories.make_job(booth.station, nickname="민아", language="ko")

    run_job(english.pk)
    run_job(korean.pk)

    english.refresh_from_db()
    korean.refresh_from_db()
    assert english.story == "Mina, in the sky blue kit and ready for kick-off!"
    assert korean.story.startswith("민아")
    assert "하늘색" in korean.story


def test_business_portrait_puts_the_face_on_a_light_blue_studio_background():
    booth = factories.make_photo_booth("business")
    job = factories.make_job(booth.station, nickname="Joon", gender="female")
    original = photos.face_image()

    assert run_job(job.pk) == Job.State.SUCCEEDED

    job.refresh_from_db()
    portrait, data = portrait_of(job)
    assert_published_jpeg(data, portrait)
    assert portrait.size == (600, 800)  # 3:4 head-and-shoulders
    width, height = portrait.size
    blue = np.array(STUDIO_BLUE, np.float32)
    for corner in ((0, 0, 60, 60), (width - 60, 0, 60, 60)):  # above the shoulders
        assert np.abs(region(portrait, corner) - blue).mean() < 12, corner
    # The crop's corners were the flag and the grey wall in the photo, not light blue.
    assert np.abs(region(original, WALL) - blue).mean() > 20
    faces = HaarFaceDetector().detect(portrait.convert("RGB"))
    assert len(faces) == 1
    face = faces[0]
    assert abs(face.center[0] - width / 2) < width * 0.1  # centred across
    assert face.center[1] < height * 0.45  # in the upper part, room for shoulders below
    skin = region(portrait, (face.x + face.w // 3, face.y + face.h // 3, face.w // 3, face.h // 3))
    assert np.abs(skin.mean(axis=(0, 1)) - region(original, FACE).mean(axis=(0, 1))).max() < 25


def test_business_portrait_has_a_caption_a_qr_and_reaches_the_display(public_base_url):
    booth = factories.make_photo_booth("business")
    job = factories.make_job(booth.station, nickname="Joon")

    run_job(job.pk)

    job.refresh_from_db()
    assert job.story == "Joon, dressed for the interview of a lifetime."
    assert job.backends["business"] == "local-studio"
    assert "choose" not in job.timings
    portrait = job.assets.get(kind=Asset.Kind.PORTRAIT)
    qr = job.assets.get(kind=Asset.Kind.QR)
    assert decode_qr(read(qr.file)) == f"https://booth.example.org/r/{portrait.token}/"
    state = display_state(Display.objects.get(pk=booth.display.pk))
    assert state["result"]["id"] == portrait.pk
    assert state["result"]["nickname"] == "Joon"


def test_result_page_shows_the_uniform_portrait_and_its_caption(client):
    booth = factories.make_photo_booth("uniform", uniform_colour="red")
    job = factories.make_job(booth.station, nickname="Mina")
    run_job(job.pk)
    job.refresh_from_db()

    page = client.get(job.portrait.get_absolute_url())

    assert page.status_code == 200
    assert "Mina, in the red kit and ready for kick-off!" in page.content.decode()


def test_a_portrait_experience_still_fails_clearly_without_base_images(db):
    booth = factories.make_booth(personas=())
    assert booth.experience.pipeline == Experience.Pipeline.PORTRAIT
    job = factories.make_job(booth.station)

    assert run_job(job.pk) == Job.State.FAILED

    job.refresh_from_db()
    assert job.error == "No approved base image for “Past life”. Approve one in admin."


def test_an_experience_type_this_version_does_not_know_fails_the_job_clearly():
    booth = factories.make_photo_booth("uniform")
    Experience.objects.filter(pk=booth.experience.pk).update(pipeline="hologram")
    job = factories.make_job(booth.station)

    assert run_job(job.pk) == Job.State.FAILED

    job.refresh_from_db()
    assert job.error == "Unknown experience type “hologram”. Pick one in admin."


@pytest.mark.parametrize("pipeline", ["uniform", "business"])
def test_erasing_the_visitor_deletes_every_file_of_a_photo_experience(media_root, pipeline):
    booth = factories.make_photo_booth(pipeline)
    job = factories.make_finished_job(booth.station, "Mina")
    assert len(factories.files_of(job)) == 4  # original, face crop, picture, QR code
    assert factories.files_of(job) <= factories.media_files(media_root)

    erase_player(job.capture.player)

    assert factories.media_files(media_root) == set()
    assert not Job.objects.exists()
