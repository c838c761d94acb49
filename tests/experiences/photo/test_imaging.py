"""Decoding untrusted uploads: upright pixels, no metadata, clear refusals."""

import io
import struct
import zlib

import pytest
from PIL import Image

from experiences.photo.imaging import (
    ImageRejected,
    encode_jpeg,
    encode_png,
    fit_within,
    load_upload,
)
from tests import photos

LIMITS = {"max_bytes": 10_000_000, "max_pixels": 40_000_000, "min_side": 200}


def load(data: bytes, **limits) -> Image.Image:
    return load_upload(data, **{**LIMITS, **limits})


@pytest.mark.parametrize("orientation", [1, 2, 3, 4, 5, 6, 7, 8])
def test_exif_orientation_is_applied(orientation):
    upright = photos.face_image(portrait=True)
    photo = photos.face_jpeg(portrait=True, orientation=orientation)
    if orientation in (5, 6, 7, 8):  # precondition: the camera stored it sideways
        assert Image.open(io.BytesIO(photo)).size == (512, 400)

    image = load(photo)

    assert image.size == (400, 512)
    assert photos.mean_difference(image, upright) < 6


def test_decoded_photo_carries_no_metadata():
    photo = photos.face_jpeg(orientation=6, gps=True, comment=True)
    assert photos.gps_of(photo)  # precondition: the upload has a position in it

    image = load(photo)

    assert image.mode == "RGB"
    assert not image.getexif()
    for key in ("exif", "comment", "icc_profile", "xmp"):
        assert key not in image.info


def test_encoded_jpeg_has_no_exif_gps_or_comment_from_the_upload():
    photo = photos.face_jpeg(gps=True, comment=True)
    assert photos.JPEG_COMMENT in photo and photos.CAMERA_MAKE.encode() in photo

    stored = encode_jpeg(load(photo), 90)

    assert photos.gps_of(stored) == {}
    assert photos.exif_of(stored) == {}
    assert photos.JPEG_COMMENT not in stored
    assert photos.CAMERA_MAKE.encode() not in stored
    assert b"Exif\x00\x00" not in stored


def test_encode_jpeg_drops_metadata_even_from_an_opened_camera_file():
    camera_file = Image.open(io.BytesIO(photos.face_jpeg(gps=True, comment=True)))
    assert "exif" in camera_file.info and "comment" in camera_file.info

    encoded = encode_jpeg(camera_file)

    assert Image.open(io.BytesIO(encoded)).format == "JPEG"
    assert photos.JPEG_COMMENT not in encoded
    assert photos.CAMERA_MAKE.encode() not in encoded


def test_png_with_transparency_is_flattened_on_white():
    image = load(photos.face_png(transparent_margin=40))

    assert image.mode == "RGB"
    assert image.size == (592, 592)
    assert image.getpixel((5, 5)) == (255, 255, 255)
    centre = photos.face_image().getpixel((256, 256))
    assert image.getpixel((296, 296)) == centre


def test_palette_png_and_png_text_are_decoded_to_plain_rgb():
    image = load(photos.face_png(palette=True))

    assert image.mode == "RGB"
    assert photos.mean_difference(image, photos.face_image()) < 12


def test_png_text_chunks_are_not_carried_over():
    photo = photos.png_bytes(photos.face_image(), text="visitor-secret")

    stored = encode_jpeg(load(photo))

    assert b"visitor-secret" not in stored


def test_webp_is_accepted():
    buffer = io.BytesIO()
    photos.face_image().save(buffer, "WEBP", quality=90)

    assert load(buffer.getvalue()).size == (512, 512)


@pytest.mark.parametrize(
    ("data", "limits", "code", "status"),
    [
        (b"", {}, "empty", 400),
        (b"%PDF-1.4 this is a document, not a photo" * 20, {}, "unsupported_format", 415),
        (b"this is a text, not a photo" * 20, {}, "not_an_image", 400),
        ("gif", {}, "unsupported_format", 415),
        ("face", {"max_bytes": 10_000}, "too_large", 413),
        ("face", {"max_pixels": 512 * 512 - 1}, "too_many_pixels", 400),
        ("face", {"min_side": 513}, "too_small", 400),
        ("truncated", {}, "corrupt", 400),
    ],
)
def test_unusable_uploads_are_refused_with_a_code_and_a_sentence(data, limits, code, status):
    if data == "face":
        data = photos.face_jpeg()
    elif data == "gif":
        buffer = io.BytesIO()
        photos.face_image().save(buffer, "GIF")
        data = buffer.getvalue()
    elif data == "truncated":
        whole = photos.face_jpeg()
        data = whole[: len(whole) // 2]

    with pytest.raises(ImageRejected) as rejected:
        load(data, **limits)

    assert rejected.value.code == code
    assert rejected.value.status == status
    assert rejected.value.message.endswith(".")


def png_header_claiming(width: int, height: int) -> bytes:
    """A 1×1 PNG whose header claims `width`×`height`: its pixel data cannot be decoded."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(data[ihdr : ihdr + 17])))
    return bytes(data)


def test_decompression_bomb_is_refused_from_its_header_before_decoding():
    # Decoding would fail ("corrupt"): refusing it as too many pixels proves the header
    # was checked first, so a real bomb is never decompressed.
    bomb = png_header_claiming(8000, 6000)

    with pytest.raises(ImageRejected) as rejected:
        load(bomb)

    assert rejected.value.code == "too_many_pixels"
    assert "8000×6000" in rejected.value.message


def test_fit_within_downscales_the_longer_side_and_never_upscales():
    image = Image.new("RGB", (3000, 1500))

    assert fit_within(image, 1280).size == (1280, 640)
    assert fit_within(image, 4000) is image


def test_encode_png_round_trips_pixels():
    image = photos.face_image()

    assert photos.mean_difference(Image.open(io.BytesIO(encode_png(image))), image) == 0
