"""Every file in the bad-upload corpus, posted to the real capture API as station 1's tablet.

Refused files get a specific 4xx with a code and a sentence a person can act on, and leave
no row and no file behind; accepted ones are converted to a plain upright RGB photo that
carries nothing of the uploaded file but its pixels.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from experiences.models.photo import Capture, Job
from tests import factories, photos
from tests.bad_uploads import CAPTURE_CORPUS
from tests.visitors.test_api import assert_nothing_stored

pytestmark = pytest.mark.django_db

# name: (status, code, words the detail must contain)
REFUSED = {
    "empty": (400, "empty", "empty"),
    "truncated_jpeg": (400, "corrupt", "could not be read completely"),
    "png_bomb_within_pillow_limit": (400, "too_many_pixels", "10000×10000 pixels"),
    "png_bomb_beyond_pillow_limit": (400, "too_many_pixels", "limit of 40 megapixels"),
    "huge_declared_jpeg": (400, "too_many_pixels", "limit of 40 megapixels"),
    "sliver_jpeg": (400, "too_small", "20000×20 pixels"),
    "zero_size_png": (400, "not_an_image", "not a JPEG, PNG or WebP"),
    "bad_crc_png": (400, "corrupt", "could not be read completely"),
    "html_then_jpeg": (415, "unsupported_format", "cannot use HTML files"),
    "svg": (415, "unsupported_format", "cannot use SVG files"),
    "svg_named_jpg": (415, "unsupported_format", "cannot use SVG files"),
    "animated_gif": (415, "unsupported_format", "cannot use GIF files"),
    "animated_webp": (400, "animated", "single still photo"),
    "heic": (415, "unsupported_format", "Most Compatible"),
    "tiff": (415, "unsupported_format", "cannot use TIFF files"),
    "pdf": (415, "unsupported_format", "cannot use PDF files"),
    "text": (400, "not_an_image", "not a JPEG, PNG or WebP"),
    "text_named_jpg": (400, "not_an_image", "not a JPEG, PNG or WebP"),
    "oversize": (413, "too_large", "the limit is"),
}
ACCEPTED = {name for name in CAPTURE_CORPUS if name not in REFUSED}


def post_file(client, name: str):
    content, filename, content_type = CAPTURE_CORPUS[name]()
    return client.post(
        "/api/stations/1/captures/",
        {
            "image": SimpleUploadedFile(filename, content, content_type=content_type),
            "nickname": "Mina",
            "consent_version": factories.CONSENT_VERSION,
        },
    )


@pytest.fixture
def stored_before(media_root) -> set[str]:
    return factories.media_files(media_root)


def test_the_corpus_is_classified_completely():
    assert len(CAPTURE_CORPUS) >= 25
    assert set(REFUSED) <= set(CAPTURE_CORPUS)
    assert len(ACCEPTED) >= 8


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_bad_file_gets_a_specific_4xx_and_leaves_nothing(
    booth, device_client, media_root, stored_before, name
):
    status, code, words = REFUSED[name]

    response = post_file(device_client, name)

    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert words in body["detail"]
    assert body["detail"].endswith(".")
    assert_nothing_stored(media_root, stored_before)
    assert not (media_root / "captures").exists() or not any((media_root / "captures").iterdir())
    assert not (media_root / "faces").exists() or not any((media_root / "faces").iterdir())


def stored_original(job_id: int) -> tuple[bytes, str]:
    capture = Capture.objects.get(job__pk=job_id)
    with capture.original.open("rb") as handle:
        return handle.read(), capture.original.name


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_an_odd_but_usable_photo_is_stored_as_a_clean_upright_jpeg(booth, device_client, name):
    response = post_file(device_client, name)

    assert response.status_code == 201, response.content
    data, stored_name = stored_original(response.json()["job"])
    assert stored_name.startswith("captures/") and stored_name.endswith(".jpg")
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (512, 512))
    # Nothing but pixels survives: no appended archive, no script, no metadata.
    assert b"PK\x03\x04" not in data
    assert b"<script" not in data
    assert photos.CAMERA_MAKE.encode() not in data
    assert photos.JPEG_COMMENT not in data
    assert photos.exif_of(data) == {}
    assert photos.gps_of(data) == {}
    expected = photos.face_image()
    if name == "png16_grey":
        expected = expected.convert("L").convert("RGB")
        assert photos.mean_difference(image.convert("L").convert("RGB"), image) < 1
    # Colours right (CMYK converted, 16 bits scaled, not clipped) and upright (EXIF applied).
    assert photos.mean_difference(image, expected) < 6, name
    assert Job.objects.get().state == Job.State.QUEUED


def test_a_body_declared_larger_than_the_limit_is_refused_before_it_is_read(
    booth, device_client, media_root, stored_before
):
    """A client announcing 2 GB gets its 413 at once: Django never spools the body to disk
    (this one is small, so a server that read it would accept the photo)."""
    content, _, _ = CAPTURE_CORPUS["exif_rotated_with_gps"]()
    boundary = "BoUnDaRy"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="p.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + content
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="nickname"\r\n\r\nMina'
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="consent_version"\r\n\r\n'
            f"{factories.CONSENT_VERSION}\r\n--{boundary}--\r\n"
        ).encode()
    )

    honest = device_client.generic(
        "POST", "/api/stations/1/captures/", body, f"multipart/form-data; boundary={boundary}"
    )
    inflated = device_client.generic(
        "POST",
        "/api/stations/1/captures/",
        body,
        f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH=str(2 * 1024**3),
    )

    assert honest.status_code == 201, honest.content
    assert inflated.status_code == 413
    assert inflated.json()["code"] == "too_large"
    assert "2147.5 MB" in inflated.json()["detail"]
    assert Capture.objects.count() == 1
