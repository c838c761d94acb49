"""The job: a stored capture becomes a published portrait, a story and a QR code."""

import io

import pytest
from PIL import Image

from displays.models import Display
from displays.services import display_state
from experiences.models.library import BaseImage
from experiences.models.photo import Asset, Job
from experiences.photo.backends.local import HaarFaceDetector
from experiences.photo.faces import Box
from experiences.photo.jobs import run_job
from tests import factories, photos
from tests.qrcodes import decode_qr

pytestmark = pytest.mark.django_db

STAGES = {"detect", "choose", "composite", "story", "encode", "qr", "store"}


def read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def faces_inside(image: Image.Image, box: Box) -> list[Box]:
    return [
        face
        for face in HaarFaceDetector().detect(image)
        if box.x <= face.center[0] <= box.x + box.w and box.y <= face.center[1] <= box.y + box.h
    ]


def test_job_produces_a_portrait_with_the_visitors_face(booth):
    job = factories.make_job(booth.station, nickname="Mina")

    assert run_job(job.pk) == Job.State.SUCCEEDED

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.error == ""
    assert job.finished is not None and job.attempts == 1
    base = job.base_image
    assert base in booth.base_images
    portrait_bytes = read(job.portrait.file)
    portrait = Image.open(io.BytesIO(portrait_bytes))
    assert portrait.format == "JPEG"
    assert not portrait.getexif()
    assert b"Exif\x00\x00" not in portrait_bytes
    base_image = Image.open(io.BytesIO(read(base.image))).convert("RGB")
    assert portrait.size == base_image.size
    assert photos.mean_difference(portrait, base_image) > 1
    face_box = Box.from_list(base.face_box)
    # The demo portraits have painted faces now: the portrait's face region is the
    # visitor's (tests/experiences/photo/test_portrait_compositing.py checks their features).
    assert len(faces_inside(portrait.convert("RGB"), face_box)) == 1


def test_story_is_personalised_with_the_nickname(booth):
    job = factories.make_job(booth.station, nickname="Sun-woo")

    run_job(job.pk)

    job.refresh_from_db()
    assert "Sun-woo" in job.story
    assert "{nickname}" not in job.story
    assert job.story == job.base_image.story.replace("{nickname}", "Sun-woo")


def test_story_without_a_placeholder_starts_with_the_nickname(db):
    booth = factories.make_booth(personas=())
    factories.make_base_image(booth.experience, story="A sailor who mapped the stars.")
    job = factories.make_job(booth.station, nickname="Ada")

    run_job(job.pk)

    job.refresh_from_db()
    assert job.story == "Ada: A sailor who mapped the stars."


def test_qr_code_decodes_to_the_public_result_link(booth, public_base_url):
    job = factories.make_job(booth.station)

    run_job(job.pk)

    portrait = job.assets.get(kind=Asset.Kind.PORTRAIT)
    qr = job.assets.get(kind=Asset.Kind.QR)
    assert Image.open(qr.file.path).format == "PNG"
    assert decode_qr(read(qr.file)) == f"https://booth.example.org/r/{portrait.token}/"


def test_every_stage_is_timed_and_every_backend_named(booth):
    job = factories.make_job(booth.station)

    run_job(job.pk)

    job.refresh_from_db()
    assert set(job.timings) == STAGES
    assert all(isinstance(seconds, float) and seconds >= 0 for seconds in job.timings.values())
    assert job.timings["composite"] > 0
    assert job.backends == {
        "face": "local-mesh",
        "compositor": "local-blend",
        "story": "local-template",
    }


def test_result_becomes_the_live_displays_current_result(booth):
    job = factories.make_job(booth.station, nickname="Mina")

    run_job(job.pk)

    state = display_state(Display.objects.get(pk=booth.display.pk))
    assert state["result"]["id"] == job.portrait.pk
    assert state["result"]["nickname"] == "Mina"


@pytest.mark.parametrize("mode", [Display.Mode.PAUSED, Display.Mode.DEFAULT])
def test_a_paused_or_default_display_is_not_switched_to_the_new_result(booth, mode):
    Display.objects.filter(pk=booth.display.pk).update(mode=mode)
    job = factories.make_job(booth.station)

    assert run_job(job.pk) == Job.State.SUCCEEDED

    assert Display.objects.get(pk=booth.display.pk).current_asset is None
    assert job.assets.count() == 2  # the visitor still gets their portrait and QR


def test_no_approved_base_image_fails_the_job_and_the_display_keeps_its_result(booth, media_root):
    first = factories.make_job(booth.station, nickname="First")
    run_job(first.pk)
    shown = first.portrait
    BaseImage.objects.update(approved=False)
    second = factories.make_job(booth.station, nickname="Second")

    assert run_job(second.pk) == Job.State.FAILED

    second.refresh_from_db()
    assert second.state == Job.State.FAILED
    assert second.error == "No approved base image for “Past life”. Approve one in admin."
    assert second.finished is not None
    assert not second.assets.exists()
    display = Display.objects.get(pk=booth.display.pk)
    assert display.current_asset == shown
    assert display_state(display)["result"]["nickname"] == "First"
    # Only the first job's portrait and QR exist as asset files.
    assert len([f for f in factories.media_files(media_root) if f.startswith("assets/")]) == 2


def test_an_unexpected_failure_is_recorded_readably_and_leaves_no_assets(booth, media_root):
    for base in booth.base_images:  # the base images' files went missing from storage
        base.image.storage.delete(base.image.name)
    job = factories.make_job(booth.station)

    assert run_job(job.pk) == Job.State.FAILED

    job.refresh_from_db()
    assert job.error.startswith("Processing failed (FileNotFoundError: ")
    assert job.error.endswith(").")
    assert not job.assets.exists()
    assert not any(f.startswith("assets/") for f in factories.media_files(media_root))


def test_running_a_job_twice_leaves_one_portrait_and_one_qr(booth, media_root):
    job = factories.make_job(booth.station)
    run_job(job.pk)
    first_tokens = set(job.assets.values_list("token", flat=True))

    assert run_job(job.pk) == Job.State.SUCCEEDED

    job.refresh_from_db()
    assert job.attempts == 1  # the finished job was left alone
    assert sorted(job.assets.values_list("kind", flat=True)) == ["portrait", "qr"]
    assert set(job.assets.values_list("token", flat=True)) == first_tokens
    assert len([f for f in factories.media_files(media_root) if f.startswith("assets/")]) == 2


def test_reprocessing_a_job_replaces_its_assets_and_deletes_the_old_files(booth, media_root):
    job = factories.make_job(booth.station)
    run_job(job.pk)
    old_files = {asset.file.name for asset in job.assets.all()}
    old_token = job.portrait.token
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)  # staff queue it again

    assert run_job(job.pk) == Job.State.SUCCEEDED

    job.refresh_from_db()
    assert job.attempts == 2
    assert sorted(job.assets.values_list("kind", flat=True)) == ["portrait", "qr"]
    assert job.portrait.token != old_token
    asset_files = {f for f in factories.media_files(media_root) if f.startswith("assets/")}
    assert asset_files == {asset.file.name for asset in job.assets.all()}
    assert not asset_files & old_files
    assert Display.objects.get(pk=booth.display.pk).current_asset == job.portrait


def test_an_interrupted_job_starts_over_from_its_stored_capture(booth):
    job = factories.make_job(booth.station)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, attempts=1)

    assert run_job(job.pk) == Job.State.SUCCEEDED

    job.refresh_from_db()
    assert job.attempts == 2
    assert job.assets.count() == 2
