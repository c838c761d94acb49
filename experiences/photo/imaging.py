"""Decoding untrusted uploads and encoding what Booth publishes.

Everything Booth stores or publishes is re-encoded from pixels, so no EXIF block
(GPS position, camera serial, time) survives from an upload.
"""

import io

from django.utils.translation import gettext as _
from PIL import ExifTags, Image, UnidentifiedImageError

from kernel.errors import Rejected

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")

# Formats people send by mistake, recognised from their first bytes so the refusal can say
# what the file is and what to send instead. They are never handed to a decoder.
UNSUPPORTED_SIGNATURES = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF", "PDF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
    (b"PK\x03\x04", "ZIP"),
)
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")


class ImageRejected(Rejected):
    """An upload Booth will not process; `message` is shown to the visitor or operator."""


def too_large(size: int, limit: int) -> ImageRejected:
    return ImageRejected(
        "too_large",
        _("The photo is %(size).1f MB; the limit is %(limit).1f MB.")
        % {"size": size / 1e6, "limit": limit / 1e6},
        status=413,
    )


def load_upload(data: bytes, *, max_bytes: int, max_pixels: int, min_side: int) -> Image.Image:
    """Decode an uploaded photo into an upright RGB image with no metadata.

    The pixel count is checked from the header before any decoding, so a decompression
    bomb costs nothing; orientation from EXIF is applied and then dropped with the rest.
    """
    if not data:
        raise ImageRejected("empty", _("The photo is empty. Please take it again."))
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    unsupported = unsupported_format(data)
    if unsupported:
        message = _("Booth cannot use %(format)s files: send the photo as JPEG, PNG or WebP.") % {
            "format": unsupported
        }
        if unsupported in ("HEIC", "AVIF"):
            message += " " + _("On an iPhone: Settings › Camera › Formats › Most Compatible.")
        raise ImageRejected("unsupported_format", message, status=415)
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as exc:
        # Pillow's own guard, for headers claiming far more than any limit of ours.
        raise ImageRejected(
            "too_many_pixels",
            _("The photo has more pixels than the limit of %(limit)d megapixels.")
            % {"limit": max_pixels // 1_000_000},
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(
            "not_an_image", _("This file is not a JPEG, PNG or WebP photo.")
        ) from exc
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRejected(
            "too_many_pixels",
            _("The photo is %(width)d×%(height)d pixels; the limit is %(limit)d megapixels.")
            % {"width": width, "height": height, "limit": max_pixels // 1_000_000},
        )
    if getattr(image, "n_frames", 1) > 1:
        raise ImageRejected("animated", _("The photo is animated; send a single still photo."))
    if min(width, height) < min_side:
        raise ImageRejected(
            "too_small",
            _(
                "The photo is %(width)d×%(height)d pixels; at least %(min)d pixels on each "
                "side are needed to find a face."
            )
            % {"width": width, "height": height, "min": min_side},
        )
    try:
        # verify() checks the file's structure and checksums (PNG chunk CRCs) on a copy;
        # load() then decodes every pixel, and fails on data cut short.
        Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS).verify()
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise ImageRejected(
            "corrupt", _("The photo could not be read completely. Please take it again.")
        ) from exc
    orientation = exif_orientation(image)  # after load(): the pixels are all there
    if orientation in UPRIGHT:
        image = image.transpose(UPRIGHT[orientation])
    return _plain_rgb(image)


# EXIF orientation → the transpose that shows the photo upright (as ImageOps.exif_transpose).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation tag, or 1 (as stored) when the EXIF block is missing or damaged.

    Read here rather than with ImageOps.exif_transpose, which writes the rest of the EXIF
    block back out and fails with struct or type errors on tampered tags: Booth drops that
    block anyway, and a photo with broken metadata is still a usable photo.
    """
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # any failure of the metadata parser means "no usable tag"
        return 1
    return value if isinstance(value, int) else 1


def unsupported_format(data: bytes) -> str:
    """The name of a known non-photo or unsupported format `data` starts as, or ""."""
    head = data[:64]
    for signature, name in UNSUPPORTED_SIGNATURES:
        if head.startswith(signature):
            return name
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "AVIF" if head[8:12] == b"avif" else "HEIC"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")):
        return "SVG"
    if text.startswith((b"<!doctype html", b"<html")):
        return "HTML"
    return ""


def _plain_rgb(image: Image.Image) -> Image.Image:
    """RGB pixels only: alpha is flattened on white, palettes and CMYK converted.

    Always a new image, so no EXIF block Pillow has parsed and cached comes along.
    """
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode.startswith("I;16") or image.mode == "I":
        image = image.point(lambda v: v / 256).convert("L")
    plain = image.convert("RGB") if image.mode != "RGB" else image.copy()
    plain.info.clear()  # EXIF, comments and text chunks stay behind with the upload
    return plain


def fit_within(image: Image.Image, max_side: int) -> Image.Image:
    """Downscale (never upscale) so the longer side is at most `max_side`."""
    if max(image.size) <= max_side:
        return image
    scaled = image.copy()
    scaled.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return scaled


def encode_jpeg(image: Image.Image, quality: int = 88) -> bytes:
    """JPEG bytes with no EXIF, ICC or comment blocks."""
    buffer = io.BytesIO()
    rgb = image.convert("RGB")  # a copy: clearing its info leaves the caller's image alone
    rgb.info.clear()  # Pillow writes a source JPEG's comment (COM block) back out otherwise
    # Baseline, not optimised or progressive: 3 ms instead of 22 ms for a 1280×720 frame,
    # for files about 5% larger (bench/face_detection.py).
    rgb.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
